"""Issue 12 item 6: the same project told again for another archetype, in other words, is caught
(`ask_different_story`), in the interview and in the bank audit; different projects sharing a domain's
vocabulary are not. The texts here are this file's own (none from evals/reuse)."""

from __future__ import annotations

from types import SimpleNamespace

import httpx
import pytest

from service.catalog import get_catalog
from service.interview.planner import Turn, next_move
from service.report.audit import audit
from service.rubric import project_fingerprint
from service.rubric.fingerprint import same_project
from tests import test_api
from tests.test_api import answer_json, start

client = test_api.client  # the API fixture (SQLite, and Postgres when configured)

KILN = (
    "I championed the kiln-scheduling optimizer for our ceramics plant: a solver that would plan firing "
    "batches for the twelve gas kilns to cut fuel use. After five months it saved under 2 percent of gas "
    "because the glaze curing constraints were wrong in the model, so I stopped it myself at the plant "
    "review and moved the two engineers to sensor calibration on the kilns."
)
KILN_RETOLD = (
    "The pushback I remember most was on planning the firing batches of the ceramics factory's gas kilns "
    "with an optimization solver instead of the shift supervisors' spreadsheets. The supervisors feared "
    "the solver would ignore glaze curing times. I proposed running the solver's kiln plans in shadow for "
    "a month next to the spreadsheets and committed to dropping it if fuel per batch did not fall."
)
TIDE = (
    "I mentored an engineer who owned the tide-gauge anomaly detector for the harbor authority. The gauges "
    "reported spikes whenever a ship moored nearby, and she kept tuning thresholds by hand. I asked her to "
    "label a month of spikes against the mooring log; she built a filter on the mooring schedule and false "
    "tide alarms at the harbor fell by two thirds."
)
TIDE_RETOLD = (
    "For the harbor authority's tide gauges, the research group wanted a year of data to model ship wakes, "
    "and the port captains wanted fewer false tide alarms before the storm season. I shipped a filter "
    "that suppresses gauge spikes when the mooring log shows a ship alongside, and let the wake model wait."
)
FEED_RANKING = (
    "At Corvid I pushed for a new home feed ranking model that weighted saves over clicks. The growth team "
    "wanted clicks. I ran a four-week A/B test on 5 percent of users; saves rose 11 percent and weekly "
    "retention held, so the ranking model shipped to everyone."
)
SEARCH_RANKING = (
    "At Corvid I owned an incident in search: a synonym file deployed with a typo made queries for shoes "
    "return socks for an afternoon. I rolled the file back, and then added a check that replays the top "
    "thousand queries against every synonym change before it deploys."
)
PAGER = (
    "I mentored a new on-call engineer on our payments API who was drowning in pages at night. I asked him "
    "to sort a month of pages by cause; half came from one flaky health check, which he rewrote."
)
PAGER_OTHER = (
    "On the payments API I owned the outage when a certificate expired and card authorizations failed for "
    "forty minutes. I renewed it, then added expiry monitoring that opens a ticket thirty days ahead."
)

# One thin template, two codenames: alike in wording, nothing of either project in common.
THIN = (
    "Our group hit a snag with {} and we muddled through it together. It turned out okay. We pulled together."
)


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        (KILN, KILN_RETOLD, True),  # kiln-scheduling optimizer / solver for firing batches
        (TIDE, TIDE_RETOLD, True),  # anomaly detector / mooring filter for the harbor's tide gauges
        (FEED_RANKING, SEARCH_RANKING, False),  # two ranking stories at one company
        (PAGER, PAGER_OTHER, False),  # two on-call stories on one API
        (KILN, TIDE, False),
        (KILN, "", False),
        (THIN.format("Orchard"), THIN.format("Juniper"), False),
    ],
)
def test_same_project_by_meaning(first: str, second: str, same: bool) -> None:
    a, b = project_fingerprint(first), project_fingerprint(second)
    assert same_project(a, b) is same
    assert same_project(b, a) is same


def _interview(first: str, second: str) -> list[Turn]:
    return [
        Turn(0, "interviewer", "Tell me about a project you killed.", "probe", None, "killed_own_project"),
        Turn(1, "candidate", first, None, None, "killed_own_project"),
        Turn(
            2,
            "interviewer",
            "Tell me about a decision you got pushback on.",
            "probe",
            None,
            "contested_decision",
        ),
        Turn(3, "candidate", second, None, None, "contested_decision"),
    ]


