"""Quantities in candidate text, and which of them can measure a result.

Team sizes, dates ("Q3 2022", "in 2021"), versions ("GPT-4", "v2") and ordinals ("its third checkpoint")
are quantities of the setup, not of the outcome, so they never make a result "met".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

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
_UNIT = (
    r"(?:\s+of\s+(?:those|them|these)|(?:\s+(?:more|fewer|less|extra|additional|new|other))?"
    r"(?:\s+(?:percentage\s+points?|points?|engineer-(?:months?|weeks?|years?)|(?:[\w-]+\s)?"
    r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|quarters?|years?|sprints?|people|persons?|"
    r"engineers?|researchers?|folks|members?|reports?|hires?|PMs?|ICs?|teams?|users?|customers?|"
    r"incidents?|pages?|launches?|wins?|models?|bets?|requests?|queries|tickets?|bugs?|dollars?|"
    r"GPUs?|nodes?|calls?|features?|items?|projects?|regressions?|outages?|alerts?|experiments?)))?)"
)
NUMBER = re.compile(
    rf"(?<![\w\-./]){_APPROX}?(?:{_MONEY}|{_DIGITS}{_SUFFIX}|{_FRACTION}|{_MULTIPLE}|{_SPELLED}){_UNIT}(?![\w])",
    re.IGNORECASE,
)
_PEOPLE = re.compile(
    r"(?:people|persons?|engineers?|researchers?|folks|members?|reports?|PMs?|ICs?|teams?)$", re.IGNORECASE
)
_DURATION = re.compile(r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|quarters?|years?|sprints?)$", re.I)
_TEAM_OF = re.compile(r"(?:team|group|org|squad|pod)\s+of\s*$|\b(?:led|managed)\s*$", re.IGNORECASE)
_HIRING = re.compile(r"\b(?:hired|hire|promoted|onboarded|retained|grew)\b", re.IGNORECASE)
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_DATE_BEFORE = re.compile(
    r"(?:\b(?:Q[1-4]|H[12]|FY|in|since|by|during|of|early|late|mid|January|February|March|April|May|June|July|"
    r"August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\s*)$",
    re.IGNORECASE,
)
# "one" is mostly a pronoun ("the one we shipped", "no one"): it counts only with a unit after it.
_BARE_ONE = re.compile(r"^(?:a|one)$", re.IGNORECASE)
_ORDINAL_CONTEXT = re.compile(r"\b(?:the|its|our|their|his|her|my|a)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Quantity:
    start: int
    end: int
    text: str
    kind: Kind


def find_quantities(text: str, offset: int = 0) -> list[Quantity]:
    out: list[Quantity] = []
    for m in NUMBER.finditer(text):
        raw = m.group().strip()
        if not raw or _BARE_ONE.match(raw):
            continue
        head = raw.split()[0].lower()
        if head in ("one", "a") and len(raw.split()) == 1:
            continue
        before = text[max(0, m.start() - 24) : m.start()]
        core = re.sub(r"^" + _APPROX, "", raw, flags=re.IGNORECASE)
        if re.match(r"^[$€£]", core):
            kind: Kind = "measure"
        elif (_YEAR.match(core) and not re.search(r"[%x$]", core)) or (
            re.match(r"^\d", core) and _DATE_BEFORE.search(before) and re.match(r"^\d{1,4}$", core)
        ):
            kind = "date"
        elif (_PEOPLE.search(raw) and not _HIRING.search(text[max(0, m.start() - 40) : m.start()])) or (
            _TEAM_OF.search(before) and re.match(r"^\d+$|^(?:" + _SMALL + r")$", core, re.IGNORECASE)
        ):
            kind = "people"
        elif _DURATION.search(raw):
            kind = "duration"
        else:
            kind = "measure"
        if re.match(r"^(?:a|one|two)\s+(?:third|quarter)$", core, re.I) and _ORDINAL_CONTEXT.search(before):
            continue
        # Trim trailing space the optional groups may have taken.
        start = offset + m.start() + (len(m.group()) - len(m.group().lstrip()))
        end = start + len(raw)
        out.append(Quantity(start, end, raw, kind))
    return out
