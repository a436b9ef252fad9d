"""Off-topic answers (issue 11's golden-set target): a story about something else never passes, and
the answers that do answer the question are not held back.

.venv/bin/python bench/topic.py             # on-topic answers outside the training corpus; golden dev set
.venv/bin/python bench/topic.py --holdout   # and the frozen held-out golden set (reported, never tuned on)
.venv/bin/python bench/topic.py --ratios        # the ratio P(asked) / P(best) of every answer
.venv/bin/python bench/topic.py --cv            # leave-one-writer-out archetype accuracy on the training answers
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from service.catalog import ARCHETYPE_IDS
from service.rubric import analyze, classifier
from service.rubric import topic as tp
from service.rubric.segment import read
from service.rubric.topic import topic
from service.rubric.training import CORPUS, TOPIC_CORPUS, load_corpus

ROOT = Path(__file__).resolve().parents[1]
ON_TOPIC = [ROOT / "bench/corpus/dev/forms-13.jsonl"]  # never trained on; each answers its own question
DEV, HOLDOUT = ROOT / "evals/golden/dev.jsonl", ROOT / "evals/golden/holdout.jsonl"
PASSING = {"passing", "strong", "staff"}


def _rows(path: Path) -> list[dict[str, Any]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            if "answer" not in row:
                row["answer"] = row.get("join", " ").join(s["text"] for s in row["sentences"])
            out.append(row)
    return out


def cross_validate() -> None:
    """Train on every writer's file but one, name the archetype of each of that one's answers."""
    files = sorted(CORPUS.glob("*.jsonl")) + sorted(TOPIC_CORPUS.glob("answers-*.jsonl"))
    told = [(f.name, a) for f in files for a in load_corpus(f.parent, f.name) if a.archetype]
    x = np.vstack([tp.row(read(a.answer)) for _, a in told])
    y = [str(a.archetype) for _, a in told]
    right = 0
    for name in sorted({n for n, _ in told}):
        out = [i for i, (n, _) in enumerate(told) if n == name]
        keep = [i for i, (n, _) in enumerate(told) if n != name]
        model = classifier.fit(x[keep], [y[i] for i in keep], ARCHETYPE_IDS)
        named = np.argmax(model.proba(x[out]), axis=1)
        right += sum(model.labels[int(k)] == y[i] for k, i in zip(named, out, strict=True))
    print(f"leave-one-writer-out archetype accuracy: {right / len(y):.3f} ({len(y)} answers)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ratios", action="store_true")
    ap.add_argument("--holdout", action="store_true", help="also the frozen held-out golden set")
    ap.add_argument("--cv", action="store_true", help="leave-one-writer-out on the training answers")
    args = ap.parse_args()
    if args.cv:
        cross_validate()
    for path in ON_TOPIC:
        rows = _rows(path)
        off = [r["id"] for r in rows if analyze(r["answer"], r["archetype"]).signals.off_topic]
        print(f"{path.name}: {len(off)}/{len(rows)} on-topic answers read as off the topic {off or ''}")
    for path in [DEV, HOLDOUT] if args.holdout else [DEV]:
        if not path.exists():
            continue
        tally: Counter[str] = Counter()
        wrong = []
        for r in _rows(path):
            grade = analyze(r["answer"], r["archetype"], r.get("question"))
            passed = grade.level in PASSING
            tally[f"{r['category']} passing"] += passed
            tally[f"{r['category']}"] += 1
            tally[f"{r['category']} flagged"] += bool(grade.signals.off_topic)
            if (r["category"] == "off_topic" and passed) or (r["category"] == "excellent" and not passed):
                wrong.append(f"{r['id']}({r['category']},{r.get('kind') or ''},{grade.level})")
            if args.ratios:
                t = topic(read(r["answer"]), r["archetype"])
                ratio = f"{t.ratio:.3f} as {t.reads_as}" if t else "-"
                print(f"  {r['id']} {r['category']:9} {r.get('kind') or '-'} {grade.level:8} {ratio}")
        cats = sorted({k.split()[0] for k in tally})
        summary = ", ".join(
            f"{c}: {tally[c + ' passing']}/{tally[c]} passing, {tally[c + ' flagged']} off-topic"
            for c in cats
        )
        print(f"{path.parent.name}/{path.name}: {summary}")
        print(f"  wrong (off-topic passing or excellent not passing): {' '.join(wrong) or '-'}")


if __name__ == "__main__":
    main()