@pytest.mark.parametrize(
    ("first", "second", "asked"),
    [(KILN, KILN_RETOLD, True), (FEED_RANKING, SEARCH_RANKING, False), (TIDE, KILN_RETOLD, False)],
)
def test_the_interview_asks_for_a_different_story(first: str, second: str, asked: bool) -> None:
    archs = ["killed_own_project", "contested_decision", "mentoring"]
    move = next_move(archs, _interview(first, second), max_pushbacks=2)
    # For reuse, that is: a story about something else is asked for again too (tests/test_topic.py).
    s = move.grade.signals if move.grade is not None else None
    off_topic = s is not None and s.held is not None
    assert (move.kind == "pushback" and move.code == "ask_different_story" and not off_topic) is asked


@pytest.mark.parametrize(
    ("bank", "interview_answer", "asked"),
    [
        ([("killed_own_project", KILN)], KILN_RETOLD, True),
        ([("quality_incident", SEARCH_RANKING)], FEED_RANKING, False),
    ],
)
def test_the_bank_counts_as_told(bank: list[tuple[str, str]], interview_answer: str, asked: bool) -> None:
    turns = [
        Turn(
            0,
            "interviewer",
            "Tell me about a decision you got pushback on.",
            "probe",
            None,
            "contested_decision",
        ),
        Turn(1, "candidate", interview_answer, None, None, "contested_decision"),
    ]
    move = next_move(["contested_decision", "mentoring"], turns, bank=bank)
    assert (move.code == "ask_different_story") is asked


def _story(sid: str, archetype: str, text: str, project: str) -> SimpleNamespace:
    return SimpleNamespace(
        id=sid, title=sid, archetype=archetype, project=project, year=None, text=text, grade=None
    )


@pytest.mark.parametrize(
    ("stories", "expected"),
    [
        (
            [
                _story("s1", "killed_own_project", KILN, "kilns"),
                _story("s2", "contested_decision", KILN_RETOLD, "solver"),
            ],
            [
                {
                    "stories": ["s1", "s2"],
                    "archetypes": ["killed_own_project", "contested_decision"],
                    "titles": ["s1", "s2"],
                }
            ],
        ),
        (
            [
                _story("s1", "contested_decision", FEED_RANKING, "feed"),
                _story("s2", "quality_incident", SEARCH_RANKING, "search"),
            ],
            [],
        ),
        ([_story("s1", "mentoring", TIDE, "tides"), _story("s2", "mentoring", TIDE_RETOLD, "tides")], []),
    ],
)
def test_the_audit_lists_projects_reused(stories: list[SimpleNamespace], expected: list[dict]) -> None:
    assert audit(stories, get_catalog())["projects_reused"] == expected


async def test_the_audit_endpoint_and_the_interview_show_it(client: httpx.AsyncClient) -> None:
    for archetype, text in (("killed_own_project", KILN), ("mentoring", TIDE)):
        story = {"title": archetype, "archetype": archetype, "project": archetype, "year": 2025, "text": text}
        assert (await client.post("/api/stories", json={**story, "archetype": archetype})).status_code == 201
    retold = {
        "title": "solver",
        "archetype": "contested_decision",
        "project": "solver",
        "year": 2025,
        "text": KILN_RETOLD,
    }
    assert (await client.post("/api/stories", json=retold)).status_code == 201
    reused = (await client.get("/api/stories/audit")).json()["projects_reused"]
    assert [sorted(p["archetypes"]) for p in reused] == [["contested_decision", "killed_own_project"]]
    iid = (await start(client, archetypes=["contested_decision"]))["id"]
    turn = (await answer_json(client, iid, KILN_RETOLD)).json()
    assert turn["code"] == "ask_different_story"


@pytest.mark.parametrize(
    ("first", "second", "reused"),
    [(KILN, KILN_RETOLD, [["killed_own_project", "contested_decision"]]), (FEED_RANKING, SEARCH_RANKING, [])],
)
def test_the_debrief_shows_projects_reused(first: str, second: str, reused: list[list[str]]) -> None:
    from service.report.debrief import build_debrief

    debrief = build_debrief(
        interview_id="i1",
        model="builtin",
        archetypes=["killed_own_project", "contested_decision"],
        turns=_interview(first, second),
        catalog=get_catalog(),
    )
    assert debrief.projects_reused == reused
    one_project = next(b.id for b in get_catalog().rubric.scoring_bullets if b.part is None)
    bullet = next(b for b in debrief.bullets if b.id == one_project)
    assert bullet.missing_in == sorted({a for pair in reused for a in pair})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We moved Quasar to the new cluster.", {"quasar"}),  # a codename inside a sentence
        ("Quasar moved. The GPU budget doubled.", set()),  # an opening word, an acronym
        ("- Shipped it.\n- Then wrote it up.", set()),  # bullets open sentences too
        ("At Kestrel I led the Kubernetes-based rollout.", {"kubernet"}),  # the employer left out
    ],
)
def test_names_are_codenames_not_opening_words(text: str, expected: set[str]) -> None:
    from service.rubric.meaning import background, names

    assert names(text, background()) == expected
