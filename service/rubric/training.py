"""The sentence classifiers' training corpus (prompts/training/*.jsonl) and how the shipped weights are
made from it: `python -m service.rubric.training` (writes service/rubric/weights/), `--check` (retrains
and compares with what is shipped).

The corpus was written for training only; no evaluation case is in it (tests/test_leaks.py checks).
Each answer is split by the grader's own sentence splitter, and each piece takes the label of the
written sentence it came from, so training sees sentences exactly as grading will.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError

from service.catalog import ARCHETYPE_IDS, ArchetypeId
from service.errors import InputError
from service.rubric import classifier, features
from service.rubric.models import Verdict
from service.rubric.text import split_sentences

CORPUS = Path(__file__).resolve().parents[2] / "prompts" / "training"
# More answers written for training, used by the topic check only: trained on, they made the sentence
# classifiers worse on retold stories (README, fifth round), but they teach which story is which.
TOPIC_CORPUS = CORPUS.parent / "topic"
# Single sentences labelled by how they frame the story (service/rubric/frames.py), written for it.
FRAMES_CORPUS = CORPUS.parent / "frames"

PartLabel = Literal[
    "situation",
    "tradeoff",
    "tradeoff_generic",
    "action",
    "action_minor",
    "result",
    "driver",
    "consequence",
    "reflection",
    "reflection_generic",
    "injection",
    "other",
]
SignalLabel = Literal[
    "update_condition",
    "own_call",
    "other_call",
    "cost_of_slowness",
    "escalation",
    "weak_flag",
    "structural_fix",
    "symptom_fix",
    "trade_ratio",
    "compromise",
    "their_growth",
    "did_it_myself",
    "took_action",
    "no_action",
    "source",
]
PART_LABELS: tuple[str, ...] = PartLabel.__args__  # type: ignore[attr-defined]
# The corpus names each signal; the classifier learns which side of the archetype's trap a sentence is
# on. Each fine signal has ~20 examples, each side ~180: the sides are learnt far better
# (bench/rubric_cv.py), and the archetype says which trap a side is about.
SIDE = {
    "update_condition": "avoids_trap",
    "own_call": "avoids_trap",
    "cost_of_slowness": "avoids_trap",
    "escalation": "avoids_trap",
    "structural_fix": "avoids_trap",
    "trade_ratio": "avoids_trap",
    "their_growth": "avoids_trap",
    "took_action": "avoids_trap",
    "other_call": "falls_in_trap",
    "weak_flag": "falls_in_trap",
    "symptom_fix": "falls_in_trap",
    "compromise": "falls_in_trap",
    "did_it_myself": "falls_in_trap",
    "no_action": "falls_in_trap",
    "source": "source",
}
SIGNAL_LABELS: tuple[str, ...] = ("none", "avoids_trap", "falls_in_trap", "source")
# The fine signals too: the sides say a sentence steps out of (or into) some trap, the kinds say which,
# so an escalation cannot count as the kill call (service/rubric/traps.py).
KIND_LABELS: tuple[str, ...] = ("none", *SIDE)


class WrittenSentence(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str
    label: PartLabel
    signal: SignalLabel | None = None


class TrainingExpected(BaseModel):
    model_config = ConfigDict(extra="forbid")
    parts: dict[str, Verdict]
    level: str
    trap_hit: bool | None
    pushbacks: list[str] = []


class TrainingAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    archetype: ArchetypeId | None
    question: str = ""
    style: list[str] = []
    join: str = " "
    sentences: list[WrittenSentence]
    expected: TrainingExpected

    @property
    def answer(self) -> str:
        return self.join.join(s.text for s in self.sentences)

    def pieces(self) -> list[tuple[str, WrittenSentence]]:
        """The grader's sentences of the joined answer, each with the written sentence it lies in."""
        bounds, at = [], 0
        for s in self.sentences:
            bounds.append((at, at + len(s.text), s))
            at += len(s.text) + len(self.join)
        out = []
        for piece in split_sentences(self.answer):
            owner = max(bounds, key=lambda b: min(b[1], piece.end) - max(b[0], piece.start))
            out.append((piece.text, owner[2]))
        return out


def load_corpus(directory: Path = CORPUS, pattern: str = "*.jsonl") -> list[TrainingAnswer]:
    answers: list[TrainingAnswer] = []
    for path in sorted(directory.glob(pattern)):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    answers.append(TrainingAnswer.model_validate(json.loads(line)))
                except (ValueError, ValidationError) as exc:
                    raise InputError(f"{path}:{n}: {exc}") from exc
    ids = [a.id for a in answers]
    if len(set(ids)) != len(ids):
        raise InputError("duplicate training answer ids")
    return answers


