"""The 25-minute drill (DESIGN.md Contract 4) through the HTTP API, on every configured database backend."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from service.api.app import create_app
from service.catalog import ARCHETYPE_IDS
from service.config import Settings
from tests.drill_texts import STAFF_INCIDENT, STAFF_KILL, STAFF_MENTOR, WEAK_PARTS

PARTS = ["situation", "tradeoff", "action", "result", "driver", "reflection"]
DIMENSIONS = [
    "coverage_discovery",
    "tradeoff_articulation",
    "reflection_specificity",
    "structural_change_driver",
]
DRILLED = ["killed_own_project", "quality_incident", "mentoring"]


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(database_url=database_url))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            yield c


async def drill(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    res = await client.post("/api/drills", json=body)
    assert res.status_code == 201, res.text
    return res.json()  # type: ignore[no-any-return]


async def put(client: httpx.AsyncClient, did: str, archetype: str, parts: dict[str, str]) -> httpx.Response:
    return await client.put(f"/api/drills/{did}/outlines/{archetype}", json={"parts": parts})


async def bank_story(client: httpx.AsyncClient, archetype: str, parts: dict[str, str], project: str) -> None:
    text = "\n\n".join(parts.values())
    body = {"title": f"{archetype} story", "archetype": archetype, "project": project, "text": text}
    assert (await client.post("/api/stories", json=body)).status_code == 201


async def test_a_new_drill_has_three_archetypes_and_an_eight_minute_box(client: httpx.AsyncClient) -> None:
    d = await drill(client)
    assert d["status"] == "active" and d["time_box_seconds"] == 480
    assert len(d["archetypes"]) == 3 and len(set(d["archetypes"])) == 3
    assert d["outlines"] == {} and d["report"] is None and d["started_at"]
    assert (await client.get(f"/api/drills/{d['id']}")).json() == d


async def test_it_picks_archetypes_the_bank_has_no_solid_story_for(client: httpx.AsyncClient) -> None:
    # Solid (Staff-level) stories, each banked under the archetype it answers (a story banked under
    # another archetype is off the topic and not solid): the drill must go elsewhere.
    for arch, parts, project in [
        ("killed_own_project", STAFF_KILL, "Helix"),
        ("quality_incident", STAFF_INCIDENT, "Quokka"),
        ("mentoring", STAFF_MENTOR, "Orchid"),
    ]:
        await bank_story(client, arch, parts, project)
    # A weak story does not count as solid: its archetype still needs drilling, after the empty ones.
    await bank_story(client, "contested_decision", WEAK_PARTS, "Misc")
    levels = {s["archetype"]: s["grade"]["level"] for s in (await client.get("/api/stories")).json()}
    assert all(
        levels[a] in ("strong", "staff") for a in ("killed_own_project", "quality_incident", "mentoring")
    )
    assert levels["contested_decision"] == "weak"
    d = await drill(client)
    assert d["archetypes"] == ["research_vs_shipping", "safety_escalation", "cost_negotiation"]


async def test_the_candidate_may_choose(client: httpx.AsyncClient) -> None:
    d = await drill(client, archetypes=DRILLED)
    assert d["archetypes"] == DRILLED
    later = await drill(client)
    rows = (await client.get("/api/drills")).json()
    assert [r["id"] for r in rows] == [later["id"], d["id"]]  # newest first
    assert rows[1] == {
        "id": d["id"],
        "status": "active",
        "archetypes": DRILLED,
        "started_at": d["started_at"],
        "levels": {},
        "gaps": [],
    }
    assert [r["id"] for r in (await client.get("/api/drills", params={"limit": 1})).json()] == [later["id"]]
    assert (await client.get("/api/drills", params={"limit": 0})).status_code == 422


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"archetypes": ["mentoring"]}, "invalid"),
        ({"archetypes": ["mentoring", "mentoring", "quality_incident"]}, "invalid"),
        ({"archetypes": ["nope", "mentoring", "quality_incident"]}, "invalid"),
        ({"archetypes": [*DRILLED, "ethical_pushback"]}, "invalid"),
        ({"count": 3}, "invalid"),
    ],
)
async def test_bad_drill_bodies_are_422(client: httpx.AsyncClient, body: dict[str, Any], code: str) -> None:
    res = await client.post("/api/drills", json=body)
    assert res.status_code == 422, res.text
    assert res.json()["error"]["code"] == code


async def test_outlines_save_partially_and_keep_their_clock(client: httpx.AsyncClient) -> None:
    d = await drill(client, archetypes=DRILLED)
    started = (await put(client, d["id"], "mentoring", {})).json()["outlines"]["mentoring"]
    assert started["parts"] == {} and started["started_at"]
    res = await put(client, d["id"], "mentoring", {"situation": "I mentored Priya.", "action": "I asked."})
    assert res.status_code == 200, res.text
    saved = res.json()["outlines"]["mentoring"]
    assert saved["parts"] == {"situation": "I mentored Priya.", "action": "I asked."}
    assert saved["started_at"] == started["started_at"]  # the 8 minutes run from the first save
    again = (await client.get(f"/api/drills/{d['id']}")).json()
    assert again["outlines"]["mentoring"]["parts"] == saved["parts"]


@pytest.mark.parametrize(
    ("archetype", "parts", "status"),
    [
        ("ethical_pushback", {"situation": "x"}, 422),  # not one of this drill's
        ("nope", {"situation": "x"}, 422),
        ("mentoring", {"situation": "   \u200b "}, 422),  # blank
        ("mentoring", {"situation": "a\x00b"}, 422),  # unstorable
        ("mentoring", {"situation": "x" * 5001}, 422),
        ("mentoring", {"story": "x"}, 422),  # not a STAR-DRIVE letter
    ],
)
async def test_bad_outlines_are_refused_and_lose_nothing(
    client: httpx.AsyncClient, archetype: str, parts: dict[str, str], status: int
) -> None:
    d = await drill(client, archetypes=DRILLED)
    kept = {"situation": "I mentored Priya on the Orchid pipeline."}
    assert (await put(client, d["id"], "mentoring", kept)).status_code == 200
    res = await put(client, d["id"], archetype, parts)
    assert res.status_code == status, res.text
    assert set(res.json()["error"]) == {"code", "message"}
    assert (await client.get(f"/api/drills/{d['id']}")).json()["outlines"]["mentoring"]["parts"] == kept


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/drills/nope"),
        ("put", "/api/drills/nope/outlines/mentoring"),
        ("post", "/api/drills/nope/finish"),
    ],
)
async def test_unknown_drills_are_404(client: httpx.AsyncClient, method: str, path: str) -> None:
    res = await client.request(method, path, json={"parts": {}} if method == "put" else None)
    assert res.status_code == 404
    assert res.json()["error"]["code"] == "not_found"


async def test_finish_grades_each_outline_and_the_self_assessment(client: httpx.AsyncClient) -> None:
    d = await drill(client, archetypes=DRILLED)
    for arch, parts in zip(DRILLED, [STAFF_KILL, STAFF_INCIDENT, STAFF_MENTOR], strict=True):
        assert (await put(client, d["id"], arch, parts)).status_code == 200
    others = [a for a in ARCHETYPE_IDS if a not in DRILLED]
    res = await client.post(f"/api/drills/{d['id']}/finish", json={"gaps": others})
    assert res.status_code == 200, res.text
    report = res.json()
    assert list(report["outlines"]) == DRILLED
    for arch, parts in zip(DRILLED, [STAFF_KILL, STAFF_INCIDENT, STAFF_MENTOR], strict=True):
        outline = report["outlines"][arch]
        assert outline["written"] == PARTS and outline["material"] is True
        assert outline["text"] == "\n\n".join(parts[p] for p in PARTS)
        grade = outline["grade"]
        assert grade["archetype"] == arch and set(grade["parts"]) == set(PARTS)
        for part in grade["parts"].values():
            for e in part["evidence"]:
                assert outline["text"][e["start"] : e["end"]] == e["quote"]  # Contract 2
    assert set(report["self_assessment"]) == set(DIMENSIONS)
    for dim in report["self_assessment"].values():
        assert dim["level"] in ("weak", "passing", "strong", "staff") and dim["reason"]
    assert report["same_project"] == []
    assert report["gaps"] == others  # nothing in the bank: every other archetype still lacks material
    assert report["self_assessment"]["coverage_discovery"]["level"] == "staff"
    (row,) = (await client.get("/api/drills")).json()
    assert row["id"] == d["id"] and row["status"] == "finished" and row["gaps"] == others
    assert row["levels"] == {a: o["grade"]["level"] for a, o in report["outlines"].items()}
    # Finished: the report is kept, finishing again returns it, and outlines no longer change.
    assert (await client.post(f"/api/drills/{d['id']}/finish")).json() == report
    assert (await client.get(f"/api/drills/{d['id']}")).json()["report"] == report
    late = await put(client, d["id"], "mentoring", {"situation": "late"})
    assert late.status_code == 409


async def test_one_project_told_three_ways_is_weak_coverage(client: httpx.AsyncClient) -> None:
    d = await drill(client, archetypes=DRILLED)
    for arch in DRILLED:
        assert (await put(client, d["id"], arch, STAFF_KILL)).status_code == 200
    report = (await client.post(f"/api/drills/{d['id']}/finish")).json()
    assert sorted(map(sorted, report["same_project"])) == sorted(
        sorted(p) for p in [DRILLED[:2], [DRILLED[0], DRILLED[2]], DRILLED[1:]]
    )
    assert report["self_assessment"]["coverage_discovery"]["level"] == "weak"


async def test_an_empty_outline_is_a_gap_not_an_error(client: httpx.AsyncClient) -> None:
    d = await drill(client, archetypes=DRILLED)
    await put(client, d["id"], "killed_own_project", STAFF_KILL)
    await put(client, d["id"], "quality_incident", WEAK_PARTS)
    report = (await client.post(f"/api/drills/{d['id']}/finish")).json()
    assert report["outlines"]["mentoring"]["grade"] is None
    assert report["outlines"]["mentoring"]["material"] is False
    assert "mentoring" in report["gaps"] and "killed_own_project" not in report["gaps"]
    coverage = report["self_assessment"]["coverage_discovery"]
    assert coverage["level"] == "passing" and "Mentoring through ambiguity" in coverage["reason"]
    # The weak outline holds back every dimension it is judged on.
    assert report["self_assessment"]["tradeoff_articulation"]["level"] == "weak"
    assert "Quality regression incident" in report["self_assessment"]["tradeoff_articulation"]["reason"]


async def test_a_drill_outline_saves_to_the_bank(client: httpx.AsyncClient) -> None:
    d = await drill(client, archetypes=DRILLED)
    await put(client, d["id"], "mentoring", STAFF_MENTOR)
    report = (await client.post(f"/api/drills/{d['id']}/finish")).json()
    outline = report["outlines"]["mentoring"]
    body = {
        "title": "Priya's first migration",
        "archetype": "mentoring",
        "project": "Orchid",
        "text": outline["text"],
    }
    story = (await client.post("/api/stories", json=body)).json()
    assert story["grade"]["level"] == outline["grade"]["level"]
    # Next drill: mentoring has a solid story now, so it is not picked again.
    assert "mentoring" not in (await drill(client))["archetypes"]


async def test_drills_and_progress_belong_to_their_user(database_url: str) -> None:
    from tests.test_auth import add_user, serve_app

    async with serve_app(database_url, auth="tokens", max_interviews_per_user=1) as (app, client):
        _, alice = await add_user(app, "alice")
        _, bob = await add_user(app, "bob")
        res = await client.post("/api/drills", json={"archetypes": DRILLED}, headers=alice)
        assert res.status_code == 201
        did = res.json()["id"]
        await client.put(f"/api/drills/{did}/outlines/mentoring", json={"parts": STAFF_MENTOR}, headers=alice)
        assert (await client.post(f"/api/drills/{did}/finish", headers=alice)).status_code == 200
        for method, path in [
            ("get", f"/api/drills/{did}"),
            ("put", f"/api/drills/{did}/outlines/mentoring"),
            ("post", f"/api/drills/{did}/finish"),
        ]:
            body = {"parts": {}} if method == "put" else None
            assert (await client.request(method, path, json=body, headers=bob)).status_code == 404
        assert (await client.get("/api/progress", headers=alice)).json()["archetypes"]
        assert (await client.get("/api/progress", headers=bob)).json()["archetypes"] == {}
        # The quota: one drill each here.
        again = await client.post("/api/drills", json={}, headers=alice)
        assert again.status_code == 403 and again.json()["error"]["code"] == "quota_exceeded"
        assert (await client.post("/api/drills", json={}, headers=bob)).status_code == 201
