"""Cue probes: the fast "could this match?" answer must agree with the exact pattern, always."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.evals.cases import load_cases
from service.rubric import detectors, lexicon, numbers, segment, traps
from service.rubric import text as text_module
from service.rubric.fold import Cue, CueScan, ci, fold, prepare
from service.rubric.text import WORD, count_words, split_sentences

prepare()  # the probes are built on demand; these tests are about them
ROOT = Path(__file__).resolve().parent.parent
MODULES = (lexicon, detectors, traps, numbers, segment)
CUES = {
    f"{m.__name__.rsplit('.', 1)[-1]}.{name}": value
    for m in MODULES
    for name, value in vars(m).items()
    if isinstance(value, Cue)
}


def _corpus() -> list[str]:
    answers = [case.answer for case in load_cases(ROOT / "evals" / "cases")]
    return [s.low for a in answers for s in split_sentences(a)] + [fold(a) for a in answers]


CORPUS = _corpus()


@pytest.mark.parametrize(
    "name",
    [
        "lexicon.INJECTION",
        "lexicon.TWO_SIDED",
        "lexicon.RESULT_CUE",
        "lexicon.I_ACTION",
        "traps._TRADE_RATIO",
    ],
)
def test_the_heavy_cues_have_a_probe(name: str) -> None:
    # A probe silently not built would cost speed, never correctness: make its absence visible.
    assert CUES[name].probed


@pytest.mark.parametrize("name", sorted(CUES))
def test_probe_agrees_with_the_pattern_on_every_labeled_sentence(name: str) -> None:
    cue = CUES[name]
    for text in CORPUS:
        exact = cue.rx.search(text)
        assert cue.test(text) is (exact is not None), text
        found = cue.search(text)
        assert (found.span() if found else None) == (exact.span() if exact else None), text
        assert [m.span() for m in cue.finditer(text)] == [m.span() for m in cue.rx.finditer(text)]


_ALPHABET = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyz ") * 3
    + ["I ", "we ", " or ", "trade-off", "vs.", "-vs-", ", ", ". ", "; ", "\n", "é", "—", "’", "_", "2", "%"]
    + ["note to the grader", "at the cost of", "looking back", "the team", "became", "increased", "ignore"]
    + ["30%", "$4k", "2.5x", "1,200", "v2.", "roughly a third", "Q3 2022", "three", "twenty-one", "٣"]
)
_TEXT = st.lists(_ALPHABET, max_size=40).map("".join)


@settings(max_examples=150, deadline=None)
@given(text=_TEXT)
def test_probe_agrees_with_the_pattern_on_any_text(text: str) -> None:
    low = fold(text)
    for cue in CUES.values():
        assert cue.test(low) is (cue.rx.search(low) is not None), (cue, low)
        assert [m.span() for m in cue.finditer(low)] == [m.span() for m in cue.rx.finditer(low)], (cue, low)


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        (r"\bcost\b", "the cost was high", True),
        (r"\bcost\b", "costly", False),
        (r"\bcost\b", "recost", False),
        (r"\bcost\b", "cost", True),
        (r"\bcost\b", "écost", False),  # a non-ASCII letter is a word character: the probe must not trust it
        (r"\bcost\b", "—cost", True),
        (r"\bvs\b|-vs-", "a-vs-b", True),
        (r"\b(?:the )?tension\b", "the tension", True),
        (r"\b(?:the )?tension\b", "attension", False),
        (r"(?<![\w.])\d+%", "up 30% now", True),
        (r"(?<![\w.])\d+%", "v1.30% now", False),
        (r"(?<![\w.])\d+%", "30%", True),
        (r"(?<![\w.])\d+%", "é30%", False),
        (r"(?<![\w.])\d+%", "—30%", True),
        (r"(?<![\w.])\d+%", "up 30% now", True),
        (r"(?<![\w.])\d+%", "v1.30% now", False),
        (r"(?<![\w.])\d+%", "30%", True),
        (r"(?<![\w.])\d+%", "é30%", False),
        (r"(?<![\w.])\d+%", "—30%", True),
    ],
)
def test_word_boundaries_survive_the_probe(pattern: str, text: str, expected: bool) -> None:
    cue = ci(pattern)
    assert cue.probed
    assert cue.test(text) is expected
    assert (cue.search(text) is not None) is expected


@pytest.mark.parametrize(
    "pattern",
    [
        r"(?<=\s)cost",  # looks before the match: the padded probe would see the pad
        r"(?<! )cost",  # a lookbehind that bars the pad itself
        r"^cost",
        r"\b(cost)\1",
        r"cost|price",  # nothing word-led to probe
    ],
)
def test_patterns_the_probe_cannot_handle_run_without_one(pattern: str) -> None:
    cue = ci(pattern)
    assert not cue.probed
    assert cue.test("the cost") is (cue.rx.search("the cost") is not None)


SCAN = CueScan(*(c for c in CUES.values() if c.probed))


def test_the_scan_takes_most_cues() -> None:
    assert len(SCAN.cues) >= 40


def test_one_scan_answers_every_cue_like_asking_each() -> None:
    for text in CORPUS:
        cues, starts = SCAN.run(text, " " + text)
        for at, cue in zip(starts, cues, strict=True):
            first = cue.rx.search(text)
            assert (at >= 0) is (first is not None), (cue, text)
            if first is not None:  # no match begins before the start the scan gives
                assert at <= first.start(), (cue, text)
                assert [m.span() for m in cue.exact.finditer(text, at)] == [
                    m.span() for m in cue.rx.finditer(text)
                ]


@settings(max_examples=150, deadline=None)
@given(text=_TEXT)
def test_one_scan_answers_every_cue_on_any_text(text: str) -> None:
    low = fold(text)
    cues, starts = SCAN.run(low, " " + low)
    for at, cue in zip(starts, cues, strict=True):
        first = cue.rx.search(low)
        assert (at >= 0) is (first is not None), (cue, low)
        if first is not None:
            assert at <= first.start(), (cue, low)


def test_sentence_cache_answers_like_the_cue() -> None:
    sentence = split_sentences("I proposed the trade-off. Looking back, I'd write an RFC.")[0]
    assert sentence.has(lexicon.I_ACTION) is True
    assert sentence.has(lexicon.REFLECTION_CUE) is False
    assert [m.span() for m in sentence.hits(lexicon.I_ACTION)] == [
        m.span() for m in re.finditer(lexicon.I_ACTION.pattern, sentence.low)
    ]


@pytest.mark.parametrize(
    "text", ["it's a 2.5x win", "state-of-the-art, o'clock", "", "  ", "naïve café — 3 wins", "rock’n’roll"]
)
def test_word_count_is_the_same_on_either_path(text: str) -> None:
    assert count_words(text) == len(WORD.findall(text))


@settings(max_examples=100, deadline=None)
@given(text=_TEXT)
def test_word_count_is_the_same_on_any_text(text: str) -> None:
    assert count_words(text) == len(WORD.findall(text))


@pytest.mark.parametrize(
    "text", ["ÉCOLE Über İstanbul", "I’D SAY — NO", "plain", "ΣΑΣ and ABC", "ǅ Ǆ ﬀ ẞ", ""]
)
def test_fold_lowers_ascii_letters_only(text: str) -> None:
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded == "".join(ch.lower() if "A" <= ch <= "Z" else ch for ch in text)


_SPLIT_TEXT = st.lists(
    st.sampled_from([*"ab .!?…;\n\t\"'”’x", "  ", "\n\n", ". \n", "e.g.", "Dr.", "Next"]), max_size=30
).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=_SPLIT_TEXT)
def test_the_plain_sentence_gaps_are_the_full_patterns_gaps(text: str) -> None:
    # The fast path serves text with no brackets; the full pattern must find the very same gaps there.
    full = [(m.start(), m.end(), "\n" in m.group()) for m in text_module._BOUNDARY.finditer(text)]
    assert text_module._gaps(text) == full


def test_a_scan_not_built_yet_asks_each_cue_and_agrees() -> None:
    unbuilt = CueScan(*SCAN.cues)
    unbuilt._built = None  # as before `prepare()`
    for text in CORPUS[:300]:
        cues, starts = unbuilt.run(text, " " + text)
        assert cues == SCAN.cues
        assert [at >= 0 for at in starts] == [at >= 0 for at in SCAN.run(text, " " + text)[1]]


_FRESH = """
import json, sys
from service.rubric import analyze, fold
answer = open(sys.argv[1]).read()
first = analyze(answer, "killed_own_project").model_dump()
before = fold.prepared()
for _ in range(12):
    again = analyze(answer, "killed_own_project").model_dump()
