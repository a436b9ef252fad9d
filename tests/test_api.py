"""The HTTP API (Contract 3) through httpx's ASGI transport, on every configured database backend."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.api.app import create_app
from service.config import Settings

WEAK = "We had a project that wasn't working out, so we ended up cancelling it. The team moved on."
STRONG_FOLLOWUP = "I made the kill call myself, and our eval cost dropped 40% the next quarter."


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(database_url=database_url, max_answer_chars=20_000))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            yield c


async def start(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    res = await client.post("/api/interviews", json=body)
    assert res.status_code == 201, res.text
    return res.json()  # type: ignore[no-any-return]


async def answer_json(client: httpx.AsyncClient, iid: str, text: str, **headers: str) -> httpx.Response:
    return await client.post(
        f"/api/interviews/{iid}/answers",
        json={"text": text},
        headers={"Accept": "application/json", **headers},
    )


def parse_sse(body: str) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        kind, data = "message", ""
        for line in block.splitlines():
            if line.startswith("event:"):
                kind = line[6:].strip()
            elif line.startswith("data:"):
                data += line[5:].strip()
        if data:
            events.append((kind, json.loads(data)))
    return events


async def test_create_interview_has_first_probe(client: httpx.AsyncClient) -> None:
    interview = await start(client, archetypes=["killed_own_project", "mentoring"])
    assert interview["status"] == "active"
    assert interview["archetypes"] == ["killed_own_project", "mentoring"]
    assert interview["model"] == "builtin"
    [turn] = interview["turns"]
    assert (
        turn["role"] == "interviewer"
        and turn["move"] == "probe"
        and turn["archetype"] == "killed_own_project"
    )
    assert turn["degraded"] is False
    random_loop = await start(client)
    assert len(random_loop["archetypes"]) == 4


async def test_weak_answer_gets_pushback_then_follow_up_closes_gap(client: httpx.AsyncClient) -> None:
    iid = (await start(client, archetypes=["killed_own_project"]))["id"]
    res = await answer_json(client, iid, WEAK)
    assert res.status_code == 200
    turn = res.json()
    # "we ended up cancelling it": the kill was not the speaker's own call, nor said in the first person.
    assert turn["move"] == "pushback" and turn["code"] in ("ask_own_call", "ask_first_person")
    turn2 = (await answer_json(client, iid, STRONG_FOLLOWUP)).json()
    # The follow-up made the call in the first person: the planner moves on, never repeats a code.
    assert turn2["move"] in ("pushback", "wrap_up") and turn2["code"] != turn["code"]
    transcript = (await client.get(f"/api/interviews/{iid}")).json()
    assert [t["role"] for t in transcript["turns"]] == [
        "interviewer",
        "candidate",
        "interviewer",
        "candidate",
        "interviewer",
    ]
    assert [t["index"] for t in transcript["turns"]] == [0, 1, 2, 3, 4]


async def test_stream_sends_tokens_then_turn(client: httpx.AsyncClient) -> None:
    iid = (await start(client, archetypes=["mentoring"]))["id"]
    res = await client.post(f"/api/interviews/{iid}/answers", json={"text": WEAK})
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(res.text)
    kinds = [k for k, _ in events]
    assert kinds[-1] == "turn" and kinds.count("token") >= 2
    streamed = "".join(d["text"] for k, d in events if k == "token")
    assert streamed.strip() == events[-1][1]["text"]


async def test_idempotency_key_returns_first_reply_and_adds_nothing(client: httpx.AsyncClient) -> None:
    iid = (await start(client, archetypes=["mentoring", "quality_incident"]))["id"]
    first = (await answer_json(client, iid, WEAK, **{"Idempotency-Key": "k1"})).json()
    again = (await answer_json(client, iid, WEAK, **{"Idempotency-Key": "k1"})).json()
    assert again == first
    assert len((await client.get(f"/api/interviews/{iid}")).json()["turns"]) == 3


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"text": ""}, 422, "invalid"),
        ({"text": "   "}, 422, "invalid"),
        ({"text": "x" * 20_001}, 413, "too_large"),
        ({"wrong": "field"}, 422, "invalid"),
    ],
)
async def test_bad_answers(client: httpx.AsyncClient, body: dict[str, Any], status: int, code: str) -> None:
    iid = (await start(client, archetypes=["mentoring"]))["id"]
    res = await client.post(
        f"/api/interviews/{iid}/answers", json=body, headers={"Accept": "application/json"}
    )
    assert res.status_code == status
    assert res.json()["error"]["code"] == code
    assert len((await client.get(f"/api/interviews/{iid}")).json()["turns"]) == 1


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("get", "/api/interviews/nope", None, 404),
        ("post", "/api/interviews/nope/answers", {"text": "hi"}, 404),
        ("post", "/api/interviews/nope/finish", None, 404),
        ("get", "/api/interviews/nope/debrief", None, 404),
        ("post", "/api/interviews", {"archetypes": ["nope"]}, 422),
        ("post", "/api/interviews", {"count": 9}, 422),
        ("post", "/api/interviews", {"model": "no-such-provider/x"}, 422),
        ("get", "/api/stories/nope", None, 404),
    ],
)
async def test_errors_are_json(
    client: httpx.AsyncClient, method: str, path: str, body: dict[str, Any] | None, status: int
) -> None:
    res = await client.request(method, path, json=body, headers={"Accept": "application/json"})
    assert res.status_code == status
    assert set(res.json()["error"]) == {"code", "message"}


async def test_whole_interview_to_debrief(client: httpx.AsyncClient) -> None:
    iid = (await start(client, archetypes=["killed_own_project", "quality_incident"]))["id"]
    asked: list[str] = []
    for _ in range(12):
        turn = (await answer_json(client, iid, WEAK)).json()
        asked.append(turn["text"])
        if turn["move"] == "wrap_up":
            break
    assert turn["move"] == "wrap_up"
    assert len(asked) == len(set(asked)), "the interviewer never asks the same question twice"
    interview = (await client.get(f"/api/interviews/{iid}")).json()
    assert interview["status"] == "finished"
    pushbacks = [t for t in interview["turns"] if t["move"] == "pushback"]
    assert len([t for t in pushbacks if t["archetype"] == "killed_own_project"]) == 2
    late = await answer_json(client, iid, WEAK)
    assert late.status_code == 409
    debrief = (await client.post(f"/api/interviews/{iid}/finish")).json()
    assert [a["archetype"] for a in debrief["archetypes"]] == ["killed_own_project", "quality_incident"]
    assert len(debrief["bullets"]) == 6 and len(debrief["top_fixes"]) == 3
    assert all(not p["closed"] for a in debrief["archetypes"] for p in a["pushbacks"])
    md = await client.get(f"/api/interviews/{iid}/debrief", params={"format": "md"})
    assert md.headers["content-type"].startswith("text/markdown") and "# Interview debrief" in md.text
    html = await client.get(f"/api/interviews/{iid}/debrief", params={"format": "html"})
    assert html.text.startswith("<!doctype html>") and "@media print" in html.text


async def test_story_bank_crud_audit_and_reuse(client: httpx.AsyncClient) -> None:
    story = {
        "title": "Atlas ranker migration",
        "archetype": "contested_decision",
        "project": "Atlas",
        "year": 2024,
        "text": "I led the Atlas ranker migration to the Helios feature store; I proposed dual writes and "
        "CTR went up 3%. The Atlas cutover pattern became our org's default for store migrations.",
    }
    res = await client.post("/api/stories", json=story)
    assert res.status_code == 201
    sid = res.json()["id"]
    assert res.json()["grade"]["archetype"] == "contested_decision"
    assert (await client.get(f"/api/stories/{sid}")).json()["title"] == "Atlas ranker migration"
    updated = await client.put(f"/api/stories/{sid}", json={**story, "title": "Atlas v2"})
    assert updated.json()["title"] == "Atlas v2"
    audit = (await client.get("/api/stories/audit")).json()
    assert audit["checks"]["one_story_per_archetype"] is False
    assert "mentoring" in audit["missing_archetypes"]
    # The same project told for another archetype in an interview: ask for a different story.
    iid = (await start(client, archetypes=["mentoring"]))["id"]
    retold = "On Atlas I mentored Priya through the Helios feature store cutover for the ranker migration."
    turn = (await answer_json(client, iid, retold)).json()
    assert turn["code"] == "ask_different_story"
    assert (await client.delete(f"/api/stories/{sid}")).status_code == 204
    assert (await client.get(f"/api/stories/{sid}")).status_code == 404


async def test_healthz_and_page(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    page = (await client.get("/")).text
    for testid in (
        "start-interview",
        "answer-input",
        "send-answer",
        "transcript",
        "finish-interview",
        "debrief",
    ):
        assert f'data-testid="{testid}"' in page


async def test_idempotency_key_reused_for_a_different_answer_is_refused(client: httpx.AsyncClient) -> None:
    iid = (await start(client, archetypes=["mentoring", "quality_incident"]))["id"]
    assert (await answer_json(client, iid, WEAK, **{"Idempotency-Key": "k1"})).status_code == 200
    res = await answer_json(client, iid, "Something else entirely.", **{"Idempotency-Key": "k1"})
    assert res.status_code == 422
    assert "Idempotency-Key" in res.json()["error"]["message"]
    assert len((await client.get(f"/api/interviews/{iid}")).json()["turns"]) == 3


def _refs(schema: dict[str, Any]) -> set[str]:
    if "$ref" in schema:
        return {schema["$ref"].rsplit("/", 1)[-1]}
    return _refs(schema["items"]) if schema.get("type") == "array" else set()


def test_openapi_states_every_response() -> None:
    """Every /api operation names its success model and the error body; none is a bare object."""
    spec = create_app(Settings()).openapi()
    expected = {
        ("post", "/api/interviews"): {"InterviewOut"},
        ("get", "/api/interviews"): {"InterviewSummary"},
        ("get", "/api/interviews/{interview_id}"): {"InterviewOut"},
        ("post", "/api/interviews/{interview_id}/answers"): {"TurnOut"},
        ("post", "/api/interviews/{interview_id}/finish"): {"Debrief"},
        ("get", "/api/interviews/{interview_id}/debrief"): {"Debrief"},
        ("get", "/api/stories"): {"StoryOut"},
        ("post", "/api/stories"): {"StoryOut"},
        ("get", "/api/stories/audit"): {"AuditOut"},
        ("get", "/api/stories/{story_id}"): {"StoryOut"},
        ("put", "/api/stories/{story_id}"): {"StoryOut"},
        ("delete", "/api/stories/{story_id}"): set(),
        ("post", "/api/drills"): {"DrillOut"},
        ("get", "/api/drills"): {"DrillSummary"},
        ("get", "/api/drills/{drill_id}"): {"DrillOut"},
        ("put", "/api/drills/{drill_id}/outlines/{archetype}"): {"DrillOut"},
        ("post", "/api/drills/{drill_id}/finish"): {"DrillReport"},
        ("get", "/api/progress"): {"Progress"},
    }
    found = {}
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if not path.startswith("/api"):
                continue
            ok = next(op["responses"][s] for s in ("200", "201", "204") if s in op["responses"])
            found[(method, path)] = _refs(ok.get("content", {}).get("application/json", {}).get("schema", {}))
            for status in ("404", "422"):
                schema = op["responses"][status]["content"]["application/json"]["schema"]
                assert _refs(schema) == {"ErrorOut"}, (method, path, status)
    assert found == expected
    turn = spec["components"]["schemas"]["TurnOut"]
    assert set(turn["required"]) == {"index", "role", "text", "move", "code", "archetype", "degraded"}


@pytest.mark.parametrize("accept", ["application/json", "text/event-stream"])
async def test_identical_retries_at_the_same_moment_both_get_the_reply(
    client: httpx.AsyncClient, accept: str
) -> None:
    for round_ in range(3):
        iid = (await start(client, archetypes=["killed_own_project"]))["id"]
        key = {"Idempotency-Key": f"same-{round_}", "Accept": accept}
        both = await asyncio.gather(
            *(
                client.post(f"/api/interviews/{iid}/answers", json={"text": WEAK}, headers=key)
                for _ in range(2)
            )
        )
        assert [r.status_code for r in both] == [200, 200], [r.text for r in both]
        turns = [r.json() if accept == "application/json" else parse_sse(r.text)[-1][1] for r in both]
        assert turns[0] == turns[1] and turns[0]["role"] == "interviewer"
        stored = (await client.get(f"/api/interviews/{iid}")).json()["turns"]
        assert [t["role"] for t in stored] == [
            "interviewer",
            "candidate",
            "interviewer",
        ]  # one answer, one reply


async def test_the_service_loads_what_reading_needs_before_the_first_answer(tmp_path: Path) -> None:
    # Loaded on the first interview that reaches a second archetype instead, it held up every request
    # in flight (bench/load.py's tail).
    from service.interview import tone
    from service.rubric import classifier
    from service.rubric.meaning import background

    for cached in (background, classifier.shipped, tone.reader):
        cached.cache_clear()
    app = create_app(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/warm.db"))
    async with app.router.lifespan_context(app):
        assert background.cache_info().currsize == 1
        assert classifier.shipped.cache_info().currsize == 4
        assert tone.reader.cache_info().currsize == 1
