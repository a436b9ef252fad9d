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
