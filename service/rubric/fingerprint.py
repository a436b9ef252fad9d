"""Which project an answer is about, so the interviewer notices one project stretched over archetypes.

A fingerprint is the set of an answer's distinctive terms: proper names, acronyms and domain nouns,
minus the words every behavioral answer shares ("team", "trade-off", "result"). Two answers are about the
same project when their fingerprints overlap beyond `SAME_PROJECT`.
"""

from __future__ import annotations

import re
from collections import Counter

SAME_PROJECT = 0.3
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9+#.\-]*[A-Za-z0-9+#]|[A-Za-z]{2,}")
_COMMON = frozenset(
    """
    about above after again against all also although always am an and another any are around as at away back
    be because been before being below between both but by can could did didn't do does doing done don't down
    during each either else even ever every few first for from further get got had has have having he her here
    him his how however i i'd i'm i've if in into is it it's its itself just know last later least less let like
    made make many may me might more most much must my myself need never new next no nor not now of off often on
    once one only or other our ours out over own per put quite rather really right said same saw say see she
    should since so some something still such sure take than that the their them then there these they thing
    things think this those though through time to too took toward under until up upon us very want was way we
    we'd we're well were what when where whether which while who whom why will with within without would yet you
    your yes okay um uh like basically actually honestly literally anyway kind sort lot lots bit pretty
    team teams project projects trade-off tradeoff trade off result results outcome situation action reflection
    driver impact decision decided call called looking hindsight differently lesson learned proposed pushed drove
    led worked working work month months week weeks quarter quarters year years day days people engineer engineers
    manager org company product stakeholder stakeholders meeting data metric metrics number numbers two three four
    five six seven eight nine ten percent roughly around about hard tough good better best great big small long
    short fast slow right wrong early late end ended start started went going got getting made making took taking
    gave give given ask asked told tell said saying sent wrote written built build ship shipped launch launched
    run ran running plan planned process template pattern policy change changed problem problems issue issues
    question story stories part parts approach option options instead because also which where why how
    """.split()
)


def _stem(word: str) -> str:
    w = word.lower()
    for suffix in ("ings", "ing", "ers", "ies", "ed", "es", "s"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            return w[: -len(suffix)]
    return w


def fingerprint(text: str, *, size: int = 24) -> frozenset[str]:
    counts: Counter[str] = Counter()
    for m in _TOKEN.finditer(text):
        raw = m.group()
        low = raw.lower()
        if low in _COMMON or len(low) < 3:
            continue
        weight = 1
        # Names and acronyms ("Atlas", "RAG", "GPU-v2") say more about the project than common nouns do.
        if raw[0].isupper() and m.start() > 0 and text[m.start() - 2 : m.start()].strip() not in (".", "!", "?", ""):
            weight = 3
        if raw.isupper() and len(raw) >= 2:
            weight = 3
        counts[_stem(raw)] += weight
    return frozenset(term for term, _ in counts.most_common(size))


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Overlap coefficient: a short retelling of a long story still matches it."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def same_project(a: frozenset[str], b: frozenset[str]) -> bool:
    return similarity(a, b) >= SAME_PROJECT
