"""Thresholds, the summary table, and report.json / report.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml


def lookup(report: dict[str, Any], dotted: str) -> Any:
    node: Any = report
    for key in dotted.split("."):
        if not isinstance(node, dict) or key not in node:
            raise KeyError(dotted)
        node = node[key]
    return node


def check_thresholds(report: dict[str, Any], path: Path) -> list[str]:
    """Failures as sentences; empty when every threshold holds. A metric missing from the report fails."""
    spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    failures: list[str] = []
    for key, floor in (spec.get("min") or {}).items():
        try:
            value = lookup(report, key)
        except KeyError:
            failures.append(f"{key}: not in the report")
            continue
        if value < floor:
            failures.append(f"{key} = {value:.3f} is below {floor}")
    for key, ceiling in (spec.get("max") or {}).items():
        try:
            value = lookup(report, key)
        except KeyError:
            failures.append(f"{key}: not in the report")
            continue
        if value > ceiling:
            failures.append(f"{key} = {value:.3f} is above {ceiling}")
    return failures


def to_markdown(report: dict[str, Any]) -> str:
    g = report["grader"]
    lines = [
        "# stardrive eval report",
        "",
        f"Cases: {g['cases']}",
        "",
        "| part | accuracy | kappa |",
        "|---|---|---|",
    ]
    for part, row in g["per_part"].items():
        lines.append(f"| {part} | {row['accuracy']:.3f} | {row['kappa']:.3f} |")
    lines += [
        f"| **all parts** | {g['overall']['accuracy']:.3f} | {g['overall']['kappa']:.3f} |",
        "",
        f"Level exact {g['level']['exact']:.3f}, within one {g['level']['within_one']:.3f}.",
        f"Trap precision {g['trap']['precision']:.3f}, recall {g['trap']['recall']:.3f}.",
        f"Pushback precision {g['pushbacks']['precision']:.3f}, recall {g['pushbacks']['recall']:.3f}.",
    ]
    inj = report.get("injection")
    if inj:
        lines.append(
            f"Injection: {inj['pairs']} pairs, attack success {inj['attack_success']:.3f}, "
            f"benign drift {inj['benign_drift']:.3f}."
        )
    personas = report.get("personas")
    if personas:
        lines += ["", "| persona | pass rate |", "|---|---|"]
        lines += [f"| {name} | {row['pass_rate']:.3f} |" for name, row in personas.items()]
    lines += _llm_lines(report.get("llm_grader") or {})
    failures = report.get("failures") or []
    lines += ["", "## Thresholds", ""] + ([f"- FAIL {f}" for f in failures] or ["All thresholds hold."])
    return "\n".join(lines) + "\n"


def _llm_lines(llm: dict[str, Any]) -> list[str]:
    if not llm.get("model") or "fallback_rate" not in llm:
        return ["", f"LLM grader: {llm.get('status', 'not measured')} ({llm.get('reason', '')})."]
    lines = [
        "",
        f"## LLM grader: {llm['model']} ({llm['source']}, JSON mode {llm.get('json_mode', '?')})",
        "",
        f"{llm['cases']} in-sample cases, {llm['epochs']} epoch(s); fallback rate {llm['fallback_rate']:.3f}"
        f" (per epoch: {', '.join(f'{r:.3f}' for r in llm['fallback_rate_per_epoch'])}).",
    ]
    if llm.get("recorded_with"):
        lines.append(f"Recorded with: {llm['recorded_with']}.")
    lines += [
        "",
        "| graded by | cases | all parts | kappa | level exact | within one |",
        "|---|---|---|---|---|---|",
    ]
    for key, label in (
        ("all_cases", "the model, the rubric where it fell back"),
        ("model_graded", "the model (merged), non-fallback cases"),
        ("model_raw", "the model's raw verdicts, non-fallback cases"),
        ("rubric_same_cases", "the rubric alone, the same non-fallback cases"),
    ):
        row = llm.get(key)
        if row:
            lines.append(
                f"| {label} | {row['cases']} | {row['overall']['accuracy']:.3f} | {row['overall']['kappa']:.3f}"
                f" | {row['level']['exact']:.3f} | {row['level']['within_one']:.3f} |"
            )
    checks = llm.get("checks") or {}
    if checks:
        lines += [
            "",
            "Checks on the model's output: " + ", ".join(f"{k} {v}" for k, v in checks.items()) + ".",
        ]
    if "flip_rate" in llm:
        flips = ", ".join(f"{k} {v:.3f}" for k, v in llm["flip_rate"].items())
        lines.append(
            f"Flip rate over {llm['flip_cases']} cases: {flips}; level {llm['level_flip_rate']:.3f}; "
            f"replies identical {llm['replies_identical']:.3f}."
        )
    return lines


def write_report(report: dict[str, Any], directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    (directory / "report.md").write_text(to_markdown(report), encoding="utf-8")
