"""Which project an answer is about, so the interviewer notices one project stretched over archetypes.

A fingerprint is the set of an answer's distinctive terms: proper names, acronyms and domain nouns,
minus the words every behavioral answer shares ("team", "trade-off", "result"). Two answers are about the
same project when their fingerprints overlap beyond `SAME_PROJECT`.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from service.rubric.meaning import Meaning, meaning, score

SAME_PROJECT = 0.3
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9+#.\-]*[A-Za-z0-9+#]|[A-Za-z]{2,}")
COMMON = _COMMON = frozenset(
    [
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "although",
        "always",
        "am",
        "an",
        "and",
        "another",
        "any",
        "are",
        "around",
        "as",
        "at",
        "away",
        "back",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "didn't",
        "do",
        "does",
        "doing",
        "done",
        "don't",
        "down",
        "during",
        "each",
        "either",
        "else",
        "even",
        "ever",
        "every",
        "few",
        "first",
        "for",
        "from",
        "further",
        "get",
        "got",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "him",
        "his",
        "how",
        "however",
        "i",
        "i'd",
        "i'm",
        "i've",
        "if",
        "in",
        "into",
        "is",
        "it",
        "it's",
        "its",
        "itself",
        "just",
        "know",
        "last",
        "later",
        "least",
        "less",
        "let",
        "like",
        "made",
        "make",
        "many",
        "may",
        "me",
        "might",
        "more",
        "most",
        "much",
        "must",
        "my",
        "myself",
        "need",
        "never",
        "new",
        "next",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "often",
        "on",
        "once",
        "one",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "per",
        "put",
        "quite",
        "rather",
        "really",
        "right",
        "said",
        "same",
        "saw",
        "say",
        "see",
        "she",
        "should",
        "since",
        "so",
        "some",
        "something",
        "still",
        "such",
        "sure",
        "take",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "thing",
        "things",
        "think",
        "this",
        "those",
        "though",
        "through",
        "time",
        "to",
        "too",
        "took",
        "toward",
        "under",
        "until",
        "up",
        "upon",
        "us",
        "very",
        "want",
        "was",
        "way",
        "we",
        "we'd",
        "we're",
        "well",
        "were",
        "what",
        "when",
        "where",
        "whether",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "within",
        "without",
        "would",
        "yet",
        "you",
        "your",
        "yes",
        "okay",
        "um",
        "uh",
        "like",
        "basically",
        "actually",
        "honestly",
        "literally",
        "anyway",
        "kind",
        "sort",
        "lot",
        "lots",
        "bit",
        "pretty",
        "team",
        "teams",
        "project",
        "projects",
        "trade-off",
        "tradeoff",
        "trade",
        "off",
        "result",
        "results",
        "outcome",
        "situation",
        "action",
        "reflection",
        "driver",
        "impact",
        "decision",
        "decided",
        "call",
        "called",
        "looking",
        "hindsight",
        "differently",
        "lesson",
        "learned",
        "proposed",
        "pushed",
        "drove",
        "led",
        "worked",
        "working",
        "work",
        "month",
        "months",
        "week",
        "weeks",
        "quarter",
        "quarters",
        "year",
        "years",
        "day",
        "days",
        "people",
        "engineer",
        "engineers",
        "manager",
        "org",
        "company",
        "product",
        "stakeholder",
        "stakeholders",
        "meeting",
        "data",
        "metric",
        "metrics",
        "number",
        "numbers",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "percent",
        "roughly",
        "around",
        "about",
        "hard",
        "tough",
        "good",
        "better",
        "best",
        "great",
        "big",
        "small",
        "long",
        "short",
        "fast",
        "slow",
        "right",
        "wrong",
        "early",
        "late",
        "end",
        "ended",
        "start",
        "started",
        "went",
        "going",
        "got",
        "getting",
        "made",
        "making",
        "took",
        "taking",
        "gave",
        "give",
        "given",
        "ask",
        "asked",
        "told",
        "tell",
        "said",
        "saying",
        "sent",
        "wrote",
        "written",
        "built",
        "build",
        "ship",
        "shipped",
        "launch",
        "launched",
        "run",
        "ran",
        "running",
        "plan",
        "planned",
        "process",
        "template",
        "pattern",
        "policy",
        "change",
        "changed",
        "problem",
        "problems",
        "issue",
        "issues",
        "question",
        "story",
        "stories",
        "part",
        "parts",
        "approach",
        "option",
        "options",
        "instead",
        "because",
        "also",
        "which",
        "where",
        "why",
        "how",
    ]
)


@lru_cache(maxsize=16384)  # every answer's words, again on every reading of it
def _stem(word: str) -> str:
    w = word.lower()
    for suffix in ("ings", "ing", "ers", "ies", "ed", "es", "s"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            return w[: -len(suffix)]
    return w


NAME = "@"  # prefix of a proper name or acronym in a fingerprint


def fingerprint(text: str, *, size: int = 24) -> frozenset[str]:
    """Distinctive terms; names and acronyms ("Atlas", "RAG") carry the `NAME` prefix."""
    counts: Counter[str] = Counter()
    names: set[str] = set()
    for m in _TOKEN.finditer(text):
        raw = m.group()
        low = raw.lower()
        if low in _COMMON or len(low) < 3:
            continue
        weight = 1
        # Names and acronyms ("Atlas", "RAG", "GPU-v2") say more about the project than common nouns do.
        if (
            raw[0].isupper()
            and m.start() > 0
            and text[m.start() - 2 : m.start()].strip() not in (".", "!", "?", "")
        ):
            weight = 3
        if raw.isupper() and len(raw) >= 2:
            weight = 3
        term = _stem(raw)
        if weight == 3:
            names.add(term)
        counts[term] += weight
    top = [term for term, _ in counts.most_common(size)]
    return ProjectPrint(frozenset(NAME + t if t in names else t for t in top), meaning(text))


class ProjectPrint(frozenset[str]):
    """The distinctive terms (as before), carrying the answer's meaning (service/rubric/meaning.py) for
    `same_project`. Still a frozenset, so every caller that passes fingerprints around is unchanged."""

    meaning: Meaning | None

    def __new__(cls, terms: frozenset[str], meaning: Meaning | None = None) -> ProjectPrint:
        self = super().__new__(cls, terms)
        self.meaning = meaning
        return self


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Overlap coefficient: a short retelling still matches the longer telling."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def same_project(a: frozenset[str], b: frozenset[str]) -> bool:
    """By meaning when both prints carry it (an empty answer never matches); otherwise the old term rule."""
    ma, mb = getattr(a, "meaning", None), getattr(b, "meaning", None)
    if ma is not None and mb is not None:
        return bool(ma.words and mb.words) and score(ma, mb) > 0
    return _same_terms(a, b)


def _same_terms(a: frozenset[str], b: frozenset[str]) -> bool:
    """Names decide when both answers name things: the same project shares at least one name. Without
    names, a few shared terms are not enough (thin answers share filler): it takes three and the overlap."""
    names_a = {t for t in a if t.startswith(NAME)}
    names_b = {t for t in b if t.startswith(NAME)}
    if names_a and names_b:
        return len(names_a & names_b) >= 1 and similarity(a, b) >= SAME_PROJECT
    return len(a & b) >= 3 and similarity(a, b) >= SAME_PROJECT
