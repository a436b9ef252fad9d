"""Numbers an interviewer would not let pass: a figure the metric cannot reach, or a big multiple with
nothing to multiply. The planner challenges such a number first, sourced or not.

Judged from the figure and what it measures: a fall of more than 100% is impossible; a bounded rate
(accuracy, a margin, a share) above 100% or moving by more than 100% is implausible; any percentage
from 500 up is a claim to check; a multiple of 5 or more is meaningless without its baseline ("from 300 to
3,600", "than the old path"). A second figure in the same sentence counts as a baseline.
"""

from __future__ import annotations

import re

_PERCENT = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s?(?:%|percent\b|per\s?cent\b)", re.I)
_MULTIPLE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s?(?:x\b|×|times\b|-?fold\b)", re.I)
_ANY_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?")
_FALL = re.compile(
    r"\b(?:down|dropp?(?:ed|ing)?|fell|fall(?:en|ing)?|cut|reduc\w+|decreas\w+|lower\w*|fewer|less|"
    r"shr[aiu]nk\w*|declin\w+|saved|sav(?:ing|ings))\b",
    re.I,
)
# Metrics that live between 0 and 100%: they cannot pass 100%, and do not double and double again.
_BOUNDED = re.compile(
    r"\b(?:accura\w+|precision|recall|f1|margins?|share|rate|conversion|retention|uptime|availability|"
    r"coverage|utili[sz]ation|satisfaction|hit\s+rate|win\s+rate|pass\s+rate|success)\b",
    re.I,
)
_BASELINE = re.compile(
    r"\b(?:from\b.+\bto|than|compared|versus|vs\.?|against|baseline|relative\s+to|over\s+the\s+(?:old|previous|"
    r"prior|last))\b",
    re.I,
)
_SENTENCE = re.compile(r"[^.!?\n]+(?:\.\d[^.!?\n]*)*")
BIG_PERCENT = 500
BIG_MULTIPLE = 5


def _value(digits: str) -> float:
    return float(digits.replace(",", ""))


def implausible(text: str) -> str | None:
    """The first figure in `text` an interviewer should challenge, as written, or None."""
    for m in _SENTENCE.finditer(text):
        s = m.group()
        figures = len(_ANY_NUMBER.findall(s))
        for p in _PERCENT.finditer(s):
            v = _value(p.group(1))
            if (v > 100 and (_FALL.search(s) or _BOUNDED.search(s))) or v >= BIG_PERCENT:
                return p.group().strip()
        for x in _MULTIPLE.finditer(s):
            if _value(x.group(1)) >= BIG_MULTIPLE and figures < 2 and not _BASELINE.search(s):
                return x.group().strip()
    return None
