"""Case folding that keeps offsets: the cue patterns run case-sensitively on ASCII-lowered text.

Python's `re` is several times slower with IGNORECASE on large alternations; lowering the text once per
sentence with a length-preserving table (ASCII only, so `str.lower` quirks like 'İ' never shift offsets)
lets every pattern run without the flag while spans still index the original answer.
"""

from __future__ import annotations

import re

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold(text: str) -> str:
    return text.translate(_ASCII_LOWER)


def _lower_pattern(pattern: str) -> str:
    out: list[str] = []
    escaped = False
    for ch in pattern:
        if escaped:
            out.append(ch)  # \S, \W, \D, \B keep their meaning
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        else:
            out.append(ch.lower() if ch.isascii() else ch)
    return "".join(out)


def ci(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """Compile a case-insensitive cue to run on `fold(text)`."""
    return re.compile(_lower_pattern(pattern), flags & ~re.IGNORECASE)
