"""Item 3 of issue 12: "where did that number come from?" when it matters. An unsourced headline number
comes ahead of driver and reflection; an implausible one is the first pushback; a sourced one is not
challenged."""

from __future__ import annotations

import pytest

from service.catalog import get_catalog
from service.config import REPO_ROOT
from service.interview.phrasing import load_phrasing, phrase
from service.interview.planner import Turn, next_move
from service.interview.plausibility import implausible


@pytest.mark.parametrize(
    ("sentence", "flagged"),
    [
        ("Our gross margin on the plan went up 612% in two quarters.", "612%"),
        ("Latency dropped 140% after the cache change.", "140%"),
        ("Ranking precision climbed to 118 percent on the new index.", "118 percent"),
        ("Throughput improved 12x once the batching landed.", "12x"),
        ("The labeling job got 8 times faster.", "8 times"),
        ("Revenue from the tier grew by 2,300%.", "2,300%"),
        ("Throughput went from 300 to 3,600 requests a second, 12x the old path.", None),
        ("It came out 8x cheaper than the vendor's quote.", None),
        ("Checkout conversion rose 4% over the quarter.", None),
        ("Churn fell 12% in the pilot cohort.", None),
        ("Serving cost per request ended up 60% below the plan.", None),
        ("Weekly active users grew 180% after the relaunch.", None),
        ("Recall went from 71% to 83%.", None),
    ],
)
def test_implausible_numbers(sentence: str, flagged: str | None) -> None:
    assert implausible(sentence) == flagged


# Complete stories (trade-off, first-person action, lasting change) whose endings differ.
SETUP = (
    "I was the tech lead for pricing experiments at a marketplace with six million buyers, and finance "
    "wanted a new fee model before the annual plan. The trade-off was a bigger take rate now against seller "
    "churn we would pay for over years. I built the fee simulator, I argued for a staged rollout in the "
    "pricing review, and I made the call to start with one region."
)
DRIVER = " The staged-rollout checklist I wrote is now required for every fee change in the company."
REFLECTION = (
    " Looking back, I'd have brought the seller council in before the simulator results instead of after, "
    "so their concerns shaped the first region."
)


def _first(answer: str, archetype: str = "cost_negotiation") -> str | None:
    turns = [
        Turn(0, "interviewer", "probe", "probe", None, archetype),
        Turn(1, "candidate", answer, None, None, archetype),
    ]
    return next_move([archetype], turns).code


@pytest.mark.parametrize(
    "result",
    [
        " As a result, our take-rate margin went up 847% in the first region.",
        " Seller payout disputes fell 130% in the first region.",
        " Fee revenue grew 15x in the first region.",
    ],
)
@pytest.mark.parametrize("ending", ["", DRIVER, REFLECTION, DRIVER + REFLECTION])
def test_an_implausible_headline_number_is_the_first_pushback(result: str, ending: str) -> None:
    assert _first(SETUP + result + ending) == "ask_number_source"


@pytest.mark.parametrize("ending", ["", REFLECTION])
def test_an_unsourced_headline_number_comes_before_driver_and_reflection(ending: str) -> None:
    answer = SETUP + " As a result, fee revenue in the first region rose 9% with no rise in churn." + ending
    move_codes = _codes(answer)
    assert "ask_number_source" in move_codes
    for later in ("ask_driver", "ask_reflection"):
        if later in move_codes:
            assert move_codes.index("ask_number_source") < move_codes.index(later)


def _codes(answer: str) -> list[str]:
    """Every pushback the planner would ask, in order, if each follow-up said nothing new."""
    archetype = "cost_negotiation"
    turns = [
        Turn(0, "interviewer", "probe", "probe", None, archetype),
        Turn(1, "candidate", answer, None, None, archetype),
    ]
    codes: list[str] = []
    for n in range(8):
        move = next_move([archetype], turns, max_pushbacks=20)
        if move.kind != "pushback" or move.code is None:
            break
        if not move.press:
            codes.append(move.code)
        turns += [
            Turn(len(turns), "interviewer", f"q{n}", "pushback", move.code, archetype),
            Turn(
                len(turns) + 1,
                "candidate",
                f"Hmm, let me think about that one {n} more.",
                None,
                None,
                archetype,
            ),
        ]
    return codes


@pytest.mark.parametrize(
    "source",
    [
        " That 9% was measured on the finance dashboard against the untouched regions.",
        " The 9% comes from a six-week A/B test on a tenth of sellers.",
        " We counted it in the billing ledger, compared with the same months a year before.",
        # attributed by a preposition or an aside, or the instrument speaking: no link verb needed
        " That figure is per the regional revenue tracker.",
        " Fee income is up 9% on the seller-finance dashboard.",
        " (Source: the quarterly finance report.)",
        " The quarterly audit found the same 9% in every region.",
    ],
)
def test_a_sourced_number_is_not_challenged(source: str) -> None:
    answer = SETUP + " As a result, fee revenue in the first region rose 9% with no rise in churn." + source
    assert "ask_number_source" not in _codes(answer + DRIVER + REFLECTION)


def test_the_challenge_names_the_number() -> None:
    catalog = get_catalog()
    phrasing = load_phrasing(REPO_ROOT / "prompts")
    answer = SETUP + " As a result, our take-rate margin went up 847% in the first region." + DRIVER
    turns = [
        Turn(0, "interviewer", "p", "probe", None, "cost_negotiation"),
        Turn(1, "candidate", answer, None, None, "cost_negotiation"),
    ]
    move = next_move(["cost_negotiation"], turns)
    text = phrase(
        move, interview_id="n", turn_index=2, catalog=catalog, phrasing=phrasing, last_answer=answer
    )
    assert "847%" in text and text.count("?") == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Conversion rose 6% in the pilot region.", False),  # a place, not an instrument
        ("I told them that if recall fell 2 points in the canary, I would roll back.", False),  # a plan
        ("We'd stop unless the holdout showed a 1% lift.", False),
        ("Trust me, it was roughly that.", False),
        ("Refunds fell 30%, by support's own count.", True),
        ("Churn went down 4 points going by the retention report.", True),
        ("Tickets dropped 70% (support dashboard).", True),
        ("The six-week holdout put the lift at 3%.", True),
    ],
)
def test_where_a_number_came_from_is_read_from_the_sentence(text: str, expected: bool) -> None:
    from service.rubric.provenance import sourced

    assert sourced(text) is expected
