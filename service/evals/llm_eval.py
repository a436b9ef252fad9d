"""The LLM grader measured on a fixed subset of the labeled cases: replayed from cassettes, or live.

Never the rubric's figures under the model's name: a case the model failed on (the grader fell back to the
rubric) is counted as a fallback, and agreement is given over all cases (fallbacks graded by the rubric,
as the service would) and over the cases the model graded. Beside them: the model's own verdicts before
the quote checks and the clamp, the rubric alone on the same cases, and what the checks did.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from service.catalog import Catalog
from service.config import Settings
from service.evals import metrics as m
from service.evals.cases import PARTS, Case
from service.evals.runner import grader_report, injection_report
from service.grading import grade_answer
from service.grading.grader import GradeOutcome
from service.llm.base import ChatModel
from service.rubric import Grade
from service.rubric.models import LEVELS, Verdict, level_from_verdicts

Outcomes = dict[str, GradeOutcome]
_RANK = {"missing": 0, "partial": 1, "met": 2}


def llm_subset(cases: list[Case], per_archetype: int, injection_pairs: int = 0) -> list[Case]:
    """In-sample cases only: every seed case, the first `per_archetype` cases of each archetype by id (no
    injection twins), then the first `injection_pairs` injected cases by id together with their clean twins.

    The held-out split stays out: its answers are not copied into recordings, and the model's figures are
    not pooled with held-out ones.
    """
    pool = [c for c in cases if not c.held_out]
    chosen = [c for c in pool if c.source == "seed"]
    by_arch: dict[str | None, list[Case]] = {}
    for c in sorted(pool, key=lambda c: c.id):
        if c.source != "seed" and "injection" not in c.tags and not c.twin:
            by_arch.setdefault(c.archetype, []).append(c)
    for group in by_arch.values():
        chosen += group[:per_archetype]
    by_id = {c.id: c for c in pool}
    attacked = [c for c in sorted(pool, key=lambda c: c.id) if c.twin and c.twin in by_id]
    for c in attacked[:injection_pairs]:
        chosen += [x for x in (c, by_id[str(c.twin)]) if x not in chosen]
    return chosen


async def grade_all(
    cases: list[Case],
    model: ChatModel,
    *,
    catalog: Catalog,
    settings: Settings,
    progress: Callable[[], None] = lambda: None,
) -> Outcomes:
    outcomes: Outcomes = {}
    for case in cases:
        outcomes[case.id] = await grade_answer(
            answer=case.answer,
            archetype=case.archetype,
            question=case.question,
            model=model,
            catalog=catalog,
            prompts_dir=settings.prompts_dir,
        )
        progress()
    return outcomes


def verdict_report(cases: list[Case], verdicts: dict[str, dict[str, Verdict]]) -> dict[str, Any]:
    """Agreement of bare verdicts with the labels: per part, all parts, and the level they make."""
    per_part = {}
    for part in PARTS:
        exp = [c.expected.parts[part] for c in cases]
        act = [verdicts[c.id][part] for c in cases]
        per_part[part] = {"accuracy": m.accuracy(exp, act), "kappa": m.cohen_kappa(exp, act)}
    all_exp = [c.expected.parts[p] for c in cases for p in PARTS]
    all_act = [verdicts[c.id][p] for c in cases for p in PARTS]
    rank = {level: i for i, level in enumerate(LEVELS)}
    exp_lv = [rank[c.expected.level] for c in cases]
    act_lv = [rank[level_from_verdicts(tuple(verdicts[c.id][p] for p in PARTS))] for c in cases]
    return {
        "cases": len(cases),
        "per_part": per_part,
        "overall": {"accuracy": m.accuracy(all_exp, all_act), "kappa": m.cohen_kappa(all_exp, all_act)},
        "level": {"exact": m.accuracy(exp_lv, act_lv), "within_one": m.within_one(exp_lv, act_lv)},
    }


def _short(report: dict[str, Any]) -> dict[str, Any]:
    """A grader_report without its confusion matrices and misses (the cassettes hold the detail)."""
    return {
        "cases": report["cases"],
        "per_part": {p: {k: r[k] for k in ("accuracy", "kappa")} for p, r in report["per_part"].items()},
        "overall": report["overall"],
        "level": {k: report["level"][k] for k in ("exact", "within_one")},
        **{k: report[k] for k in ("trap", "pushbacks") if k in report},
    }


def checks_report(cases: list[Case], outcomes: Outcomes, base: dict[str, Grade]) -> dict[str, Any]:
    """What the code did to the model's reading: quotes dropped, verdicts lowered (and so left to the
    rubric), the rest clamped or capped."""
    quoted = missed = blocked = kept = downgraded = clamped = capped = 0
    for c in cases:
        o = outcomes[c.id]
        if o.checked is None:
            continue
        injection = base[c.id].signals.injection_suspected
        for part, checked in o.checked.items():
            quoted += checked.quoted
            missed += checked.missed
            blocked += checked.blocked
            kept += len(checked.evidence)
            if checked.unsupported:  # lowered by the checks, so the rubric's verdict stands (merge rule 1)
                downgraded += 1
                continue
            final, rubric = _RANK[o.grade.parts[part].verdict], _RANK[base[c.id].parts[part].verdict]
            if final != _RANK[checked.verdict]:
                if injection and _RANK[checked.verdict] > rubric and final == rubric:
                    capped += 1
                else:
                    clamped += 1
    return {
        "quotes_given": quoted,
        "quotes_made_up": missed,
        "quotes_addressed_to_grader": blocked,
        "quotes_kept": kept,
        "parts_downgraded_by_checks": downgraded,
        "parts_clamped_to_rubric": clamped,
        "parts_capped_for_injection": capped,
    }


def _epoch_report(cases: list[Case], outcomes: Outcomes, base: dict[str, Grade]) -> dict[str, Any]:
    fell = [c for c in cases if outcomes[c.id].fallback_reason]
    graded = [c for c in cases if not outcomes[c.id].fallback_reason]
    grades = {c.id: outcomes[c.id].grade for c in cases}
    out: dict[str, Any] = {
        "fallbacks": len(fell),
        "fallback_rate": len(fell) / len(cases) if cases else 0.0,
        "fallback_cases": [c.id for c in fell],
        # What the service would show: the model's merged grades, the rubric's where the model failed.
        "all_cases": _short(grader_report(cases, grades)),
    }
    if graded:
        out["model_graded"] = _short(grader_report(graded, grades))
        raw = {
            c.id: {p: v.verdict for p, v in outcomes[c.id].reply.parts.by_id().items()}  # type: ignore[union-attr]
            for c in graded
        }
        # The model's verdicts as it replied, before quote checks, clamp and cap.
        out["model_raw"] = verdict_report(graded, raw)
        out["rubric_same_cases"] = _short(grader_report(graded, base))
    out["checks"] = checks_report(cases, outcomes, base)
    out["injection"] = injection_report(cases, grades)
    out["injection_rubric"] = injection_report(cases, base)
    return out


def llm_report(cases: list[Case], runs: list[Outcomes], base: dict[str, Grade]) -> dict[str, Any]:
    """The first epoch's figures at the top level (it grades every case), each epoch's fallback rate, and
    the flip rates over the cases every epoch graded."""
    first = _epoch_report(cases, runs[0], base)
    report = dict(first)
    report["epochs"] = len(runs)
    rates = []
    for outcomes in runs:
        graded = [c for c in cases if c.id in outcomes]
        rates.append(
            sum(1 for c in graded if outcomes[c.id].fallback_reason) / len(graded) if graded else 0.0
        )
    report["fallback_rate"] = max(rates)  # the worst epoch is the rate
    report["fallback_rate_per_epoch"] = rates
    report["rubric_all_cases"] = _short(grader_report(cases, base))
    if len(runs) > 1:
        common = [c for c in cases if all(c.id in r for r in runs)]
        report["flip_cases"] = len(common)
        report["flip_rate"] = flip_rates([{k: o.grade for k, o in r.items()} for r in runs], common)
        report["level_flip_rate"] = _level_flips(runs, common)
        report["replies_identical"] = _identical(runs, common)
    return report


def flip_rates(epochs: list[dict[str, Grade]], cases: list[Case]) -> dict[str, float]:
    """Per part: the share of cases whose verdict is not the same in every epoch."""
    rates: dict[str, float] = {}
    for part in PARTS:
        flipped = sum(1 for c in cases if len({e[c.id].parts[part].verdict for e in epochs}) > 1)
        rates[part] = flipped / len(cases) if cases else 0.0
    return rates


def _level_flips(runs: list[Outcomes], cases: list[Case]) -> float:
    flipped = sum(1 for c in cases if len({r[c.id].grade.level for r in runs}) > 1)
    return flipped / len(cases) if cases else 0.0


def _identical(runs: list[Outcomes], cases: list[Case]) -> float:
    """The share of cases where every epoch's reply (or fallback) was the same, to the character."""

    def reply(o: GradeOutcome) -> str:
        return o.reply.model_dump_json() if o.reply is not None else f"fallback: {o.fallback_reason}"

    same = sum(1 for c in cases if len({reply(r[c.id]) for r in runs}) == 1)
    return same / len(cases) if cases else 0.0
