"""Archetypes and rubric, loaded once from `prompts/*.yaml` into typed, validated models.

A broken file fails with a `CatalogError` that names the file and the field, e.g.
``prompts/archetypes.yaml: archetypes.3.trap.code: 'ask_nothing' is not a pushback code``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal, TypeVar, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from service.errors import CatalogError

_M = TypeVar("_M", bound=BaseModel)

PUSHBACK_CODES: tuple[str, ...] = (
    "ask_tradeoff",
    "ask_first_person",
    "ask_number",
    "ask_number_source",
    "ask_driver",
    "ask_reflection",
    "trim_situation",
    "ask_different_story",
    "ask_update_conditions",
    "ask_own_call",
    "ask_nuance",
    "ask_escalation",
    "ask_structural_fix",
    "ask_trade_ratio",
    "ask_their_growth",
    "ask_action_taken",
)

ArchetypeId = Literal[
    "contested_decision",
    "killed_own_project",
    "research_vs_shipping",
    "safety_escalation",
    "quality_incident",
    "cost_negotiation",
    "mentoring",
    "ethical_pushback",
]
PartId = Literal["situation", "tradeoff", "action", "result", "driver", "reflection"]
# The contracts' ids, in DESIGN.md order, read off the types so the two cannot drift apart.
ARCHETYPE_IDS: tuple[str, ...] = get_args(ArchetypeId)
PART_IDS: tuple[str, ...] = get_args(PartId)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Trap(_Strict):
    code: str
    description: str


class Archetype(_Strict):
    id: ArchetypeId
    number: int = Field(ge=1, le=8)
    title: str
    probes: list[str] = Field(min_length=2)
    tradeoff: str
    trap: Trap
    choose_when: str


class ArchetypeFile(_Strict):
    version: int
    archetypes: list[Archetype]

    @model_validator(mode="after")
    def _complete(self) -> ArchetypeFile:
        ids = [a.id for a in self.archetypes]
        if sorted(ids) != sorted(ARCHETYPE_IDS):
            raise ValueError(f"archetypes must be exactly the eight of Contract 1, got {ids}")
        for a in self.archetypes:
            if a.trap.code not in PUSHBACK_CODES:
                raise ValueError(f"{a.id}.trap.code: {a.trap.code!r} is not a pushback code")
        return self


class Part(_Strict):
    id: PartId
    letter: str = Field(min_length=1, max_length=1)
    name: str
    ask: str
    met: str
    partial: str
    missing: str


class Bullet(_Strict):
    id: str
    part: PartId | None
    text: str


class Pushback(_Strict):
    code: str
    when: str


class SelfAssessment(_Strict):
    id: str
    name: str
    weak: str
    passing: str
    strong: str
    staff: str


class Rubric(_Strict):
    version: int
    speaking_words_per_minute: int = Field(gt=0)
    situation_max_seconds: int = Field(gt=0)
    parts: list[Part]
    levels: dict[Literal["staff", "strong", "passing", "weak"], str]
    scoring_bullets: list[Bullet] = Field(min_length=6, max_length=6)
    pushbacks: list[Pushback]
    self_assessment: list[SelfAssessment] = Field(min_length=4, max_length=4)

    @model_validator(mode="after")
    def _complete(self) -> Rubric:
        if tuple(p.id for p in self.parts) != PART_IDS:
            raise ValueError(f"parts must be {list(PART_IDS)} in that order")
        codes = [p.code for p in self.pushbacks]
        if sorted(codes) != sorted(PUSHBACK_CODES):
            missing = sorted(set(PUSHBACK_CODES) - set(codes))
            extra = sorted(set(codes) - set(PUSHBACK_CODES))
            raise ValueError(f"pushbacks must list every code once (missing {missing}, unknown {extra})")
        return self

    def part(self, part_id: str) -> Part:
        return next(p for p in self.parts if p.id == part_id)

    @property
    def pushback_order(self) -> dict[str, int]:
        return {p.code: i for i, p in enumerate(self.pushbacks)}


class Catalog(_Strict):
    archetypes: dict[str, Archetype]
    rubric: Rubric

    def archetype(self, archetype_id: str) -> Archetype:
        try:
            return self.archetypes[archetype_id]
        except KeyError:
            raise CatalogError(
                f"unknown archetype {archetype_id!r}; known: {', '.join(ARCHETYPE_IDS)}"
            ) from None


def _load_yaml(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read ({exc.strerror})") from exc
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path}: not valid YAML: {exc}") from exc


def _validate(model: type[_M], data: object, path: Path) -> _M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise CatalogError(f"{path}: {where}: {first['msg']}") from exc


def load_catalog(prompts_dir: Path) -> Catalog:
    arch_path = prompts_dir / "archetypes.yaml"
    rubric_path = prompts_dir / "rubric.yaml"
    archetypes = _validate(ArchetypeFile, _load_yaml(arch_path), arch_path)
    rubric = _validate(Rubric, _load_yaml(rubric_path), rubric_path)
    return Catalog(archetypes={a.id: a for a in archetypes.archetypes}, rubric=rubric)


@lru_cache
def get_catalog(prompts_dir: Path | None = None) -> Catalog:
    if prompts_dir is None:
        from service.config import get_settings

        prompts_dir = get_settings().prompts_dir
    return load_catalog(prompts_dir)
