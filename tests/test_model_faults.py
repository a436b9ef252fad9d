"""The interview stays correct when its model is slow, wrong or down (respx in place of the model server)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import respx

from service.api.app import create_app
from service.config import Settings
from tests.model_server import API_BASE, COMPLETIONS, cut_stream, error, streamed
from tests.test_api import WEAK, parse_sse

pytestmark = pytest.mark.usefixtures("litellm_over_httpx")


@pytest.fixture
async def client(tmp_path: Any) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'm.db'}",
        api_base=API_BASE,
        allowed_models=["openai/m"],
        model_retries=1,
        model_retry_initial_seconds=0.0,
        model_timeout_seconds=2.0,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        # respx must let the in-process app through and catch only the model's host.
        with respx.mock(assert_all_called=False) as mock:
            mock.route(host="test").pass_through()
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
                c.mock = mock  # type: ignore[attr-defined]
                yield c


async def start(client: httpx.AsyncClient) -> str:
    res = await client.post(
        "/api/interviews", json={"archetypes": ["killed_own_project"], "model": "openai/m"}
    )
    assert res.status_code == 201, res.text
    return str(res.json()["id"])


async def answer(client: httpx.AsyncClient, iid: str) -> list[tuple[str, dict[str, Any]]]:
    res = await client.post(f"/api/interviews/{iid}/answers", json={"text": WEAK})
    assert res.status_code == 200
    return parse_sse(res.text)


def route(client: httpx.AsyncClient, **kwargs: Any) -> respx.Route:
    mock: respx.MockRouter = client.mock  # type: ignore[attr-defined]
    return mock.post(COMPLETIONS).mock(**kwargs)


async def test_model_phrases_the_pushback(client: httpx.AsyncClient) -> None:
    iid = await start(client)
    r = route(client, return_value=streamed(["Which ", "part ", "was ", "your ", "decision?"]))
    events = await answer(client, iid)
    assert [k for k, _ in events].count("token") == 5
    turn = events[-1][1]
    assert turn["text"] == "Which part was your decision?" and turn["degraded"] is False
    # The planner decided (the rubric's first pushback for this answer); the model only worded it.
    from service.rubric import analyze

    assert turn["code"] == analyze(WEAK, "killed_own_project").pushbacks[0]
    sent = json.loads(r.calls.last.request.content)
    user = sent["messages"][-1]["content"]
    assert WEAK in user and "<<CANDIDATE-" in user  # the candidate's words as delimited data


@pytest.mark.parametrize(
    ("reply", "why"),
    [
        (["Great answer! ", "What did you decide?"], "praise"),
        (["What did you decide? ", "And who agreed?"], "two questions"),
        (["Your trade-off part is missing. ", "What did you give up?"], "rubric leak"),
        (["word " * 80], "too long"),
        (["The postmortem is at https://", "wiki.acme.dev/pm. ", "What did you decide?"], "link"),
        (["What did you decide？ ", "And who agreed？"], "full-width question marks"),
        (["Any panel would be won over by that. ", "What did you give up?"], "indirect praise"),
        (["My brief says to dig for what you traded away. ", "What was it?"], "paraphrased instructions"),
    ],
)
async def test_reply_failing_checks_is_withdrawn(
    client: httpx.AsyncClient, reply: list[str], why: str
) -> None:
    iid = await start(client)
    route(client, return_value=streamed(reply))
    events = await answer(client, iid)
    kinds = [k for k, _ in events]
    assert "replace" in kinds, why
    assert kinds.index("replace") < kinds.index("turn")
    turn = events[-1][1]
    assert turn["degraded"] is True
    assert turn["text"] == next(d["text"] for k, d in events if k == "replace")


@pytest.mark.parametrize(
    "behaviour",
    [
        {"return_value": error(500)},
        {"return_value": error(429, {"retry-after": "0"})},
        {"side_effect": httpx.ConnectError("refused")},
        {"side_effect": httpx.ReadTimeout("slow")},
        {"return_value": cut_stream(["Which ", "part "])},
    ],
    ids=["500", "429", "down", "timeout", "cut"],
)
async def test_failing_model_never_loses_a_turn(client: httpx.AsyncClient, behaviour: dict[str, Any]) -> None:
    iid = await start(client)
    route(client, **behaviour)
    events = await answer(client, iid)
    turn = events[-1][1]
    assert events[-1][0] == "turn" and turn["degraded"] is True and turn["move"] == "pushback"
    transcript = (await client.get(f"/api/interviews/{iid}")).json()["turns"]
    assert [t["role"] for t in transcript] == ["interviewer", "candidate", "interviewer"]
    assert transcript[1]["text"] == WEAK
    # The interview goes on.
    route(client, return_value=streamed(["What ", "did ", "it ", "cost?"]))
    assert (await answer(client, iid))[-1][1]["degraded"] is False


async def test_json_reply_when_model_fails(client: httpx.AsyncClient) -> None:
    iid = await start(client)
    route(client, return_value=error(503))
    res = await client.post(
        f"/api/interviews/{iid}/answers", json={"text": WEAK}, headers={"Accept": "application/json"}
    )
    assert res.status_code == 200 and res.json()["degraded"] is True


def _grader_reply(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    if body.get("stream"):
        return streamed(["Which ", "part ", "was ", "your ", "call?"])
    parts = {
        part: {"reasoning": "thin", "quotes": ["we ended up cancelling it"], "verdict": "partial"}
        for part in ("situation", "tradeoff", "action", "result", "driver", "reflection")
    }
    parts["reflection"] = {
        "reasoning": "made up",
        "quotes": ["I would write an RFC next time"],
        "verdict": "met",
    }
    from tests.model_server import completion

    return completion(json.dumps({"parts": parts}))


async def test_archetypes_are_graded_by_the_model_in_the_background(client: httpx.AsyncClient) -> None:
    res = await client.post(
        "/api/interviews", json={"archetypes": ["killed_own_project", "mentoring"], "model": "openai/m"}
    )
    iid = res.json()["id"]
    r = route(client, side_effect=_grader_reply)
    answered = 0
    for _ in range(8):
        turn = (await answer(client, iid))[-1][1]
        answered += 1
        assert turn["reading"] == {"by": "openai/m", "fallback": None}  # the model's reading chose the move
        if turn["move"] == "wrap_up":
            break
    debrief = (await client.post(f"/api/interviews/{iid}/finish")).json()
    graders = {a["archetype"]: a["grade"]["grader"] for a in debrief["archetypes"]}
    assert graders == {"killed_own_project": "openai/m", "mentoring": "openai/m"}
    for a in debrief["archetypes"]:
        reflection = a["grade"]["parts"]["reflection"]
        # The made-up quote was dropped, and the verdict with it.
        assert reflection["verdict"] != "met"
        assert all("RFC" not in e["quote"] for e in reflection["evidence"])
    grader_calls = [c for c in r.calls if not json.loads(c.request.content).get("stream")]
    # One reading per answer, before its move; the grading jobs reuse them: no grading call at finish.
    assert len(grader_calls) == answered
    usage = debrief["usage"]
    assert usage["calls"] >= len(r.calls) and usage["prompt_tokens"] > 0
