"""Where the story is set (service/rubric/frames.py): how often each kind of answer is framed as set
outside work or as a scenario, on answers the frame classifier never trained on.

.venv/bin/python bench/frames.py                      # dev: stories, golden dev, on-topic answers
.venv/bin/python bench/frames.py --sure 0.8 --sure-scenario 0.9 --opening 2  # other lines
.venv/bin/python bench/frames.py --throughout 0.3 --throughout-scenario 0.5  # the whole-answer lines
.venv/bin/python bench/frames.py --cv                 # 5-fold sentence accuracy on prompts/frames/
.venv/bin/python bench/frames.py --extra bench/corpus/frames  # retrained with more sentences (not shipped)
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import numpy as np
from topic import _rows  # bench/topic.py: one reader of answer files for both benches

from service.rubric import analyze, classifier, frames
from service.rubric.segment import read
from service.rubric.training import CORPUS, TOPIC_CORPUS, frame_matrix

ROOT = Path(__file__).resolve().parents[1]
STORIES = ROOT / "bench/corpus/stories.jsonl"  # work / personal / no-story answers, written blind
# ... and 72 more by another writer, written after the lines were chosen on the first: never tuned on.
STORIES_2 = ROOT / "bench/corpus/stories-2.jsonl"
GOLDEN_DEV = ROOT / "evals/golden/dev.jsonl"
PASSING = {"passing", "strong", "staff"}
ON_TOPIC = [
    *sorted(CORPUS.glob("*.jsonl")),
    *sorted(TOPIC_CORPUS.glob("*.jsonl")),
    ROOT / "bench/corpus/dev/forms-13.jsonl",
    *(ROOT / "evals/cases" / f for f in ("seed.jsonl", "own.jsonl", "own2.jsonl")),
]


def cross_validate(folds: int = 5) -> None:
    x, y = frame_matrix()
    order = np.random.default_rng(0).permutation(len(y))
    right = 0
    for k in range(folds):
        out = order[k::folds]
        keep = np.setdiff1d(order, out)
        model = classifier.fit(x[keep], [y[i] for i in keep], frames.FRAMES)
        named = np.argmax(model.proba(x[out]), axis=1)
        right += sum(model.labels[int(n)] == y[i] for n, i in zip(named, out, strict=True))
    print(f"{folds}-fold sentence accuracy: {right / len(y):.3f} ({len(y)} sentences)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sure", type=float, default=frames.SURE["elsewhere"], help="the line for elsewhere")
    ap.add_argument("--sure-scenario", type=float, default=frames.SURE["scenario"])
    ap.add_argument("--opening", type=int, default=frames.OPENING)
    ap.add_argument("--throughout", type=float, default=frames.THROUGHOUT["elsewhere"], help="mean line")
    ap.add_argument("--throughout-scenario", type=float, default=frames.THROUGHOUT["scenario"])
    ap.add_argument("--throughout-placed", type=float, default=frames.THROUGHOUT_PLACED)
    ap.add_argument("--throughout-told", type=float, default=frames.THROUGHOUT_TOLD)
    ap.add_argument("--cv", action="store_true")
    ap.add_argument("--show", action="store_true", help="list each flagged on-topic answer")
    ap.add_argument("--extra", type=Path, help="a folder of framing sentences to train on as well")
    args = ap.parse_args()
    if args.extra:
        (x, y), (ex, ey) = frame_matrix(), frame_matrix(args.extra)
        model = classifier.fit(np.vstack([x, ex]), y + ey, frames.FRAMES)
        shipped = classifier.shipped
        classifier.shipped = lambda name: model if name == "frames" else shipped(name)  # type: ignore[assignment]
    if args.cv:
        cross_validate()
    frames.SURE = {"elsewhere": args.sure, "scenario": args.sure_scenario}
    frames.OPENING = args.opening
    frames.THROUGHOUT = {"elsewhere": args.throughout, "scenario": args.throughout_scenario}
    frames.THROUGHOUT_PLACED, frames.THROUGHOUT_TOLD = args.throughout_placed, args.throughout_told
    tally: Counter[str] = Counter()
    for path in (STORIES, STORIES_2):
        for r in _rows(path):
            grade = analyze(r["answer"], r["archetype"])
            passing = "passing" if grade.level in PASSING else "held"
            tally[f"{r['group']} {frames.frame(read(r['answer']))} {passing}"] += 1
        print(f"{path.name}:", ", ".join(f"{k} {v}" for k, v in sorted(tally.items())))
        tally.clear()
    for r in _rows(GOLDEN_DEV):
        tally[f"{r['category']}{r.get('kind') or ''} {frames.frame(read(r['answer']))}"] += 1
    print("golden dev:", ", ".join(f"{k} {v}" for k, v in sorted(tally.items())))
    flagged, total = [], 0
    for path in ON_TOPIC:
        for r in _rows(path):
            if len(r["answer"].split()) < 25:
                continue
            total += 1
            got = frames.frame(read(r["answer"]))
            if got:
                flagged.append(f"{path.name}:{r['id']}:{got}")
    print(f"on-topic answers framed away: {len(flagged)}/{total}")
    if args.show:
        print("\n".join(flagged))


if __name__ == "__main__":
    main()
