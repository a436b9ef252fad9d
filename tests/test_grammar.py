"""The exact half of the reading: who the subject is, and the mood."""

from __future__ import annotations

import pytest

from service.rubric.grammar import (
    body,
    conditional,
    counts,
    done_alone,
    someone_else,
    states_condition,
    subject,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I proposed a shadow evaluation.", "i"),
        ("- Proposed a shadow evaluation", "i"),  # a bullet the speaker wrote: the speaker is its subject
        ("- Wrote the kill memo and sent it", "i"),
        ("So um, I took it to the VP.", "i"),
        ("Two months in, I made the call.", "i"),
        ("The team decided to kill it.", "we"),
        ("We shipped on time.", "we"),
        ("Leadership cut the project.", "we"),
        ("My manager made the call and I agreed.", "we"),
        ("Situation: we had nine engineers.", "we"),
        ("The model regressed on long queries.", "other"),
        # A fronted adverbial before the speaker: the sentence is still the speaker's.
        ("Over one long weekend I rebuilt the sampler.", "i"),
        ("At the steering review I stopped it myself.", "i"),
        ("Last spring I owned the ranking model.", "i"),
        ("During the outage I paged the vendor.", "i"),
        pytest.param(
            "In March we froze it, and I wrote the memo.",
            "we",
            marks=pytest.mark.xfail(strict=True, reason="a 'we' after an opener is not read (grammar.py)"),
        ),
        ("After the audit they told me I was right.", "other"),  # theirs, not the speaker's
        ("The benchmark I ran showed a 3% gap.", "other"),  # an opening noun: the "I" is a relative clause's
        ("On reflection I'd say I was wrong.", "other"),  # the first "I" is a would, as without the opener
        ("Within a week leadership decided I should own it.", "other"),  # someone else's clause first
        ("During the review she said I was overreaching.", "other"),
        ("After the launch the team asked whether I could help.", "other"),
        ("Since I joined, we have shipped twice.", "we"),  # an opener with no phrase: a subordinate "I"
        # A bullet opening on the speaker's deed stays theirs, whoever a later clause is about.
        ("- Made the call myself, before my manager raised it", "i"),
        ("- Raised it with the PM, and then the team rolled back", "i"),
        # After a bare comma the other subject is the main clause's: the opening verb is a participle.
        ("Pressed for time, we skipped the canary.", "we"),
        ("Based on the data, my director decided to wait.", "we"),
    ],
)
def test_subject(text: str, expected: str) -> None:
    assert subject(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'd have written the exit metric down first.", True),
        ("Looking back, the holdout should have come first.", True),
        ("We shipped it in May.", False),
    ],
)
def test_conditional(text: str, expected: bool) -> None:
    assert conditional(text) is expected


def test_counts_and_body() -> None:
    assert counts("I asked, and we agreed; I'd do it again, my team too.") == (2, 2)
    assert body("- um, so Proposed it") == "Proposed it"
    assert body("Situation: a team of six") == "a team of six"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I decided to stop it.", False),
        ("We decided to stop it.", False),
        ("The team and I decided to stop it.", False),
        ("- Made the stop call myself, before my manager raised it", False),
        ("Our VP of product decided to stop it.", True),
        ("My director killed it in planning.", True),
        ("Leadership pulled the budget.", True),
        ("They cancelled it at the review.", True),
        ("In the spring review our VP decided to stop it.", True),  # no subject read, and no "I" in it
        ("Priya made the call.", True),
        ("Stopping it was my call.", False),  # no clear subject, but the speaker's
        ("Ultimately I pulled the plug.", False),
        ("My manager and I decided to stop it.", False),  # shared
        ("Based on the numbers, my director decided to stop it.", True),
        ("The model regressed on long queries.", True),  # "other": not the speaker either
    ],
)
def test_someone_else(text: str, expected: bool) -> None:
    assert someone_else(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("If the gap stayed above 2 points, I'd switch.", True),
        ("We'd revert should latency pass 200 ms.", True),
        ("I committed to rolling back unless the canary held for a week.", True),
        ("I kept the design and shipped it.", False),
        ("When they asked what would change my mind, I had no answer.", False),  # asked, and none set
        ("I agreed to switch as soon as the gap passed 4%.", True),
        ("I said I will revert it if it drops.", True),
    ],
)
def test_states_condition(text: str, expected: bool) -> None:
    assert states_condition(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I rewrote the sampling code myself over a weekend.", True),
        ("- Tuned the tokenizer on my own", True),
        ("I built the whole pipeline by myself.", True),
        ("I limited myself to questions.", False),  # "myself" as the object
        ("I kept my own method to myself.", False),
        ("If I write the metric myself it takes two days.", False),  # the trade-off's side, not a deed
        ("I could have fixed it myself in a day.", False),
        ("She rewrote the sampler herself.", False),
        ("Instead of fixing it myself, I asked her which slice failed first.", False),  # held back
        ("I was tempted to rewrite it myself, but waited.", False),
        ("I didn't touch the code myself.", False),
        ("I put myself in her place.", False),  # right after the speaker's verb: its object
        ("I worked on my own project that month.", False),
        ("Our lead fixed it himself.", False),
    ],
)
def test_done_alone(text: str, expected: bool) -> None:
    assert done_alone(text) is expected
