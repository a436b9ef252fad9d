"""Issue 11's golden-set target: an answer that does not answer the question asked never passes.

A strong story about something else is held at partial part by part (`signals.off_topic` names what it
reads as); a view with no told event (a hypothetical, a philosophy) is too (`signals.no_example`); the
same story asked for its own archetype, and a follow-up read on its own, are graded as before. The
texts are this file's own (none from evals/)."""

from __future__ import annotations

import pytest

from service.rubric import analyze
from service.rubric.grammar import hypothetical

# A well-told cost negotiation: every part there, and nothing of a mentee in it.
COST = (
    "Our product lead wanted the summarisation feature on the large model for every customer tier, which "
    "would have tripled our monthly inference bill to about $90k. The trade-off was quality on long "
    "contracts against a budget finance had already capped. I ran a blind comparison on 400 real "
    "contracts and showed that the small model matched the large one on 85 percent of them. I proposed "
    "routing only contracts over 30 pages to the large model, and I agreed with the lead to accept a "
    "one-point drop in the reviewer score in exchange for half the cost. The bill landed at $41k a month, "
    "measured on the finance dashboard, and the reviewer score fell by 0.6 points. Since then every new "
    "model feature ships with a cost-per-request budget in its design doc. Next time I would agree the "
    "exchange rate between quality points and dollars before the first meeting, not after the third."
)
HYPOTHETICAL = (
    "The trade-off in coaching is speed against growth: handing over the fix is quicker, letting them "
    "find it builds the engineer. I would start by asking what they have already tried, then I'd help "
    "them split the problem into pieces they can test. I would check in twice a week without taking over. "
    "I'd make sure their manager hears who solved it. That is how I would approach anyone I coach."
)


@pytest.mark.parametrize(
    ("answer", "asked", "off_topic", "no_example", "passing"),
    [
        (COST, "mentoring", "cost_negotiation", False, False),  # a good story, the wrong question
        (COST, "cost_negotiation", None, False, True),  # the same story, asked for its own archetype
        (HYPOTHETICAL, "mentoring", None, True, False),  # what they would do: no example told
    ],
)
def test_an_answer_to_another_question_never_passes(
    answer: str, asked: str, off_topic: str | None, no_example: bool, passing: bool
) -> None:
    grade = analyze(answer, asked)
    assert grade.signals.off_topic == off_topic
    assert grade.signals.no_example is no_example
    assert (grade.level != "weak") is passing
    if off_topic or no_example:
        assert all(p.verdict != "met" for p in grade.parts.values())
        held = [p for p in grade.parts.values() if p.verdict == "partial" and p.evidence]
        assert held and all(("reads as" in p.note) or ("No example" in p.note) for p in held)


def test_a_follow_up_read_alone_is_not_held_back() -> None:
    reply = (
        "Since then every new model feature ships with a cost-per-request budget written into its design doc. "
        "Two other teams adopted the same template for their launches this year, and finance now asks for it."
    )
    assert analyze(reply, "cost_negotiation").signals.no_example  # alone, it tells no event
    alone = analyze(reply, "cost_negotiation", whole=False)
    assert not alone.signals.no_example and alone.parts["driver"].verdict == "met"


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("I would start by asking what they tried.", True),
        ("I'd check in twice a week.", True),
        ("I'll make sure their manager hears it.", True),
        ("I usually keep my head down.", True),
        ("I'd already shipped the fix by then.", False),  # "I had"
        ("I rolled the change back within the hour.", False),
        ("So I go to the VP and say we stop.", False),  # a story told in the present
        ("I wrote the plan, and I would do it again.", False),  # the deed comes first
    ],
)
def test_hypothetical_deeds_are_not_deeds(sentence: str, expected: bool) -> None:
    assert hypothetical(sentence) is expected


# --- the interviewer: the story itself is the gap ------------------------------------------------------

# A mentoring story, to answer the same question properly after the off-topic one.
MENTORING = (
    "I coached a new engineer, Ines, who owned our flaky evaluation pipeline and kept asking me for the fix. "
    "The trade-off was my week against her growth: fixing it myself would take a day, letting her find it "
    "might take two weeks. I stopped giving answers and asked her to bisect the failures by date; she found "
    "a race in the data loader herself and wrote the fix. Flaky runs fell from 30 percent to 2 percent on "
    "the CI dashboard, and she now runs our onboarding for the pipeline. Next time I would set the first "
    "check-in after two days, not five."
)