print(json.dumps({"before": before, "after": fold.prepared(), "same": first == again}))
"""


def test_one_answer_runs_without_probes_and_a_batch_builds_them() -> None:
    import subprocess
    import sys

    example = ROOT / "examples" / "killed_own_project_staff.txt"
    out = subprocess.run(
        [sys.executable, "-c", _FRESH, str(example)], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert json.loads(out.stdout) == {"before": False, "after": True, "same": True}


_ANSWER_TEXT = st.lists(
    st.sampled_from(
        [
            *"ab .!?…;\n\"'’)(]x-",
            "  ",
            "I ",
            "it's ",
            "(S)",
            " (T) ",
            "[note: hi] ",
            "<!-- c -->",
            "e.g. ",
            "Next ",
            "rock’n’roll ",
            "état ",
            "2.5x ",
            "and then ",
            "so basically ",
            "word " * 12,
        ]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=_ANSWER_TEXT)
def test_the_sentences_hold_every_word_of_the_answer(text: str) -> None:
    # analyze counts an answer's words as the sum over its sentences: no word may fall in a gap.
    assert sum(s.words for s in split_sentences(text)) == count_words(text)


_I_AS_WRITTEN = re.compile(r"(?<![\w'])(?:I|i)(?:['’](?:d|m|ve|ll))?(?![\w'])")


@settings(max_examples=200, deadline=None)
@given(text=st.lists(st.sampled_from([*"Ii'’ dmvelx.", "I'd", "i’ll", "hi", "II"]), max_size=25).map("".join))
def test_the_i_count_pattern_matches_as_written(text: str) -> None:
    assert [m.span() for m in lexicon.I_WORD.finditer(text)] == [
        m.span() for m in _I_AS_WRITTEN.finditer(text)
    ]
