"""The LLM-grader section of `stardrive eval`: run it (replay, record or live), its ceiling, its printout."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

import yaml
from rich.console import Console
from rich.progress import Progress, TaskID

from service.catalog import get_catalog
from service.config import Settings
from service.errors import InputError
from service.evals.runner import grade_cases

if TYPE_CHECKING:
    from service.evals.suite import Options

FALLBACK_KEY = "llm_grader.fallback_rate"
DEFAULT_CEILING = 0.2  # when thresholds.yaml names none
JSON_MODES: tuple[str, ...] = get_args(Settings.model_fields["json_mode"].annotation)


def with_json_mode(settings: Settings, json_mode: str | None) -> Settings:
    if json_mode is None:
        return settings
    if json_mode not in JSON_MODES:
        raise InputError(f"unknown JSON mode {json_mode!r}; one of {', '.join(JSON_MODES)}")
    return settings.model_copy(update={"json_mode": json_mode})


def llm_section(
    options: Options, settings: Settings, cases: list[Any], llm: dict[str, Any], progress: Progress
) -> dict[str, Any]:
    """Live with `--epochs N` alone; else from cassettes (`--record` makes them), epochs from llm.yaml."""
    from service.evals.cassette import CassetteModel
    from service.evals.llm_eval import Outcomes, grade_all, llm_report, llm_subset
    from service.llm import get_model

    catalog = get_catalog()
    subset = llm_subset(cases, int(llm.get("cases_per_archetype", 2)), int(llm.get("injection_pairs", 0)))
    name = options.model or str(llm.get("model", "builtin"))
    live = options.epochs > 0 and not options.record
    fresh = live or options.record
    epochs = options.epochs or int(llm.get("epochs", 1))
    # Epochs after the first grade only the first `flip_cases` cases (recording a small model on two cores
    # is slow); the flip rate is over those.
    again = subset[: int(llm.get("flip_cases") or len(subset))]
    mode = "live" if live else "recording" if options.record else "replay"
    out: dict[str, Any] = {"model": name, "cases": len(subset), "source": mode, "label": "in-sample"}
    if fresh:
        out["json_mode"] = settings.json_mode
    else:  # what made the recordings, as evals/llm.yaml says
        out.update({k: llm[k] for k in ("json_mode", "recorded_with") if k in llm})
    inner = get_model(name, settings) if fresh else None
    runs: list[Outcomes] = []
    missing: list[str] = []
    used: set[str] = set()
    for n in range(epochs):
        cassettes = None
        if not live:
            cassettes = CassetteModel(
                name, options.cassettes, "record" if options.record else "replay", inner, epoch=n
            )
        model: Any = cassettes or inner
        chosen = subset if n == 0 else again
        task = progress.add_task(f"{name} ({mode}), epoch {n + 1}/{epochs}", total=len(chosen))
        advance = _advancer(progress, task)
        runs.append(
            asyncio.run(grade_all(chosen, model, catalog=catalog, settings=settings, progress=advance))
        )
        if cassettes is not None:
            missing += cassettes.missing
            used |= cassettes.used
    out.update(llm_report(subset, runs, grade_cases(subset)))
    out["missing_cassettes"] = missing
    if options.record:
        unused = {p.stem for p in options.cassettes.glob("*.json")} - used
        for stem in unused:  # stale recordings of prompts that no longer exist
            (options.cassettes / f"{stem}.json").unlink()
    return out


def ceiling(thresholds: Path) -> float:
    spec = yaml.safe_load(thresholds.read_text(encoding="utf-8")) or {}
    return float((spec.get("max") or {}).get(FALLBACK_KEY, DEFAULT_CEILING))


def over_ceiling(section: dict[str, Any], thresholds: Path) -> dict[str, Any]:
    """Past the fallback ceiling the all-cases figures are mostly the rubric's: drop them (the eval fails
    on `llm_grader.fallback_rate` in thresholds.yaml); the model-graded ones stay, labelled as such."""
    rate = section.get("fallback_rate")
    limit = ceiling(thresholds)
    if rate is None or rate <= limit:
        return section
    kept = {k: v for k, v in section.items() if k not in ("all_cases", "rubric_all_cases")}
    kept["status"] = "fallback rate above the ceiling"
    kept["reason"] = f"fallback rate {rate:.2f} is above {limit}: the rubric graded most of these"
    return kept


def _advancer(progress: Progress, task: TaskID) -> Callable[[], None]:
    return lambda: progress.advance(task)


def _fig(row: dict[str, Any]) -> str:
    return (
        f"parts {row['overall']['accuracy']:.3f} (kappa {row['overall']['kappa']:.3f}), "
        f"level exact {row['level']['exact']:.3f}, within one {row['level']['within_one']:.3f}"
    )


def print_llm(llm: dict[str, Any], console: Console) -> None:
    if llm.get("status") == "not measured":
        console.print(f"LLM grader: not measured ({llm['reason']})")
        return
    console.print(
        f"LLM grader {llm['model']} ({llm['source']}, JSON mode {llm.get('json_mode', '?')}) on "
        f"{llm['cases']} in-sample cases x {llm['epochs']} epoch(s): fallback rate {llm['fallback_rate']:.2f}"
    )
    rows = [
        ("all cases (fallbacks graded by the rubric)", llm.get("all_cases")),
        ("cases the model graded, merged", llm.get("model_graded")),
        ("cases the model graded, its raw verdicts", llm.get("model_raw")),
        ("the rubric alone, same cases", llm.get("rubric_same_cases")),
    ]
    for label, row in rows:
        if row:
            console.print(f"  {label} ({row['cases']}): {_fig(row)}")
    checks = llm.get("checks") or {}
    if checks:
        console.print(
            f"  quotes: {checks['quotes_given']} given, {checks['quotes_made_up']} not in the answer, "
            f"{checks['quotes_addressed_to_grader']} from text addressed to the grader, "
            f"{checks['quotes_kept']} kept; parts downgraded {checks['parts_downgraded_by_checks']} "
            "(so left to the rubric), "
            f"clamped {checks['parts_clamped_to_rubric']}, capped for injection "
            f"{checks['parts_capped_for_injection']}"
        )
    inj = llm.get("injection") or {}
    if inj.get("pairs"):
        console.print(f"  injection: {inj['pairs']} pairs, attack success {inj['attack_success']:.3f}")
    if "flip_rate" in llm:
        console.print(
            "  flip rate per part: "
            + ", ".join(f"{k} {v:.2f}" for k, v in llm["flip_rate"].items())
            + f"; level {llm['level_flip_rate']:.2f}; replies identical across epochs "
            f"{llm['replies_identical']:.2f} (over the {llm['flip_cases']} cases every epoch graded)"
        )
    if llm.get("reason"):
        console.print(f"  {llm['reason']}")
