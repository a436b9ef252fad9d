"""The model's reading chooses the interviewer's move (issue 13.3): one verified, merged reading per answer
within `reading_budget_seconds`; the rubric decides when the model is too slow or fails, and the turn says
so; the grading job reuses the stored reading instead of asking again; `builtin` changes nothing.

The grader is the `scripted` model: in-process (`ScriptedModel`) for the reading itself, file-backed
(service/llm/scripted_file.py) through the API, so the calls it got can be counted. No network.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.api.app import create_app
from service.catalog import PART_IDS, get_catalog
from service.config import REPO_ROOT, Settings
from service.errors import ModelError
from service.grading.live import live_reading
from service.interview.planner import Turn, next_move, to_read
from service.jobs.worker import GradingWorker
from service.llm.base import Request
from service.llm.builtin import ScriptedModel
from service.llm.scripted_file import used_lines
from tests.test_grading_jobs import write_script

ARCHETYPE = "research_vs_shipping"
# The rubric reads this trade-off as partial (two options, no cost named): it would ask ask_tradeoff first.
ANSWER = (
    "Our eval pipeline was slow. We could ship the cheaper retrieval model or wait. I chose to ship it and I "
    "told the team why. Latency dropped 30% that quarter, measured on our dashboard."
)
FOLLOW_UP = "Looking back, I would set the quality bar before the deadline, not after, and I wrote that down."
QUOTES = {
    "situation": "Our eval pipeline was slow",
    "tradeoff": "We could ship the cheaper retrieval model or wait",
    "action": "I chose to ship it",
    "result": "Latency dropped 30% that quarter",
    "driver": "told the team why",
    "reflection": "measured on our dashboard",
}
RUBRIC_FIRST = "ask_tradeoff"  # what the rubric alone asks first about ANSWER
FAIL: dict[str, Any] = {"error": "the model server is down"}


def verdicts(tradeoff: str = "met", quote: str | None = None, **others: str) -> dict[str, Any]:
    """A grader reply: the rubric's verdicts on ANSWER except `tradeoff` (quoted by `quote`)."""
    base = {
        "situation": "partial",
        "action": "met",
        "result": "met",
        "driver": "missing",
        "reflection": "missing",
    }
    base.update(others, tradeoff=tradeoff)
    parts = {
        p: {
            "reasoning": "as read",
            "quotes": [quote if p == "tradeoff" and quote else QUOTES[p]] if base[p] != "missing" else [],
            "verdict": base[p],
        }
        for p in PART_IDS
    }
    return {"parts": parts}


def turns(*answers: str) -> list[Turn]:
    out = [Turn(0, "interviewer", "Tell me about research vs shipping.", "probe", None, ARCHETYPE)]
    for i, text in enumerate(answers):
        out.append(Turn(len(out), "candidate", text, None, None, ARCHETYPE))
        if i < len(answers) - 1:
            out.append(Turn(len(out), "interviewer", "And?", "pushback", RUBRIC_FIRST, ARCHETYPE))
    return out


class SlowModel(ScriptedModel):
    """A scripted grader that takes `delay` seconds to answer."""

    def __init__(self, delay: float, replies: list[Any]) -> None:
        super().__init__(replies)
        self.delay = delay

    async def structured(self, request: Request, schema: dict[str, Any]) -> dict[str, Any]:
        await asyncio.sleep(self.delay)
        return await super().structured(request, schema)


