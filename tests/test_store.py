"""The store on both backends (see tests/db_fixtures.py): migrations, turns, idempotency, users, stories."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.config import REPO_ROOT
from service.errors import Conflict, NotFound
from service.store import crud
from service.store.db import alembic_config, make_engine, migrate
from service.store.models import Base, Role, Turn

Sessions = async_sessionmaker[AsyncSession]

GRADE: dict[str, Any] = {
    "archetype": "killed_own_project",
    "parts": {
        part: {"verdict": "met", "evidence": [{"quote": "I killed it", "start": 0, "end": 11}], "note": ""}
        for part in ("situation", "tradeoff", "action", "result", "driver", "reflection")
    },
    "level": "staff",
    "trap": {"code": "ask_own_call", "hit": False},
    "pushbacks": [],
    "signals": {"words": 212, "speaking_seconds": 85.5, "i_count": 9, "numbers": ["4.2%", "two weeks"]},
    "grader": "builtin",
}


async def _new_interview(session: AsyncSession, user_id: str | None = None) -> str:
    interview = await crud.create_interview(
        session, archetypes=["mentoring", "quality_incident"], model="builtin", seed=7, user_id=user_id
    )
    return interview.id


async def _add_turns(session: AsyncSession, interview_id: str, count: int) -> list[Turn]:
    roles: tuple[Role, Role] = ("interviewer", "candidate")
    return [
        await crud.add_turn(session, interview_id=interview_id, role=roles[i % 2], text=f"turn {i}")
        for i in range(count)
    ]


# --- migrations -------------------------------------------------------------------------------


def _schema(connection: Connection) -> tuple[set[str], str | None]:
    tables = set(inspect(connection).get_table_names())
    version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return tables, version


async def test_migrate_twice_reaches_head_and_changes_nothing(database_url: str) -> None:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    await migrate(database_url)
    await migrate(database_url)
    engine = make_engine(database_url)
    async with engine.connect() as connection:
        tables, version = await connection.run_sync(_schema)
    await engine.dispose()
    assert tables == {
        "alembic_version",
        "users",
        "interviews",
        "turns",
        "stories",
        "archetype_grades",
        "grading_jobs",
        "drills",
    }
    assert version == head


async def _migrate_in_a_process(url: str) -> tuple[int | None, bytes]:
    code = "import asyncio, sys; from service.store.db import migrate; asyncio.run(migrate(sys.argv[1]))"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, url, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=REPO_ROOT
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    except TimeoutError:
        process.kill()
        raise
    return process.returncode, output


async def test_processes_starting_together_migrate_once(database_url: str) -> None:
    # Each migration holds a lock for its transaction (Postgres: advisory lock; SQLite: BEGIN IMMEDIATE).
    results = await asyncio.gather(*(_migrate_in_a_process(database_url) for _ in range(3)))
    assert [code for code, _ in results] == [0, 0, 0], [output.decode()[-2000:] for _, output in results]
    await migrate(database_url)


def _diff(connection: Connection) -> list[Any]:
    return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))


async def test_migration_matches_the_models(session_factory: Sessions) -> None:
    async with session_factory() as session:
        connection = await session.connection()
        assert await connection.run_sync(_diff) == []


def test_make_engine_creates_the_sqlite_directory_with_wal(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "stardrive.db"

    async def pragmas() -> tuple[Any, ...]:
        engine = make_engine(f"sqlite+aiosqlite:///{path}")
        async with engine.connect() as connection:
            mode = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar()
            timeout = (await connection.exec_driver_sql("PRAGMA busy_timeout")).scalar()
            keys = (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar()
        await engine.dispose()
        return mode, timeout, keys

    assert asyncio.run(pragmas()) == ("wal", 5000, 1)
    assert path.exists()


class _Driver:
    def __init__(self, in_transaction: object) -> None:
        self.state = in_transaction

    @property
    def in_transaction(self) -> object:
        if isinstance(self.state, Exception):
            raise self.state
        return self.state


class _Pooled:
    def __init__(self, in_transaction: object) -> None:
        self._connection = _Driver(in_transaction)
        self.rollbacks = 0

    def rollback(self) -> None:
        self.rollbacks += 1


@pytest.mark.parametrize(
    ("in_transaction", "reset", "rollbacks"),
    [
        (False, {}, 0),  # committed: nothing to roll back
        (True, {}, 1),
        (ValueError("no active connection"), {}, 1),  # cannot tell: roll back, as the pool would
        ("unknown", {}, 1),
        (True, {"transaction_was_reset": True}, 0),  # SQLAlchemy rolled it back just now
        (True, {"terminate_only": True}, 0),
        (True, {"asyncio_safe": False}, 0),  # never awaited from a garbage collector
    ],
)
def test_the_pool_rolls_back_only_an_open_transaction(
    in_transaction: object, reset: dict[str, bool], rollbacks: int
) -> None:
    from sqlalchemy import PoolResetState

    from service.store.db import _sqlite_reset

    state = {"transaction_was_reset": False, "terminate_only": False, "asyncio_safe": True, **reset}
    pooled = _Pooled(in_transaction)
    _sqlite_reset(pooled, None, PoolResetState(**state))
    assert pooled.rollbacks == rollbacks


@pytest.mark.parametrize("left_open", [False, True])
async def test_sqlite_connections_come_back_to_the_pool_clean(tmp_path: Path, left_open: bool) -> None:
    """A transaction left open behind SQLAlchemy's back is still rolled back when the connection returns."""
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'pool.db'}", pool_size=1)
    try:
        async with engine.begin() as connection:
            await connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        async with engine.connect() as connection:
            raw = (await connection.get_raw_connection()).driver_connection
            assert raw is not None
            await connection.commit()  # SQLAlchemy's own transaction ends here
            await raw.execute("INSERT INTO t VALUES (1)")  # ...and SQLite's begins, unknown to it
            if not left_open:
                await raw.commit()
            assert raw.in_transaction is left_open
        assert raw.in_transaction is False
        async with engine.connect() as connection:
            count = (await connection.exec_driver_sql("SELECT count(*) FROM t")).scalar()
        assert count == (0 if left_open else 1)
    finally:
        await engine.dispose()


