"""Item 4 of issue 12: a pushback picks up the candidate's own words, in the builtin phrasing and in the
model's prompt."""

from __future__ import annotations

import re

import pytest

from service.catalog import get_catalog
from service.config import REPO_ROOT
from service.interview.phrasing import load_phrasing, phrase, quote_for
from service.interview.planner import Move, Turn, next_move
from service.interview.prompting import interviewer_messages

KILLED = (
    "I championed an on-device ranking model for our photo search for two quarters, with five engineers on "
    "it. The trade-off was the sunk cost of the work against moving the team to the cloud ranker. My "
    "director made the call to shut it down after the quarterly review. We moved the five engineers to the "
    "cloud ranker. Search latency dropped 30% by the end of the next quarter. The shutdown checklist is now "
    "part of every research proposal in the org. Looking back, I'd have set a kill checkpoint at month two."
)
THIN = (
    "I was the lead on the annotation tooling for our speech team, twelve people, with a launch in six "
    "weeks. The trade-off was labeling speed against label quality. We rebuilt the review queue together "
    "and we decided as a group to add a second pass. The launch went really well and the customers were "
    "happy. Afterwards the second-pass review became our standard for new datasets. Next time I'd "
    "communicate more."
)


def _move(archetype: str, answer: str, code: str) -> tuple[Move, list[Turn]]:
    turns = [
        Turn(0, "interviewer", "probe", "probe", None, archetype),
        Turn(1, "candidate", answer, None, None, archetype),
    ]
    graded = next_move([archetype], turns)
    return Move("pushback", archetype, code, grade=graded.grade, number=graded.number), turns


# (archetype, answer, code, words of the answer the question must carry, words it must not)
CASES = [
    ("killed_own_project", KILLED, "ask_own_call", "director made the call", None),
    ("killed_own_project", KILLED, "ask_first_person", "We moved the five engineers", None),
    ("killed_own_project", KILLED, "ask_number_source", "30%", None),
    ("quality_incident", THIN, "ask_first_person", "we decided as a group", None),
    ("quality_incident", THIN, "ask_number", "The launch went really well", None),
    ("quality_incident", THIN, "ask_reflection", "I'd communicate more", None),
    ("quality_incident", THIN, "ask_tradeoff", "labeling speed against label quality", None),
    ("quality_incident", THIN, "ask_structural_fix", "We rebuilt the review queue", None),
]


@pytest.mark.parametrize(("archetype", "answer", "code", "words", "_unused"), CASES)
@pytest.mark.parametrize("turn_index", [2, 3, 7])
def test_the_builtin_question_carries_the_candidate_words(
    archetype: str, answer: str, code: str, words: str, _unused: None, turn_index: int
) -> None:
    move, _ = _move(archetype, answer, code)
    text = phrase(
        move,
        interview_id="p",
        turn_index=turn_index,
        catalog=get_catalog(),
        phrasing=load_phrasing(REPO_ROOT / "prompts"),
        last_answer=answer,
    )
    assert words.lower() in text.lower(), text
    assert text.count("?") == 1


@pytest.mark.parametrize(("archetype", "answer", "code", "words", "_unused"), CASES)
def test_the_quote_is_verbatim_and_short(
    archetype: str, answer: str, code: str, words: str, _unused: None
) -> None:
    move, _ = _move(archetype, answer, code)
    quote = quote_for(move, answer)
    assert quote is not None and quote in answer
    assert 2 <= len(quote.split()) <= 12


@pytest.mark.parametrize(("archetype", "answer", "code", "words", "_unused"), CASES)
def test_the_model_is_told_to_pick_up_the_same_words(
    archetype: str, answer: str, code: str, words: str, _unused: None
) -> None:
    move, turns = _move(archetype, answer, code)
    quote = quote_for(move, answer)
    messages = interviewer_messages(
        move, turns, catalog=get_catalog(), prompts_dir=REPO_ROOT / "prompts", quote=quote
    )
    system = messages[0].content
    assert quote is not None and quote in system
    assert re.search(r"pick up|refer to", system, re.IGNORECASE)


def test_the_own_call_quote_names_someone_else_deciding() -> None:
    move, _ = _move("killed_own_project", KILLED, "ask_own_call")
    quote = quote_for(move, KILLED)
    assert quote is not None and not quote.lower().startswith(("i ", "we "))
