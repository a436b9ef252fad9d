"""What a sentence of the interviewer's reply does, read by meaning: praise, talk about its own
instructions, or what a neutral interviewer says.

A keyword list misses "that would land well with any panel"; so each clause is read as a WordLlama
embedding plus its bag of words and a few exact marks (is it a question, does it speak to "you"), by a
softmax trained at first use (deterministic, under a second) on: the examples in
`prompts/reply_checks.yaml`, everything the builtin interviewer says (fine by construction), and
`prompts/reply_examples.jsonl` (replies written and labelled blind by a helper; a bad reply's questions are
left out, since "Great story. What did you give up?" is bad for its first clause only). The examples are
data: a new way of praising is fixed by adding a line, not a rule. bench/reply_checks.py measures it on
`evals/replies/holdout.jsonl`, written with those examples and never trained on.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from service.catalog import get_catalog
from service.errors import CatalogError
from service.interview.phrasing import load_phrasing
from service.rubric import grammar
from service.rubric.classifier import Softmax, fit
from service.rubric.embed import embed_cached
from service.rubric.features import WORD_SLOTS, words_row

if TYPE_CHECKING:
    from numpy.typing import NDArray

LABELS = ("fine", "praise", "instructions")
# The probability a bad label needs (bench/reply_checks.py on the examples, five folds: .5 withdrew more
# bad clauses for one neutral one in twenty; .6 and .7 lost a fifth of the praise for one in fifty).
THRESHOLD = 0.5
# Zero-width and direction marks (Unicode format characters) split words without showing.
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Question marks that compatibility folding leaves alone: Arabic, inverted, reversed.
_OTHER_QUESTION = str.maketrans(dict.fromkeys("؟¿⸮", "?"))


def fold(text: str) -> str:
    """The text as a reader sees it, in the plain characters the exact checks look for."""
    # A lone surrogate (a model's broken output) is no character at all: the tokenizer refuses it.
    text = _SURROGATE.sub("\ufffd", text)
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).translate(_OTHER_QUESTION)


# A clause ends at a sentence end, a dash, a colon or a semicolon; "Great story — what did you give up?" is two clauses.
_CLAUSE = re.compile(r"(?<=[.!?])\s+|\s+[—–-]+\s+|\s*[;:]\s+")


# A clause that asks for something (a question, or "tell me about...") is what an interviewer is for.
_ASKS = re.compile(
    r"\?\s*$|^(?:(?:so|now|okay|ok|and|then|please),?\s+)*(?:tell|walk|talk|take|give|show) me\b|"
    r"^(?:(?:so|now|okay|ok|and|then|please),?\s+)*(?:describe|explain|share)\b",
    re.IGNORECASE,
)


class ReplyExamples(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int
    praise: list[str] = Field(min_length=5)
    instructions: list[str] = Field(min_length=5)
    fine: list[str] = Field(min_length=5)


def clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSE.split(text) if len(c.split()) >= 1 and c.strip()]


def _rows(texts: list[str]) -> NDArray[np.float32]:
    marks = np.asarray(
        [[float(_ASKS.search(t) is not None), *map(float, grammar.addressing(t)[:2])] for t in texts],
        dtype=np.float32,
    ).reshape(len(texts), 3)
    words = np.stack([words_row(t) for t in texts]) if texts else np.zeros((0, WORD_SLOTS), np.float32)
    return np.hstack([embed_cached(texts), words, marks]).astype(np.float32)


def load_examples(path: Path) -> ReplyExamples:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return ReplyExamples.model_validate(data)
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read ({exc.strerror})") from exc
    except (yaml.YAMLError, ValidationError) as exc:
        raise CatalogError(f"{path}: {exc}") from exc


def _strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        node = list(node.values())
    return [s for item in node for s in _strings(item)] if isinstance(node, list) else []


def _said(prompts_dir: Path) -> list[str]:
    """Everything the builtin interviewer itself says, slots filled: the best examples of fine."""
    probes = [p for a in get_catalog(prompts_dir).archetypes.values() for p in a.probes]
    lines = _strings(load_phrasing(prompts_dir).model_dump(exclude={"version"}))
    filled = [line.replace("{probe}", probes[i % len(probes)]) for i, line in enumerate(lines)]
    return [*probes, *(line.replace("{quote}", "the rollout").replace("{number}", "30%") for line in filled)]


def _labelled(path: Path) -> list[tuple[str, str]]:
    """(clause, label) from a JSON-lines file of whole replies: {"text", "bad", "why"}."""
    out: list[tuple[str, str]] = []
    try:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, ValueError) as exc:
        raise CatalogError(f"{path}: {exc}") from exc
    for row in rows:
        if row.get("why") not in LABELS:  # links and unicode tricks are the exact checks' business
            continue
        for clause in clauses(fold(row["text"])):
            if row["why"] == "fine" or not clause.endswith("?"):
                out.append((clause, row["why"]))
    return out


def train(examples: ReplyExamples, said: list[str], labelled: list[tuple[str, str]]) -> Softmax:
    """Trained on clauses, as replies are read: "Thanks. What changed?" teaches that "Thanks." is fine."""
    pairs = list(labelled)
    for label, lines in (("fine", [*examples.fine, *said]), ("praise", examples.praise)):
        pairs += [(c, label) for line in lines for c in clauses(line)]
    pairs += [(c, "instructions") for line in examples.instructions for c in clauses(line)]
    texts, y = [p[0] for p in pairs], [p[1] for p in pairs]
    return fit(_rows(texts), y, LABELS, balance=1.0, l2=0.1, steps=300)


@lru_cache(maxsize=2)
def reader(prompts_dir: Path) -> Softmax:
    examples = load_examples(prompts_dir / "reply_checks.yaml")
    return train(examples, _said(prompts_dir), _labelled(prompts_dir / "reply_examples.jsonl"))


def default_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "prompts"


@lru_cache(maxsize=4096)
def judged(texts: tuple[str, ...], prompts_dir: Path) -> tuple[tuple[str, float], ...]:
    """`judge` by the examples in `prompts_dir`, remembered: a reply's finished clauses are read again on
    every token until the next clause ends, and the builtin interviewer says the same lines often."""
    return tuple(judge(list(texts), reader(prompts_dir)))


def judge(texts: list[str], model: Softmax) -> list[tuple[str, float]]:
    """Each clause's label and that label's probability; a bad label below the bar reads as fine."""
    if not texts:
        return []
    proba = model.proba(_rows(texts))
    out = []
    for row in proba:
        i = int(row.argmax())
        label = model.labels[i]
        out.append((label if label == "fine" or row[i] >= THRESHOLD else "fine", float(row[i])))
    return out
