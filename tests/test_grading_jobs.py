"""Grading jobs through the service: enqueued with the answer, retried when the model fails, read by the
debrief; one stored grade per archetype that the planner, the job and the debrief share.

The grader is the `scripted` model reading its replies from a file (service/llm/scripted_file.py); the
worker is driven by hand (`run_until_idle`), so nothing here depends on timing.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select

from service.api.app import create_app
from service.catalog import PART_IDS
from service.config import Settings
from service.jobs import queue
from service.jobs.worker import GradingWorker
from service.llm.scripted_file import used_lines
from service.store.models import GradingJob
from service.store.models import Turn as TurnRow
from tests.test_api import STRONG_FOLLOWUP, WEAK

MEDIUM = (
    "Our team was split on whether to keep investing in the new retrieval pipeline. I looked at the "
    "results so far, talked with the product lead, and recommended we pause it and ship the smaller version."
)
ANSWERS = [WEAK, MEDIUM, STRONG_FOLLOWUP, WEAK, MEDIUM, STRONG_FOLLOWUP]
FAIL: dict[str, Any] = {"error": "the model server is down"}


def grader_reply(quote: str = "we ended up cancelling it") -> dict[str, Any]:
    """A reply of the grader schema whose quote is in WEAK (the first answer of every archetype here)."""
    parts = {p: {"reasoning": "thin", "quotes": [quote], "verdict": "partial"} for p in PART_IDS}
    return {"reply": {"parts": parts}}


def write_script(path: Path, lines: Sequence[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


@dataclass
class Rig:
    client: httpx.AsyncClient
    worker: GradingWorker
    app: Any

    async def interview(self, archetypes: list[str]) -> str:
        """An interview answered to its wrap-up (every archetype complete)."""
        res = await self.client.post("/api/interviews", json={"archetypes": archetypes})
        assert res.status_code == 201, res.text
        iid = str(res.json()["id"])
        for text in ANSWERS * len(archetypes):
            res = await self.client.post(
                f"/api/interviews/{iid}/answers", json={"text": text}, headers={"Accept": "application/json"}
            )
            assert res.status_code == 200, res.text
            if res.json()["move"] == "wrap_up":
                return iid
        raise AssertionError("the interview never wrapped up")

    async def jobs(self, iid: str) -> list[GradingJob]:
        async with self.app.state.sessions() as session:
            return await queue.jobs_of(session, interview_id=iid)

    async def debrief(self, iid: str) -> dict[str, Any]:
        res = await self.client.get(f"/api/interviews/{iid}/debrief")
        assert res.status_code == 200, res.text
        return dict(res.json())


@asynccontextmanager
async def rig(database_url: str, script: Path | None, **overrides: Any) -> AsyncIterator[Rig]:
    settings = Settings(
        database_url=database_url,
        grader_model="builtin" if script is None else "scripted",
        scripted_replies_file=script,
        grading_worker=False,  # driven by hand below
        grading_wait_seconds=0,
        grading_retry_initial_seconds=0,
        # The jobs' own path: no reading before each move (tests/test_live_reading.py has that), so the
        # job is what asks the model, as it does whenever the live reading fell back to the rubric.
        **{"reading_budget_seconds": 0, **overrides},
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        worker = GradingWorker(sessions=app.state.sessions, settings=settings, catalog=app.state.catalog)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Rig(client, worker, app)


@pytest.mark.parametrize(
    ("script", "max_fallbacks", "grader", "fallbacks"),
    [
        pytest.param([FAIL, FAIL, grader_reply()], 3, "scripted", 1, id="fails-twice-then-succeeds"),
        pytest.param([FAIL, grader_reply()], 3, "scripted", 0, id="the-re-ask-succeeds"),
        pytest.param([FAIL] * 6 + [grader_reply()], 3, "scripted", 3, id="fails-six-times-then-succeeds"),
        pytest.param([FAIL] * 4 + [grader_reply()], 1, "builtin", 1, id="past-the-bound-the-rubric-stands"),
    ],
)
async def test_a_model_that_fails_is_retried_until_its_grade_lands(
    database_url: str,
    tmp_path: Path,
    script: list[dict[str, Any]],
    max_fallbacks: int,
    grader: str,
    fallbacks: int,
) -> None:
    path = write_script(tmp_path / "grader.jsonl", script)
    async with rig(database_url, path, grading_max_fallbacks=max_fallbacks) as r:
        iid = await r.interview(["killed_own_project"])
        before = await r.debrief(iid)
        assert before["pending_grades"] == ["killed_own_project"]  # the rubric stands in meanwhile
        await r.worker.run_until_idle()
        debrief = await r.debrief(iid)
        (job,) = await r.jobs(iid)
    assert debrief["archetypes"][0]["grade"]["grader"] == grader
    assert debrief["pending_grades"] == []
    assert (job.status, job.fallbacks) == ("done", fallbacks)


async def test_the_job_is_enqueued_with_the_answer_that_completes_the_archetype(
    database_url: str, tmp_path: Path
) -> None:
    path = write_script(tmp_path / "grader.jsonl", [grader_reply()] * 2)
    async with rig(database_url, path) as r:
        res = await r.client.post("/api/interviews", json={"archetypes": ["killed_own_project", "mentoring"]})
        iid = res.json()["id"]
        answers: list[str] = []
        for text in ANSWERS:
            answers.append(text)
            turn = (
                await r.client.post(
                    f"/api/interviews/{iid}/answers",
                    json={"text": text},
                    headers={"Accept": "application/json"},
                )
            ).json()
            jobs = await r.jobs(iid)
            if turn["move"] == "pushback":
                assert jobs == []  # the archetype is still being asked about
                continue
            assert turn["move"] == "probe" and turn["archetype"] == "mentoring"
            assert [(j.archetype, j.fingerprint) for j in jobs] == [
                ("killed_own_project", queue.fingerprint(answers))
            ]
            break
        assert await r.worker.run_until_idle() == 1
        # Finishing mid-archetype completes the one being asked about: it is enqueued then.
        await r.client.post(
            f"/api/interviews/{iid}/answers", json={"text": WEAK}, headers={"Accept": "application/json"}
        )
        finished = (await r.client.post(f"/api/interviews/{iid}/finish")).json()
        assert finished["pending_grades"] == ["mentoring"]
        assert await r.worker.run_until_idle() == 1
        debrief = await r.debrief(iid)
    assert {a["archetype"]: a["grade"]["grader"] for a in debrief["archetypes"]} == {
        "killed_own_project": "scripted",
        "mentoring": "scripted",
    }
    assert used_lines(path) == 2  # each archetype graded once


async def test_the_debrief_reads_the_planners_stored_grade(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with rig(database_url, None) as r:
        iid = await r.interview(["killed_own_project", "mentoring"])
        async with r.app.state.sessions() as session:
            rows = list(
                await session.scalars(
                    select(TurnRow).where(TurnRow.role == "candidate").order_by(TurnRow.index)
                )
            )
        stored = {t.archetype: t.grade for t in rows}  # the last answer's reading, per archetype
        first = {}
        for t in reversed(rows):
            first[t.archetype] = t.grade

        def no_regrading(*args: Any, **kwargs: Any) -> Any:
            raise AssertionError("the debrief graded an answer again")

        monkeypatch.setattr("service.report.debrief.analyze", no_regrading)
        unfinished = await r.debrief(iid)
        finished = (await r.client.post(f"/api/interviews/{iid}/finish")).json()
    for debrief in (unfinished, finished):
        for a in debrief["archetypes"]:
            assert a["grade"] == stored[a["archetype"]]
            assert a["first_level"] == first[a["archetype"]]["level"]
    assert await r.worker.run_until_idle() == 0  # the builtin grader needs no job


async def test_the_job_grades_on_the_planners_reading(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_script(tmp_path / "grader.jsonl", [grader_reply()])
    async with rig(database_url, path) as r:
        iid = await r.interview(["killed_own_project"])

        def no_regrading(*args: Any, **kwargs: Any) -> Any:
            raise AssertionError("the job graded the answers with the rubric again")

        monkeypatch.setattr("service.grading.grader.grade_reading", no_regrading)
        await r.worker.run_until_idle()
        debrief = await r.debrief(iid)
    assert debrief["archetypes"][0]["grade"]["grader"] == "scripted"


async def test_an_archetype_graded_before_jobs_existed_is_not_graded_again(
    database_url: str, tmp_path: Path
) -> None:
    path = write_script(tmp_path / "grader.jsonl", [grader_reply(), grader_reply()])
    async with rig(database_url, path) as r:
        iid = await r.interview(["killed_own_project"])
        await r.worker.run_until_idle()
        async with r.app.state.sessions() as session:
            await session.execute(delete(GradingJob))  # as a database migrated from before issue 14 holds it
            await session.commit()
        debrief = (await r.client.post(f"/api/interviews/{iid}/finish")).json()
        assert await r.jobs(iid) == []
    assert debrief["archetypes"][0]["grade"]["grader"] == "scripted"
    assert used_lines(path) == 1
