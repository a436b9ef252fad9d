"""How fast the deterministic grader is.

1. Batch: answers graded per second in one process (the labeled cases, cycled to --count answers).
2. The same batch end to end: `stardrive grade --jsonl FILE --json`, JSON lines in and out, start-up
   included.
3. Shell: wall time of one `stardrive grade FILE --json`, start-up included (median of --runs).

    .venv/bin/python bench/grade_speed.py [--count 20000] [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _cases() -> list[Any]:
    """The labeled cases: the answers both batches grade."""
    from service.evals.cases import load_cases

    return load_cases(ROOT / "evals" / "cases")


def batch(count: int) -> float:
    from service.catalog import get_catalog
    from service.rubric import analyze, prepare

    start = time.perf_counter()
    prepare()  # once per process; a batch or the service pays it up front
    print(f"loading embeddings and classifiers: {time.perf_counter() - start:.2f} s, once per process")

    catalog = get_catalog()
    items: list[tuple[str, str | None]] = [(case.answer, case.archetype) for case in _cases()]
    work = [items[i % len(items)] for i in range(count)]
    words = sum(len(a.split()) for a, _ in work) / len(work)
    start = time.perf_counter()
    for answer, archetype in work:
        analyze(answer, archetype, catalog=catalog)
    elapsed = time.perf_counter() - start
    rate = count / elapsed
    print(f"batch: {count} answers (mean {words:.0f} words) in {elapsed:.2f} s -> {rate:,.0f} answers/s")
    return rate


def cli_batch(count: int) -> float:
    exe = ROOT / ".venv" / "bin" / "stardrive"
    cases = _cases()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "answers.jsonl"
        with source.open("w", encoding="utf-8") as f:
            for i in range(count):
                case = cases[i % len(cases)]
                item = {"id": f"{case.id}-{i}", "answer": case.answer, "archetype": case.archetype}
                f.write(json.dumps(item) + "\n")
        start = time.perf_counter()
        with (Path(tmp) / "grades.jsonl").open("wb") as out:
            subprocess.run([str(exe), "grade", "--jsonl", str(source), "--json"], check=True, stdout=out)
        elapsed = time.perf_counter() - start
    rate = count / elapsed
    print(f"cli batch: `stardrive grade --jsonl` {count} answers in {elapsed:.2f} s -> {rate:,.0f} answers/s")
    return rate


def shell(runs: int) -> float:
    exe = ROOT / ".venv" / "bin" / "stardrive"
    example = ROOT / "examples" / "killed_own_project_staff.txt"
    cmd = [str(exe), "grade", str(example), "--archetype", "killed_own_project", "--json"]
    subprocess.run(cmd, check=True, capture_output=True)  # warm the file cache once
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(
        f"shell: `stardrive grade FILE --json` median {median * 1000:.0f} ms, max {max(times) * 1000:.0f} ms ({runs} runs)"
    )
    return median


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    batch(args.count)
    cli_batch(args.count)
    shell(args.runs)


if __name__ == "__main__":
    main()
