"""The seed's self-assessment rubric for the 25-minute drill, one level per dimension with a one-line reason.

Pure: reads outlines (paragraph per letter) and their Contract 2 grades, never the store. Each dimension is
the level of the weakest outline written, so the reason names the outline that holds it back. The cues
(contrast, negotiation, why, compounding, continuing artifacts) are the seed's own wording, read as
patterns; the rubric's verdicts decide the first rungs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from service.rubric.models import LEVELS, Grade, Level

Dimension = Literal[
    "coverage_discovery", "tradeoff_articulation", "reflection_specificity", "structural_change_driver"
]
DIMENSIONS: tuple[Dimension, ...] = (
    "coverage_discovery",
    "tradeoff_articulation",
    "reflection_specificity",
    "structural_change_driver",
)


def _cue(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(patterns) + r")", re.I)


# "platform stability vs research velocity", "sunk cost against opportunity cost", "between X and Y".
CONTRAST = _cue(
    r"vs\b\.?",
    r"versus\b",
    r"against\b",
    r"at the cost of\b",
    r"rather than\b",
    r"instead of\b",
    r"between\b.+\band\b",
    r"trad(?:e|ed|ing)\b.+\bfor\b",
)
# Made in conversation with other senior people, not internalised alone.
NEGOTIATED = _cue(
    r"negotiat",
    r"agreed with\b",
    r"aligned with\b",
    r"(?:we|they|both teams) agreed\b",
    r"brought .{1,40} into the room\b",
    r"(?:in|at) (?:a|the|our) (?:meeting|review|offsite|sync)\b",
    r"with (?:the|our|my) (?:\w+ ){0,2}(?:team|lead|director|vp|pm|manager|skip-level|org)s?\b",
    r"pushed back\b",
    r"escalat",
)
# Connected to the specific failure mode: why the change would have helped.
WHY = _cue(
    r"because\b",
    r"so that\b",
    r"would have\b",
    r"would've\b",
    r"(?:we|i)'d have\b",
    r"caught\b",
    r"prevent",
    r"avoid",
    r"instead of\b",
    r"rather than\b",
    r"saved\b",
)
# The reflection compounded into a template or process applied since.
COMPOUNDED = _cue(
    r"now (?:insist|require|use|run|ask|apply|start|write|do)\b",
    r"since then\b",
    r"ever since\b",
    r"template",
    r"checklist",
    r"became (?:our|the|a|how)\b",
    r"(?:i|we) now\b",
    r"default",
    r"every (?:\w+ )?(?:review|project|bet|launch|roadmap|design doc|rfc)\b",
)
# The structural change is something the org still does (a continuing artifact).
CONTINUING = _cue(
    r"still\b",
    r"to this day\b",
    r"today\b",
    r"continues\b",
    r"(?:is|are) now\b",
    r"now (?:runs|used|uses|requires|part of)\b",
    r"every (?:quarter|release|launch|week|sprint|team)\b",
)


@dataclass(frozen=True)
class Written:
    """One outline with material: its archetype, title, paragraphs and grade."""

    archetype: str
    title: str
    parts: Mapping[str, str]
    grade: Grade


@dataclass(frozen=True)
class Assessment:
    level: Level
    reason: str


def _quoted(w: Written, part: str) -> str:
    """The paragraph the candidate wrote for `part`, with whatever the rubric quoted as its evidence."""
    return " ".join([w.parts.get(part, ""), *(e.quote for e in w.grade.parts[part].evidence)])


def _tradeoff(w: Written) -> tuple[Level, str]:
    verdict, text = w.grade.parts["tradeoff"].verdict, _quoted(w, "tradeoff")
    if verdict != "met":
        return "weak", "skipped the trade-off or named a generic one"
    if not CONTRAST.search(text):
        return "passing", "names a trade-off, but not as two sides the interviewer can grade ('X against Y')"
    if not NEGOTIATED.search(text):
        return "strong", "names both sides in gradable terms, made alone rather than negotiated with others"
    return "staff", "names both sides in gradable terms, negotiated with other senior people"


def _reflection(w: Written) -> tuple[Level, str]:
    verdict, text = w.grade.parts["reflection"].verdict, _quoted(w, "reflection")
    if verdict != "met":
        return "weak", "skipped the reflection or wrote a generic one ('I'd be better')"
    if not WHY.search(text):
        return "passing", "a concrete change, without why it would have helped"
    if not COMPOUNDED.search(text):
        return "strong", "a concrete change and why, not yet a template or process applied since"
    return "staff", "a concrete change, why, and a template or process applied to later work"


def _driver(w: Written) -> tuple[Level, str]:
    verdict, text = w.grade.parts["driver"].verdict, _quoted(w, "driver")
    if verdict == "missing":
        return "weak", "the result is the project outcome only"
    if verdict == "partial":
        return "passing", "some downstream consequence, no process or pattern that scaled"
    if not CONTINUING.search(text):
        return "strong", "a process or pattern that scaled, not said to be still in use"
    return "staff", "a structural change the org still runs"


def _weakest(written: Sequence[Written], rung: Callable[[Written], tuple[Level, str]]) -> Assessment:
    if not written:
        return Assessment("weak", "No outline has material yet (a Situation and an Action).")
    judged = [(w, *rung(w)) for w in written]
    w, level, why = min(judged, key=lambda j: LEVELS.index(j[1]))
    if all(j[1] == level for j in judged) and len(judged) > 1:
        return Assessment(level, f"Every outline: {why}.")
    return Assessment(level, f"{w.title}: {why}.")


def coverage(
    written: Sequence[Written],
    *,
    drilled: Sequence[str],
    same_project: Sequence[Sequence[str]],
    stretches: Sequence[str],
    gaps: Sequence[str],
    named_gaps: Sequence[str],
    titles: Mapping[str, str],
) -> Assessment:
    """`stretches`: archetypes drilled that the bank had no story for when the drill began; `gaps`: the
    archetypes still without material anywhere; `named_gaps`: those the candidate named at finish."""

    def names(ids: Sequence[str]) -> str:
        return ", ".join(titles.get(a, a) for a in ids)

    if same_project:
        pair = same_project[0]
        return Assessment("weak", f"{names(pair)} tell the same project: one project per archetype.")
    if not written:
        return Assessment("weak", "No outline written: no gap discovered, no story surfaced.")
    unwritten = [a for a in drilled if a not in {w.archetype for w in written}]
    if unwritten:
        return Assessment(
            "passing",
            f"No material yet for {names(unwritten)}: that gap is the drill's most important finding.",
        )
    stretched = [w.archetype for w in written if w.archetype in stretches]
    if not stretched:
        return Assessment("passing", "Three different projects for three archetypes, none of them a stretch.")
    unnamed = [a for a in gaps if a not in named_gaps]
    if unnamed:
        return Assessment(
            "strong",
            f"Three different projects with a stretch ({names(stretched[:1])}); "
            f"name the archetypes still without material: {names(unnamed)}.",
        )
    named = f"named the gaps: {names(gaps)}" if gaps else "no archetype left without material"
    return Assessment("staff", f"Three different projects, a stretch ({names(stretched[:1])}), and {named}.")


def assess(
    written: Sequence[Written],
    *,
    drilled: Sequence[str],
    same_project: Sequence[Sequence[str]],
    stretches: Sequence[str],
    gaps: Sequence[str],
    named_gaps: Sequence[str],
    titles: Mapping[str, str],
) -> dict[Dimension, Assessment]:
    return {
        "coverage_discovery": coverage(
            written,
            drilled=drilled,
            same_project=same_project,
            stretches=stretches,
            gaps=gaps,
            named_gaps=named_gaps,
            titles=titles,
        ),
        "tradeoff_articulation": _weakest(written, _tradeoff),
        "reflection_specificity": _weakest(written, _reflection),
        "structural_change_driver": _weakest(written, _driver),
    }
