"""Whether an answer repeats one the candidate already gave: resending it closes nothing, and the
interviewer says so.

Judged by overlap, not by wording: the share of the new answer's word trigrams (lower-cased, punctuation
dropped) already seen in one earlier answer. Reordered sentences, a changed figure or an added word keep
most trigrams; a new answer on the same topic shares few. Answers too short for trigrams ("Yes.") repeat
only when their words are the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

REPEAT = 0.6  # share of the new answer's trigrams found in one earlier answer
# ...and at least this share of its length: one sentence quoted back from a long story ("as I said, the
# gate I added...") points at what was said; it is not the same answer sent again.
LENGTH = 0.6
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _trigrams(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def overlap(new: str, old: str) -> float:
    """Share of `new`'s trigrams that `old` holds (1.0 for the same short answer; 0.0 for an excerpt)."""
    a, b = _words(new), _words(old)
    if len(a) < LENGTH * len(b):
        return 0.0
    if len(a) < 3 or len(b) < 3:
        return 1.0 if a and a == b else 0.0
    grams = _trigrams(a)
    return len(grams & _trigrams(b)) / len(grams)


def repeats(new: str, earlier: Iterable[str]) -> bool:
    return any(overlap(new, old) >= REPEAT for old in earlier)
