"""`stardrive eval`: the grader, the interviewer with simulated candidates, and the LLM grader (replayed).

Offline and deterministic by default: the builtin grader, the builtin interviewer and recorded model
responses. `--record` re-records the cassettes against a live model; `--model X --epochs N` measures a
live model's verdict flip rate.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from service.config import get_settings
from service.errors import InputError
from service.evals.cases import load_cases
from service.evals.llm_section import llm_section, over_ceiling, print_llm, with_json_mode
from service.evals.report import check_thresholds, write_report
from service.evals.runner import forms_report, grade_cases, grader_report, injection_report, slices

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
    json_mode: str | None = None


def run(options: Options, console: Console) -> dict[str, Any]:
    cases = load_cases(options.cases)
    if not cases:
        raise InputError(f"no cases in {options.cases}")
    settings = get_settings()
    llm = (
        yaml.safe_load(options.llm_config.read_text(encoding="utf-8")) if options.llm_config.exists() else {}
    )
    if options.api_base:
        settings = settings.model_copy(update={"api_base": options.api_base})
    settings = with_json_mode(settings, options.json_mode)
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
            report["llm_grader"] = llm_section(options, settings, cases, llm, progress)
        else:
            report["llm_grader"] = {"status": "not measured", "reason": NOT_RECORDED}
    report["failures"] = check_thresholds(report, options.thresholds)
    report["llm_grader"] = over_ceiling(report["llm_grader"], options.thresholds)
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
    if report.get("llm_grader"):
        print_llm(report["llm_grader"], console)
    for failure in report["failures"]:
        console.print(f"[red]FAIL[/] {failure}")
