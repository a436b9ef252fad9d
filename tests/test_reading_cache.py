"""The caches on the answer path (issue 14.4) give what a fresh reading gives, bit for bit, and read a
changed text anew. No timing is asserted: only that a remembered result is the result."""

from __future__ import annotations

import numpy as np
import pytest

from service.rubric import features, numbers
from service.rubric.embed import _ROWS, embed, embed_cached
from service.rubric.segment import read

STORY = (
    "Our ranker lost 4% recall on long-tail queries two months into the rebuild. I called the kill myself "
    "at the team review. We shipped three per-slot wins that quarter, about 2.5x the projected impact. "
    "Next time I'd run the slice analysis in the design doc."
)
FOLLOW_UP = "It was my call: I wrote the memo and took it to my skip-level on 3 May. Nobody objected."
SENTENCES = [
    "I proposed a shadow evaluation and took it to the VP.",
    "Waiting meant missing the renewal; shipping meant a weaker model.",
    "um",
    "",
    "Ünïcode — naïve café, 42% fewer pages",
]


def _fresh() -> None:
    _ROWS.clear()
    features._own.cache_clear()
    numbers._found.cache_clear()


@pytest.mark.parametrize(
    ("seen", "asked"),
    [
        ([], SENTENCES),  # nothing remembered
        (SENTENCES, SENTENCES),  # everything remembered
        (SENTENCES[:2], list(reversed(SENTENCES))),  # some, in another order
        (SENTENCES, [SENTENCES[0], SENTENCES[0], "a new one"]),  # a text twice, and one not seen
        (SENTENCES, []),
    ],
)
def test_cached_rows_are_the_fresh_rows(seen: list[str], asked: list[str]) -> None:
    _fresh()
    embed_cached(seen)
    got = embed_cached(asked)
    want = embed(asked)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert got.tobytes() == want.tobytes()


def test_a_changed_text_is_embedded_anew_and_the_cache_cannot_be_changed() -> None:
    _fresh()
    first = embed_cached(["we paused the pipeline"])
    first[0, :] = 0.0  # the caller's copy: the remembered row is not touched
    assert embed_cached(["we paused the pipeline"]).tobytes() == embed(["we paused the pipeline"]).tobytes()
    changed = embed_cached(["we paused the pipelines"])
    assert changed.tobytes() == embed(["we paused the pipelines"]).tobytes()
    assert changed.tobytes() != embed(["we paused the pipeline"]).tobytes()


def test_the_rows_are_bounded() -> None:
    _fresh()
    embed_cached([f"sentence number {i}" for i in range(_ROWS.size + 50)])
    assert len(_ROWS._rows) == _ROWS.size
    assert embed_cached(["sentence number 0"]).tobytes() == embed(["sentence number 0"]).tobytes()


@pytest.mark.parametrize(
    ("text", "offset"),
    [(STORY, 0), (STORY, 17), (FOLLOW_UP, 250), ("No numbers here.", 5), ("2.5x and 40% in Q3 2022", 3)],
)
def test_quantities_remembered_are_the_quantities_found(text: str, offset: int) -> None:
    _fresh()
    first = numbers.find_quantities(text, offset)
    again = numbers.find_quantities(text, offset)
    want = [numbers.Quantity(offset + q.start, offset + q.end, q.text, q.kind) for q in numbers._find(text)]
    assert first == again == want
    assert all(text[q.start - offset : q.end - offset] == q.text for q in want)


@pytest.mark.parametrize("text", [STORY, FOLLOW_UP, "I would ask them.", "We decided; they agreed."])
def test_own_row_remembered_is_the_own_row(text: str) -> None:
    _fresh()
    quantities = numbers.find_quantities(text)
    assert (
        features.own_row(text, quantities)
        == features.own_row(text)
        == list(features._own.__wrapped__(text, frozenset(q.kind for q in quantities)))
    )
    # The same words with other quantities are another row: the quantities are part of the key.
    people = [numbers.Quantity(0, 1, "3", "people")]
    assert features.own_row(text, [])[8] == 0.0
    assert features.own_row(text, people)[8] == 1.0


def _same_reading(a: str) -> None:
    got = read(a)
    _fresh()
    want = read(a)
    assert got.proba.tobytes() == want.proba.tobytes()
    assert got.signal_proba.tobytes() == want.signal_proba.tobytes()
    assert got.kind_proba.tobytes() == want.kind_proba.tobytes()
    assert got.vectors.tobytes() == want.vectors.tobytes()
    assert [(s.text, s.part, s.label, s.signal, s.quantities) for s in got.sentences] == [
        (s.text, s.part, s.label, s.signal, s.quantities) for s in want.sentences
    ]


@pytest.mark.parametrize(
    "before",
    [
        [],  # nothing read before
        [STORY],  # the first answer, then the two read together (the planner's second turn)
        [STORY, FOLLOW_UP],
        [FOLLOW_UP.replace("3 May", "4 June")],  # a changed follow-up, then the real one
    ],
)
def test_a_reading_after_others_is_the_fresh_reading(before: list[str]) -> None:
    _fresh()
    for text in before:
        read(text)
    _same_reading(f"{STORY}\n\n{FOLLOW_UP}")


def test_measure_remembered_is_measure_fresh() -> None:
    texts = [STORY, FOLLOW_UP, *SENTENCES]
    _fresh()
    features.measure(texts[:3])
    got = features.measure(texts)
    _fresh()
    want = features.measure(texts)
    for name in ("vec", "own", "words"):
        assert getattr(got, name).tobytes() == getattr(want, name).tobytes()
    assert np.array_equal(got.rows(), want.rows())
