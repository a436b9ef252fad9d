"""Where a number came from (`service/rubric/provenance.py`), measured two ways:

    .venv/bin/python bench/sources.py            # training sentences, in-sample cases
    .venv/bin/python bench/sources.py --holdout  # and the held-out cases (report them apart)

1. The training corpus's sentences that carry a figure (prompts/, each labelled `source` or not): the
   rule's precision and recall at finding the sourced ones. The rule was chosen here.
2. Labelled cases whose result is met: does the grade ask "where did that number come from?" exactly when
   the labels do (`ask_number_source` in the expected pushbacks)? Beside it, the sentence classifier's
   `source` reading, which decided before.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service.evals.cases import load_cases
from service.rubric import training
from service.rubric.numbers import find_quantities
from service.rubric.provenance import sourced
from service.rubric.segment import read

ROOT = Path(__file__).resolve().parents[1]


def sentences() -> str:
    tp = fp = fn = 0
    corpus = training.load_corpus() + training.load_corpus(training.TOPIC_CORPUS, "answers-*.jsonl")
    for a in corpus:
        for s in a.sentences:
            if not find_quantities(s.text):
                continue
            want, got = s.signal == "source", sourced(s.text)
            tp, fp, fn = tp + (want and got), fp + (got and not want), fn + (want and not got)
    return f"training sentences with a figure: precision {tp / (tp + fp):.2f} recall {tp / (tp + fn):.2f}"


def cases(held_out: bool) -> str:
    rule = classifier = n = 0
    for c in load_cases(ROOT / "evals" / "cases"):
        if c.held_out != held_out or c.archetype is None or c.expected.parts["result"] != "met":
            continue
        ask = "ask_number_source" in c.expected.pushbacks
        usable = read(c.answer).usable
        rule += ask == (not any(sourced(s.text) for s in usable))
        classifier += ask == (not any(s.signal == "source" for s in usable))
        n += 1
    split = "held-out" if held_out else "in-sample"
    return f"{split} cases, result met ({n}): asks exactly when the labels do {rule / n:.2f} (classifier {classifier / n:.2f})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--holdout", action="store_true")
    args = ap.parse_args()
    print(sentences())
    print(cases(False))
    if args.holdout:
        print(cases(True))


if __name__ == "__main__":
    main()