def _turns(*answers: str) -> list:
    from service.interview.planner import Turn

    turns = [Turn(0, "interviewer", "Tell me about mentoring someone.", "probe", None, "mentoring")]
    for i, text in enumerate(answers):
        if i:
            turns.append(
                Turn(
                    len(turns),
                    "interviewer",
                    "Another story?",
                    "pushback",
                    "ask_different_story",
                    "mentoring",
                )
            )
        turns.append(Turn(len(turns), "candidate", text, None, None, "mentoring"))
    return turns


@pytest.mark.parametrize(
    ("answer", "says"),
    [(COST, "Cost negotiation with product"), (HYPOTHETICAL, None)],
)
def test_the_first_pushback_asks_for_a_story_that_answers_the_question(answer: str, says: str | None) -> None:
    from service.catalog import get_catalog
    from service.config import REPO_ROOT
    from service.interview.phrasing import load_phrasing, phrase
    from service.interview.planner import next_move

    move = next_move(["mentoring", "cost_negotiation"], _turns(answer), max_pushbacks=2)
    assert (move.kind, move.code) == ("pushback", "ask_different_story")
    words = phrase(
        move,
        interview_id="t",
        turn_index=2,
        catalog=get_catalog(),
        phrasing=load_phrasing(REPO_ROOT / "prompts"),
    )
    if says:
        assert says in words and "Mentoring through ambiguity" in words
    else:
        assert "specific time" in words or "real situation" in words
    assert "same project" not in words


DODGE = "Honestly I don't think I have another one, that cost story is the closest I've got."


@pytest.mark.parametrize(
    ("reply", "closed", "replaces"),
    [
        (MENTORING, True, True),  # a story that answers the question
        (COST, False, True),  # a story, but about something else again
        (HYPOTHETICAL, False, False),  # what they would do: no story, nothing replaced
        (DODGE, False, False),
    ],
)
def test_a_different_story_closes_the_gap_only_when_it_answers_the_question(
    reply: str, closed: bool, replaces: bool
) -> None:
    from service.interview.gaps import closed as is_closed
    from service.interview.planner import answers_for, reading

    answers = answers_for(_turns(COST, reply), "mentoring")
    assert answers == ([reply] if replaces else [COST, reply])
    combined = reading(answers, "mentoring")
    assert is_closed("ask_different_story", combined=combined, reply=reply, archetype="mentoring") is closed


def test_the_new_story_is_graded_alone_and_the_interview_moves_on() -> None:
    """The off-topic first story no longer holds the one told when asked for another."""
    from service.interview.planner import next_move

    move = next_move(["mentoring", "cost_negotiation"], _turns(COST, MENTORING), max_pushbacks=2)
    grade = move.grade
    assert grade is not None
    assert grade.signals.off_topic is None and not grade.signals.no_example
    assert grade.level == analyze(MENTORING, "mentoring").level != "weak"
    assert "ask_different_story" not in grade.pushbacks
    assert move.code != "ask_different_story"


@pytest.mark.parametrize(
    ("off_topic", "outside_work", "no_example", "held"),
    [
        (None, False, False, None),
        ("mentoring", False, False, "off_topic"),
        (None, True, False, "outside_work"),
        (None, False, True, "no_example"),
        ("mentoring", True, True, "off_topic"),  # never set together by the rubric; one reason is given
        (None, True, True, "outside_work"),
    ],
)
def test_one_reason_for_a_hold(
    off_topic: str | None, outside_work: bool, no_example: bool, held: str | None
) -> None:
    from service.rubric.models import Signals

    s = Signals(
        words=120,
        speaking_seconds=50,
        situation_seconds=10,
        i_count=3,
        we_count=1,
        numbers=[],
        off_topic=off_topic,
        outside_work=outside_work,
        no_example=no_example,
    )
    assert s.held == held
    assert "held" not in s.model_dump()  # a reading of the contract's fields, not a new one
