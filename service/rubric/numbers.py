"""Quantities in candidate text, and which of them can measure a result.

Team sizes, dates ("Q3 2022", "in 2021"), versions ("GPT-4", "v2") and ordinals ("its third checkpoint")
are quantities of the setup, not of the outcome, so they never make a result "met".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal


def _ci(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags | re.IGNORECASE)


Kind = Literal["measure", "people", "date", "duration"]

_SMALL = (
    "zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
)
_SCALE = "hundred|thousand|million|billion|dozen"
_SPELLED = (
    rf"(?:(?:{_SMALL})(?:[- ](?:{_SMALL}))?(?:\s+(?:{_SCALE}))?|(?:a|one)\s+(?:{_SCALE})|(?:{_SCALE})s)"
)
_FRACTION = (
    r"(?:(?:a|one|two)\s+(?:third|quarter|fifth|tenth)s?"
    r"(?!\s+(?!of\b|fewer\b|less\b|more\b|lower\b|higher\b|smaller\b|faster\b|cheaper\b)[a-z])"
    r"|(?:a|one)\s+half|half(?:\s+of)?)"
)
_MULTIPLE = r"(?:halved|doubled|tripled|quadrupled|twice|thrice|(?:an?\s+)?order(?:s)?\s+of\s+magnitude)"
_APPROX = (
    r"(?:(?:roughly|about|around|approximately|nearly|almost|over|under|more\s+than|less\s+than|"
    r"fewer\s+than|at\s+least|close\s+to|upwards\s+of|~|>|<)\s*)"
)
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_SUFFIX = r"(?:\s?(?:%|percent\b|per\s?cent\b|pp\b|x\b|×|bps\b|[kKmMbB]\b|ms\b|s\b|k\b))?"
_MONEY = rf"[$€£]\s?{_DIGITS}\s?(?:[kKmMbB]\b|million\b|billion\b|thousand\b)?"
# A word may stand between a number and its unit ("40 flaky tests", "3 new hires"), but not a word that
# joins phrases: in "version 2.3 in week 27" the week is not the unit of 2.3 (a rate, "$40k a month", is).
_GLUE = "in|on|at|of|by|for|to|from|with|and|or|the|this|that|last|next|after|before|over|across|into|within"
_WORD_BEFORE_UNIT = rf"(?:(?!(?:{_GLUE})\s)[\w-]+\s)?"
_UNIT = (
    r"(?:\s+of\s+(?:those|them|these)|(?:\s+(?:more|fewer|less|extra|additional|new|other))?"
    rf"(?:\s+(?:percentage\s+points?|points?|engineer-(?:months?|weeks?|years?)|{_WORD_BEFORE_UNIT}"
    r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|quarters?|years?|sprints?|people|persons?|"
    r"engineers?|researchers?|folks|members?|reports?|hires?|PMs?|ICs?|teams?|users?|customers?|"
    r"incidents?|pages?|launches?|wins?|models?|bets?|requests?|queries|tickets?|bugs?|dollars?|"
    r"GPUs?|nodes?|calls?|features?|items?|projects?|regressions?|outages?|alerts?|experiments?)))?)"
)
NUMBER = _ci(
    rf"(?<![\w\-./]){_APPROX}?(?:{_MONEY}|{_DIGITS}{_SUFFIX}|{_FRACTION}|{_MULTIPLE}|{_SPELLED}){_UNIT}(?![\w]|\.\d)",
)
_PEOPLE = _ci(
    r"(?:people|persons?|engineers?|researchers?|folks|members?|reports?|PMs?|ICs?|teams?)$", re.IGNORECASE
)
_DURATION = _ci(r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|quarters?|years?|sprints?)$")
_TEAM_OF = _ci(r"(?:team|group|org|squad|pod)\s+of\s*$|\b(?:led|managed)\s*$")
_HIRING = _ci(r"\b(?:hired|hire|promoted|onboarded|retained|grew)\b")
_YEAR = _ci(r"^(?:19|20)\d\d$")
_DATE_BEFORE = _ci(
    r"(?:\b(?:Q[1-4]|H[12]|FY|in|since|by|during|of|early|late|mid|January|February|March|April|May|June|July|"
    r"August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\s*)$",
)
# "one" is mostly a pronoun ("the one we shipped", "no one"): it counts only with a unit after it.
# "Llama 3", "GPT 4", "version 2", "phase 3": a name or a step, not a quantity.
# The words a version follows: a dotted number after them is a name too ("release 24.4", "Llama 3.1").
_VERSION_WORDS = r"llama|gpt|claude|gemini|mistral|qwen|phi|python|ios|android|v|versions?|release|build|firmware|patch|rev"
_NAMED_BEFORE = _ci(
    rf"\b(?:{_VERSION_WORDS}|bert|resnet|yolo|windows|step|stage|phase|level|tier|round|sprint|series|gen|"
    r"generation|model|layer|p|top|day|week|month|year|q|h|fy)\s*[-]?\s*$"
)
# "1 April", "20 Feb": the day of a date.
# Capitalised: "12 may churn" is a modal.
_MONTH_AFTER = re.compile(
    r"^\s*(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\b"
)
_APPROX_PREFIX = _ci(r"^" + _APPROX)
_SHORT_INT = re.compile(r"^\d{1,4}$")
_DOTTED = re.compile(r"^\d{1,4}\.\d{1,3}$")
# A dotted number is a name only after a version's word: "p < 0.05" is not.
_VERSION_BEFORE = _ci(rf"\b(?:{_VERSION_WORDS})\s*[-]?\s*$")
_COUNT_WORD = _ci(r"^\d+$|^(?:" + _SMALL + r")$")
_FRACTION_ONLY = _ci(r"^(?:a|one|two)\s+(?:third|quarter)$")
_BARE_ONE = _ci(r"^(?:a|one)$")
_ORDINAL_CONTEXT = _ci(r"\b(?:the|its|our|their|his|her|my|a)\s*$")


@dataclass(frozen=True)
class Quantity:
    start: int
    end: int
    text: str
    kind: Kind


def find_quantities(text: str, offset: int = 0) -> list[Quantity]:
    """The quantities of `text`, their places counted from `offset`."""
    if not offset:
        return list(_found(text))
    return [Quantity(offset + q.start, offset + q.end, q.text, q.kind) for q in _found(text)]


@lru_cache(maxsize=8192)  # an answer's sentences are read again with each follow-up to the archetype
def _found(text: str) -> tuple[Quantity, ...]:
    return tuple(_find(text))


def _find(text: str) -> list[Quantity]:
    low = text
    out: list[Quantity] = []
    for m in NUMBER.finditer(low):
        group = m.group()
        raw = group.strip()
        if not raw or _BARE_ONE.match(raw):
            continue
        before = low[max(0, m.start() - 24) : m.start()]
        core = _APPROX_PREFIX.sub("", raw)
        kind: Kind
        if _SHORT_INT.match(core) and _NAMED_BEFORE.search(before):
            continue
        if _DOTTED.match(core) and _VERSION_BEFORE.search(before):
            continue
        if core[:1] in "$€£":
            kind = "measure"
        elif _YEAR.match(core) or (
            core[:1].isdigit()
            and _SHORT_INT.match(core)
            and (_DATE_BEFORE.search(before) or (len(core) <= 2 and _MONTH_AFTER.match(low[m.end() :])))
        ):
            kind = "date"
        elif (_PEOPLE.search(raw) and not _HIRING.search(low[max(0, m.start() - 40) : m.start()])) or (
            _TEAM_OF.search(before) and _COUNT_WORD.match(core)
        ):
            kind = "people"
        elif _DURATION.search(raw):
            kind = "duration"
        else:
            kind = "measure"
        if _FRACTION_ONLY.match(core) and _ORDINAL_CONTEXT.search(before):
            continue
        start = m.start() + (len(group) - len(group.lstrip()))
        end = start + len(raw)
        out.append(Quantity(start, end, text[start:end], kind))
    return out
