"""The feature row of one sentence: what it means (its embedding and its neighbours') and what can be
read off it exactly (subject, mood, numbers, place in the answer).

One function builds rows for training and for grading, so the two can never drift apart.
"""

from __future__ import annotations

import math
import re
import zlib
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from service.rubric import grammar
from service.rubric.embed import DIM, embed_cached
from service.rubric.numbers import Quantity, find_quantities

if TYPE_CHECKING:
    from numpy.typing import NDArray

EXACT = (
    "position",
    "first",
    "last",
    "log_words",
    "subject_i",
    "subject_we",
    "subject_other",
    "i_count",
    "we_count",
    "conditional",
    "measure",
    "people_or_date",
    "question",
    "second_person",
    "self_reference",
    "markup",
)
# Words, as a bag: each word's first six letters ("criterion" and "criteria" share "criter"), hashed
# into a fixed number of slots so no vocabulary has to ship. The embedding carries meaning across
# wordings; the words let the classifier weigh the few that decide a label. bench/rubric_cv.py measured
# both together against each alone (README).
WORD_SLOTS = 2048
STEM = 6
WIDTH = 3 * DIM + len(EXACT) + WORD_SLOTS
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


def words_row(text: str) -> NDArray[np.float32]:
    row = np.zeros(WORD_SLOTS, dtype=np.float32)
    for word in _WORD.findall(text.lower()):
        row[zlib.crc32(word[:STEM].encode()) % WORD_SLOTS] = 1.0
    norm = float(np.linalg.norm(row))
    return row / norm if norm else row


def own_row(text: str, quantities: list[Quantity] | None = None) -> list[float]:
    """The exact features a sentence has on its own (EXACT minus the three about its place)."""
    kinds = frozenset(q.kind for q in (find_quantities(text) if quantities is None else quantities))
    return list(_own(text, kinds))


@lru_cache(maxsize=8192)  # the planner reads an archetype's earlier answers again after each new one
def _own(text: str, kinds: frozenset[str]) -> tuple[float, ...]:
    subj = grammar.subject(text)
    n_i, n_we = grammar.counts(text)
    return (
        math.log(max(1, len(text.split()))) / 4,
        float(subj == "i"),
        float(subj == "we"),
        float(subj in ("other", "none")),
        min(n_i, 4) / 4,
        min(n_we, 4) / 4,
        float(grammar.conditional(text)),
        float(bool(kinds & {"measure", "duration"})),
        float(bool(kinds & {"people", "date"})),
        float(text.rstrip().endswith("?")),
        *(float(flag) for flag in grammar.addressing(text)),
    )


@dataclass(frozen=True)
class Measured:
    """What each sentence of an answer contributes on its own: read once, assembled into rows for any
    subset of the sentences (the answer re-read without set-aside lines reuses it)."""

    vec: NDArray[np.float32]
    own: NDArray[np.float32]
    words: NDArray[np.float32]

    def rows(self, keep: list[int] | None = None) -> NDArray[np.float32]:
        """Rows for the sentences `keep` (default all) read as one answer, in order."""
        idx = list(range(len(self.vec))) if keep is None else keep
        n = len(idx)
        if n == 0:
            return np.zeros((0, WIDTH), dtype=np.float32)
        vec = self.vec[idx]
        zero = np.zeros((1, DIM), dtype=np.float32)
        before = np.vstack([zero, vec[:-1]])
        after = np.vstack([vec[1:], zero])
        place = np.zeros((n, 3), dtype=np.float32)
        place[:, 0] = np.arange(n) / (n - 1) if n > 1 else 0.0
        place[0, 1] = place[-1, 2] = 1.0
        return np.hstack([vec, 0.5 * before, 0.5 * after, place, self.own[idx], self.words[idx]])


def measure(texts: list[str], quantities: list[list[Quantity]] | None = None) -> Measured:
    """Read each sentence once (quantities may be passed in when the caller has found them already)."""
    qs: list[list[Quantity] | None] = list(quantities) if quantities is not None else [None] * len(texts)
    bodies = [grammar.body(t) for t in texts]
    vec = embed_cached([b or t for b, t in zip(bodies, texts, strict=True)])
    own = np.asarray([own_row(t, q) for t, q in zip(texts, qs, strict=True)], dtype=np.float32)
    words = np.zeros((len(texts), WORD_SLOTS), dtype=np.float32)
    for i, b in enumerate(bodies):
        words[i] = words_row(b)
    return Measured(vec, own.reshape(len(texts), len(EXACT) - 3), words)


def rows(texts: list[str]) -> NDArray[np.float32]:
    """One row per sentence of one answer, in order."""
    return measure(texts).rows()
