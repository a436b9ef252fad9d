"""Each archetype's downlevel trap (the seed's table), judged from what the sentences do.

Two classifiers (trained with the part classifier) read each sentence: the side says whether it steps
out of some trap or into one; the kind says which (the kill call, an escalation, a doc comment, the
structural fix, the patch alone, the trade ratio, a compromise, ...). The archetype names the kinds
that matter for its trap, so an escalation in a kill story is not the kill call. A side counts when
the two readings together reach a floor; when an answer shows both, the clearly stronger one decides
(the speaker who "presented the evidence" while the VP made the call has still fallen in).
"""

from __future__ import annotations

from collections.abc import Sequence

from service.rubric import grammar
from service.rubric.models import Evidence, TrapResult
from service.rubric.segment import Reading
from service.rubric.text import Sentence, evidence

# Each archetype's (avoiding kind, falling kind); None where the trap is something missing rather
# than something done (a falling sentence is then read from the side alone).
KINDS: dict[str, tuple[str, str | None]] = {
    "contested_decision": ("update_condition", None),
    "killed_own_project": ("own_call", "other_call"),
    "research_vs_shipping": ("cost_of_slowness", None),
    "safety_escalation": ("escalation", "weak_flag"),
    "quality_incident": ("structural_fix", "symptom_fix"),
    "cost_negotiation": ("trade_ratio", "compromise"),
    "mentoring": ("their_growth", "did_it_myself"),
    "ethical_pushback": ("took_action", "no_action"),
}
# Picked by leave-one-writer-out over the training corpus and checked on a writer outside it
# (bench/rubric_cv.py; README "Traps"): the kind carries most of the weight, the side steadies it.
SIDE_WEIGHT = 0.25
SHOWN = 0.1  # a sentence shows a side at this combined score
CLEARLY = 1.5  # with both sides shown, the falling one decides only when this many times stronger
# Where the trap is a thing done (someone else's kill call, solving it for the mentee) rather than a
# thing missing, an answer that shows neither side has not fallen in.
NEEDS_A_FALL = frozenset({"killed_own_project", "mentoring"})
# Where the way out of the trap is a part of the rubric itself, a sentence that does that part well
# steps out as strongly as the classifier reads it as that part: the incident's structural fix is a
# lasting change to the system or process, which is what the driver part is (prompts/rubric.yaml).
WAY_OUT_PART = {"quality_incident": "driver"}
# Ways out that only the speaker can take: a sentence whose subject is someone else ("our VP decided to
# stop it") reads like the kill call, but it is not the speaker's own.
THEIRS_DO_NOT_COUNT = frozenset({"own_call"})
# What would change the speaker's mind is a condition, said as one: a firm "I built it myself to prove
# the point" reads as stepping out of some trap, but it names no condition.
SAID_AS_A_CONDITION = frozenset({"update_condition"})
# Where the trap is doing the work oneself, a deed the speaker did alone ("I rewrote it myself",
# `grammar.done_alone`) steps in at least this strongly, and is no way out: the side classifier reads
# "myself" as the speaker's own call, which steps out of the kill story's trap.
DONE_ALONE = 0.3
ALONE_FALLS = frozenset({"did_it_myself"})


def _strongest(
    reading: Reading, side: str, kind: str | None, part: str | None = None, but: Sequence[Sentence] = ()
) -> tuple[Sentence | None, float]:
    j = reading.signals.index(side)
    k = reading.kinds.index(kind) if kind else None
    left_out = {s.index for s in but}
    pool = [s for s in reading.usable if s.index not in left_out]
    if side == "avoids_trap":
        # What one would do next time is not what one did: a reflection that the kill should have
        # been one's own leaves the trap where it was.
        pool = [s for s in pool if s.part != "reflection"]
        if kind in THEIRS_DO_NOT_COUNT:
            pool = [s for s in pool if not grammar.someone_else(s.text)]
        if kind in SAID_AS_A_CONDITION:
            pool = [s for s in pool if grammar.states_condition(s.text)]

    def score(s: Sentence) -> float:
        by_side = float(reading.signal_proba[s.index, j])
        if k is None:
            return by_side
        mixed = (1 - SIDE_WEIGHT) * float(reading.kind_proba[s.index, k]) + SIDE_WEIGHT * by_side
        if part is not None and s.label == part:
            return max(mixed, reading.p(s, part))
        return mixed

    best = max(pool, key=score, default=None)
    return best, (score(best) if best is not None else 0.0)


def _sides(archetype: str, reading: Reading) -> tuple[Sentence | None, float, Sentence | None, float]:
    avoid_kind, fall_kind = KINDS[archetype]
    # Not a look back, nor the setup ("I had built the first harness myself, years before"); read only
    # where doing it oneself is the trap.
    alone = (
        [
            s
            for s in reading.usable
            if s.part not in ("reflection", "situation") and grammar.done_alone(s.text)
        ]
        if fall_kind in ALONE_FALLS
        else []
    )
    avoids, avoid = _strongest(reading, "avoids_trap", avoid_kind, WAY_OUT_PART.get(archetype), but=alone)
    falls, fall = _strongest(reading, "falls_in_trap", fall_kind)
    if alone and fall < DONE_ALONE:
        falls, fall = alone[0], DONE_ALONE
    return avoids, avoid, falls, fall


def steps_out(archetype: str, reading: Reading) -> bool:
    """The text shows the archetype's way out of its trap, and no clearly stronger way in."""
    if archetype not in KINDS:
        return False
    _, avoid, _, fall = _sides(archetype, reading)
    return avoid >= SHOWN and not (fall >= SHOWN and fall > CLEARLY * avoid)


def check_trap(
    archetype: str | None, code: str | None, reading: Reading
) -> tuple[TrapResult | None, Evidence | None]:
    if archetype is None or code is None or archetype not in KINDS:
        return None, None
    avoids, avoid, falls, fall = _sides(archetype, reading)
    if avoid < SHOWN:
        hit = fall >= SHOWN or archetype not in NEEDS_A_FALL
    else:
        hit = fall >= SHOWN and fall > CLEARLY * avoid
    shown = falls if hit and fall >= SHOWN else avoids if avoid >= SHOWN else None
    return TrapResult(code=code, hit=hit), (
        evidence(reading.answer, shown.start, shown.end) if shown else None
    )
