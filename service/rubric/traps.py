"""Each archetype's downlevel trap (the seed's table), judged from what the sentences do.

The signal classifier (trained with the part classifier) says per sentence whether it steps out of the
archetype's trap (names the conditions for changing one's mind, makes the kill call, escalates to
someone with authority, builds the structural fix, names the trade ratio, lets the mentee grow, acts)
or into it (someone else's kill call, a doc comment for an escalation, the patch alone, a compromise,
solving it for them, staying quiet). The archetype says which trap that is.
"""

from __future__ import annotations

from service.rubric.models import Evidence, TrapResult
from service.rubric.segment import Reading
from service.rubric.text import Sentence, evidence

SIGNAL_MIN = 0.3  # a sentence shows a side when the classifier gives it at least this (bench/rubric_cv.py)
# Where the trap is a thing done (someone else's kill call, solving it for the mentee) rather than a
# thing missing, an answer that shows neither side has not fallen in.
NEEDS_A_FALL = frozenset({"killed_own_project", "mentoring"})


def _shows(reading: Reading, side: str) -> Sentence | None:
    j = reading.signals.index(side)
    pool = reading.usable
    if side == "avoids_trap":
        # What one would do next time is not what one did: a reflection that the kill should have
        # been one's own leaves the trap where it was (leave-one-writer-out recall .743 -> .756,
        # precision .708 -> .711; in-sample .775 -> .825 and .633 -> .647).
        pool = [s for s in pool if s.part != "reflection"]
    best = max(pool, key=lambda s: reading.signal_proba[s.index, j], default=None)
    return best if best is not None and reading.signal_proba[best.index, j] >= SIGNAL_MIN else None


def check_trap(
    archetype: str | None, code: str | None, reading: Reading
) -> tuple[TrapResult | None, Evidence | None]:
    if archetype is None or code is None:
        return None, None
    avoids, falls = _shows(reading, "avoids_trap"), _shows(reading, "falls_in_trap")
    hit = avoids is None and (falls is not None or archetype not in NEEDS_A_FALL)
    shown = avoids or falls
    return TrapResult(code=code, hit=hit), (
        evidence(reading.answer, shown.start, shown.end) if shown else None
    )
