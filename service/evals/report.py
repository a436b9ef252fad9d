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
    failures = report.get("failures") or []
    lines += ["", "## Thresholds", ""] + ([f"- FAIL {f}" for f in failures] or ["All thresholds hold."])
    return "\n".join(lines) + "\n"


def write_report(report: dict[str, Any], directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    (directory / "report.md").write_text(to_markdown(report), encoding="utf-8")
