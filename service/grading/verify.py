"""Check the model's grade of each part against the answer, in code.

1. Quotes: each must be in the answer (see `quotes.py`); made-up quotes, and quotes of sentences
   addressed to the grader, are dropped; the rest become exact evidence spans (at most three a part).
2. A part graded met or partial with no surviving quote is lowered one step (met -> partial,
   partial -> missing): a verdict the model cannot point at is not trusted.
3. A met result needs a number that measures it (a measure or a duration, not a team size or a
   date) inside its surviving quotes, else it is partial.
4. A met action needs first-person singular ("I", "I'd", "I'm" ...) inside its surviving quotes,
   else it is partial.

A part lowered by 2-4 is `unsupported`: the model failed on it, so the merge leaves it to the rubric
(the lowered verdict says what the model's reading alone would be).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from service.grading.quotes import QuoteLocator
from service.grading.schema import PartOutput
from service.rubric.grammar import counts
from service.rubric.models import Evidence, Verdict
from service.rubric.numbers import find_quantities

MAX_EVIDENCE = 3
_LOWER: dict[Verdict, Verdict] = {"met": "partial", "partial": "missing", "missing": "missing"}


@dataclass
class CheckedPart:
    """The model's verdict for one part after the checks, with what the checks did to it."""

    verdict: Verdict
    evidence: list[Evidence]
    reasoning: str
    remarks: list[str] = field(default_factory=list)
    quoted: int = 0  # quotes the model gave
    missed: int = 0  # of them, not in the answer (made up): dropped
    blocked: int = 0  # of them, only in text addressed to the grader: dropped

    @property
    def unsupported(self) -> bool:
        """A check lowered the model's verdict: its own quotes do not bear it out."""
        return any(r.startswith("downgraded") for r in self.remarks)


def _has_measure(evidence: list[Evidence]) -> bool:
    return any(q.kind in ("measure", "duration") for ev in evidence for q in find_quantities(ev.quote))


def _has_first_person(evidence: list[Evidence]) -> bool:
    return any(counts(ev.quote)[0] for ev in evidence)


def _quotes(n: int) -> str:
    return f"{n} quote{'s' if n > 1 else ''}"


def check_part(part_id: str, out: PartOutput, locator: QuoteLocator) -> CheckedPart:
    found = locator.locate(out.quotes)
    checked = CheckedPart(
        verdict=out.verdict,
        evidence=found.evidence[:MAX_EVIDENCE],
        reasoning=out.reasoning,
        quoted=len(out.quotes),
        missed=found.missed,
        blocked=found.blocked,
    )
    if found.missed:
        checked.remarks.append(f"{_quotes(found.missed)} not found in the answer, dropped")
    if found.blocked:
        checked.remarks.append(f"{_quotes(found.blocked)} from text addressed to the grader, dropped")
    if checked.verdict != "missing" and not checked.evidence:
        checked.verdict = _LOWER[checked.verdict]
        dropped = found.missed or found.blocked
        checked.remarks.append("downgraded: quote not found" if dropped else "downgraded: no quote given")
    if part_id == "result" and checked.verdict == "met" and not _has_measure(checked.evidence):
        checked.verdict = "partial"
        checked.remarks.append("downgraded: no number in the quoted result")
    if part_id == "action" and checked.verdict == "met" and not _has_first_person(checked.evidence):
        checked.verdict = "partial"
        checked.remarks.append("downgraded: no first-person 'I' in the quoted action")
    return checked


def check_parts(parts: dict[str, PartOutput], locator: QuoteLocator) -> dict[str, CheckedPart]:
    return {part_id: check_part(part_id, out, locator) for part_id, out in parts.items()}
