"""`GET /api/interviews` (Contract 3, additions): the caller's interviews, newest first, paginated, with the
first-answer and final level per archetype."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from service.api.app import create_app
from service.config import Settings
from tests.test_api import WEAK, answer_json, start

STRONG = (
    "The trade-off was shipping in March against a 12% hallucination rate. I made the kill call myself, "
    "and our eval cost dropped 40% the next quarter, measured on the billing dashboard. The review gate I "
    "wrote is still used by four teams. Next time I'd set the kill criteria before the first sprint."
)


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(database_url=database_url))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            yield c


async def test_empty_history_is_an_empty_list(client: httpx.AsyncClient) -> None:
    res = await client.get("/api/interviews")
    assert res.status_code == 200
    assert res.json() == []


async def test_newest_first_and_pages_follow_the_cursor(client: httpx.AsyncClient) -> None:
    ids = [(await start(client, archetypes=["mentoring"]))["id"] for _ in range(5)]
    everything = (await client.get("/api/interviews")).json()
    assert [row["id"] for row in everything] == ids[::-1]
    first = (await client.get("/api/interviews", params={"limit": 2})).json()
    second = (await client.get("/api/interviews", params={"limit": 2, "before": first[-1]["id"]})).json()
    third = (await client.get("/api/interviews", params={"limit": 2, "before": second[-1]["id"]})).json()
    assert [r["id"] for r in first + second + third] == ids[::-1]
    assert len(third) == 1


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"limit": 0}, 422, "invalid"),
        ({"limit": 101}, 422, "invalid"),
        ({"before": "no-such-interview"}, 404, "not_found"),
    ],
)
async def test_bad_queries(
    client: httpx.AsyncClient, params: dict[str, object], status: int, code: str
) -> None:
    res = await client.get("/api/interviews", params=params)
    assert res.status_code == status, res.text
    assert res.json()["error"]["code"] == code


async def test_levels_first_and_final_per_archetype(client: httpx.AsyncClient) -> None:
    interview = await start(client, archetypes=["killed_own_project"])
    row = (await client.get("/api/interviews")).json()[0]
    assert row["levels"] == {}  # nothing answered yet
    assert row["status"] == "active" and row["archetypes"] == ["killed_own_project"]
    assert (await answer_json(client, interview["id"], WEAK)).status_code == 200
    assert (await answer_json(client, interview["id"], STRONG)).status_code == 200
    active = (await client.get("/api/interviews")).json()[0]["levels"]["killed_own_project"]
    assert active["first"] == "weak"
    debrief = (await client.post(f"/api/interviews/{interview['id']}/finish")).json()
    finished = (await client.get("/api/interviews")).json()[0]
    assert finished["status"] == "finished"
    (arch,) = debrief["archetypes"]
    # The list says what the debrief says.
    assert finished["levels"]["killed_own_project"] == {
        "first": arch["first_level"],
        "final": arch["grade"]["level"],
    }
    assert arch["first_level"] == "weak" and arch["grade"]["level"] != "weak"
