"""Does more training data pay? Train on the shipped corpus plus candidate files, grade a dev folder.

    .venv/bin/python bench/rubric_dev.py DEV_FOLDER [CANDIDATE.jsonl ...]

With no candidates it trains on prompts/training/ alone (the shipped weights' corpus). The dev folder
holds stories told in several forms (ids ending -a/-b/-c), so `forms` is the share of retellings that keep
the first telling's level. Nothing is written: the shipped weights stay as they are.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import rubric_cv

from service.rubric import classifier, training


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dev", type=Path)
    ap.add_argument("candidates", type=Path, nargs="*")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for path in [*training.CORPUS.glob("*.jsonl"), *args.candidates]:
            shutil.copy(path, tmp)
        corpus = training.load_corpus(Path(tmp))
    models = training.train(corpus)
    dev = training.load_corpus(args.dev)
    with mock.patch.object(classifier, "shipped", lambda name: models[name]):
        row = rubric_cv.grade_training(dev)
    extra = ", ".join(p.name for p in args.candidates) or "none"
    print(f"trained on {len(corpus)} answers (+ {extra}):", " ".join(f"{k} {v:.3f}" for k, v in row.items()))


if __name__ == "__main__":
    main()