# --- interviews and turns ---------------------------------------------------------------------


async def test_create_and_get_interview(session_factory: Sessions) -> None:
    async with session_factory() as session:
        created = await crud.create_interview(
            session, archetypes=["mentoring"], model="gpt-x", seed=42, user_id="alice"
        )
    async with session_factory() as session:
        got = await crud.get_interview(session, interview_id=created.id)
    assert got is not None
    assert len(got.id) == 32
    assert (got.status, got.archetypes, got.model, got.seed, got.user_id) == (
        "active",
        ["mentoring"],
        "gpt-x",
        42,
        "alice",
    )
    assert (got.turns, got.finished_at, got.debrief) == ([], None, None)
    assert got.created_at.tzinfo is not None
    assert got.created_at.utcoffset() == UTC.utcoffset(None)


async def test_turns_get_consecutive_indexes_per_interview(session_factory: Sessions) -> None:
    async with session_factory() as session:
        first, second = await _new_interview(session), await _new_interview(session)
        await _add_turns(session, first, 5)
        await _add_turns(session, second, 2)
    async with session_factory() as session:
        one = await crud.get_interview(session, interview_id=first)
        two = await crud.get_interview(session, interview_id=second)
        assert one is not None and two is not None
        assert [t.index for t in one.turns] == [0, 1, 2, 3, 4]
        assert [t.text for t in one.turns] == [f"turn {i}" for i in range(5)]
        assert [t.index for t in two.turns] == [0, 1]


async def test_get_interview_sees_turns_added_in_the_same_session(session_factory: Sessions) -> None:
    async with session_factory() as session:
        interview_id = await _new_interview(session)
        assert (got := await crud.get_interview(session, interview_id=interview_id)) is not None
        assert got.turns == []
        await _add_turns(session, interview_id, 2)
        assert (got := await crud.get_interview(session, interview_id=interview_id)) is not None
        assert [t.index for t in got.turns] == [0, 1]


@pytest.mark.parametrize(
    ("after", "expected"), [(-1, [0, 1, 2, 3]), (0, [1, 2, 3]), (2, [3]), (3, []), (9, [])]
)
async def test_turns_after(session_factory: Sessions, after: int, expected: list[int]) -> None:
    async with session_factory() as session:
        interview_id = await _new_interview(session)
        await _add_turns(session, interview_id, 4)
        turns = await crud.turns_after(session, interview_id=interview_id, index=after)
    assert [t.index for t in turns] == expected