@pytest.mark.parametrize(
    ("model", "budget", "code", "by", "fallback"),
    [
        # The model's verified reading finds the trade-off met where the rubric did not: not asked.
        pytest.param(ScriptedModel([verdicts()]), 3, "ask_reflection", "scripted", None, id="model-met"),
        # Its quote is not in the answer: the verdict is lowered, the rubric's question stands.
        pytest.param(
            ScriptedModel([verdicts(quote="we weighed cost against quality for weeks")]),
            3,
            RUBRIC_FIRST,
            "scripted",
            None,
            id="made-up-quote",
        ),
        # The model finds the result unmeasured (quote without a number): ask_number comes in.
        pytest.param(
            ScriptedModel(
                [
                    {
                        "parts": {
                            **verdicts()["parts"],
                            "result": {
                                "reasoning": "no figure",
                                "quotes": ["told the team why"],
                                "verdict": "missing",
                            },
                        }
                    }
                ]
            ),
            3,
            "ask_number",
            "scripted",
            None,
            id="model-lowers-result",
        ),
        pytest.param(
            SlowModel(1.0, [verdicts()]), 0.05, RUBRIC_FIRST, "builtin", "longer than", id="too-slow"
        ),
        pytest.param(
            ScriptedModel([ModelError("down"), ModelError("down")]),
            3,
            RUBRIC_FIRST,
            "builtin",
            "unusable",
            id="fails",
        ),
        pytest.param(
            ScriptedModel(["not json", {"nope": 1}]), 3, RUBRIC_FIRST, "builtin", "unusable", id="off-schema"
        ),
    ],
)
async def test_the_reading_decides_the_move(
    model: ScriptedModel, budget: float, code: str, by: str, fallback: str | None
) -> None:
    plain = turns(ANSWER)
    assert next_move([ARCHETYPE], plain).code == RUBRIC_FIRST  # the rubric alone
    read = to_read(plain)
    assert read is not None
    reading = await live_reading(
        read,
        question=plain[0].text,
        model=model,
        catalog=get_catalog(),
        prompts_dir=REPO_ROOT / "prompts",
        budget=budget,
    )
    move = next_move([ARCHETYPE], plain, read=read, given=reading.grade)
    assert (move.code, reading.by) == (code, by)
    assert move.grade is reading.grade
    if fallback is None:
        assert reading.fallback is None
    else:
        assert reading.fallback is not None and fallback in reading.fallback
    for part in reading.grade.parts.values():  # verified, whoever read it
        assert all(ANSWER[e.start : e.end] == e.quote for e in part.evidence)


