"""The feature row of one sentence: what it means (its embedding and its neighbours') and what can be
read off it exactly (subject, mood, numbers, place in the answer).

One function builds rows for training and for grading, so the two can never drift apart.
"""

from __future__ import annotations

import math
import re
import zlib
from typing import TYPE_CHECKING

import numpy as np

from service.rubric import grammar
from service.rubric.embed import DIM, embed
from service.rubric.numbers import find_quantities

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


def exact_row(text: str, index: int, total: int) -> list[float]:
    subj = grammar.subject(text)
    n_i, n_we = grammar.counts(text)
    quantities = find_quantities(text)
    words = max(1, len(text.split()))
    return [
        index / (total - 1) if total > 1 else 0.0,
        float(index == 0),
        float(index == total - 1),
        math.log(words) / 4,
        float(subj == "i"),
        float(subj == "we"),
        float(subj in ("other", "none")),
        min(n_i, 4) / 4,
        min(n_we, 4) / 4,
        float(grammar.conditional(text)),
        float(any(q.kind in ("measure", "duration") for q in quantities)),
        float(any(q.kind in ("people", "date") for q in quantities)),
        float(text.rstrip().endswith("?")),
        *(float(flag) for flag in grammar.addressing(text)),
    ]


def rows(texts: list[str]) -> NDArray[np.float32]:
    """One row per sentence of one answer, in order."""
    n = len(texts)
    if n == 0:
        return np.zeros((0, WIDTH), dtype=np.float32)
    vec = embed([grammar.body(t) or t for t in texts])
    zero = np.zeros((1, DIM), dtype=np.float32)
    before = np.vstack([zero, vec[:-1]])
    after = np.vstack([vec[1:], zero])
    exact = np.asarray([exact_row(t, i, n) for i, t in enumerate(texts)], dtype=np.float32)
    words = np.vstack([words_row(grammar.body(t)) for t in texts])
    return np.hstack([vec, 0.5 * before, 0.5 * after, exact, words])
