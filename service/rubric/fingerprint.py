"""Which project an answer is about, so the interviewer notices one project stretched over archetypes.

A fingerprint is an answer's content words, minus the words every behavioral answer shares ("team",
"trade-off", "result": `stopwords.COMMON`), with the answer's meaning; two answers are about the same project when
`meaning.score` says so. (A term-overlap rule served prints without a meaning, which `fingerprint` has
not made since meaning.py came; it went, with the term counting it needed (some 30% of the reuse check's
CPU).)
"""

from __future__ import annotations

from service.rubric.meaning import Meaning, meaning, score


def fingerprint(text: str) -> frozenset[str]:
    """The answer's content words (`meaning.terms`), carrying its meaning for `same_project`."""
    read = meaning(text)
    return ProjectPrint(read.words, read)


class ProjectPrint(frozenset[str]):
    """A frozenset of terms, so every caller that passes fingerprints around keeps its types, carrying
    the answer's meaning (service/rubric/meaning.py), which alone decides `same_project`."""

    meaning: Meaning | None

    def __new__(cls, terms: frozenset[str], meaning: Meaning | None = None) -> ProjectPrint:
        self = super().__new__(cls, terms)
        self.meaning = meaning
        return self


def same_project(a: frozenset[str], b: frozenset[str]) -> bool:
    """By meaning (an empty answer never matches). A set of terms without one (not made by
    `fingerprint`) is about no project that can be told."""
    ma, mb = getattr(a, "meaning", None), getattr(b, "meaning", None)
    return ma is not None and mb is not None and bool(ma.words and mb.words) and score(ma, mb) > 0
