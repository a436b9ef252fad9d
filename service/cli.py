"""`stardrive` command line. Heavy imports (FastAPI, litellm) stay inside the commands that need them."""

from __future__ import annotations

import ipaddress
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from service.catalog import ARCHETYPE_IDS
from service.errors import StardriveError

_ARCHETYPE_LIST = ", ".join(ARCHETYPE_IDS)

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="Mock interviewer for Staff behavioral rounds."
)


def _print_version(value: bool) -> None:
    if value:
        from service import __version__

        typer.echo(f"stardrive {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", is_eager=True, callback=_print_version, help="Print the version and exit."),
    ] = False,
) -> None:
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


def _prompts_dir() -> Path | None:
    """The default prompts folder when no setting can change it; else None, for `get_catalog` to read
    the settings. Loading pydantic-settings and `Settings` costs ~50 ms of a ~0.6 s `stardrive grade`."""
    if Path(".env").exists() or any(name.lower() == "stardrive_prompts_dir" for name in os.environ):
        return None
    return Path(__file__).resolve().parent.parent / "prompts"


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
    archetype: Annotated[str | None, typer.Option(help=f"Archetype id, one of: {_ARCHETYPE_LIST}.")] = None,
    question: Annotated[str | None, typer.Option(help="The question that was asked.")] = None,
    jsonl: Annotated[
        Path | None, typer.Option(help='Batch: lines of {"id", "archetype", "question", "answer"}.')
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the grade as JSON (Contract 2).")] = False,
    model: Annotated[str, typer.Option(help="builtin (offline rubric) or a litellm model id.")] = "builtin",
    api_base: Annotated[str | None, typer.Option(help="OpenAI-compatible base URL for --model.")] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="--jsonl with the builtin grader: processes (default: cores).")
    ] = None,
) -> None:
    """Grade an answer against the STAR-DRIVE bullets (offline by default; --model to use an LLM)."""
    # Before numpy loads: the rubric's matrices are small, and OpenBLAS's thread pool only costs start-up.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from service.catalog import get_catalog

    try:
        catalog = get_catalog(_prompts_dir())
        grader = _grader(model, api_base, catalog)
        if jsonl is not None:
            if source is not None:
                raise _fail("give either a SOURCE or --jsonl, not both")
            if workers is None:
                from service.batch import default_workers

                workers = default_workers() if model == "builtin" else 1
            _grade_jsonl(jsonl, catalog, grader, workers if model == "builtin" else 1)
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


def _grade_jsonl(path: Path, catalog: Any, grader: Grader, workers: int) -> None:
    from service.batch import grade_lines
    from service.rubric import prepare

    prepare()  # before any fork: the workers inherit the loaded embeddings and classifiers
    try:
        handle = sys.stdin if str(path) == "-" else path.open(encoding="utf-8")
    except OSError as exc:
        raise _fail(f"cannot read {path}: {exc.strerror}") from exc
    with handle:
        errors = grade_lines(handle, grader=grader, catalog=catalog, out=sys.stdout, workers=workers)
    for error in errors:
        typer.echo(f"error: {path}:{error}", err=True)
    if errors:
        raise typer.Exit(code=1)


def main() -> None:  # pragma: no cover - console entry point
    app()


