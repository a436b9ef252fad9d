"""Each archetype's downlevel trap (the seed's table), judged from what the sentences do.

The signal classifier (trained with the part classifier) says per sentence whether it names the
conditions for changing one's mind, makes the kill call, escalates, ... ; each trap is a yes/no over
those signals, with the sentence that shows it.
"""

from __future__ import annotations

from collections.abc import Callable

from service.rubric.models import Evidence, TrapResult
from service.rubric.segment import Reading
from service.rubric.text import Sentence, evidence

SIGNAL_MIN = 0.35  # a sentence shows a signal when the classifier gives it at least this


def _shows(reading: Reading, signal: str) -> Sentence | None:
    j = reading.signals.index(signal)
    best = max(reading.usable, key=lambda s: reading.signal_proba[s.index, j], default=None)
    return best if best is not None and reading.signal_proba[best.index, j] >= SIGNAL_MIN else None


def _needs(signal: str) -> Callable[[Reading], tuple[bool, Sentence | None]]:
    def check(reading: Reading) -> tuple[bool, Sentence | None]:
        found = _shows(reading, signal)
        return found is None, found

    return check


def _own_call(reading: Reading) -> tuple[bool, Sentence | None]:
    mine = _shows(reading, "own_call")
    if mine:
        return False, mine
    other = _shows(reading, "other_call")
    return other is not None, other


def _their_growth(reading: Reading) -> tuple[bool, Sentence | None]:
    growth = _shows(reading, "their_growth")
    if growth:
        return False, growth
    return True, _shows(reading, "did_it_myself")


def _ethical(reading: Reading) -> tuple[bool, Sentence | None]:
    acted = _shows(reading, "took_action") or _shows(reading, "escalation")
    if acted:
        return False, acted
    return True, _shows(reading, "no_action")


TRAPS: dict[str, Callable[[Reading], tuple[bool, Sentence | None]]] = {
    "contested_decision": _needs("update_condition"),
    "killed_own_project": _own_call,
    "research_vs_shipping": _needs("cost_of_slowness"),
    "safety_escalation": _needs("escalation"),
    "quality_incident": _needs("structural_fix"),
    "cost_negotiation": _needs("trade_ratio"),
    "mentoring": _their_growth,
    "ethical_pushback": _ethical,
}


def check_trap(
    archetype: str | None, code: str | None, reading: Reading
) -> tuple[TrapResult | None, Evidence | None]:
    if archetype is None or code is None or archetype not in TRAPS:
        return None, None
    hit, s = TRAPS[archetype](reading)
    return TrapResult(code=code, hit=hit), (evidence(reading.answer, s.start, s.end) if s else None)
