"""Evaluation data is never training data (DESIGN.md): no 4-word run of any evaluation answer appears in
the rules, the prompts or the training corpus, and the frozen held-out split is the one the README names."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from service.evals.cases import load_cases

ROOT = Path(__file__).resolve().parents[1]
CASES = load_cases(ROOT / "evals" / "cases")
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z0-9]+)*")
RUN = 4


def _runs(text: str) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    return {tuple(words[i : i + RUN]) for i in range(len(words) - RUN + 1)}


def _guarded() -> list[Path]:
    files = [p for p in (ROOT / "prompts").rglob("*") if p.is_file()]
    files += sorted((ROOT / "service" / "rubric").glob("*.py"))
    return files


def _texts(path: Path) -> list[str]:
    """The file's text; for JSON lines, each string value on its own (keys and syntax are not text)."""
    raw = path.read_text(encoding="utf-8")
    if path.suffix != ".jsonl":
        return [raw]
    out: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for line in raw.splitlines():
        if line.strip():
            walk(json.loads(line))
    return out


EVAL_RUNS: dict[tuple[str, ...], str] = {}
for _case in CASES:
    for _run in _runs(_case.answer):
        EVAL_RUNS.setdefault(_run, _case.id)


@pytest.mark.parametrize("path", _guarded(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_evaluation_phrase_in_rules_prompts_or_training(path: Path) -> None:
    runs = set().union(*(_runs(t) for t in _texts(path)))
    found = sorted({(" ".join(r), EVAL_RUNS[r]) for r in runs if r in EVAL_RUNS})
    assert not found, f"{len(found)} 4-word runs of evaluation answers in {path.name}: {found[:10]}"


def test_the_check_finds_a_copied_phrase() -> None:
    answer = CASES[0].answer
    assert _runs(answer) & set(EVAL_RUNS)
    assert not _runs("completely unrelated words about gardening tomatoes in spring") & set(EVAL_RUNS)


def _readme_hashes() -> dict[str, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return dict(re.findall(r"`evals/cases/(holdout[\w-]*\.jsonl)`[^`\n]*`([0-9a-f]{64})`", text))


def test_the_held_out_split_is_frozen() -> None:
    files = sorted((ROOT / "evals" / "cases").glob("holdout*.jsonl"))
    assert files, "no held-out split"
    named = _readme_hashes()
    for path in files:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert named.get(path.name) == digest, f"{path.name}: sha256 {digest} is not the one the README names"
