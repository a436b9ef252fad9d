"""Find a model's quote in the answer and return the exact span it came from.

The model copies text, but not always byte for byte: line breaks become spaces, runs of spaces
collapse, a capital is lowered, a curly apostrophe turns straight. So both texts are squashed the
same way (whitespace runs -> one space, ends stripped) while remembering, for every squashed
character, where it sits in the answer. The quote is looked up case-sensitively first, then with a
loose, length-preserving fold (lower case; curly quotes and dashes to ASCII). A hit maps back to
`[start, end)` in the original answer, and the evidence quote is `answer[start:end]` itself, never
the model's text. A quote spliced with an ellipsis ("I proposed ... and shipped") is looked up as
its separate pieces. Anything not found is made up and is dropped; so is a quote found only inside
an avoided span (a sentence addressed to the grader).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from service.rubric.models import Evidence

MIN_CHARS = 4  # "I", "we", "30%" alone are not evidence of anything
_ELLIPSIS = re.compile(r"\s*(?:\.{3,}|…|\[\.\.\.\]|\(\.\.\.\))\s*")
_EDGE = "\"'“”‘’«»`"
_LOOSE = str.maketrans({"’": "'", "‘": "'", "`": "'", "“": '"', "”": '"', "–": "-", "—": "-", "‑": "-"})


def _squash(text: str) -> tuple[str, list[int]]:
    """Whitespace runs -> one space, ends stripped; and each kept character's index in `text`."""
    chars: list[str] = []
    where: list[int] = []
    space = True  # drops leading whitespace
    for i, ch in enumerate(text):
        if ch.isspace():
            if not space:
                chars.append(" ")
                where.append(i)
            space = True
        else:
            chars.append(ch)
            where.append(i)
            space = False
    if chars and chars[-1] == " ":
        chars.pop()
        where.pop()
    return "".join(chars), where


def loosen(text: str) -> str:
    """Lower case and ASCII punctuation, one character for one so offsets still line up."""
    out = []
    for ch in text.translate(_LOOSE):
        low = ch.lower()
        out.append(low if len(low) == 1 else ch)
    return "".join(out)


def _pieces(quote: str) -> list[str]:
    pieces = []
    for piece in _ELLIPSIS.split(quote):
        piece = piece.strip().strip(_EDGE).strip()
        if len(piece.replace(" ", "")) >= MIN_CHARS and any(c.isalnum() for c in piece):
            pieces.append(piece)
    return pieces


@dataclass
class Located:
    evidence: list[Evidence] = field(default_factory=list)
    missed: int = 0  # not in the answer: made up
    blocked: int = 0  # only inside text addressed to the grader


class QuoteLocator:
    """Built once per answer; `locate` returns the evidence for each quote that is really there."""

    def __init__(self, answer: str, avoid: Iterable[tuple[int, int]] = ()) -> None:
        """`avoid`: spans a quote may not come from (sentences addressed to the grader)."""
        self.answer = answer
        self._text, self._where = _squash(answer)
        self._loose = loosen(self._text)
        self._avoid = list(avoid)

    def find(self, quote: str) -> Evidence | None:
        """The first allowed occurrence of `quote` (whole, then with its edge quote marks trimmed)."""
        return self._find(quote)[0]

    def locate(self, quotes: Iterable[str]) -> Located:
        """Evidence for the quotes found (deduplicated, in the model's order), and what was dropped."""
        found: list[Evidence] = []
        located = Located()
        for quote in quotes:
            ev, blocked = self._find(quote)
            if ev is None and not blocked and _ELLIPSIS.search(quote):
                hits = [self.find(p) for p in _pieces(quote)]
                if hits and all(hits):
                    found.extend(h for h in hits if h is not None)
                    continue
            if ev is not None:
                found.append(ev)
            elif blocked:
                located.blocked += 1
            else:
                located.missed += 1
        seen: set[tuple[int, int]] = set()
        for ev in found:
            if (ev.start, ev.end) not in seen:
                seen.add((ev.start, ev.end))
                located.evidence.append(ev)
        return located

    def _find(self, quote: str) -> tuple[Evidence | None, bool]:
        """The evidence, or None and whether the quote was there but only inside an avoided span."""
        needle, _ = _squash(quote)
        candidates = [needle]
        trimmed = needle.strip(_EDGE).strip()
        if trimmed != needle:
            candidates.append(trimmed)
        blocked = False
        for cand in candidates:
            if len(cand.replace(" ", "")) < MIN_CHARS or not any(c.isalnum() for c in cand):
                continue
            for hay, pin in ((self._text, cand), (self._loose, loosen(cand))):
                ev, hit = self._first_allowed(hay, pin)
                if ev:
                    return ev, False
                blocked = blocked or hit
        return None, blocked

    def _first_allowed(self, hay: str, needle: str) -> tuple[Evidence | None, bool]:
        """The first occurrence outside the avoided spans; and whether there was any occurrence at all."""
        pos = hay.find(needle)
        seen = pos != -1
        while pos != -1:
            start = self._where[pos]
            end = self._where[pos + len(needle) - 1] + 1
            if not any(start < b and a < end for a, b in self._avoid):
                return Evidence(quote=self.answer[start:end], start=start, end=end), True
            pos = hay.find(needle, pos + 1)
        return None, seen
