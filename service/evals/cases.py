"""Loading and validating `evals/cases/*.jsonl` (format: evals/README.md)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from service.catalog import ArchetypeId
from service.errors import InputError
from service.rubric.models import Level, Verdict, level_from_verdicts

PARTS = ("situation", "tradeoff", "action", "result", "driver", "reflection")


class Expected(BaseModel):
    model_config = ConfigDict(extra="forbid")
    parts: dict[str, Verdict]
    level: Level
    trap_hit: bool | None
    pushbacks: list[str] = Field(default_factory=list)


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    archetype: ArchetypeId | None
    question: str | None = None
    answer: str
    expected: Expected
    tags: list[str] = Field(default_factory=list)
    twin: str | None = None
    form_of: str | None = None  # the same story told in another form: the id of the base telling
    source: str = "own"
    note: str = ""
    file: str = Field(default="", exclude=True)  # set on load: the file the case came from

    @property
    def held_out(self) -> bool:
        return self.file.startswith(HOLDOUT_PREFIX)


# Files named holdout*.jsonl are the frozen held-out split: written before any rule or model was tuned
# and never tuned on since (their sha256 is in the README; tests/test_leaks.py holds it).
HOLDOUT_PREFIX = "holdout"


def load_cases(directory: Path) -> list[Case]:
    cases: list[Case] = []
    for path in sorted(directory.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                case = Case.model_validate(json.loads(line)).model_copy(update={"file": path.stem})
            except (ValueError, ValidationError) as exc:
                raise InputError(f"{path}:{n}: {exc}") from exc
            if set(case.expected.parts) != set(PARTS):
                raise InputError(f"{path}:{n}: expected.parts must have the six parts")
            verdicts = tuple(case.expected.parts[p] for p in PARTS)
            if level_from_verdicts(verdicts) != case.expected.level:
                raise InputError(f"{path}:{n}: level {case.expected.level} does not follow from the parts")
            cases.append(case)
    ids = [c.id for c in cases]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise InputError(f"duplicate case ids: {sorted(dupes)}")
    return cases
