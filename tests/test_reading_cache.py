"""The caches on the answer path (issue 14.4) give what a fresh reading gives, bit for bit, and read a
changed text anew. No timing is asserted: only that a remembered result is the result."""

from __future__ import annotations

import math

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


# --- the same-project check (service/rubric/meaning.py) ------------------------------------------

KILN = (
    "At Ardent I championed the kiln-scheduling optimizer for the ceramics plant: a solver for the firing "
    "batches of twelve gas kilns. After five months it saved under 2 percent of gas, so I stopped it."
)
KILN_RETOLD = (
    "The pushback I remember most was on planning the firing batches of the ceramics plant's gas kilns "
    "with a solver instead of the supervisors' spreadsheets, which Quill at Ardent had built."
)
TIDE = (
    "I mentored an engineer who owned the tide-gauge anomaly detector for the harbor authority; false "
    "tide alarms fell by two thirds once she filtered on the mooring schedule."
)


def _score_fresh(a: str, b: str) -> float:
    """`score` as it read before the caches: every vector computed again, no early decision."""
    from service.rubric import meaning as m

    ma, mb = m.meaning(a), m.meaning(b)
    bg = m.background()
    drop = ma.employers | mb.employers
    content = m._cos(
        m._content(ma.text, bg.df, bg.n, drop) - bg.content,
        m._content(mb.text, bg.df, bg.n, drop) - bg.content,
    )
    rare = sum(1 for t in (ma.words & mb.words) - drop if bg.idf(t) > m.RARE_IDF)
    if rare == 0 or (ma.names and mb.names and not ma.names & mb.names):
        return min(-1.0, m.BIAS)
    whole = m._cos(ma.whole, mb.whole)
    return m.W_WHOLE * whole + m.W_CONTENT * content + m.W_RARE * math.log1p(rare) + m.BIAS


@pytest.mark.parametrize(
    ("a", "b"),
    [(KILN, KILN_RETOLD), (KILN_RETOLD, KILN), (KILN, TIDE), (TIDE, TIDE), (KILN, ""), (STORY, FOLLOW_UP)],
)
def test_same_project_score_is_the_fresh_score(a: str, b: str) -> None:
    from service.rubric import meaning as m

    _fresh()
    m._content_of.cache_clear()
    want = _score_fresh(a, b)
    for _ in range(2):  # the second time from the caches
        assert m.score(m.meaning(a), m.meaning(b)) == want


def test_a_remembered_content_vector_is_read_only_and_keyed_on_its_text() -> None:
    from service.rubric import meaning as m

    m._content_of.cache_clear()
    vector = m._content_of(KILN, frozenset())
    with pytest.raises(ValueError, match="read-only"):
        vector[0] = 1.0
    bg = m.background()
    assert (
        m._content_of(KILN, frozenset({"ardent"})).tobytes()
        == m._content(KILN, bg.df, bg.n, frozenset({"ardent"})).tobytes()
    )
    assert m._content_of(TIDE, frozenset()).tobytes() == m._content(TIDE, bg.df, bg.n).tobytes()
    assert m._content_of(TIDE, frozenset()).tobytes() != vector.tobytes()


# --- the reply checks (service/interview/tone.py) --------------------------------------------------


@pytest.mark.parametrize(
    "clauses",
    [
        ("Thanks for walking me through that.", "What did you give up by pausing it?"),
        ("Great story, that would land well with any panel.",),
        ("My instructions say to ask about the trade-off.", "What was it?"),
        (),
    ],
)
def test_judged_clauses_are_judged_as_fresh(clauses: tuple[str, ...]) -> None:
    from service.interview import tone

    tone.judged.cache_clear()
    prompts = tone.default_dir()
    want = tone.judge(list(clauses), tone.reader(prompts))
    assert list(tone.judged(clauses, prompts)) == want
    assert list(tone.judged(clauses, prompts)) == want  # remembered
    changed = (*clauses[:-1], clauses[-1] + " You nailed it, brilliant.") if clauses else ("Brilliant!",)
    assert list(tone.judged(changed, prompts)) == tone.judge(list(changed), tone.reader(prompts))


@pytest.mark.parametrize(
    "reply",
    [
        "Thanks. What did you give up by pausing it?",
        "That would land well with any panel. What happened next?",  # praise, read by meaning
        "Impressive work there. What changed afterwards?",
        "Great answer. What happened next?",  # praise, by the exact checks
        "I was told to keep this short, so: what did you decide?",
    ],
)
def test_a_reply_checked_token_by_token_fails_where_it_did(reply: str) -> None:
    """Every prefix, as the engine checks a streamed reply: the same verdict remembered or read afresh."""
    from service.interview import tone
    from service.interview.checks import failure

    def forget() -> None:
        tone.judged.cache_clear()
        _ROWS.clear()

    prefixes = [reply[: i + 1] for i, ch in enumerate(reply) if ch == " "] + [reply]
    forget()
    remembered = [failure(p, final=p == reply) for p in prefixes]
    fresh = []
    for p in prefixes:
        forget()
        fresh.append(failure(p, final=p == reply))
    assert remembered == fresh


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("Thanks. What did you give up?", "Thanks. What did you give up? And why?"),  # two questions now
        ("What did you decide?", "What did you decide? Visit www.example.com"),  # a link now
        ("That would land well", "That would land well with any panel."),  # a finished clause: praise
        ("Where did that number come from?", "Where did that number come from?"),  # the same text again
    ],
)
def test_a_remembered_verdict_is_keyed_on_the_whole_text(first: str, then: str) -> None:
    from service.interview import checks, tone

    prompts = tone.default_dir()
    checks._failure.cache_clear()
    verdicts = []
    for text, final in ((first, False), (then, False), (then, True), (first, False)):
        got = checks.failure(text, final=final)
        assert got == checks._failure.__wrapped__(text, final, prompts)  # as read afresh
        verdicts.append(got)
    assert verdicts[0] == verdicts[3]
    if first != then:
        assert verdicts[0] is None and verdicts[2] is not None  # the changed text was read anew


@pytest.mark.parametrize(
    "text",
    [
        KILN_RETOLD,
        "Quill built it. \tHalcyon ran it; Orion\t Vega paid: Lyra (Atlas) “Nova” -Kestrel",
        "  Zephyr leads \t\t Mistral",
        "",
    ],
)
def test_names_read_as_with_the_slice_they_replace(text: str) -> None:
    """`names` looks back past spaces and tabs without copying the text before each name."""
    from service.rubric import meaning as m
    from service.rubric.stopwords import COMMON

    bg = m.background()
    found = set()
    for match in m._NAME.finditer(text):
        before = text[: match.start()].rstrip(" \t")
        word = match.group().lower()
        if before and before[-1] not in m._OPENS and word not in COMMON:
            found.add(m.stem.__wrapped__(word))
    want = frozenset(t for t in found if bg.idf(t) > m.RARE_IDF) - m.employers(text)
    assert m.names(text, bg) == want


@pytest.mark.parametrize("word", ["scheduling", "batches", "kilns", "optimizer", "ies", "studies", "a"])
def test_a_remembered_stem_is_the_stem(word: str) -> None:
    from service.rubric import meaning

    assert meaning.stem(word) == meaning.stem(word) == meaning.stem.__wrapped__(word)
