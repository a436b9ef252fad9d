"""The grade of one answer: Contract 2 of DESIGN.md, field for field."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Verdict = Literal["met", "partial", "missing"]
Level = Literal["weak", "passing", "strong", "staff"]
# Why the story itself is the gap (`Signals.held`): about another question, set outside work, or no story.
Held = Literal["off_topic", "outside_work", "no_example"]
LEVELS: tuple[Level, ...] = ("weak", "passing", "strong", "staff")


class Evidence(BaseModel):
    quote: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class PartGrade(BaseModel):
    verdict: Verdict
    evidence: list[Evidence] = Field(default_factory=list)
    note: str = ""


class TrapResult(BaseModel):
    code: str
    hit: bool


class Signals(BaseModel):
    words: int
    speaking_seconds: int
    situation_seconds: int
    i_count: int
    we_count: int
    numbers: list[str]
    # Issue 4 adds this key: an attempt to steer the grader was found (and ignored).
    injection_suspected: bool = False
    # Issue 11 adds this key: the archetype the story reads as, when it is not the one asked for
    # (service/rubric/topic.py); every met part is then held at partial.
    off_topic: str | None = None
    # ... and this one: no example is told (no deed and no outcome: a hypothetical, a philosophy).
    no_example: bool = False
    # ... and this one: the story is set outside the speaker's work (home, a hobby, a club;
    # service/rubric/frames.py); every met part is then held at partial.
    outside_work: bool = False

    @property
    def held(self) -> Held | None:
        """Why every met part is held at partial, if it is: the one reason the grade, the interviewer and
        the console all give. The rubric sets at most one of the three; a merge that kept two would
        be read in this order."""
        return held_for(
            off_topic=bool(self.off_topic), outside_work=self.outside_work, no_example=self.no_example
        )


def held_for(*, off_topic: bool, outside_work: bool, no_example: bool) -> Held | None:
    """The one reason a story is held, in the order `Signals.held` reads it (the rubric's, too)."""
    if off_topic:
        return "off_topic"
    if outside_work:
        return "outside_work"
    return "no_example" if no_example else None


class Grade(BaseModel):
    archetype: str | None
    parts: dict[str, PartGrade]
    level: Level
    trap: TrapResult | None
    pushbacks: list[str]
    signals: Signals
    grader: str = "builtin"


def level_from_verdicts(verdicts: list[Verdict] | tuple[Verdict, ...]) -> Level:
    """DESIGN.md: staff = six met; strong = five met, or four met and the rest partial;
    passing = three or four met otherwise; weak = two or fewer met."""
    met = sum(v == "met" for v in verdicts)
    partial = sum(v == "partial" for v in verdicts)
    if met == 6:
        return "staff"
    if met == 5 or (met == 4 and partial == 2):
        return "strong"
    if met >= 3:
        return "passing"
    return "weak"
