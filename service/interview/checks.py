"""Checks on the interviewer's words, run as tokens arrive and once at the end.

A reply fails when it asks more than one question, runs long, carries a link, talks about grading,
praises, talks about its own instructions, or leaks the rubric. The exact checks read the text after
Unicode compatibility folding with invisible characters removed, so "？" counts as a question mark and
"ｇｒｅａｔ" or "gr\u200beat" as "great". Praise and instruction talk are read by meaning (tone.py),
one finished clause at a time. Checked on every prefix, so a failing reply is withdrawn as soon as it
fails (a `replace` event), never after the candidate has read all of it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from service.interview import tone
from service.interview.tone import fold

MAX_WORDS = 60
MAX_CHARS = 420

# Grading words count when they are about this answer or this interview: "what was the model's F1 score?"
# and "what rubric did your raters use?" are about the candidate's project.
_ABOUT_YOU = r"(?:you|your|yours|this|that|it|the (?:answer|story|interview|round))"
_GRADING = re.compile(
    rf"\b(?:score[sd]?|grade[sd]?|rate[sd]?|mark(?:ed)?)\s+(?:{_ABOUT_YOU})\b|"
    rf"\b(?:{_ABOUT_YOU}|my|I(?:'d| would))\s+(?:(?:would|will|'d)\s+)?(?:scores?|grades?|rating|rubric|verdict)\b|"
    r"\bI(?:'m| am)\s+(?:grading|scoring|rating|marking|evaluating|assessing)\b|"
    r"\b(?:verdict|star[- ]?drive|\bSTAR\b|staff[- ]level|senior[- ]level|level (?:of )?(?:staff|senior|strong|weak|passing)|"
    r"partially met|fully met|evaluation criteria|scoring (?:guide|criteria|sheet)|downlevel\w*|"
    r"great (?:answer|story|job|example)|good (?:answer|story|job|example)|excellent|well done|nice (?:answer|job|work)|"
    r"love (?:that|this)|fantastic|perfect answer)\b",
    re.IGNORECASE,
)
_LEAK = re.compile(
    r"\bask_[a-z_]+\b|\btrim_situation\b|driver of impact|\bpushback code|\btrade-?off part\b|"
    r"\b(?:situation|trade-?off|action|result|driver|reflection) part\b|\bmy (?:system )?(?:prompt|instructions)\b|\bsystem (?:prompt|message) (?:says|tells|asks)|<<|CANDIDATE-[0-9a-f]",
    re.IGNORECASE,
)
# A link in any form a reader could follow: a scheme, "www.", markup, an address, or a bare domain.
_TLD = r"(?:com|org|net|io|ai|dev|app|co|me|ly|gg|xyz|info|biz|edu|gov|uk|us|de|fr|jp|cn|ru|in|tv|so|sh)"
_LINK = re.compile(
    rf"\b[a-z][a-z0-9+.-]*://|\bwww\.|\]\(|<\s*a\b|\bhref\s*=|\bmailto:|[\w.+-]+@[\w-]+\.\w{{2,}}|"
    rf"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.{_TLD}\b(?:/|(?![.\w]))|\b[a-z0-9-]+\s+dot\s+{_TLD}\b|"
    r"\bhxxps?\b|\w\s*[\[(]\s*(?:\.|dot)\s*[\])]\s*\w",
    re.IGNORECASE,
)


def failure(text: str, *, final: bool, prompts_dir: Path | None = None) -> str | None:
    """Why this (partial, unless `final`) reply must be withdrawn, or None while it is acceptable.

    Tone is read by the examples in `prompts_dir` (the shipped prompts by default)."""
    return _failure(text, final, prompts_dir or tone.default_dir())


# A function of the text alone: the builtin interviewer's lines, and so every prefix of them as they
# stream, come back in interview after interview.
@lru_cache(maxsize=8192)
def _failure(text: str, final: bool, prompts_dir: Path) -> str | None:
    plain = fold(text)
    if len(plain) > MAX_CHARS or len(plain.split()) > MAX_WORDS:
        return "too long"
    if plain.count("?") > 1:
        return "more than one question"
    for why, pattern in (("link", _LINK), ("grading talk", _GRADING), ("rubric leak", _LEAK)):
        m = pattern.search(plain)
        if m:
            return f"{why} ({m.group()!r})"
    if final and not plain.strip():
        return "empty"
    parts = tone.clauses(plain)
    done = parts if final or plain.rstrip().endswith((".", "!", "?")) else parts[:-1]
    for clause, (label, p) in zip(done, tone.judged(tuple(done), prompts_dir), strict=True):
        if label != "fine":
            return f"{label} ({clause!r}, p={p:.2f})"
    return None