@app.command("eval")
def eval_(
    cases: Annotated[Path, typer.Option(help="Folder of *.jsonl cases.")] = Path("evals/cases"),
    thresholds: Annotated[Path, typer.Option(help="Floors and ceilings.")] = Path("evals/thresholds.yaml"),
    report: Annotated[Path | None, typer.Option(help="Write report.json and report.md here.")] = None,
    show_misses: Annotated[bool, typer.Option("--misses", help="List the cases graded differently.")] = False,
    record: Annotated[
        bool, typer.Option(help="Re-record the LLM grader's cassettes against a live model.")
    ] = False,
    model: Annotated[
        str | None, typer.Option(help="Model for the LLM-grader section (live with --epochs).")
    ] = None,
    api_base: Annotated[str | None, typer.Option(help="OpenAI-compatible base URL for the model.")] = None,
    epochs: Annotated[int, typer.Option(min=0, help="Grade live N times and report the flip rate.")] = 0,
    personas: Annotated[bool, typer.Option(help="Play the simulated candidates.")] = True,
    json_mode: Annotated[
        str | None,
        typer.Option(help="How the live model is held to the grader's schema (else STARDRIVE_JSON_MODE)."),
    ] = None,
) -> None:
    """Measure the grader, the interviewer and the LLM grader; exit 1 below the thresholds."""
    from rich.console import Console

    from service.evals.suite import Options, run

    console = Console()
    options = Options(
        cases=cases,
        thresholds=thresholds,
        report=report,
        record=record,
        model=model,
        api_base=api_base,
        epochs=epochs,
        personas=personas,
        json_mode=json_mode,
    )
    try:
        result = run(options, console)
    except StardriveError as exc:
        raise _fail(str(exc)) from exc
    if show_misses:
        for miss in result["grader"]["misses"]:
            console.print(miss)
    if result["failures"]:
        raise typer.Exit(code=1)


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and localhost: only this machine can connect."""
    name = host.strip().strip("[]").rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # any other name may resolve to a public interface


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes (grading is CPU-bound).")] = 1,
    model: Annotated[
        str | None, typer.Option(help="Default model (litellm id); else STARDRIVE_MODEL.")
    ] = None,
    api_base: Annotated[str | None, typer.Option(help="OpenAI-compatible base URL for the model.")] = None,
    insecure_no_auth: Annotated[
        bool,
        typer.Option(
            "--insecure-no-auth",
            help="Serve beyond loopback without accounts: anyone who reaches the port reads everything.",
        ),
    ] = False,
    no_grading_worker: Annotated[
        bool,
        typer.Option(
            "--no-grading-worker", help="Grade in `stardrive worker` processes only, not in this one."
        ),
    ] = False,
) -> None:
    """Run the interview service with the web chat at / (and a grading worker, unless told not to)."""
    # Settings are read from the environment by every worker: pass the options on that way.
    if no_grading_worker:
        os.environ["STARDRIVE_GRADING_WORKER"] = "false"
    if model:
        os.environ["STARDRIVE_MODEL"] = model
    if api_base:
        os.environ["STARDRIVE_API_BASE"] = api_base
    from pydantic import ValidationError

    from service.config import get_settings

    get_settings.cache_clear()
    try:
        settings = get_settings()
    except ValidationError as exc:
        raise _fail(f"bad STARDRIVE_* setting: {exc}") from exc
    if not is_loopback(host):
        if settings.auth == "none" and not insecure_no_auth:
            raise _fail(
                f"refusing to serve on {host} without accounts: anyone who can reach it could read and "
                "change every interview. Set STARDRIVE_AUTH=tokens (add users with `stardrive users add "
                "NAME`), bind to 127.0.0.1, or pass --insecure-no-auth if you mean it."
            )
        typer.echo(
            "note: serving beyond loopback over plain HTTP; put TLS in front (a reverse proxy) so tokens "
            "and transcripts are not readable on the network",
            err=True,
        )
    import asyncio

    import uvicorn

    from service.store.db import migrate

    # Migrate once here so several workers do not race to create the schema.
    asyncio.run(migrate(settings.database_url))
    if settings.auth == "tokens" and not asyncio.run(_user_names(settings.database_url)):
        typer.echo(
            "note: STARDRIVE_AUTH=tokens but there are no users yet: `stardrive users add NAME`", err=True
        )
    os.environ["STARDRIVE_MIGRATE_ON_START"] = "false"  # read by the workers this process spawns
    typer.echo(f"stardrive is listening on http://{host}:{port}/  (Ctrl+C to stop)")
    uvicorn.run(
        "service.api.app:create_app", factory=True, host=host, port=port, workers=workers, log_level="warning"
    )


@app.command()
def worker(
    once: Annotated[bool, typer.Option("--once", help="Work the jobs that are due, then exit.")] = False,
) -> None:
    """Run grading jobs against STARDRIVE_DATABASE_URL (any number of workers, on any machine)."""
    import asyncio
    import logging

    from pydantic import ValidationError

    from service.config import get_settings
    from service.jobs.run import run_worker

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    get_settings.cache_clear()
    try:
        settings = get_settings()
    except ValidationError as exc:
        raise _fail(f"bad STARDRIVE_* setting: {exc}") from exc
    worked = asyncio.run(run_worker(settings, once=once))
    if once:
        typer.echo(f"{worked} grading job(s) worked")


# --- accounts ---------------------------------------------------------------------------------

users_app = typer.Typer(
    no_args_is_help=True, help="Accounts for a shared instance (used when STARDRIVE_AUTH=tokens)."
)
app.add_typer(users_app, name="users")

from service.bank_cli import bank_app  # noqa: E402 - the sub-app sits with the other commands

app.add_typer(bank_app, name="bank")
USER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,99}")


async def _user_names(url: str) -> list[str]:
    from service.store import crud
    from service.store.db import make_engine, make_sessionmaker

    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            return [u.name for u in await crud.list_users(session)]
    finally:
        await engine.dispose()


async def _add_user(url: str, name: str, token_hash: str) -> None:
    from service.store import crud
    from service.store.db import make_engine, make_sessionmaker, migrate

    await migrate(url)
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            await crud.create_user(session, name=name, token_hash=token_hash)
    finally:
        await engine.dispose()


async def _remove_user(url: str, name: str) -> bool:
    from service.store import crud
    from service.store.db import make_engine, make_sessionmaker, migrate

    await migrate(url)
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            return await crud.delete_user(session, name=name)
    finally:
        await engine.dispose()


def _database_url(*, warn_auth: bool = False) -> str:
    from service.config import Settings

    settings = Settings()
    if warn_auth and settings.auth != "tokens":
        typer.echo("note: tokens are checked only when the server runs with STARDRIVE_AUTH=tokens", err=True)
    return settings.database_url


@users_app.command("add")
def users_add(name: Annotated[str, typer.Argument(help="A unique name: letters, digits, . _ @ -")]) -> None:
    """Add a user and print their bearer token (shown this once; only its hash is stored)."""
    import asyncio

    from service.api.tokens import hash_token, new_token

    if not USER_NAME.fullmatch(name):
        raise _fail("a name is 1-100 letters, digits, '.', '_', '@' or '-', starting with a letter or digit")
    token = new_token()
    try:
        asyncio.run(_add_user(_database_url(warn_auth=True), name, hash_token(token)))
    except StardriveError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"added {name}; their token follows. It is shown only now: hand it over privately.", err=True)
    typer.echo(token)


@users_app.command("list")
def users_list() -> None:
    """The users' names, one a line."""
    import asyncio

    from service.store.db import migrate

    url = _database_url()
    asyncio.run(migrate(url))
    for name in asyncio.run(_user_names(url)):
        typer.echo(name)


