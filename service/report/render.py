"""A debrief as JSON, Markdown or a standalone HTML page that prints well."""

from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from service.catalog import get_catalog
from service.report.debrief import Debrief
from service.report.gaps import Gaps

_LETTER = {"situation": "S", "tradeoff": "T", "action": "A", "result": "R", "driver": "D", "reflection": "E"}


def part_names() -> dict[str, str]:
    """The parts' names as prompts/rubric.yaml gives them."""
    return {p.id: p.name for p in get_catalog().rubric.parts}


@lru_cache
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(letter=_LETTER, names=part_names(), statuses=_STATUS, asked_words=asked_words)
    return env


# Inline Markdown syntax (emphasis, code, links and images, GFM table cells and strikethrough). Block
# syntax needs a line start, and _md puts words on one line after a prefix of ours.
_MD_INLINE = re.compile(r"([\\`*_\[\]|~])")


def _md(text: object) -> str:
    """Words from an answer, a model or a note as Markdown text that renders as exactly those words.

    Raw HTML would pass through a Markdown renderer into the page (`<script>`, `<img onerror>`), and a
    `[link](javascript:…)` would be a live link: `<`, `>`, `&` become entities, the inline syntax is
    backslash-escaped, and line breaks become spaces so no text opens a heading, list or HTML block."""
    return _MD_INLINE.sub(r"\\\1", html.escape(" ".join(str(text).split()), quote=False))


def to_markdown(debrief: Debrief) -> str:
    lines = [f"# Interview debrief — {_md(debrief.interview_id)}", "", _md(debrief.summary), ""]
    if debrief.since_last:
        lines += [f"**Since last time:** {_md(debrief.since_last.summary)}", ""]
    if debrief.pending_grades:
        lines += [
            f"_Still being graded by the model: {_md(', '.join(debrief.pending_grades))} (rubric grades shown)._",
            "",
        ]
    if debrief.top_fixes:
        lines += ["## The three fixes worth most", ""]
        for i, fix in enumerate(debrief.top_fixes, 1):
            where = _md(", ".join(fix.archetypes))
            lines.append(f"{i}. **{part_names()[fix.part]}** — {_md(fix.advice)} (in: {where})")
            if fix.example:
                lines.append(f"   - You said: “{_md(fix.example)}”")
        lines.append("")
    lines += ["## What interviewers score", "", "| bullet | met |", "|---|---|"]
    lines += [f"| {_md(b.text)} | {b.met}/{b.of} |" for b in debrief.bullets]
    lines += ["", f"Archetypes covered: {_md(', '.join(debrief.covered) or 'none')}."]
    if debrief.not_covered:
        lines.append(f"Not covered in this interview: {_md(', '.join(debrief.not_covered))}.")
    if debrief.projects_reused:
        pairs = "; ".join(" & ".join(_md(name) for name in p) for p in debrief.projects_reused)
        lines.append(f"Same project used for more than one archetype: {pairs}.")
    for a in debrief.archetypes:
        lines += ["", f"## {_md(a.title)}", "", f"> {_md(a.question)}", ""]
        lines.append(f"Level: **{_md(a.grade.level)}** (first answer: {_md(a.first_level)})")
        if a.grade.trap:
            lines.append(f"Trap {_md(a.grade.trap.code)}: {'hit' if a.grade.trap.hit else 'avoided'}")
        lines += ["", "| part | verdict | evidence |", "|---|---|---|"]
        for part, pg in a.grade.parts.items():
            quote = " / ".join(f"“{_md(e.quote)}”" for e in pg.evidence) or _md(pg.note)
            lines.append(f"| {_LETTER[part]} {part_names()[part]} | {_md(pg.verdict)} | {quote} |")
        lines += _gap_lines(a.gaps)
    if debrief.usage:
        lines += ["", f"Model usage: {_md(debrief.usage)}"]
    return "\n".join(lines) + "\n"


_STATUS = (("closed", "Closed"), ("open", "Still open"), ("not_asked", "Not asked"))
_TIMES = {1: "asked once", 2: "asked twice"}


def asked_words(n: int) -> str:
    return _TIMES.get(n, f"asked {n} times")


def _gap_lines(gaps: Gaps) -> list[str]:
    lines: list[str] = []
    for status, title in _STATUS:
        for g in getattr(gaps, status):
            line = f"- {title}: {_md(g.label)} (`{g.code}`)"
            if g.asked:
                line += f", {asked_words(g.asked)}"
            if g.reason_text:
                line += f" — {_md(g.reason_text)}"
            if g.questions:
                line += ": " + " / ".join(f"“{_md(q)}”" for q in g.questions)
            lines.append(line)
    return ["", "Follow-up gaps:", "", *lines] if lines else []


def to_html(debrief: Debrief) -> str:
    return _env().get_template("debrief.html.j2").render(d=debrief)
