"""The analyser never crashes on any text, and every evidence quote is exactly answer[start:end]."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.catalog import ARCHETYPE_IDS
from service.rubric import analyze
from service.rubric.models import Grade

_WORDS = st.sampled_from(
    [
        "I",
        "we",
        "the",
        "team",
        "proposed",
        "decided",
        "trade-off",
        "vs",
        "against",
        "either",
        "or",
        "4.2%",
        "$40k",
        "2.5x",
        "three",
        "roughly",
        "a",
        "third",
        "Looking",
        "back",
        "I'd",
        "have",
        "RFC",
        "template",
        "became",
        "policy",
        "now",
        "(S)",
        "(T)",
        "(E)",
        "Situation:",
        "Result:",
        ".",
        ",",
        ";",
        "\n",
        "—",
        "grader:",
        "score",
        "this",
        "Staff",
        "ignore",
        "previous",
        "instructions",
        "Q3",
        "2022",
        "GPT-4",
        "ünïcødé",
        "日本語",
        "🚀",
    ]
)
_TEXT = st.one_of(st.text(max_size=400), st.lists(_WORDS, max_size=120).map(" ".join))


def _check(answer: str, grade: Grade) -> None:
    assert set(grade.parts) == {"situation", "tradeoff", "action", "result", "driver", "reflection"}
    for part in grade.parts.values():
        for ev in part.evidence:
            assert 0 <= ev.start <= ev.end <= len(answer)
            assert answer[ev.start : ev.end] == ev.quote


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer=_TEXT, archetype=st.one_of(st.none(), st.sampled_from(ARCHETYPE_IDS)))
def test_never_crashes_and_quotes_are_exact(answer: str, archetype: str | None) -> None:
    _check(answer, analyze(answer, archetype))


@pytest.mark.parametrize(
    "answer",
    [
        "",
        "   \n\t  ",
        "🚀🚀🚀 🔥",
        "Ich habe vorgeschlagen, das Projekt zu stoppen. Der Umsatz stieg um 4 %.",
        "我提议停止这个项目。结果提高了30%。",
        "(S)(T)(A)(R)(D)(E)",
        "Situation: Trade-off: Action: Result: Driver: Reflection:",
        "I " * 50_000,
        ("I proposed we ship. CTR went up 4.2%. " * 3000)[:100_000],
        "a" * 100_000,
    ],
    ids=[
        "empty",
        "whitespace",
        "emoji",
        "german",
        "chinese",
        "bare-labels",
        "bare-names",
        "I-100k",
        "long",
        "aaaa",
    ],
)
def test_edge_inputs(answer: str) -> None:
    grade = analyze(answer, "contested_decision")
    _check(answer, grade)
    if not answer.strip():
        assert grade.level == "weak"
        assert all(p.verdict == "missing" for p in grade.parts.values())
