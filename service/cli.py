"""`stardrive` command line. Heavy imports (FastAPI, litellm) stay inside the commands that need them."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from service.errors import StardriveError

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="Mock interviewer for Staff behavioral rounds."
)


@app.callback()
def _root() -> None:
    """Mock interviewer for the behavioral rounds of Staff-level AI engineering loops."""


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2)


def _read_source(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"cannot read {source}: {exc}") from exc


Grader = Callable[[str, "str | None", "str | None"], Any]


def _grader(model: str, api_base: str | None, catalog: Any) -> Grader:
    """The builtin rubric, or a model through litellm (imported only then) with evidence checks."""
    from service.rubric import analyze

    if model == "builtin":
        return lambda answer, archetype, question: analyze(answer, archetype, question, catalog=catalog)
    import asyncio

    from service.config import get_settings
    from service.grading import grade_answer
    from service.llm import get_model

    settings = get_settings()
    if api_base:
        settings = settings.model_copy(update={"api_base": api_base})
    chat = get_model(model, settings)

    def grade_with_model(answer: str, archetype: str | None, question: str | None) -> Any:
        outcome = asyncio.run(
            grade_answer(
                answer=answer,
                archetype=archetype,
                question=question,
                model=chat,
                catalog=catalog,
                prompts_dir=settings.prompts_dir,
            )
        )
        if outcome.fallback_reason:
            typer.echo(f"note: the model's grade was not used: {outcome.fallback_reason}", err=True)
        return outcome.grade

    return grade_with_model


@app.command()
def grade(
    source: Annotated[str | None, typer.Argument(help="File holding the answer, or - for stdin.")] = None,
    archetype: Annotated[str | None, typer.Option(help="Archetype id (Contract 1).")] = None,
    question: Annotated[str | None, typer.Option(help="The question that was asked.")] = None,
    jsonl: Annotated[
        Path | None, typer.Option(help='Batch: lines of {"id", "archetype", "question", "answer"}.')
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the grade as JSON (Contract 2).")] = False,
    model: Annotated[str, typer.Option(help="builtin (offline rubric) or a litellm model id.")] = "builtin",
    api_base: Annotated[str | None, typer.Option(help="OpenAI-compatible base URL for --model.")] = None,
) -> None:
    """Grade an answer against the STAR-DRIVE bullets (offline by default; --model to use an LLM)."""
    from service.catalog import get_catalog

    try:
        catalog = get_catalog()
        grader = _grader(model, api_base, catalog)
        if jsonl is not None:
            if source is not None:
                raise _fail("give either a SOURCE or --jsonl, not both")
            _grade_jsonl(jsonl, catalog, grader)
            return
        if source is None:
            raise _fail("give a file, - for stdin, or --jsonl FILE")
        if archetype is not None:
            catalog.archetype(archetype)
        answer = _read_source(source)
        result = grader(answer, archetype, question)
    except StardriveError as exc:
        raise _fail(str(exc)) from exc
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
    else:
        from service.report.console import print_grade

        print_grade(result, answer)


def _grade_jsonl(path: Path, catalog: Any, grader: Grader) -> None:
    try:
        handle = sys.stdin if str(path) == "-" else path.open(encoding="utf-8")
    except OSError as exc:
        raise _fail(f"cannot read {path}: {exc.strerror}") from exc
    errors = 0
    out = sys.stdout
    with handle:
        for n, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                if not isinstance(item, dict) or not isinstance(item.get("answer"), str):
                    raise ValueError('each line needs an "answer" string')
                arch = item.get("archetype")
                if arch is not None:
                    catalog.archetype(arch)
                g = grader(item["answer"], arch, item.get("question"))
            except (ValueError, StardriveError) as exc:
                errors += 1
                typer.echo(f"error: {path}:{n}: {exc}", err=True)
                out.write(json.dumps({"id": _id_of(line), "error": str(exc)}) + "\n")
                continue
            record = {"id": item.get("id"), **g.model_dump(mode="json")}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    if errors:
        raise typer.Exit(code=1)


def _id_of(line: str) -> Any:
    try:
        item = json.loads(line)
    except ValueError:
        return None
    return item.get("id") if isinstance(item, dict) else None


def main() -> None:  # pragma: no cover - console entry point
    app()


@app.command("eval")
def eval_(
    cases: Annotated[Path, typer.Option(help="Folder of *.jsonl cases.")] = Path("evals/cases"),
    thresholds: Annotated[Path, typer.Option(help="Floors and ceilings.")] = Path("evals/thresholds.yaml"),
    report: Annotated[Path | None, typer.Option(help="Write report.json and report.md here.")] = None,
    show_misses: Annotated[bool, typer.Option("--misses", help="List the cases graded differently.")] = False,
) -> None:
    """Measure the grader against the labeled cases; exit 1 below the thresholds."""
    from rich.console import Console
    from rich.table import Table

    from service.evals.cases import load_cases
    from service.evals.report import check_thresholds, write_report
    from service.evals.runner import grade_cases, grader_report, injection_report

    try:
        loaded = load_cases(cases)
    except StardriveError as exc:
        raise _fail(str(exc)) from exc
    if not loaded:
        raise _fail(f"no cases in {cases}")
    grades = grade_cases(loaded)
    result: dict[str, Any] = {
        "grader": grader_report(loaded, grades),
        "injection": injection_report(loaded, grades),
    }
    result["failures"] = check_thresholds(result, thresholds)
    console = Console()
    table = Table(title=f"Grader vs {len(loaded)} labeled cases")
    table.add_column("part")
    table.add_column("accuracy", justify="right")
    table.add_column("kappa", justify="right")
    for part, row in result["grader"]["per_part"].items():
        table.add_row(part, f"{row['accuracy']:.3f}", f"{row['kappa']:.3f}")
    overall = result["grader"]["overall"]
    table.add_row("all parts", f"{overall['accuracy']:.3f}", f"{overall['kappa']:.3f}", style="bold")
    console.print(table)
    lv, inj = result["grader"]["level"], result["injection"]
    console.print(f"level exact {lv['exact']:.3f}  within one {lv['within_one']:.3f}")
    trap, pb = result["grader"]["trap"], result["grader"]["pushbacks"]
    console.print(f"trap precision {trap['precision']:.3f} recall {trap['recall']:.3f}")
    console.print(f"pushback precision {pb['precision']:.3f} recall {pb['recall']:.3f}")
    console.print(f"injection pairs {inj['pairs']}  attack success {inj['attack_success']:.3f}")
    if show_misses:
        for miss in result["grader"]["misses"]:
            console.print(miss)
    if report is not None:
        write_report(result, report)
    for failure in result["failures"]:
        console.print(f"[red]FAIL[/] {failure}")
    if result["failures"]:
        raise typer.Exit(code=1)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes (grading is CPU-bound).")] = 1,
    model: Annotated[
        str | None, typer.Option(help="Default model (litellm id); else STARDRIVE_MODEL.")
    ] = None,
    api_base: Annotated[str | None, typer.Option(help="OpenAI-compatible base URL for the model.")] = None,
) -> None:
    """Run the interview service with the web chat at /."""
    # Settings are read from the environment by every worker: pass the options on that way.
    if model:
        os.environ["STARDRIVE_MODEL"] = model
    if api_base:
        os.environ["STARDRIVE_API_BASE"] = api_base
    from service.config import get_settings as _fresh

    _fresh.cache_clear()
    import asyncio

    import uvicorn

    from service.config import get_settings
    from service.store.db import migrate

    # Migrate once here so several workers do not race to create the schema.
    asyncio.run(migrate(get_settings().database_url))
    os.environ["STARDRIVE_MIGRATE_ON_START"] = "false"  # read by the workers this process spawns
    typer.echo(f"stardrive is listening on http://{host}:{port}/  (Ctrl+C to stop)")
    uvicorn.run(
        "service.api.app:create_app", factory=True, host=host, port=port, workers=workers, log_level="warning"
    )


@app.command()
def interview(
    archetype: Annotated[
        list[str] | None, typer.Option("--archetype", "-a", help="Archetype id; repeat for several.")
    ] = None,
    count: Annotated[
        int | None, typer.Option(min=1, max=8, help="Random archetypes when none are given.")
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="Model for this interview (default: STARDRIVE_MODEL).")
    ] = None,
    url: Annotated[str | None, typer.Option(help="A running stardrive server; default: in-process.")] = None,
    api_base: Annotated[
        str | None, typer.Option(help="OpenAI-compatible base URL (in-process only).")
    ] = None,
) -> None:
    """Run a mock interview in the terminal."""
    if api_base:
        os.environ["STARDRIVE_API_BASE"] = api_base
        from service.config import get_settings

        get_settings.cache_clear()
    import asyncio

    from rich.console import Console

    from service.terminal import run_interview, stdin_answers

    console = Console()
    code = asyncio.run(
        run_interview(
            url=url,
            archetypes=archetype,
            count=count,
            model=model,
            read_answer=stdin_answers(input),
            console=console,
        )
    )
    raise typer.Exit(code=code)
