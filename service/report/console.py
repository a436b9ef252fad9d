"""A grade as a readable rich table for the terminal."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from service.rubric.models import Grade

_STYLE = {"met": "green", "partial": "yellow", "missing": "red"}
_LETTER = {"situation": "S", "tradeoff": "T", "action": "A", "result": "R", "driver": "D", "reflection": "E"}


def print_grade(grade: Grade, answer: str, console: Console | None = None) -> None:
    console = console or Console()
    table = Table(title=f"STAR-DRIVE grade — {grade.archetype or 'unknown archetype'}", show_lines=True)
    table.add_column("Part", no_wrap=True)
    table.add_column("Verdict", no_wrap=True)
    table.add_column("Evidence")
    table.add_column("Note")
    for name, part in grade.parts.items():
        quote = "\n".join(f"“{e.quote}”" for e in part.evidence[:2]) or "—"
        style = _STYLE[part.verdict]
        table.add_row(f"{_LETTER[name]} {name}", f"[{style}]{part.verdict}[/]", quote, part.note)
    console.print(table)
    trap = "—" if grade.trap is None else f"{grade.trap.code} ({'hit' if grade.trap.hit else 'avoided'})"
    s = grade.signals
    console.print(f"[bold]Level:[/] {grade.level}    [bold]Trap:[/] {trap}")
    console.print(f"[bold]Pushbacks:[/] {', '.join(grade.pushbacks) or 'none'}")
    console.print(
        f"[bold]Signals:[/] {s.words} words (~{s.speaking_seconds}s spoken, setup ~{s.situation_seconds}s), "
        f"I×{s.i_count} we×{s.we_count}, numbers: {', '.join(s.numbers) or 'none'}"
        + ("  [red]injection attempt ignored[/]" if s.injection_suspected else "")
    )
    if s.held == "off_topic":
        console.print(
            f"[yellow]Off the question:[/] the story reads as {s.off_topic}; every part held at partial."
        )
    elif s.held == "outside_work":
        console.print("[yellow]Outside work:[/] every part held at partial; tell one from your work.")
    elif s.held == "no_example":
        console.print("[yellow]No example told:[/] every part held at partial; tell one specific time.")