@users_app.command("remove")
def users_remove(name: Annotated[str, typer.Argument(help="The user to remove.")]) -> None:
    """Remove a user: their token stops working at once (their interviews and stories are kept)."""
    import asyncio

    if not asyncio.run(_remove_user(_database_url(), name)):
        raise _fail(f"no user named {name!r}")
    typer.echo(f"removed {name}", err=True)


@app.command()
def interview(
    archetype: Annotated[
        list[str] | None,
        typer.Option(
            "--archetype", "-a", help=f"Archetype id; repeat for several. One of: {_ARCHETYPE_LIST}."
        ),
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
    save: Annotated[
        Path | None, typer.Option(help="Also write the debrief's Markdown to this file.", dir_okay=False)
    ] = None,
) -> None:
    """Run a mock interview in the terminal (Ctrl+C leaves it open to resume; Ctrl+D or /finish ends it)."""
    if api_base:
        os.environ["STARDRIVE_API_BASE"] = api_base
        from service.config import get_settings

        get_settings.cache_clear()
    import asyncio

    from rich.console import Console

    from service.terminal import INTERRUPTED, run_interview, stdin_answers

    console = Console()
    try:
        code = asyncio.run(
            run_interview(
                url=url,
                archetypes=archetype,
                count=count,
                model=model,
                read_answer=stdin_answers(input),
                console=console,
                save=save,
            )
        )
    except KeyboardInterrupt:
        # The loop has shut down (the app's lifespan closed, the database disposed). Only the thread
        # blocked in input() remains, and a normal interpreter exit would abort on its lock on stdin
        # ("could not acquire lock for <stdin> at interpreter shutdown"): flush and leave at once.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(INTERRUPTED)
    raise typer.Exit(code=code)
