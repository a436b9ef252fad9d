"""A debrief as JSON, Markdown or a standalone HTML page that prints well."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from service.report.debrief import Debrief

_LETTER = {"situation": "S", "tradeoff": "T", "action": "A", "result": "R", "driver": "D", "reflection": "E"}
_NAMES = {
    "situation": "Situation",
    "tradeoff": "Trade-off",
    "action": "Action",
    "result": "Result",
    "driver": "Driver of impact",
    "reflection": "Reflection",
}


@lru_cache
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(letter=_LETTER, names=_NAMES)
    return env


def to_markdown(debrief: Debrief) -> str:
    lines = [f"# Interview debrief — {debrief.interview_id}", "", debrief.summary, ""]
    if debrief.pending_grades:
        lines += [
            f"_Still being graded by the model: {', '.join(debrief.pending_grades)} (rubric grades shown)._",
            "",
        ]
    if debrief.top_fixes:
        lines += ["## The three fixes worth most", ""]
        for i, fix in enumerate(debrief.top_fixes, 1):
            lines.append(f"{i}. **{_NAMES[fix.part]}** — {fix.advice} (in: {', '.join(fix.archetypes)})")
            if fix.example:
                lines.append(f"   - You said: “{fix.example}”")
        lines.append("")
    lines += ["## What interviewers score", "", "| bullet | met |", "|---|---|"]
    lines += [f"| {b.text} | {b.met}/{b.of} |" for b in debrief.bullets]
    lines += ["", f"Archetypes covered: {', '.join(debrief.covered) or 'none'}."]
    if debrief.not_covered:
        lines.append(f"Not covered in this interview: {', '.join(debrief.not_covered)}.")
    if debrief.projects_reused:
        pairs = "; ".join(" & ".join(p) for p in debrief.projects_reused)
        lines.append(f"Same project used for more than one archetype: {pairs}.")
    for a in debrief.archetypes:
        lines += ["", f"## {a.title}", "", f"> {a.question}", ""]
        lines.append(f"Level: **{a.grade.level}** (first answer: {a.first_level})")
        if a.grade.trap:
            lines.append(f"Trap `{a.grade.trap.code}`: {'hit' if a.grade.trap.hit else 'avoided'}")
        lines += ["", "| part | verdict | evidence |", "|---|---|---|"]
        for part, pg in a.grade.parts.items():
            quote = " / ".join(f"“{e.quote}”" for e in pg.evidence[:1]) or pg.note
            lines.append(f"| {_LETTER[part]} {_NAMES[part]} | {pg.verdict} | {quote.replace('|', '/')} |")
        for p in a.pushbacks:
            lines.append(f"- Asked: “{p.question}” — {'closed' if p.closed else 'still open'}")
    if debrief.usage:
        lines += ["", f"Model usage: {debrief.usage}"]
    return "\n".join(lines) + "\n"


def to_html(debrief: Debrief) -> str:
    return _env().get_template("debrief.html.j2").render(d=debrief)
