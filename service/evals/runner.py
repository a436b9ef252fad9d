"""Run the grader over the labeled cases and compute the report (plain dicts, JSON-ready)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from service.evals import metrics as m
from service.evals.cases import PARTS, Case
from service.rubric import analyze
from service.rubric.models import LEVELS, Grade

Grader = Callable[[Case], Grade]
VERDICTS = ("met", "partial", "missing")


def builtin_grader(case: Case) -> Grade:
    return analyze(case.answer, case.archetype, case.question)


def grade_cases(cases: list[Case], grader: Grader = builtin_grader) -> dict[str, Grade]:
    return {c.id: grader(c) for c in cases}


def grader_report(cases: list[Case], grades: dict[str, Grade]) -> dict[str, Any]:
    per_part: dict[str, Any] = {}
    for part in PARTS:
        exp = [c.expected.parts[part] for c in cases]
        act = [grades[c.id].parts[part].verdict for c in cases]
        per_part[part] = {
            "accuracy": m.accuracy(exp, act),
            "kappa": m.cohen_kappa(exp, act),
            "confusion": {"labels": list(VERDICTS), "rows": m.confusion(exp, act, VERDICTS)},
        }
    rank = {level: i for i, level in enumerate(LEVELS)}
    exp_lv = [rank[c.expected.level] for c in cases]
    act_lv = [rank[grades[c.id].level] for c in cases]
    all_exp = [c.expected.parts[p] for c in cases for p in PARTS]
    all_act = [grades[c.id].parts[p].verdict for c in cases for p in PARTS]
    with_trap = [c for c in cases if c.expected.trap_hit is not None and grades[c.id].trap is not None]
    trap_p, trap_r = m.binary_precision_recall(
        [bool(c.expected.trap_hit) for c in with_trap],
        [bool(grades[c.id].trap and grades[c.id].trap.hit) for c in with_trap],  # type: ignore[union-attr]
    )
    pb_p, pb_r = m.precision_recall(
        [set(c.expected.pushbacks) for c in cases], [set(grades[c.id].pushbacks) for c in cases]
    )
    return {
        "cases": len(cases),
        "per_part": per_part,
        "overall": {"accuracy": m.accuracy(all_exp, all_act), "kappa": m.cohen_kappa(all_exp, all_act)},
        "level": {
            "exact": m.accuracy(exp_lv, act_lv),
            "within_one": m.within_one(exp_lv, act_lv),
            "confusion": {"labels": list(LEVELS), "rows": m.confusion(exp_lv, act_lv, range(len(LEVELS)))},
        },
        "trap": {"precision": trap_p, "recall": trap_r, "cases": len(with_trap)},
        "pushbacks": {"precision": pb_p, "recall": pb_r},
        "misses": [
            {
                "id": c.id,
                "parts": {
                    p: [c.expected.parts[p], grades[c.id].parts[p].verdict]
                    for p in PARTS
                    if c.expected.parts[p] != grades[c.id].parts[p].verdict
                },
                "level": [c.expected.level, grades[c.id].level],
            }
            for c in cases
            if c.expected.level != grades[c.id].level
            or any(c.expected.parts[p] != grades[c.id].parts[p].verdict for p in PARTS)
        ],
    }


def injection_report(cases: list[Case], grades: dict[str, Grade]) -> dict[str, Any]:
    """Attack success: an injected answer graded above its clean twin on any part or the level."""
    by_id = {c.id: c for c in cases}
    pairs = [(c, by_id[c.twin]) for c in cases if c.twin and c.twin in by_id]
    vrank = {"missing": 0, "partial": 1, "met": 2}
    lrank = {level: i for i, level in enumerate(LEVELS)}
    raised = 0
    for attacked, clean in pairs:
        ga, gc = grades[attacked.id], grades[clean.id]
        if lrank[ga.level] > lrank[gc.level] or any(
            vrank[ga.parts[p].verdict] > vrank[gc.parts[p].verdict] for p in PARTS
        ):
            raised += 1
    clean_ids = {clean.id for _, clean in pairs}
    drift = [c for c in cases if c.id in clean_ids and grades[c.id].level != c.expected.level]
    flagged = sum(grades[a.id].signals.injection_suspected for a, _ in pairs)
    return {
        "pairs": len(pairs),
        "attack_success": raised / len(pairs) if pairs else 0.0,
        "benign_drift": len(drift) / len(clean_ids) if clean_ids else 0.0,
        "flagged": flagged / len(pairs) if pairs else 0.0,
    }


def summary(cases: list[Case], grades: dict[str, Grade]) -> dict[str, Any]:
    """The headline figures of `grader_report` for one slice of the cases."""
    full = grader_report(cases, grades)
    return {
        "cases": len(cases),
        "accuracy": full["overall"]["accuracy"],
        "kappa": full["overall"]["kappa"],
        "level_exact": full["level"]["exact"],
        "level_within_one": full["level"]["within_one"],
        "trap_precision": full["trap"]["precision"],
        "trap_recall": full["trap"]["recall"],
        "trap_cases": full["trap"]["cases"],
    }


def slices(cases: list[Case], grades: dict[str, Grade]) -> dict[str, Any]:
    """Per file and per tag (style, trait): where the grader does well and where it does not."""
    by_file: dict[str, list[Case]] = {}
    by_tag: dict[str, list[Case]] = {}
    for c in cases:
        by_file.setdefault(c.file, []).append(c)
        for tag in c.tags:
            by_tag.setdefault(tag, []).append(c)
    return {
        "by_file": {name: summary(group, grades) for name, group in sorted(by_file.items())},
        "by_tag": {name: summary(group, grades) for name, group in sorted(by_tag.items()) if len(group) >= 3},
    }


def forms_report(cases: list[Case], grades: dict[str, Grade]) -> dict[str, Any]:
    """The same story in another form: how often the retelling gets the base telling's level."""
    by_id = {c.id: c for c in cases}
    pairs = [(c, by_id[c.form_of]) for c in cases if c.form_of and c.form_of in by_id]
    same = [a for a, b in pairs if grades[a.id].level == grades[b.id].level]
    return {
        "pairs": len(pairs),
        "same_level": len(same) / len(pairs) if pairs else 1.0,
        "differ": [[b.id, a.id, grades[b.id].level, grades[a.id].level] for a, b in pairs if a not in same],
    }
