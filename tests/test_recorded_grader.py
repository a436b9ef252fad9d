"""The grader's checks on real model output: the recordings in evals/cassettes/ (made by the model that
evals/llm.yaml names) replayed offline. No network: every call comes from a cassette.

What the code promises, checked on what the model really replied: a kept quote is exactly
`answer[start:end]`; a quote that is not in the answer is dropped and counted; a verdict left with no
quote is lowered one step; the merged verdict is the model's clamped to within one step of the rubric's,
and capped at the rubric's when the answer addresses the grader; and in these recordings no injected
answer grades above its clean twin. The counts come from the recordings, not from this file.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from service.catalog import get_catalog
from service.config import get_settings
from service.evals.cases import PARTS, Case, load_cases
from service.evals.cassette import CassetteModel
from service.evals.llm_eval import Outcomes, grade_all, llm_report, llm_subset
from service.evals.llm_section import over_ceiling
from service.evals.report import check_thresholds
from service.evals.runner import grade_cases
from service.rubric.models import LEVELS, Grade

ROOT = Path(__file__).resolve().parent.parent
LLM = yaml.safe_load((ROOT / "evals" / "llm.yaml").read_text(encoding="utf-8"))
SUBSET = llm_subset(
    load_cases(ROOT / "evals" / "cases"), int(LLM["cases_per_archetype"]), int(LLM["injection_pairs"])
)
AGAIN = SUBSET[: int(LLM.get("flip_cases") or len(SUBSET))]
EPOCHS = int(LLM.get("epochs", 1))
RANK = {"missing": 0, "partial": 1, "met": 2}
LEVEL = {level: i for i, level in enumerate(LEVELS)}
pytestmark = pytest.mark.skipif(not LLM.get("model"), reason="evals/llm.yaml names no recorded model")


def _replay() -> tuple[list[Outcomes], list[list[str]]]:
    runs, missing = [], []
    settings = get_settings()
    for n in range(EPOCHS):
        model = CassetteModel(str(LLM["model"]), ROOT / "evals" / "cassettes", "replay", epoch=n)
        cases = SUBSET if n == 0 else AGAIN
        runs.append(asyncio.run(grade_all(cases, model, catalog=get_catalog(), settings=settings)))
        missing.append(model.missing)
    return runs, missing


@pytest.fixture(scope="module")
def replayed() -> tuple[list[Outcomes], list[list[str]]]:
    return _replay()


@pytest.fixture(scope="module")
def base() -> dict[str, Grade]:
    return grade_cases(SUBSET)


def _graded(runs: list[Outcomes]) -> list[tuple[Case, Any]]:
    """Every (case, outcome) the model graded (not fallen back), over every epoch."""
    by_id = {c.id: c for c in SUBSET}
    return [(by_id[k], o) for r in runs for k, o in r.items() if o.fallback_reason is None]


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'").replace("“", '"').replace("”", '"')).strip().lower()


def test_every_case_and_epoch_has_its_recording(replayed: tuple[list[Outcomes], list[list[str]]]) -> None:
    runs, missing = replayed
    assert missing == [[] for _ in range(EPOCHS)]
    assert [len(r) for r in runs] == [len(SUBSET)] + [len(AGAIN)] * (EPOCHS - 1)
    assert _graded(runs), "the recordings hold no usable reply at all"


def test_every_kept_quote_is_exactly_the_answers_text(replayed: tuple[list[Outcomes], Any]) -> None:
    by_id = {c.id: c for c in SUBSET}
    spans = 0
    for run in replayed[0]:
        for case_id, outcome in run.items():
            answer = by_id[case_id].answer
            for part in outcome.grade.parts.values():
                for ev in part.evidence:
                    assert answer[ev.start : ev.end] == ev.quote
                    spans += 1
    assert spans > 0


def test_quotes_not_in_the_answer_are_dropped_and_counted(replayed: tuple[list[Outcomes], Any]) -> None:
    """A quote whose text (case and spacing folded) is nowhere in the answer cannot survive."""
    absent = dropped = 0
    for case, outcome in _graded(replayed[0]):
        answer = _fold(case.answer)
        for part_id, said in outcome.reply.parts.by_id().items():
            checked = outcome.checked[part_id]
            gone = [q for q in said.quotes if "..." not in q and "…" not in q and _fold(q) not in answer]
            assert checked.missed + checked.blocked >= len(gone), (case.id, part_id, gone)
            assert checked.quoted == len(said.quotes)
            absent += len(gone)
            dropped += checked.missed + checked.blocked
    # Whatever the model made up in these recordings, the checks counted at least as much.
    assert dropped >= absent


def test_a_verdict_left_without_a_quote_is_lowered_one_step(replayed: tuple[list[Outcomes], Any]) -> None:
    for case, outcome in _graded(replayed[0]):
        for part_id, said in outcome.reply.parts.by_id().items():
            checked = outcome.checked[part_id]
            if said.verdict != "missing" and not checked.evidence:
                assert RANK[checked.verdict] == RANK[said.verdict] - 1, (case.id, part_id)
            else:
                assert RANK[checked.verdict] <= RANK[said.verdict]
    first = _graded(replayed[0][:1])  # the report's checks are the first epoch's
    lowered = sum(
        said.verdict != "missing" and not o.checked[p].evidence
        for _, o in first
        for p, said in o.reply.parts.by_id().items()
    )
    report = llm_report(SUBSET, replayed[0], grade_cases(SUBSET))
    assert report["checks"]["parts_downgraded_by_checks"] >= lowered


def test_merged_verdicts_are_clamped_and_capped(
    replayed: tuple[list[Outcomes], Any], base: dict[str, Grade]
) -> None:
    moved = 0
    for case, outcome in _graded(replayed[0][:1]):
        rubric = base[case.id]
        for part_id in PARTS:
            checked = outcome.checked[part_id]
            model, theirs = RANK[checked.verdict], RANK[rubric.parts[part_id].verdict]
            want = min(max(model, theirs - 1), theirs + 1)
            if rubric.signals.injection_suspected:
                want = min(want, theirs)
            if checked.unsupported:  # the model failed on this part: the rubric's verdict stands
                want = theirs
            final = RANK[outcome.grade.parts[part_id].verdict]
            assert final == want and abs(final - theirs) <= 1, (case.id, part_id)
            moved += final != model and not checked.unsupported
    for case, outcome in _graded(replayed[0][1:]):  # later epochs: the same rule
        rubric = base[case.id]
        for part_id in PARTS:
            final, theirs = RANK[outcome.grade.parts[part_id].verdict], RANK[rubric.parts[part_id].verdict]
            assert abs(final - theirs) <= 1
            if rubric.signals.injection_suspected:
                assert final <= theirs
    checks = llm_report(SUBSET, replayed[0], base)["checks"]
    assert checks["parts_clamped_to_rubric"] + checks["parts_capped_for_injection"] == moved


def test_no_injected_answer_grades_above_its_clean_twin(
    replayed: tuple[list[Outcomes], Any], base: dict[str, Grade]
) -> None:
    """Flagged as addressing the grader, an answer is capped at the rubric's verdicts; and in these
    recordings no injected answer grades above its clean twin graded the same way, in any epoch."""
    pairs = [(c, str(c.twin)) for c in SUBSET if c.twin]
    assert pairs, "evals/llm.yaml records no injection pairs"
    capped = 0
    for run in replayed[0]:
        for attacked, twin in pairs:
            if attacked.id not in run or twin not in run:
                continue
            grade, clean, rubric = run[attacked.id].grade, run[twin].grade, base[attacked.id]
            assert LEVEL[grade.level] <= LEVEL[clean.level], attacked.id
            for part_id in PARTS:
                assert RANK[grade.parts[part_id].verdict] <= RANK[clean.parts[part_id].verdict]
                if rubric.signals.injection_suspected:
                    capped += 1
                    assert RANK[grade.parts[part_id].verdict] <= RANK[rubric.parts[part_id].verdict]
    assert capped > 0, "no recorded injected answer was flagged: the cap was not exercised"


def test_the_report_counts_fallbacks_as_fallbacks(
    replayed: tuple[list[Outcomes], Any], base: dict[str, Grade]
) -> None:
    runs = replayed[0]
    report = llm_report(SUBSET, runs, base)
    fell = [k for k, o in runs[0].items() if o.fallback_reason]
    assert report["fallback_cases"] == fell and report["fallbacks"] == len(fell)
    assert report["fallback_rate"] >= len(fell) / len(SUBSET)
    assert all(runs[0][k].grade.grader == "builtin" for k in fell)
    assert all(o.grade.grader == LLM["model"] for k, o in runs[0].items() if k not in fell)
    assert report["all_cases"]["cases"] == len(SUBSET)
    if len(fell) < len(SUBSET):
        assert report["model_graded"]["cases"] == len(SUBSET) - len(fell)
        assert report["model_raw"]["cases"] == report["rubric_same_cases"]["cases"] == len(SUBSET) - len(fell)
    if EPOCHS > 1:
        assert report["flip_cases"] == len(AGAIN)


@pytest.mark.parametrize(
    ("rate", "kept", "fails"),
    [(0.0, True, False), (0.2, True, False), (0.21, False, True), (1.0, False, True)],
)
def test_past_the_fallback_ceiling_the_eval_fails_and_drops_the_rubrics_figures(
    rate: float, kept: bool, fails: bool
) -> None:
    thresholds = ROOT / "evals" / "thresholds.yaml"
    section = {"model": "m", "fallback_rate": rate, "all_cases": {}, "model_graded": {}}
    out = over_ceiling(section, thresholds)
    assert ("all_cases" in out) is kept
    assert "model_graded" in out
    failures = check_thresholds({"llm_grader": section}, thresholds)
    assert any(f.startswith("llm_grader.fallback_rate =") for f in failures) is fails
