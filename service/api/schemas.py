"""Contract 3's shapes: request bodies, and the response models every route declares, so the OpenAPI schema
states the contract and a response that breaks it fails (FastAPI validates what a route returns)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from service.catalog import PUSHBACK_CODES, ArchetypeId, PartId
from service.rubric.models import Grade, Level, Verdict

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Whitespace, controls and invisible format characters (zero-width space and joiners, BOM, soft hyphen).
_INVISIBLE = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def storable(text: str) -> str:
    """Text a database can hold: PostgreSQL refuses NUL in text, and a lone surrogate cannot be encoded
    as UTF-8 by either database (nor by the JSON encoder of the reply)."""
    found = _UNSTORABLE.search(text)
    if found:
        what = "NUL characters" if found.group() == "\x00" else "unpaired surrogates (invalid Unicode)"
        raise ValueError(f"must not contain {what}")
    return text


def visible(text: str) -> str:
    """Text with something in it once whitespace and invisible characters are removed."""
    if all(c.isspace() or unicodedata.category(c) in _INVISIBLE for c in text):
        raise ValueError("must not be empty or only whitespace and invisible characters")
    return text


# Every text field of every body: storable, and not blank (the checks run in this order).
Text = Annotated[str, AfterValidator(storable), AfterValidator(visible)]
# Ids and header values go to a query: storable (a blank id is simply not found).
Storable = Annotated[str, AfterValidator(storable)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InterviewCreate(_Body):
    archetypes: list[ArchetypeId] | None = None
    count: int | None = Field(default=None, ge=1, le=8)
    model: Text | None = Field(default=None, min_length=1, max_length=200)


class AnswerCreate(_Body):
    text: Text


class StoryIn(_Body):
    title: Text = Field(min_length=1, max_length=200)
    archetype: ArchetypeId
    project: Text = Field(min_length=1, max_length=200)
    year: int | None = Field(default=None, ge=1950, le=2100)
    text: Text = Field(min_length=1, max_length=20_000)


# --- responses --------------------------------------------------------------------------------

PushbackCode = Literal[
    "ask_tradeoff",
    "ask_first_person",
    "ask_number",
    "ask_number_source",
    "ask_driver",
    "ask_reflection",
    "trim_situation",
    "ask_different_story",
    "ask_update_conditions",
    "ask_own_call",
    "ask_nuance",
    "ask_escalation",
    "ask_structural_fix",
    "ask_trade_ratio",
    "ask_their_growth",
    "ask_action_taken",
]
assert get_args(PushbackCode) == PUSHBACK_CODES, "Contract 1's codes: the type and the catalog must agree"


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Health(BaseModel):
    status: Literal["ok"]


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    """Every refusal: `{"error": {"code", "message"}}` (service/api/errors.py)."""

    error: ErrorDetail


# The refusals any /api route may give (SECURITY.md), declared so the schema says what they look like.
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": what}
    for status, what in [
        (400, "bad request (a Host this server does not answer to)"),
        (401, "missing or wrong bearer token (tokens mode)"),
        (403, "the account keeps as many stories or interviews as it may (quota)"),
        (404, "unknown id, or another user's"),
        (409, "answering a finished interview, or a concurrent answer"),
        (413, "body or answer over its limit"),
        (415, "a body that is not JSON"),
        (422, "invalid body, field or model"),
        (429, "over a per-user rate, or too many answers in flight"),
        (503, "the database is unavailable or busy"),
    ]
}


class ReadingOut(_Out):
    by: str  # the grader model whose verified reading chose the move, or `builtin` (the rubric)
    fallback: str | None = None  # why the rubric decided instead of the model (past the budget, a failure)


class TurnOut(_Out):
    index: int
    role: Literal["interviewer", "candidate"]
    text: str
    move: Literal["probe", "pushback", "wrap_up"] | None
    code: PushbackCode | None
    archetype: ArchetypeId | None
    degraded: bool
    reading: ReadingOut | None = None  # replies only, with a grader model configured


class InterviewOut(_Out):
    id: str
    status: Literal["active", "finished"]
    archetypes: list[ArchetypeId]
    model: str
    turns: list[TurnOut]

    @classmethod
    def of(cls, interview: Any) -> InterviewOut:
        """From a stored interview (turns in order)."""
        turns: Iterable[Any] = sorted(interview.turns, key=lambda t: t.index)
        return cls(
            id=interview.id,
            status=interview.status,
            archetypes=list(interview.archetypes),
            model=interview.model,
            turns=[TurnOut.model_validate(t) for t in turns],
        )


class StoryOut(_Out):
    id: str
    title: str
    archetype: ArchetypeId
    project: str
    year: int | None
    text: str
    grade: Grade | None


class AuditStory(BaseModel):
    id: str
    title: str
    project: str
    year: int | None


class AuditRow(BaseModel):
    archetype: ArchetypeId
    title: str
    stories: list[AuditStory]
    covered: bool


class AuditChecks(BaseModel):
    one_story_per_archetype: bool
    no_project_over_two_archetypes: bool
    at_least_two_structural_drivers: bool


class AuditChecklist(BaseModel):
    id: str
    title: str
    level: Level | None
    checklist: dict[PartId, Verdict]
    pushbacks: list[PushbackCode]


class ReusedPair(BaseModel):
    """Two stories, filed for different archetypes, that tell the same project."""

    stories: list[str]
    archetypes: list[ArchetypeId]
    titles: list[str]


class AuditOut(BaseModel):
    """The story bank's coverage audit (service/report/audit.py)."""

    matrix: list[AuditRow]
    missing_archetypes: list[ArchetypeId]
    projects_over_two_archetypes: dict[str, list[ArchetypeId]]
    structural_driver_stories: list[str]
    checks: AuditChecks
    stories: list[AuditChecklist]
    projects_reused: list[ReusedPair] = []  # addition: stories of other archetypes telling one project


class LevelPair(BaseModel):
    """An archetype's level after its first answer, and after its last follow-up."""

    first: Level
    final: Level


class InterviewSummary(_Out):
    """One row of `GET /api/interviews` (DESIGN.md Contract 3, additions)."""

    id: str
    status: Literal["active", "finished"]
    archetypes: list[ArchetypeId]
    created_at: datetime
    levels: dict[ArchetypeId, LevelPair]

    @classmethod
    def of(cls, interview: Any) -> InterviewSummary:
        return cls(
            id=interview.id,
            status=interview.status,
            archetypes=list(interview.archetypes),
            created_at=interview.created_at,
            levels=_levels(interview),
        )


def _levels(interview: Any) -> dict[str, LevelPair]:
    """From the cached debrief when there is one (the levels the debrief shows, the model's grades
    included); otherwise from the combined grade stored on each candidate turn when it was planned."""
    debrief = interview.debrief or {}
    if debrief.get("archetypes"):
        return {
            a["archetype"]: LevelPair(first=a["first_level"], final=a["grade"]["level"])
            for a in debrief["archetypes"]
        }
    levels: dict[str, LevelPair] = {}
    for turn in sorted(interview.turns, key=lambda t: t.index):
        if turn.role != "candidate" or not turn.archetype or not turn.grade:
            continue
        level = turn.grade.get("level")
        if level is None:
            continue
        first = levels[turn.archetype].first if turn.archetype in levels else level
        levels[turn.archetype] = LevelPair(first=first, final=level)
    return levels