@asynccontextmanager
async def service(database_url: str, script: Path | None, **overrides: Any) -> AsyncIterator[Any]:
    settings = Settings(
        database_url=database_url,
        grader_model=None if script is None else "scripted",
        scripted_replies_file=script,
        grading_worker=False,  # driven by hand
        grading_wait_seconds=0,
        grading_retry_initial_seconds=0,
        **overrides,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            worker = GradingWorker(sessions=app.state.sessions, settings=settings, catalog=app.state.catalog)
            yield client, worker


async def answer(client: httpx.AsyncClient, iid: str, text: str) -> dict[str, Any]:
    res = await client.post(
        f"/api/interviews/{iid}/answers", json={"text": text}, headers={"Accept": "application/json"}
    )
    assert res.status_code == 200, res.text
    return dict(res.json())


async def start(client: httpx.AsyncClient) -> str:
    res = await client.post("/api/interviews", json={"archetypes": [ARCHETYPE]})
    assert res.status_code == 201, res.text
    return str(res.json()["id"])


REPLY = {"reply": verdicts()}


@pytest.mark.parametrize(
    ("script", "budget", "code", "reading", "calls"),
    [
        pytest.param(
            [REPLY], 3.0, "ask_reflection", {"by": "scripted", "fallback": None}, 1, id="model-decides"
        ),
        pytest.param([{"hang": True}], 0.2, RUBRIC_FIRST, "longer than 0.2 s", 1, id="past-the-budget"),
        pytest.param([FAIL, FAIL], 3.0, RUBRIC_FIRST, "the model server is down", 2, id="model-fails"),
        pytest.param(None, 3.0, RUBRIC_FIRST, None, 0, id="builtin-nothing-changes"),
        pytest.param([REPLY], 0.0, RUBRIC_FIRST, None, 0, id="budget-0-turns-it-off"),
    ],
)
async def test_the_turn_says_whose_reading_chose_the_move(
    database_url: str,
    tmp_path: Path,
    script: list[Any] | None,
    budget: float,
    code: str,
    reading: Any,
    calls: int,
) -> None:
    path = write_script(tmp_path / "grader.jsonl", script) if script is not None else None
    async with service(database_url, path, reading_budget_seconds=budget) as (client, _):
        iid = await start(client)
        turn = await answer(client, iid, ANSWER)
        transcript = (await client.get(f"/api/interviews/{iid}")).json()["turns"]
    assert (turn["move"], turn["code"]) == ("pushback", code)
    assert turn["text"].strip() and turn["degraded"] is False  # the reply still comes, phrased as ever
    if isinstance(reading, str):  # the rubric decided: the turn says so, and why
        assert turn["reading"]["by"] == "builtin" and reading in turn["reading"]["fallback"]
    else:
        assert turn["reading"] == reading
    assert transcript[-1]["reading"] == turn["reading"]  # stored with the turn
    assert (used_lines(path) if path else 0) == calls  # the grader's calls: none with builtin


@pytest.mark.parametrize(
    ("script", "budget", "job_calls", "grader"),
    [
        # Every answer read by the model before its move: the job reuses the last reading, asks nothing.
        pytest.param([REPLY] * 4, 3.0, 0, "scripted", id="readings-reused"),
        # The last answer's reading fell back to the rubric: the job asks the model, as before.
        pytest.param([REPLY, {"hang": True}, REPLY], 0.2, 1, "scripted", id="fell-back-job-asks"),
    ],
)
async def test_background_grading_reuses_the_model_readings(
    database_url: str, tmp_path: Path, script: list[Any], budget: float, job_calls: int, grader: str
) -> None:
    path = write_script(tmp_path / "grader.jsonl", script)
    async with service(database_url, path, reading_budget_seconds=budget, max_pushbacks_per_archetype=1) as (
        client,
        worker,
    ):
        iid = await start(client)
        first = await answer(client, iid, ANSWER)
        assert first["move"] == "pushback"
        last = await answer(client, iid, FOLLOW_UP)
        assert last["move"] == "wrap_up"
        before = used_lines(path)
        assert await worker.run_until_idle() == 1
        debrief = (await client.get(f"/api/interviews/{iid}/debrief")).json()
    assert used_lines(path) - before == job_calls
    assert debrief["archetypes"][0]["grade"]["grader"] == grader
    assert debrief["pending_grades"] == []


@pytest.mark.parametrize(
    ("script", "budget", "calls_on_retry", "code"),
    [
        # The model's reading was stored with the answer: the retry chooses on it, no second call.
        pytest.param([REPLY, REPLY], 3.0, 0, "ask_reflection", id="model-reading-reused"),
        # The first reading fell back to the rubric: the retry asks the model again.
        pytest.param([FAIL, FAIL, REPLY], 3.0, 1, "ask_reflection", id="fallback-asked-again"),
    ],
)
async def test_a_retry_whose_reply_was_lost_reuses_the_stored_reading(
    database_url: str, tmp_path: Path, script: list[Any], budget: float, calls_on_retry: int, code: str
) -> None:
    from sqlalchemy import delete

    from service.store.models import Turn as TurnRow

    path = write_script(tmp_path / "grader.jsonl", script)
    key = {"Idempotency-Key": "k1", "Accept": "application/json"}
    async with service(database_url, path, reading_budget_seconds=budget) as (client, _):
        iid = await start(client)
        res = await client.post(f"/api/interviews/{iid}/answers", json={"text": ANSWER}, headers=key)
        assert res.status_code == 200, res.text
        app = client._transport.app  # type: ignore[attr-defined]
        async with app.state.sessions() as session:  # the reply lost: the process died before saving it
            await session.execute(delete(TurnRow).where(TurnRow.interview_id == iid, TurnRow.index == 2))
            await session.commit()
        before = used_lines(path)
        res = await client.post(f"/api/interviews/{iid}/answers", json={"text": ANSWER}, headers=key)
        assert res.status_code == 200, res.text
    assert used_lines(path) - before == calls_on_retry
    assert res.json()["code"] == code and res.json()["reading"] == {"by": "scripted", "fallback": None}


async def test_the_streamed_turn_carries_the_reading(database_url: str, tmp_path: Path) -> None:
    """The stream's last event is the turn, `reading` included (what the web page shows under the reply)."""
    from tests.test_api import parse_sse

    path = write_script(tmp_path / "grader.jsonl", [REPLY])
    async with service(database_url, path) as (client, _):
        iid = await start(client)
        res = await client.post(
            f"/api/interviews/{iid}/answers", json={"text": ANSWER}, headers={"Accept": "text/event-stream"}
        )
        assert res.status_code == 200 and res.headers["content-type"].startswith("text/event-stream")
        kind, turn = parse_sse(res.text)[-1]
        transcript = (await client.get(f"/api/interviews/{iid}")).json()["turns"]
    assert kind == "turn" and turn["reading"] == {"by": "scripted", "fallback": None}
    assert transcript[-1]["reading"] == turn["reading"]