def matrices(
    answers: list[TrainingAnswer],
) -> tuple[np.ndarray, list[str], list[str], list[str]]:
    """Feature rows, and each row's part label, signal side and signal kind."""
    blocks: list[np.ndarray] = []
    parts: list[str] = []
    kinds: list[str] = []
    for a in answers:
        pieces = a.pieces()
        blocks.append(features.rows([text for text, _ in pieces]))
        parts += [w.label for _, w in pieces]
        kinds += [w.signal or "none" for _, w in pieces]
    sides = [SIDE[k] if k != "none" else "none" for k in kinds]
    return np.vstack(blocks), parts, sides, kinds


def topic_matrix(answers: list[TrainingAnswer]) -> tuple[np.ndarray, list[str]]:
    """One row per answer with an archetype: its row as `topic.py` reads it when grading (so the
    shipped sentence classifiers set aside the same lines), and its archetype."""
    from service.rubric.segment import read
    from service.rubric.topic import row

    told = [a for a in answers if a.archetype]
    return np.vstack([row(read(a.answer)) for a in told]), [str(a.archetype) for a in told]


def frame_matrix(directory: Path = FRAMES_CORPUS) -> tuple[np.ndarray, list[str]]:
    """One row per framing sentence, as `frames.py` reads a sentence of an answer, and its frame."""
    from service.rubric.frames import FRAMES, row

    texts: list[str] = []
    labels: list[str] = []
    for path in sorted(directory.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            item = json.loads(line)
            if item.get("frame") not in FRAMES or not isinstance(item.get("text"), str):
                raise InputError(f"{path}:{n}: needs a text and a frame among {FRAMES}")
            texts.append(item["text"])
            labels.append(item["frame"])
    measured = features.measure(texts)
    return row(measured.vec, measured.words), labels


SENTENCE_MODELS = ("parts", "signals", "kinds")
MODELS = (*SENTENCE_MODELS, "topic", "frames")


def train(
    answers: list[TrainingAnswer],
    names: tuple[str, ...] = MODELS,
    trap_answers: list[TrainingAnswer] | None = None,
) -> dict[str, classifier.Softmax]:
    """`trap_answers` join the side and kind classifiers' training only (bench/rubric_cv.py --traps)."""
    out: dict[str, classifier.Softmax] = {}
    if set(names) & set(SENTENCE_MODELS):
        x, parts, sides, kinds = matrices(answers)
        if "parts" in names:
            out["parts"] = classifier.fit(x, parts, PART_LABELS)
        if trap_answers:
            ex, _, extra_sides, extra_kinds = matrices(trap_answers)
            x, sides, kinds = np.vstack([x, ex]), sides + extra_sides, kinds + extra_kinds
        if "signals" in names:
            out["signals"] = classifier.fit(x, sides, SIGNAL_LABELS)
        if "kinds" in names:
            out["kinds"] = classifier.fit(x, kinds, KIND_LABELS)
    if "topic" in names:
        tx, archetypes = topic_matrix(answers + load_corpus(TOPIC_CORPUS, "answers-*.jsonl"))
        out["topic"] = classifier.fit(tx, archetypes, ARCHETYPE_IDS)
    if "frames" in names:
        from service.rubric.frames import FRAMES

        fx, frames = frame_matrix()
        out["frames"] = classifier.fit(fx, frames, FRAMES)
    return out


SAME_WEIGHTS = 1e-3  # a retrain this close to the shipped weights is the same model (float noise only)


def drift(models: dict[str, classifier.Softmax]) -> dict[str, float]:
    """Each model's largest weight difference from the shipped one (`--check`; tests/test_training.py)."""
    out = {}
    for name, model in models.items():
        shipped = classifier.Softmax.load(classifier.WEIGHTS / f"{name}.npz")
        out[name] = float(np.abs(shipped.weights - model.weights).max())
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m service.rubric.training")
    ap.add_argument("--check", action="store_true", help="retrain and compare with the shipped weights")
    ap.add_argument("--only", choices=MODELS, action="append", help="train only these (repeatable)")
    args = ap.parse_args(argv)
    models = train(load_corpus(), tuple(args.only or MODELS))
    if args.check:
        worst = max(drift(models).values())
        print(f"largest weight difference: {worst:.2e}")
        return 0 if worst < SAME_WEIGHTS else 1
    classifier.WEIGHTS.mkdir(exist_ok=True)
    for name, model in models.items():
        model.save(classifier.WEIGHTS / f"{name}.npz")
        print(f"wrote {name}: {model.weights.shape[0]} features x {len(model.labels)} labels")
    return 0


if __name__ == "__main__":
    sys.exit(main())
