"""`stardrive grade --jsonl`: grade a file of JSON lines, in order, on every core when the grader is the
builtin rubric (it is CPU-bound and holds no state, so forked workers share the loaded weights)."""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from typing import IO, Any

from service.errors import StardriveError

Grader = Callable[[str, "str | None", "str | None"], Any]
# Lines handed to the pool at a time: bounds memory on a huge file while keeping the workers busy.
_BLOCK = 4096
_CHUNK = 32

_grader: Grader | None = None
_catalog: Any = None


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def grade_lines(
    lines: Iterable[str], *, grader: Grader, catalog: Any, out: IO[str], workers: int = 1
) -> list[str]:
    """Write one record per non-blank line to `out`, in input order; return the error messages."""
    global _grader, _catalog
    _grader, _catalog = grader, catalog
    numbered = ((n, line) for n, line in enumerate(lines, 1) if line.strip())
    errors: list[str] = []
    for record, error in _results(numbered, workers):
        out.write(record)
        if error:
            errors.append(error)
    return errors


def _results(numbered: Iterator[tuple[int, str]], workers: int) -> Iterator[tuple[str, str | None]]:
    if workers <= 1:
        yield from map(_one, numbered)
        return
    # fork, not spawn: the children start with the weights already in memory (a spawned child would
    # spend ~0.4 s loading them again).
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        while block := list(islice(numbered, _BLOCK)):
            yield from pool.map(_one, block, chunksize=_CHUNK)


def _one(item: tuple[int, str]) -> tuple[str, str | None]:
    n, line = item
    assert _grader is not None
    try:
        data = json.loads(line)
        if not isinstance(data, dict) or not isinstance(data.get("answer"), str):
            raise ValueError('each line needs an "answer" string')
        arch = data.get("archetype")
        if arch is not None:
            _catalog.archetype(arch)
        grade = _grader(data["answer"], arch, data.get("question"))
    except (ValueError, StardriveError) as exc:
        return json.dumps({"id": _id_of(line), "error": str(exc)}) + "\n", f"{n}: {exc}"
    # pydantic writes the grade; only the id is spliced in front (the same record, far faster)
    body = grade.model_dump_json()
    return f'{{"id": {json.dumps(data.get("id"), ensure_ascii=False)}, {body[1:]}\n', None


def _id_of(line: str) -> Any:
    try:
        item = json.loads(line)
    except ValueError:
        return None
    return item.get("id") if isinstance(item, dict) else None
