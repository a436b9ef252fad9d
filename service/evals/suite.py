"""`stardrive eval`: the grader, the interviewer with simulated candidates, and the LLM grader (replayed).

Offline and deterministic by default: the builtin grader, the builtin interviewer and recorded model
responses. `--record` re-records the cassettes against a live model; `--model X --epochs N` measures a
live model's verdict flip rate.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.progress import Progress, TaskID
from rich.table import Table

from service.catalog import get_catalog
from service.config import Settings, get_settings
from service.errors import InputError
from service.evals.cases import load_cases
from service.evals.report import check_thresholds, write_report
from service.evals.runner import forms_report, grade_cases, grader_report, injection_report, slices

MAX_FALLBACK_RATE = 0.2
NOT_RECORDED = (
    "no recording of a model whose grades are usable (evals/llm.yaml names none); "
    "record one with --record --model X --api-base URL"
)


@dataclass
class Options:
    cases: Path
    thresholds: Path
    report: Path | None = None
    llm_config: Path = Path("evals/llm.yaml")
    cassettes: Path = Path("evals/cassettes")
    record: bool = False
    model: str | None = None
    api_base: str | None = None
    epochs: int = 0
    personas: bool = True


def run(options: Options, console: Console) -> dict[str, Any]:
    cases = load_cases(options.cases)
    if not cases:
        raise InputError(f"no cases in {options.cases}")
    settings = get_settings()
    if options.api_base:
        settings = settings.model_copy(update={"api_base": options.api_base})
    llm = (
        yaml.safe_load(options.llm_config.read_text(encoding="utf-8")) if options.llm_config.exists() else {}
    )
    report: dict[str, Any] = {}
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("grader (builtin)", total=len(cases))
        grades = grade_cases(cases)
        progress.update(task, completed=len(cases))
        dev = [c for c in cases if not c.held_out]
        held = [c for c in cases if c.held_out]
        # In-sample: the cases the rules and the classifier were developed against. Held-out: frozen
        # before any of that, never tuned on. They are reported apart and never pooled.
        report["grader"] = grader_report(dev, grades) if dev else {}
        report["grader"]["label"] = "in-sample"
        if held:
            report["holdout"] = grader_report(held, grades)
            report["holdout"]["label"] = "held-out"
        report["slices"] = slices(cases, grades)
        # Forms, like the rest, apart: the frozen retellings, and the in-sample ones tuned against.
        report["forms"] = forms_report(held, grades)
        report["forms_in_sample"] = forms_report(dev, grades)
        report["injection"] = injection_report(cases, grades)
        if options.personas:
            task = progress.add_task("simulated candidates", total=1)
            report["personas"] = _personas()
            progress.update(task, completed=1)
        if llm.get("model") or options.model:
            report["llm_grader"] = _llm(options, settings, cases, llm, progress)
        else:
            report["llm_grader"] = {"status": "not measured", "reason": NOT_RECORDED}
    report["failures"] = check_thresholds(report, options.thresholds)
    llm_rate = report["llm_grader"].get("fallback_rate")
    if llm_rate is not None and llm_rate > MAX_FALLBACK_RATE:
        # Past this the figures would be the rubric's under the model's name: keep the rate, drop the rest.
        report["llm_grader"] = {
            "status": "not measured",
            "model": report["llm_grader"]["model"],
            "cases": report["llm_grader"]["cases"],
            "fallback_rate": llm_rate,
            "reason": f"fallback rate {llm_rate:.2f} is above {MAX_FALLBACK_RATE}: the rubric graded these",
            "missing_cassettes": report["llm_grader"].get("missing_cassettes", []),
        }
        report["failures"].append(f"llm_grader.fallback_rate = {llm_rate:.3f} is above {MAX_FALLBACK_RATE}")
    missing = (report.get("llm_grader") or {}).get("missing_cassettes") or []
    if missing:
        report["failures"].append(f"llm_grader: {len(missing)} cassette(s) missing; re-record with --record")
    if options.report is not None:
        write_report(report, options.report)
    _print(report, console)
    return report


def _personas() -> dict[str, Any]:
    from service.evals.personas import default_settings, personas_report, run_personas

    with tempfile.TemporaryDirectory(prefix="stardrive-personas-") as tmp:
        results = asyncio.run(run_personas(default_settings(Path(tmp))))
    return personas_report(results)


def _llm(
    options: Options, settings: Settings, cases: list[Any], llm: dict[str, Any], progress: Progress
) -> dict[str, Any]:
    from service.evals.cassette import CassetteModel
    from service.evals.llm_eval import flip_rates, grade_all, llm_report, llm_subset
    from service.llm import get_model

    catalog = get_catalog()
    subset = llm_subset(cases, int(llm.get("cases_per_archetype", 2)))
    name = options.model or str(llm.get("model", "builtin"))
    out: dict[str, Any] = {"model": name, "cases": len(subset)}
    if options.epochs > 0:
        live = get_model(name, settings)
        epochs = []
        for n in range(options.epochs):
            task = progress.add_task(f"{name}, epoch {n + 1}/{options.epochs}", total=len(subset))
            grades, fallbacks = asyncio.run(
                grade_all(
                    subset, live, catalog=catalog, settings=settings, progress=_advancer(progress, task)
                )
            )
            epochs.append(grades)
        out["flip_rate"] = flip_rates(epochs, subset)
        out.update(llm_report(subset, epochs[-1], fallbacks))
        return out
    inner = get_model(name, settings) if options.record else None
    model = CassetteModel(name, options.cassettes, "record" if options.record else "replay", inner)
    task = progress.add_task(f"{name} ({'recording' if options.record else 'replay'})", total=len(subset))
    grades, fallbacks = asyncio.run(
        grade_all(subset, model, catalog=catalog, settings=settings, progress=_advancer(progress, task))
    )
    out.update(llm_report(subset, grades, fallbacks))
    out["missing_cassettes"] = model.missing
    if options.record:
        unused = {p.stem for p in options.cassettes.glob("*.json")} - model.used
        for stem in unused:  # stale recordings of prompts that no longer exist
            (options.cassettes / f"{stem}.json").unlink()
    return out


def _advancer(progress: Progress, task: TaskID) -> Callable[[], None]:
    return lambda: progress.advance(task)


def _sections(report: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (name, report[key])
        for key, name in (("grader", "in-sample"), ("holdout", "held-out"))
        if report.get(key, {}).get("cases")
    ]


def _print(report: dict[str, Any], console: Console) -> None:
    sections = _sections(report)
    table = Table(title="Grader: " + ", ".join(f"{name} {g['cases']} cases" for name, g in sections))
    table.add_column("part")
    for name, _ in sections:
        table.add_column(f"{name} accuracy", justify="right")
        table.add_column("kappa", justify="right")
    for part in sections[0][1]["per_part"] if sections else ():
        table.add_row(
            part, *[f"{g['per_part'][part][k]:.3f}" for _, g in sections for k in ("accuracy", "kappa")]
        )
    table.add_row(
        "all parts",
        *[f"{g['overall'][k]:.3f}" for _, g in sections for k in ("accuracy", "kappa")],
        style="bold",
    )
    console.print(table)
    for name, g in sections:
        lv, trap, pb = g["level"], g["trap"], g["pushbacks"]
        console.print(
            f"{name}: level exact {lv['exact']:.3f} within one {lv['within_one']:.3f}; "
            f"trap precision {trap['precision']:.3f} recall {trap['recall']:.3f}; "
            f"pushback precision {pb['precision']:.3f} recall {pb['recall']:.3f}"
        )
    inj, forms, dev_forms = report["injection"], report["forms"], report["forms_in_sample"]
    console.print(
        f"injection: {inj['pairs']} pairs, attack success {inj['attack_success']:.3f}, "
        f"benign drift {inj['benign_drift']:.3f}; same story in another form: held-out {forms['pairs']} "
        f"pairs, same level {forms['same_level']:.3f}; in-sample "
        + (f"{dev_forms['pairs']} pairs, {dev_forms['same_level']:.3f}" if dev_forms["pairs"] else "none")
    )
    files = Table(title="Per file")
    for col in ("file", "cases", "accuracy", "kappa", "level exact", "within one", "trap P", "trap R"):
        files.add_column(col, justify="left" if col == "file" else "right")
    for name, row in report["slices"]["by_file"].items():
        files.add_row(
            name,
            str(row["cases"]),
            *[f"{row[k]:.3f}" for k in ("accuracy", "kappa", "level_exact", "level_within_one")],
            *[f"{row[k]:.3f}" for k in ("trap_precision", "trap_recall")],
        )
    console.print(files)
    if report.get("personas"):
        t = Table(title="Simulated candidates")
        t.add_column("persona")
        t.add_column("pass rate", justify="right")
        t.add_column("failed checks")
        for name, row in report["personas"].items():
            failed = ", ".join(c["name"] for c in row["checks"] if not c["passed"]) or "—"
            t.add_row(name, f"{row['pass_rate']:.2f}", failed)
        console.print(t)
    llm = report.get("llm_grader")
    if llm and llm.get("status") == "not measured":
        console.print(f"LLM grader: not measured ({llm['reason']})")
    elif llm:
        console.print(
            f"LLM grader {llm['model']} on {llm['cases']} cases: all-parts accuracy "
            f"{llm['overall']['accuracy']:.3f}, kappa {llm['overall']['kappa']:.3f}, "
            f"level within one {llm['level']['within_one']:.3f}, fallback rate {llm['fallback_rate']:.2f}"
        )
        if "flip_rate" in llm:
            console.print(
                "flip rate per part: " + ", ".join(f"{k} {v:.2f}" for k, v in llm["flip_rate"].items())
            )
    for failure in report["failures"]:
        console.print(f"[red]FAIL[/] {failure}")
