"""`stardrive bank`: the story bank from the terminal (list, add, show, remove, audit).

The same `StoryBank` service the HTTP routes call (service/bank.py: graded on save, the quota, the audit),
the same request model for what is added (`StoryIn`: the same limits and 422-worthy text refused here) and
the same response models for `--json` (`StoryOut`, `AuditOut`), so the terminal and `/api/stories` cannot
drift apart. It works on the local single-user bank (the one the web chat uses without accounts).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from service.catalog import ARCHETYPE_IDS
from service.errors import NotFound, StardriveError

bank_app = typer.Typer(
    no_args_is_help=True,
    help="Your story bank: one STAR-DRIVE story per archetype, graded on save, audited for coverage.",
)
_T = TypeVar("_T")
_ARCHETYPES = ", ".join(ARCHETYPE_IDS)
_VERDICT_STYLE = {"met": "green", "partial": "yellow", "missing": "red"}


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=code)


@asynccontextmanager
async def _bank() -> AsyncIterator[Any]:
    from service.bank import StoryBank
    from service.catalog import load_catalog
    from service.config import get_settings
    from service.store.db import make_engine, make_sessionmaker, migrate

    settings = get_settings()
    await migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        yield StoryBank(
            sessions=make_sessionmaker(engine),
            catalog=load_catalog(settings.prompts_dir),
            settings=settings,
        )
    finally:
        await engine.dispose()


def _run(work: Callable[[Any], Awaitable[_T]]) -> _T:
    """`work(bank)` on the local bank; a service error becomes a clear message (1 when not found)."""

    async def go() -> _T:
        async with _bank() as bank:
            return await work(bank)

    try:
        return asyncio.run(go())
    except NotFound as exc:
        raise _fail(str(exc), code=1) from exc
    except StardriveError as exc:
        raise _fail(str(exc)) from exc


def _console() -> Any:
    from rich.console import Console

    return Console()


def _level(story: Any) -> str:
    return str(story.grade["level"]) if story.grade else "—"


@bank_app.command("list")
def bank_list(
    as_json: Annotated[
        bool, typer.Option("--json", help="The stories as GET /api/stories returns them.")
    ] = False,
) -> None:
    """Every story in the bank: id, archetype, title, project, year and level."""
    from rich.table import Table

    from service.api.schemas import StoryOut

    stories = _run(lambda bank: bank.list(user_id=None))
    if as_json:
        typer.echo("[" + ",".join(StoryOut.model_validate(s).model_dump_json() for s in stories) + "]")
        return
    if not stories:
        typer.echo("The bank is empty: `stardrive bank add FILE --archetype ID --project NAME`.")
        return
    table = Table("archetype", "title", "project", "year", "level")
    table.add_column("id", no_wrap=True, min_width=32)  # whole: `bank show ID` needs it
    for s in stories:
        table.add_row(s.archetype, s.title, s.project, str(s.year or ""), _level(s), s.id)
    _console().print(table)


def _title_from(text: str) -> str:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first if len(first) <= 80 else first[:79].rstrip() + "…"


@bank_app.command("add")
def bank_add(
    source: Annotated[str, typer.Argument(help="File holding the story, or - for stdin.")],
    archetype: Annotated[str, typer.Option("--archetype", "-a", help=f"One of: {_ARCHETYPES}.")],
    project: Annotated[str, typer.Option(help="The project it comes from (reuse is checked by it).")],
    title: Annotated[str | None, typer.Option(help="A short title (default: the first line).")] = None,
    year: Annotated[int | None, typer.Option(help="The year it happened.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="The story as POST /api/stories returns it.")
    ] = False,
) -> None:
    """Add a story (graded by the rubric on save); says which parts are missing and if the project is
    now used for more than two archetypes."""
    from pydantic import ValidationError

    from service.api.schemas import StoryIn, StoryOut

    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"cannot read {source}: {exc}") from exc
    try:
        body = StoryIn(
            title=title or _title_from(text), archetype=archetype, project=project, year=year, text=text
        )
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'story'}: {e['msg']}" for e in exc.errors())
        raise _fail(problems) from exc

    async def add(bank: Any) -> tuple[Any, dict[str, Any]]:
        story = await bank.create(**body.model_dump(), user_id=None)
        return story, await bank.audit(user_id=None)

    story, audit = _run(add)
    if as_json:
        typer.echo(StoryOut.model_validate(story).model_dump_json())
        return
    console = _console()
    console.print(f"Added [bold]{story.id}[/]: {story.title} ({story.archetype}), level {_level(story)}.")
    missing = [p for p, v in story.grade["parts"].items() if v["verdict"] != "met"] if story.grade else []
    if missing:
        console.print(f"Not yet met: {', '.join(missing)} (`stardrive bank show {story.id}`).")
    _print_reuse(console, audit)


def _print_reuse(console: Any, audit: dict[str, Any]) -> None:
    for project, archetypes in audit["projects_over_two_archetypes"].items():
        console.print(
            f"[yellow]Reuse:[/] project {project!r} covers {len(archetypes)} archetypes "
            f"({', '.join(archetypes)}); keep it to two at most."
        )


@bank_app.command("show")
def bank_show(
    story_id: Annotated[str, typer.Argument(help="The story's id (from `bank list`).")],
    as_json: Annotated[bool, typer.Option("--json", help="As GET /api/stories/{id} returns it.")] = False,
) -> None:
    """One story: its text and its grade part by part."""
    from service.api.schemas import StoryOut

    story = _run(lambda bank: bank.get(story_id=story_id, user_id=None))
    if as_json:
        typer.echo(StoryOut.model_validate(story).model_dump_json(indent=2))
        return
    console = _console()
    year = f", {story.year}" if story.year else ""
    console.print(
        f"[bold]{story.title}[/]  ({story.archetype}; project {story.project}{year}; id {story.id})"
    )
    console.print(story.text, markup=False, highlight=False)
    if story.grade:
        from service.report.console import print_grade
        from service.rubric.models import Grade

        print_grade(Grade.model_validate(story.grade), story.text, console)


@bank_app.command("remove")
def bank_remove(story_id: Annotated[str, typer.Argument(help="The story's id.")]) -> None:
    """Delete a story."""
    _run(lambda bank: bank.delete(story_id=story_id, user_id=None))
    typer.echo(f"removed {story_id}", err=True)


@bank_app.command("audit")
def bank_audit(
    as_json: Annotated[bool, typer.Option("--json", help="As GET /api/stories/audit returns it.")] = False,
) -> None:
    """The seed's Story Coverage Matrix: a story per archetype, no project over two archetypes, at least
    two stories whose driver is a structural change."""
    from rich.table import Table

    from service.api.schemas import AuditOut

    audit = _run(lambda bank: bank.audit(user_id=None))
    if as_json:
        typer.echo(AuditOut.model_validate(audit).model_dump_json(indent=2))
        return
    console = _console()
    levels = {s["id"]: s["level"] for s in audit["stories"]}
    table = Table("", "archetype", "stories (project, year, level)", title="Story coverage")
    for row in audit["matrix"]:
        told = "; ".join(
            f"{s['title']} ({s['project']}{', ' + str(s['year']) if s['year'] else ''}, {levels.get(s['id'])})"
            for s in row["stories"]
        )
        table.add_row("✔" if row["covered"] else "☐", row["title"], told or "[red]no story yet[/]")
    console.print(table)
    _print_reuse(console, audit)
    checks = audit["checks"]
    marks = {True: "[green]✔[/]", False: "[red]✘[/]"}
    console.print(f"{marks[checks['one_story_per_archetype']]} one story per archetype")
    console.print(
        f"{marks[checks['no_project_over_two_archetypes']]} no project covers more than two archetypes"
    )
    console.print(
        f"{marks[checks['at_least_two_structural_drivers']]} at least two stories with a structural-change "
        f"driver ({len(audit['structural_driver_stories'])})"
    )
    if audit["missing_archetypes"]:
        console.print("Still without a story: " + ", ".join(audit["missing_archetypes"]))