async def test_turn_fields_round_trip(session_factory: Sessions) -> None:
    usage = {"prompt_tokens": 812, "completion_tokens": 40, "cost_usd": 0.0012}
    async with session_factory() as session:
        interview_id = await _new_interview(session)
        await crud.add_turn(
            session,
            interview_id=interview_id,
            role="interviewer",
            text="Where did that number come from?",
            move="pushback",
            code="ask_number_source",
            archetype="quality_incident",
            degraded=True,
            usage=usage,
        )
    async with session_factory() as session:
        got = await crud.get_interview(session, interview_id=interview_id)
    assert got is not None
    turn = got.turns[0]
    assert (turn.role, turn.move, turn.code, turn.archetype, turn.degraded) == (
        "interviewer",
        "pushback",
        "ask_number_source",
        "quality_incident",
        True,
    )
    assert (turn.grade, turn.idempotency_key, turn.usage) == (None, None, usage)


async def test_idempotency_key_lookup(session_factory: Sessions) -> None:
    async with session_factory() as session:
        first, second = await _new_interview(session), await _new_interview(session)
        await _add_turns(session, first, 1)
        keyed = await crud.add_turn(
            session, interview_id=first, role="candidate", text="answer", idempotency_key="k-1"
        )
        # The same key in another interview is a different request.
        await crud.add_turn(
            session, interview_id=second, role="candidate", text="other", idempotency_key="k-1"
        )
    cases = [(first, "k-1", keyed.id), (first, "k-2", None), ("no-such-interview", "k-1", None)]
    async with session_factory() as session:
        for interview_id, key, expected in cases:
            found = await crud.find_turn_by_idempotency_key(session, interview_id=interview_id, key=key)
            assert (found.id if found else None) == expected, (interview_id, key)
    assert keyed.index == 1


async def test_reused_idempotency_key_raises_conflict(session_factory: Sessions) -> None:
    async with session_factory() as session:
        interview_id = await _new_interview(session)
        await crud.add_turn(
            session, interview_id=interview_id, role="candidate", text="a", idempotency_key="k"
        )
        with pytest.raises(Conflict):
            await crud.add_turn(
                session, interview_id=interview_id, role="candidate", text="b", idempotency_key="k"
            )
        # The session is usable again, and the failed turn left no gap.
        turn = await crud.add_turn(session, interview_id=interview_id, role="interviewer", text="c")
        assert turn.index == 1


async def test_add_turn_with_a_stale_expected_index_raises_conflict(session_factory: Sessions) -> None:
    async with session_factory() as session:
        interview_id = await _new_interview(session)
        await crud.add_turn(session, interview_id=interview_id, role="interviewer", text="q", index=0)
        with pytest.raises(Conflict):
            await crud.add_turn(session, interview_id=interview_id, role="candidate", text="a", index=0)
        turn = await crud.add_turn(session, interview_id=interview_id, role="candidate", text="a")
        assert turn.index == 1


async def test_racing_answers_never_share_an_index(session_factory: Sessions) -> None:
    async with session_factory() as session:
        interview_id = await _new_interview(session)

    async def answer(i: int) -> Turn | Conflict:
        async with session_factory() as session:
            try:
                return await crud.add_turn(session, interview_id=interview_id, role="candidate", text=str(i))
            except Conflict as exc:
                return exc

    results = await asyncio.gather(*(answer(i) for i in range(8)))
    stored = [r for r in results if isinstance(r, Turn)]
    assert stored, "at least one answer must win"
    async with session_factory() as session:
        got = await crud.get_interview(session, interview_id=interview_id)
    assert got is not None
    assert [t.index for t in got.turns] == list(range(len(stored)))


@pytest.mark.parametrize("call", ["add_turn", "finish_interview"])
async def test_unknown_interview_raises_not_found(session_factory: Sessions, call: str) -> None:
    async with session_factory() as session:
        with pytest.raises(NotFound):
            if call == "add_turn":
                await crud.add_turn(session, interview_id="missing", role="candidate", text="hi")
            else:
                await crud.finish_interview(session, interview_id="missing", debrief={})
        assert await crud.get_interview(session, interview_id="missing") is None


