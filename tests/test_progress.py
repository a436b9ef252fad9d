"""Progress over time (`GET /api/progress`) and the debrief's `since_last`, through the HTTP API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from service.api.app import create_app
from service.config import Settings
from tests.drill_texts import STAFF_KILL
from tests.test_api import WEAK, answer_json, start
from tests.test_history import STRONG

PARTS = ["situation", "tradeoff", "action", "result", "driver", "reflection"]


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(database_url=database_url))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            yield c


async def interview(client: httpx.AsyncClient, *answers: str) -> tuple[str, dict[str, Any]]:
    iid = (await start(client, archetypes=["killed_own_project"]))["id"]
    for text in answers:
        assert (await answer_json(client, iid, text)).status_code == 200
    res = await client.post(f"/api/interviews/{iid}/finish")
    assert res.status_code == 200, res.text
    return iid, res.json()


async def test_no_history_is_empty_progress(client: httpx.AsyncClient) -> None:
    res = await client.get("/api/progress")
    assert res.status_code == 200
    assert res.json() == {"parts": {p: [] for p in PARTS}, "archetypes": {}}


async def test_progress_over_interviews_and_drills_oldest_first(client: httpx.AsyncClient) -> None:
    first_id, first = await interview(client, WEAK, STRONG)
    await start(client, archetypes=["mentoring"])  # unfinished: not progress yet
    second_id, second = await interview(client, STRONG)
    drill = (
        await client.post(
            "/api/drills", json={"archetypes": ["killed_own_project", "mentoring", "quality_incident"]}
        )
    ).json()
    await client.put(f"/api/drills/{drill['id']}/outlines/killed_own_project", json={"parts": STAFF_KILL})
    report = (await client.post(f"/api/drills/{drill['id']}/finish")).json()

    progress = (await client.get("/api/progress")).json()
    assert set(progress["parts"]) == set(PARTS)
    for part in PARTS:
        points = progress["parts"][part]
        assert [(p["interview_id"], p["drill_id"]) for p in points] == [
            (first_id, None),
            (second_id, None),
            (None, drill["id"]),
        ]
        assert [p["archetype"] for p in points] == ["killed_own_project"] * 3
        # The first interview: the first answer alone, then the debrief's grade after the follow-up.
        assert points[0]["final"] == first["archetypes"][0]["grade"]["parts"][part]["verdict"]
        assert points[1]["final"] == second["archetypes"][0]["grade"]["parts"][part]["verdict"]
        assert points[2]["first"] == points[2]["final"]  # a drill has no follow-ups
        assert (
            points[2]["final"] == report["outlines"]["killed_own_project"]["grade"]["parts"][part]["verdict"]
        )
    assert progress["parts"]["reflection"][0]["first"] == "missing"  # WEAK reflects on nothing
    assert progress["parts"]["reflection"][0]["final"] == "met"  # the follow-up did
    levels = progress["archetypes"]["killed_own_project"]
    assert [p["level"] for p in levels] == [
        first["archetypes"][0]["grade"]["level"],
        second["archetypes"][0]["grade"]["level"],
        report["outlines"]["killed_own_project"]["grade"]["level"],
    ]
    assert levels[0]["first"] == first["archetypes"][0]["first_level"] == "weak"
    assert set(progress["archetypes"]) == {"killed_own_project"}  # empty drill outlines are no points


async def test_the_debrief_says_what_improved_since_last_time(client: httpx.AsyncClient) -> None:
    first_id, first = await interview(client, WEAK)
    assert first["since_last"] is None  # nothing to compare with
    second_id, second = await interview(client, STRONG)
    since = second["since_last"]
    assert since["interview_id"] == first_id
    improved = {c["part"] for c in since["improved"]}
    assert {"action", "result", "reflection"} <= improved
    change = next(c for c in since["improved"] if c["part"] == "reflection")
    assert (change["before_met"], change["now_met"], change["now_of"]) == (0, 1, 1)
    assert "Reflection met in 1 of 1, up from 0 of 1" in since["summary"]
    assert since["levels"]["killed_own_project"] == {
        "before": first["archetypes"][0]["grade"]["level"],
        "now": second["archetypes"][0]["grade"]["level"],
    }
    # Read again (cached debrief), it says the same; the earlier interview still compares with nothing.
    again = (await client.get(f"/api/interviews/{second_id}/debrief")).json()
    assert again["since_last"] == since
    md = (await client.get(f"/api/interviews/{second_id}/debrief", params={"format": "md"})).text
    assert "**Since last time:** Since your last interview: " in md
    page = (await client.get(f"/api/interviews/{second_id}/debrief", params={"format": "html"})).text
    assert "<strong>Since last time:</strong> Since your last interview: " in page
    assert (await client.get(f"/api/interviews/{first_id}/debrief")).json()["since_last"] is None
    # A weaker third: the slip is named.
    _, third = await interview(client, WEAK)
    assert third["since_last"]["interview_id"] == second_id
    assert "reflection" in {c["part"] for c in third["since_last"]["slipped"]}
    assert "Slipped:" in third["since_last"]["summary"]
