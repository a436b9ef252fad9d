"""Checks on the interviewer's words, run as tokens arrive and once at the end.

A reply fails when it asks more than one question, runs long, talks about grading or praises, or leaks
the rubric. Checked on every prefix, so a failing reply is withdrawn as soon as it fails (a `replace`
event), never after the candidate has read all of it.
"""

from __future__ import annotations

import re

MAX_WORDS = 60
MAX_CHARS = 420

_GRADING = re.compile(
    r"\b(?:score[sd]?|scoring|grade[sd]?|grading|rubric|rating|rated|verdict|star[- ]?drive|\bSTAR\b|"
    r"staff[- ]level|senior[- ]level|level (?:of )?(?:staff|senior|strong|weak|passing)|"
    r"partially met|fully met|evaluation criteria|downlevel\w*|"
    r"great (?:answer|story|job|example)|good (?:answer|story|job|example)|excellent|well done|nice (?:answer|job|work)|"
    r"impressive|love (?:that|this)|fantastic|perfect answer)\b",
    re.IGNORECASE,
)
_LEAK = re.compile(
    r"\bask_[a-z_]+\b|\btrim_situation\b|driver of impact|\bpushback code|\btrade-?off part\b|"
    r"\b(?:situation|trade-?off|action|result|driver|reflection) part\b|\bsystem prompt\b|<<|CANDIDATE-[0-9a-f]",
    re.IGNORECASE,
)


def failure(text: str, *, final: bool) -> str | None:
    """Why this (partial, unless `final`) reply must be withdrawn, or None while it is acceptable."""
    if len(text) > MAX_CHARS or len(text.split()) > MAX_WORDS:
        return "too long"
    if text.count("?") > 1:
        return "more than one question"
    m = _GRADING.search(text)
    if m:
        return f"grading talk ({m.group()!r})"
    m = _LEAK.search(text)
    if m:
        return f"rubric leak ({m.group()!r})"
    if final and not text.strip():
        return "empty"
    return None