async def test_finish_interview_caches_the_debrief(session_factory: Sessions) -> None:
    async with session_factory() as session:
        interview_id = await _new_interview(session)
        await _add_turns(session, interview_id, 3)
        finished = await crud.finish_interview(session, interview_id=interview_id, debrief={"fixes": ["a"]})
        assert [t.index for t in finished.turns] == [0, 1, 2]
        first_finish = finished.finished_at
        await crud.finish_interview(session, interview_id=interview_id, debrief={"fixes": ["b"]})
    async with session_factory() as session:
        got = await crud.get_interview(session, interview_id=interview_id)
    assert got is not None
    assert (got.status, got.debrief) == ("finished", {"fixes": ["b"]})
    assert first_finish is not None and got.finished_at == first_finish


@pytest.mark.parametrize(
    ("turns", "owner", "asker", "found"),
    [(0, None, None, True), (5, None, None, True), (4, "alice", "alice", True), (4, "alice", "bob", False)],
)
async def test_transcript_is_the_interview_without_its_debrief(
    session_factory: Sessions, turns: int, owner: str | None, asker: str | None, found: bool
) -> None:
    """The answer path's one-query read: the same interview and turns as get_interview, and the same
    stories version as stories_version."""
    async with session_factory() as session:
        interview_id = await _new_interview(session, user_id=owner)
        await _add_turns(session, interview_id, turns)
        await crud.add_turn(session, interview_id=interview_id, role="candidate", text="last", grade=GRADE)
        for who in ("alice", "alice", "bob"):
            await crud.create_story(
                session, title="t", archetype="mentoring", project="p", text="x", user_id=who
            )
    async with session_factory() as session:
        full = await crud.get_interview(session, interview_id=interview_id, user_id=asker)
        version = await crud.stories_version(session, user_id=asker)
    async with session_factory() as session:
        got = await crud.get_transcript(session, interview_id=interview_id, user_id=asker)
        assert (got is not None) is found and (full is not None) is found
        if got is None or full is None:
            return
        interview, got_version = got
        assert got_version == version and version[0] == (3 if asker is None else 2)
        assert (interview.id, interview.status, interview.archetypes, interview.model, interview.user_id) == (
            full.id,
            full.status,
            full.archetypes,
            full.model,
            full.user_id,
        )
        columns = ("index", "role", "text", "move", "code", "archetype", "grade", "usage", "idempotency_key")
        assert [[getattr(t, c) for c in columns] for t in interview.turns] == [
            [getattr(t, c) for c in columns] for t in full.turns
        ]
        assert [t.index for t in interview.turns] == list(range(turns + 1))
        with pytest.raises(Exception, match="debrief"):
            _ = interview.debrief  # never read on the answer path: loading it would be a mistake


@pytest.mark.parametrize("finished_before", [False, True])
async def test_a_wrap_up_finishes_the_interview_in_its_transaction(
    session_factory: Sessions, finished_before: bool
) -> None:
    """`finishing` with the reply: what finish_interview (no debrief) does, in the reply's commit."""
    async with session_factory() as session:
        interview_id = await _new_interview(session)
        await _add_turns(session, interview_id, 2)
        if finished_before:
            await crud.finish_interview(session, interview_id=interview_id, debrief={"fixes": ["a"]})
    async with session_factory() as session:
        before = await crud.get_interview(session, interview_id=interview_id)
        assert before is not None
        first_finish = before.finished_at
    async with session_factory() as session:
        await crud.add_turn(
            session,
            interview_id=interview_id,
            role="interviewer",
            text="Thanks, that's all.",
            move="wrap_up",
            also=[crud.finishing(interview_id)],
        )
    async with session_factory() as session:
        got = await crud.get_interview(session, interview_id=interview_id)
    assert got is not None
    assert (got.status, got.debrief, [t.move for t in got.turns][-1]) == ("finished", None, "wrap_up")
    assert got.finished_at is not None and got.finished_at.tzinfo is not None
    if finished_before:
        assert got.finished_at == first_finish  # kept, as finish_interview keeps it
    else:
        assert first_finish is None and got.finished_at >= got.created_at


