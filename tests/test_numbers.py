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
    ],
)
def test_quantities(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(q.text, q.kind) for q in find_quantities(text)] == expected


@pytest.mark.parametrize("text", ["CTR went up 4.2%", "  roughly a third fewer pages", "we saved $1.5M"])
def test_offsets_are_exact(text: str) -> None:
    for q in find_quantities(text, offset=0):
        assert text[q.start : q.end] == q.text
