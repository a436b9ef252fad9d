"""Model selection without touching the held-out split: leave one training file out.

Each training file was written by a different author, so training on four and grading the fifth's
whole answers measures how the reading carries over to another writer's words. Also grades the
in-sample eval files (the cases the old rules were tuned on). Usage:
    .venv/bin/python bench/rubric_cv.py [--traps [FOLDER ...]]   # e.g. --traps bench/corpus/traps
Also prints how often the dev retellings (bench/corpus/dev/forms-13.jsonl, tuned on) keep one story at one
level; `--retellings FILE ...` grades others instead (bench/corpus/forms-2/forms-15.jsonl: a blind writer's
16 stories told three ways each, graded once blind and then read for its trap misses, so dev since), with
their parts and levels.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service.evals.cases import PARTS, load_cases
from service.evals.runner import grader_report
from service.rubric import analyze, classifier, training
from service.rubric.models import level_from_verdicts

ROOT = Path(__file__).resolve().parents[1]
DEV_RETELLINGS = ROOT / "bench" / "corpus" / "dev" / "forms-13.jsonl"


def grade_training(answers: list[training.TrainingAnswer]) -> dict[str, float]:
    agree = {p: 0 for p in PARTS}
    level = tp = fp = fn = 0
    levels: dict[str, str] = {}
    for a in answers:
        g = analyze(a.answer, a.archetype)
        levels[a.id] = g.level
        for p in PARTS:
            agree[p] += g.parts[p].verdict == a.expected.parts[p]
        level += g.level == level_from_verdicts(tuple(a.expected.parts[p] for p in PARTS))
        if a.expected.trap_hit is not None and g.trap is not None:
            tp += g.trap.hit and a.expected.trap_hit
            fp += g.trap.hit and not a.expected.trap_hit
            fn += not g.trap.hit and a.expected.trap_hit
    n = len(answers)
    out = {p: agree[p] / n for p in PARTS}
    out["all"] = sum(agree.values()) / (6 * n)
    out["level"] = level / n
    out["trap_p"] = tp / (tp + fp) if tp + fp else 1.0
    out["trap_r"] = tp / (tp + fn) if tp + fn else 1.0
    same, pairs = same_level(levels)
    if pairs:
        out["forms"] = same / pairs
    return out


def same_level(levels: dict[str, str]) -> tuple[int, int]:
    """Stories told in several forms (ids ending -a, -b, -c), as the eval pairs them: how many
    retellings get the -a telling's level, of how many."""
    pairs = [(i, i[:-1] + "a") for i in levels if i[-2:] in ("-b", "-c") and i[:-1] + "a" in levels]
    return sum(levels[x] == levels[y] for x, y in pairs), len(pairs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-cv", action="store_true")
    ap.add_argument("--corpus", type=Path, default=training.CORPUS, help="folder of training files")
    ap.add_argument("--shipped-on", help="only grade this training file's answers with the shipped weights")
    ap.add_argument(
        "--traps",
        type=Path,
        nargs="*",
        help="folders of answers that train the side and kind classifiers only (bench/corpus/traps); "
        "given (even empty), the in-sample cases are graded by weights trained here, not the shipped ones",
    )
    ap.add_argument(
        "--retellings", type=Path, nargs="+", default=[DEV_RETELLINGS], help="stories told in forms"
    )
    args = ap.parse_args()
    corpus = training.load_corpus(args.corpus)
    traps = None if args.traps is None else [a for d in args.traps for a in training.load_corpus(d)]
    if args.shipped_on:
        row = grade_training([a for a in corpus if a.id.startswith(args.shipped_on + "-")])
        print(f"shipped weights on {args.shipped_on}:", " ".join(f"{k} {v:.3f}" for k, v in row.items()))
        return
    files = sorted({a.id.split("-")[0] for a in corpus})
    if not args.skip_cv:
        rows = []
        for f in files:
            train = [a for a in corpus if not a.id.startswith(f + "-")]
            test = [a for a in corpus if a.id.startswith(f + "-")]
            models = training.train(train, trap_answers=traps)
            with mock.patch.object(classifier, "shipped", lambda name, m=models: m[name]):
                rows.append(grade_training(test))
        keys = list(dict.fromkeys(k for r in rows for k in r))
        print(
            "leave-one-file-out:",
            " ".join(
                f"{k} {sum(r[k] for r in rows if k in r) / sum(k in r for r in rows):.3f}" for k in keys
            ),
        )
    cases = [c for c in load_cases(Path("evals/cases")) if not c.held_out]
    own = classifier.shipped
    models = {} if traps is None else training.train(corpus, training.SENTENCE_MODELS, trap_answers=traps)
    with mock.patch.object(classifier, "shipped", lambda name: models.get(name) or own(name)):
        grades = {c.id: analyze(c.answer, c.archetype, c.question) for c in cases}
    rep = grader_report(cases, grades)
    print(
        "in-sample evals:",
        " ".join(f"{p} {rep['per_part'][p]['accuracy']:.3f}" for p in PARTS),
        f"all {rep['overall']['accuracy']:.3f} kappa {rep['overall']['kappa']:.3f}",
        f"level {rep['level']['exact']:.3f}/{rep['level']['within_one']:.3f}",
        f"trap {rep['trap']['precision']:.3f}/{rep['trap']['recall']:.3f}",
    )
    for path in args.retellings:
        with mock.patch.object(classifier, "shipped", lambda name: models.get(name) or own(name)):
            told = training.load_corpus(path.parent, path.name)
            row = grade_training(told)
            same, pairs = same_level({a.id: analyze(a.answer, a.archetype).level for a in told})
        print(f"retellings ({path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}):", end=" ")
        print(" ".join(f"{k} {v:.3f}" for k, v in row.items()), f"(same level {same}/{pairs} pairs)")


if __name__ == "__main__":
    main()
