from __future__ import annotations

import pytest

from service.rubric.numbers import find_quantities


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CTR went up 4.2% after launch", [("4.2%", "measure")]),
        ("we cut serving cost by $40k a month", [("$40k a month", "measure")]),
        ("impact was roughly 2.5x the projection", [("roughly 2.5x", "measure")]),
        ("roughly a third fewer pages", [("roughly a third fewer pages", "measure")]),
        ("the migration landed two weeks later", [("two weeks", "duration")]),
        ("we landed three of those next quarter", [("three of those", "measure")]),
        ("we halved the false-positive rate", [("halved", "measure")]),
        ("p99 latency dropped from 800ms to 300 ms", [("800ms", "measure"), ("300 ms", "measure")]),
        ("a team of 12 engineers", [("12 engineers", "people")]),
        ("I led 5 engineers", [("5 engineers", "people")]),
        ("we hired 3 engineers", [("3 engineers", "measure")]),
        ("in Q3 2022 we moved to GPT-4 and v2 of the API", [("2022", "date")]),
        ("in March 2020 and since 2019", [("2020", "date"), ("2019", "date")]),
        ("after it missed its third checkpoint", []),
        ("I proposed a third option", []),
        ("the one we shipped; no one noticed", []),
        ("1,200 queries a day", [("1,200 queries", "measure")]),
        # A release's name is no quantity, nor is a dotted version's tail.
        ("it went out as release 24.4 to everyone", []),
        ("we pinned version 3.1.2 on the fleet", []),
        pytest.param(
            "the fix shipped in versions 2 and 3",
            [],
            marks=pytest.mark.xfail(strict=True, reason="only the number right after the word is a name"),
        ),
        ("we pinned 3.1.2 on the fleet", []),  # a dotted version, no word before it
        ("significant at p < 0.05", [("< 0.05", "measure")]),  # a decimal after "p" is still a figure
        ("only 5 may be affected", [("5", "measure")]),  # "may" the modal, not the month
        ("latency was 120 ms that week", [("120 ms", "measure")]),
        # The day of a date is a date.
        ("we turned it off on 1 April", [("1", "date")]),
        ("- out on 20 Feb, 4 days of work", [("20", "date"), ("4 days", "duration")]),
        ("we met on 3 March 2024", [("3", "date"), ("2024", "date")]),
        # A joining word is not the first word of a unit: "2.3 in week" is no duration.
        ("AUC went to 0.82 in week 6", [("0.82", "measure")]),
        ("errors fell 30% over two weeks", [("30%", "measure"), ("over two weeks", "duration")]),
        (
            "we fixed 40 flaky tests and sped up 3 slow models",
            [("40", "measure"), ("3 slow models", "measure")],
        ),
    ],
)
def test_quantities(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(q.text, q.kind) for q in find_quantities(text)] == expected


@pytest.mark.parametrize("text", ["CTR went up 4.2%", "  roughly a third fewer pages", "we saved $1.5M"])
def test_offsets_are_exact(text: str) -> None:
    for q in find_quantities(text, offset=0):
        assert text[q.start : q.end] == q.text
