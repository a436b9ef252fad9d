"""Item 7 of issue 12: moving on reads differently after a closed gap, after a dodge, after an answer that
needed no follow-up, and after a story whose call was someone else's; the wrap-up never tells the
candidate to finish an interview that its reply has already finished."""

from __future__ import annotations

import itertools
import re
from collections.abc import AsyncIterator

import httpx
import pytest

from service.api.app import create_app
from service.catalog import get_catalog
from service.config import REPO_ROOT, Settings
from service.evals.personas import STORIES, _join
from service.interview.checks import failure
from service.interview.phrasing import load_phrasing, phrase
from service.interview.planner import After, Move, Turn, next_move
from service.interview.prompting import interviewer_messages
from tests.test_planner_dodge import CLOSES, DODGES, WE_STORY

PHRASING = load_phrasing(REPO_ROOT / "prompts")
AFTERS: list[After] = ["closed", "dodged", "strong", "not_their_call"]
_S = STORIES["killed_own_project"]
# Its number sourced, so the only gap is the first person (the one the conversations close or dodge).
WE_SOURCED = WE_STORY + " That 40% is read off the scheduler's failure dashboard."
COMPLETE = _join(_S.situation, _S.tradeoff, _S.action, _S.result, _S.source, _S.driver, _S.reflection)


def _turns(archetype: str, *answers: str, codes: tuple[str, ...] = ()) -> list[Turn]:
    turns = [Turn(0, "interviewer", "probe", "probe", None, archetype)]
    for n, text in enumerate(answers):
        turns.append(Turn(len(turns), "candidate", text, None, None, archetype))
        if n < len(codes):
            turns.append(Turn(len(turns), "interviewer", f"q{n}", "pushback", codes[n], archetype))
    return turns


def _say(move: Move, interview_id: str = "t", turn_index: int = 4) -> str:
    return phrase(
        move, interview_id=interview_id, turn_index=turn_index, catalog=get_catalog(), phrasing=PHRASING
    )


# (transcript, archetypes, how the topic ended)
CONVERSATIONS = [
    (
        _turns("mentoring", WE_SOURCED, CLOSES, codes=("ask_first_person",)),
        ["mentoring", "quality_incident"],
        "closed",
    ),
    (
        _turns("mentoring", WE_SOURCED, DODGES[0], DODGES[1], codes=("ask_first_person", "ask_first_person")),
        ["mentoring", "quality_incident"],
        "dodged",
    ),
    (_turns("killed_own_project", COMPLETE), ["killed_own_project", "mentoring"], "strong"),
]


@pytest.mark.parametrize(("turns", "archetypes", "after"), CONVERSATIONS)
@pytest.mark.parametrize("last", [False, True])
def test_the_move_on_opens_with_words_for_how_the_topic_ended(
    turns: list[Turn], archetypes: list[str], after: After, last: bool
) -> None:
    move = next_move(archetypes[:1] if last else archetypes, turns, max_pushbacks=3)
    assert move.after == after and move.kind == ("wrap_up" if last else "probe")
    text = _say(move)
    mine = [lead for lead in PHRASING.after[after] if text.startswith(lead)]
    theirs = [lead for a in AFTERS if a != after for lead in PHRASING.after[a] if text.startswith(lead)]
    assert mine and not theirs, text
    assert failure(text, final=True) is None


@pytest.mark.parametrize(("one", "other"), list(itertools.combinations(AFTERS, 2)))
@pytest.mark.parametrize("kind", ["probe", "wrap_up"])
@pytest.mark.parametrize("interview_id", ["a", "b", "c"])
def test_each_ending_reads_differently(one: After, other: After, kind: str, interview_id: str) -> None:
    archetype = "mentoring" if kind == "probe" else None
    a = _say(Move(kind, archetype, after=one), interview_id)  # type: ignore[arg-type]
    b = _say(Move(kind, archetype, after=other), interview_id)  # type: ignore[arg-type]
    assert a != b
    assert not set(PHRASING.after[one]) & set(PHRASING.after[other])


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(database_url=database_url))
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test") as c,
    ):
        yield c


FINISH = re.compile(r"\bfinish", re.IGNORECASE)


@pytest.mark.parametrize("after", [*AFTERS, None])
@pytest.mark.parametrize("interview_id", ["a", "b", "c", "d", "e", "f"])
def test_the_wrap_up_never_asks_to_finish_what_is_already_finished(
    after: After | None, interview_id: str
) -> None:
    text = _say(Move("wrap_up", None, after=after), interview_id)
    assert not FINISH.search(text), text
    assert "?" not in text and failure(text, final=True) is None


@pytest.mark.parametrize("after", AFTERS)
def test_the_model_is_told_how_the_last_topic_ended(after: After) -> None:
    move = Move("probe", "mentoring", after=after)
    system = interviewer_messages(move, [], catalog=get_catalog(), prompts_dir=REPO_ROOT / "prompts")[
        0
    ].content
    others = [
        interviewer_messages(
            Move("probe", "mentoring", after=a), [], catalog=get_catalog(), prompts_dir=REPO_ROOT / "prompts"
        )[0].content
        for a in AFTERS
        if a != after
    ]
    assert all(system != o for o in others)
    if after == "not_their_call":
        assert re.search(r"your own|was yours|their own", system)


async def test_through_the_api_the_wrap_up_comes_with_the_interview_finished(
    client: httpx.AsyncClient,
) -> None:
    res = await client.post("/api/interviews", json={"archetypes": ["killed_own_project"]})
    iid = res.json()["id"]
    turn = (
        await client.post(
            f"/api/interviews/{iid}/answers", json={"text": COMPLETE}, headers={"Accept": "application/json"}
        )
    ).json()
    assert turn["move"] == "wrap_up"
    assert not FINISH.search(turn["text"]) and any(
        turn["text"].startswith(x) for x in PHRASING.after["strong"]
    )
    interview = (await client.get(f"/api/interviews/{iid}")).json()
    assert interview["status"] == "finished"
