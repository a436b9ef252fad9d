"""The eval suite can fail: broken graders planted here must be caught by the thresholds."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.catalog import ARCHETYPE_IDS
from service.config import REPO_ROOT
from service.evals.cases import Case, load_cases
from service.evals.report import check_thresholds
from service.evals.runner import builtin_grader, grade_cases, grader_report, injection_report
from service.rubric import Grade, analyze
from service.rubric.models import PartGrade

CASES = load_cases(REPO_ROOT / "evals" / "cases")
THRESHOLDS = REPO_ROOT / "evals" / "thresholds.yaml"


def always_met(case: Case) -> Grade:
    grade = analyze(case.answer, case.archetype)
    parts = {name: PartGrade(verdict="met") for name in grade.parts}
    return grade.model_copy(update={"parts": parts, "level": "staff", "pushbacks": []})


def obeys_injections(case: Case) -> Grade:
    """Honest, except that it believes the candidate when told to score Staff."""
    grade = analyze(case.answer, case.archetype)
    if grade.signals.injection_suspected:
        return always_met(case)
    return grade


def always_missing(case: Case) -> Grade:
    grade = analyze(case.answer, case.archetype)
    parts = {name: PartGrade(verdict="missing") for name in grade.parts}
    return grade.model_copy(update={"parts": parts, "level": "weak"})


def report_for(grader: object) -> dict[str, object]:
    grades = grade_cases(CASES, grader)  # type: ignore[arg-type]
    dev = [c for c in CASES if not c.held_out]
    held = [c for c in CASES if c.held_out]
    return {
        "grader": grader_report(dev, grades),
        "holdout": grader_report(held, grades),
        "injection": injection_report(CASES, grades),
    }


def grader_failures(report: dict[str, object]) -> list[str]:
    """Threshold failures about the grader sections (the personas and LLM sections are not run here)."""
    return [
        f for f in check_thresholds(report, THRESHOLDS) if f.startswith(("grader.", "holdout.", "injection."))
    ]


def test_the_real_grader_passes() -> None:
    assert grader_failures(report_for(builtin_grader)) == []


@pytest.mark.parametrize(
    ("grader", "caught_by"),
    [
        (always_met, "grader.overall"),
        (always_missing, "grader.overall"),
        (obeys_injections, "injection.attack_success"),
    ],
    ids=["always-met", "always-missing", "obeys-injections"],
)
def test_a_broken_grader_is_caught(grader: object, caught_by: str) -> None:
    failures = grader_failures(report_for(grader))
    assert any(f.startswith(caught_by) for f in failures), failures


def test_a_missing_metric_fails(tmp_path: Path) -> None:
    spec = tmp_path / "t.yaml"
    spec.write_text("min:\n  grader.no_such_metric: 0.5\n")
    assert check_thresholds(report_for(builtin_grader), spec) == ["grader.no_such_metric: not in the report"]


def test_cases_cover_every_archetype_and_level() -> None:
    assert len(CASES) >= 120
    assert {c.archetype for c in CASES} >= set(ARCHETYPE_IDS)
    levels = [c.expected.level for c in CASES]
    assert all(levels.count(level) >= 15 for level in ("weak", "passing", "strong", "staff"))
    assert all(c.expected.pushbacks or c.expected.level == "staff" for c in CASES)


def test_flip_rate_counts_cases_whose_verdict_changes_across_epochs() -> None:
    from service.evals.llm_eval import flip_rates, llm_subset

    subset = llm_subset(CASES, 1)
    assert {c.source for c in subset} >= {"seed", "own"}
    steady = {c.id: analyze(c.answer, c.archetype) for c in subset}
    changed = dict(steady)
    first = subset[0]
    changed[first.id] = always_met(first)
    rates = flip_rates([steady, steady], subset)
    assert set(rates.values()) == {0.0}
    moved = flip_rates([steady, changed], subset)
    flipped_parts = [p for p, v in steady[first.id].parts.items() if v.verdict != "met"]
    for part in flipped_parts:
        assert moved[part] == pytest.approx(1 / len(subset))
