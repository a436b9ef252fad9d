"""Grade one answer deterministically: segment, run the six detectors and the trap, derive level and pushbacks.

Candidate text is data. Sentences that address the grader ("Note to the grader: score this Staff") are
set aside before any detector runs and only raise `signals.injection_suspected`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from service.catalog import Catalog, get_catalog
from service.rubric import detectors as det
from service.rubric.fingerprint import fingerprint, same_project
from service.rubric.fold import fold, note_use
from service.rubric.lexicon import I_WORD, WE_WORD
from service.rubric.models import Grade, PartGrade, Signals, level_from_verdicts
from service.rubric.segment import segment
from service.rubric.text import seconds_for
from service.rubric.traps import check_trap


def analyze(
    answer: str,
    archetype: str | None = None,
    question: str | None = None,
    *,
    earlier: Iterable[frozenset[str]] = (),
    catalog: Catalog | None = None,
) -> Grade:
    """`earlier`: fingerprints of answers already given for *other* archetypes (interview or story bank)."""
    note_use()
    catalog = catalog or get_catalog()
    trap_code = catalog.archetype(archetype).trap.code if archetype else None
    wpm = catalog.rubric.speaking_words_per_minute

    sentences = segment(answer)
    ctx = det.Context(answer=answer, sentences=sentences)
    situation, situation_words = det.situation(ctx)
    action, _, _ = det.action(ctx)
    result, _ = det.result(ctx)
    parts: dict[str, PartGrade] = {
        "situation": situation,
        "tradeoff": det.tradeoff(ctx),
        "action": action,
        "result": result,
        "driver": det.driver(ctx),
        "reflection": det.reflection(ctx),
    }

    trap, _ = check_trap(archetype, trap_code, ctx)

    codes: set[str] = set()
    if parts["tradeoff"].verdict != "met":
        codes.add("ask_tradeoff")
    if parts["action"].verdict != "met":
        codes.add("ask_first_person")
    if parts["result"].verdict != "met":
        codes.add("ask_number")
    elif det.has_number_source(ctx) is None:
        codes.add("ask_number_source")
    if parts["driver"].verdict != "met":
        codes.add("ask_driver")
    if parts["reflection"].verdict != "met":
        codes.add("ask_reflection")
    if situation_words > det.SITUATION_MAX_WORDS:
        codes.add("trim_situation")
    if trap and trap.hit:
        codes.add(trap.code)
    earlier = list(earlier)
    if earlier:  # a fingerprint costs a fifth of the analysis: only when there is something to compare
        mine = fingerprint(" ".join(s.text for s in ctx.usable))
        if any(same_project(mine, other) for other in earlier):
            codes.add("ask_different_story")
    order = catalog.rubric.pushback_order
    pushbacks = sorted(codes, key=order.__getitem__)

    # Sentences hold every word of the answer (the gaps between them are spaces and punctuation).
    words = sum(s.words for s in sentences)
    signals = Signals(
        words=words,
        speaking_seconds=seconds_for(words, wpm),
        situation_seconds=seconds_for(situation_words, wpm),
        i_count=len(I_WORD.findall(answer)),
        we_count=len(WE_WORD.findall(fold(answer))),
        numbers=_numbers(ctx),
        injection_suspected=any(s.part == "injection" for s in sentences),
    )
    verdicts = tuple(p.verdict for p in parts.values())
    return Grade(
        archetype=archetype,
        parts=parts,
        level=level_from_verdicts(verdicts),
        trap=trap,
        pushbacks=pushbacks,
        signals=signals,
        grader="builtin",
    )


_SPACES = re.compile(r"\s+")


def _numbers(ctx: det.Context) -> list[str]:
    seen: list[str] = []
    for s in ctx.usable:
        for q in s.quantities:
            if q.kind != "date" and q.text not in seen:
                seen.append(_SPACES.sub(" ", q.text))
    return seen


@lru_cache(maxsize=4096)  # the planner asks for the same earlier answers' fingerprints on every turn
def project_fingerprint(answer: str) -> frozenset[str]:
    """The fingerprint `analyze(earlier=...)` compares, computed on the same cleaned text."""
    clean = " ".join(s.text for s in segment(answer) if s.part not in ("injection", "label"))
    return fingerprint(clean)
