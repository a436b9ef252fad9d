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


def _runs(text: str, n: int = RUN) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


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


# The golden sets (bench/topic.py) were written blind after the corpus and the prompts, so a 4-word run
# they share is ordinary English ("a couple of weeks"), not a copy: a copy is caught at six words. The
# six-word runs shared when they were added (echoes of the probe questions, idioms) are listed in
# GOLDEN_SHARED; any other fails.
GOLDEN = sorted((ROOT / "evals" / "golden").glob("*.jsonl"))
GOLDEN_RUN = 6
GOLDEN_SHARED = {
    tuple(line.split())
    for line in (ROOT / "tests" / "golden_shared_runs.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
}
EVAL_RUNS: dict[tuple[str, ...], str] = {}
for _case in CASES:
    for _run in _runs(_case.answer):
        EVAL_RUNS.setdefault(_run, _case.id)
for _path in GOLDEN:
    for _line in _path.read_text(encoding="utf-8").splitlines():
        if _line.strip():
            _row = json.loads(_line)
            for _run in _runs(_row["answer"], GOLDEN_RUN) - GOLDEN_SHARED:
                EVAL_RUNS.setdefault(_run, _row["id"])


@pytest.mark.parametrize("path", _guarded(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_evaluation_phrase_in_rules_prompts_or_training(path: Path) -> None:
    runs = set().union(*(_runs(t) | _runs(t, GOLDEN_RUN) for t in _texts(path)))
    found = sorted({(" ".join(r), EVAL_RUNS[r]) for r in runs if r in EVAL_RUNS})
    assert not found, f"{len(found)} 4-word runs of evaluation answers in {path.name}: {found[:10]}"


def test_the_check_finds_a_copied_phrase() -> None:
    answer = CASES[0].answer
    assert _runs(answer) & set(EVAL_RUNS)
    assert not _runs("completely unrelated words about gardening tomatoes in spring") & set(EVAL_RUNS)


def _readme_hashes() -> dict[str, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return dict(re.findall(r"`evals/((?:cases|golden)/holdout[\w-]*\.jsonl)`[^`\n]*`([0-9a-f]{64})`", text))


def test_the_held_out_split_is_frozen() -> None:
    files = sorted((ROOT / "evals" / "cases").glob("holdout*.jsonl"))
    files += [ROOT / "evals" / "golden" / "holdout.jsonl"]
    assert files, "no held-out split"
    named = _readme_hashes()
    for path in files:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        name = str(path.relative_to(ROOT / "evals"))
        assert named.get(name) == digest, f"{name}: sha256 {digest} is not the one the README names"