# --- users ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("owner", "asker", "visible"),
    [
        ("alice", None, True),
        ("alice", "alice", True),
        ("alice", "bob", False),
        (None, None, True),
        (None, "alice", False),
    ],
)
async def test_user_id_filters_interviews_and_stories(
    session_factory: Sessions, owner: str | None, asker: str | None, visible: bool
) -> None:
    async with session_factory() as session:
        interview_id = await _new_interview(session, user_id=owner)
        story = await crud.create_story(
            session, title="t", archetype="mentoring", project="p", text="x", user_id=owner
        )
        story_id = story.id
    async with session_factory() as session:
        interview = await crud.get_interview(session, interview_id=interview_id, user_id=asker)
        got_story = await crud.get_story(session, story_id=story_id, user_id=asker)
        listed = await crud.list_stories(session, user_id=asker)
        updated = await crud.update_story(session, story_id=story_id, user_id=asker, title="new")
    assert (interview is not None, got_story is not None, len(listed) == 1, updated is not None) == (
        visible,
    ) * 4
    async with session_factory() as session:
        assert await crud.delete_story(session, story_id=story_id, user_id=asker) is visible


async def test_list_stories_per_user(session_factory: Sessions) -> None:
    async with session_factory() as session:
        for user, title in [("alice", "a1"), ("bob", "b1"), ("alice", "a2"), (None, "n1")]:
            await crud.create_story(
                session, title=title, archetype="mentoring", project="p", text="x", user_id=user
            )
        cases = {"alice": ["a1", "a2"], "bob": ["b1"], "carol": [], None: ["a1", "b1", "a2", "n1"]}
        for user, titles in cases.items():
            assert [s.title for s in await crud.list_stories(session, user_id=user)] == titles, user


# --- stories ----------------------------------------------------------------------------------


async def test_story_crud(session_factory: Sessions) -> None:
    async with session_factory() as session:
        story = await crud.create_story(
            session,
            title="Killed the ranking rewrite",
            archetype="killed_own_project",
            project="ranking-v2",
            year=2023,
            text="I killed it after the offline win did not replicate.",
        )
        assert len(story.id) == 32 and story.grade is None
        assert story.created_at == story.updated_at

        updated = await crud.update_story(session, story_id=story.id, year=None, grade=GRADE, title="Renamed")
        assert updated is not None
        assert (updated.title, updated.year, updated.project) == ("Renamed", None, "ranking-v2")
        assert updated.updated_at >= updated.created_at

    async with session_factory() as session:
        got = await crud.get_story(session, story_id=story.id)
        assert got is not None
        assert (got.title, got.year, got.grade) == ("Renamed", None, GRADE)
        assert await crud.update_story(session, story_id="missing", title="x") is None
        with pytest.raises(TypeError):
            await crud.update_story(session, story_id=story.id, user_id=None, owner="x")  # type: ignore[call-arg]
        assert await crud.delete_story(session, story_id=story.id) is True
        assert await crud.delete_story(session, story_id=story.id) is False
        assert await crud.get_story(session, story_id=story.id) is None
        assert await crud.list_stories(session) == []


# --- JSON -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "grade",
    [
        pytest.param(GRADE, id="contract-2-grade"),
        pytest.param({}, id="empty"),
        pytest.param({"z": 1, "a": 2, "m": {"y": None, "b": [1, 2.5, True]}}, id="key-order-and-null"),
        pytest.param({"quote": "naïve — “quoted” 🚀", "note": "line\nbreak"}, id="unicode"),
    ],
)
async def test_grade_dicts_round_trip(session_factory: Sessions, grade: dict[str, Any]) -> None:
    async with session_factory() as session:
        interview_id = await _new_interview(session)
        await crud.add_turn(session, interview_id=interview_id, role="candidate", text="x", grade=grade)
        story = await crud.create_story(
            session, title="t", archetype="mentoring", project="p", text="x", grade=grade
        )
    async with session_factory() as session:
        interview = await crud.get_interview(session, interview_id=interview_id)
        got_story = await crud.get_story(session, story_id=story.id)
    assert interview is not None and got_story is not None
    for stored in (interview.turns[0].grade, got_story.grade):
        assert stored == grade
        assert stored is not None and list(stored) == list(grade)
