"""What the grader model must return, as a pydantic model and the JSON schema handed to the model."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from service.catalog import PART_IDS

ModelVerdict = Literal["met", "partial", "missing"]


class PartOutput(BaseModel):
    """One part as the model grades it: reasoning first, then verbatim quotes, then the verdict."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"additionalProperties": False})

    reasoning: str
    quotes: list[str]
    verdict: ModelVerdict

    @field_validator("verdict", mode="before")
    @classmethod
    def _fold_verdict(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("quotes", mode="before")
    @classmethod
    def _one_quote(cls, value: object) -> object:
        if isinstance(value, str):
            return [value] if value.strip() else []
        return value


class GraderParts(BaseModel):
    model_config = ConfigDict(extra="ignore", json_schema_extra={"additionalProperties": False})

    situation: PartOutput
    tradeoff: PartOutput
    action: PartOutput
    result: PartOutput
    driver: PartOutput
    reflection: PartOutput

    def by_id(self) -> dict[str, PartOutput]:
        return {part_id: getattr(self, part_id) for part_id in PART_IDS}


class GraderOutput(BaseModel):
    """The grader's reply: every STAR-DRIVE part, in rubric order."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"additionalProperties": False})

    parts: GraderParts

    @model_validator(mode="before")
    @classmethod
    def _unwrapped(cls, value: object) -> object:
        # A reply that forgot the "parts" wrapper but holds all six parts at the top level.
        if isinstance(value, dict) and "parts" not in value and all(p in value for p in PART_IDS):
            return {"parts": value}
        return value


GRADER_SCHEMA: dict[str, Any] = GraderOutput.model_json_schema()


def parse_output(data: dict[str, Any]) -> GraderOutput:
    """Raises ValidationError when the reply does not follow the schema."""
    return GraderOutput.model_validate(data)


def describe_errors(exc: ValidationError, limit: int = 6) -> str:
    """A short, model-readable list of what was wrong: `parts.result.verdict: Input should be ...`."""
    lines = []
    for err in exc.errors()[:limit]:
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        lines.append(f"{where}: {err['msg']}")
    more = len(exc.errors()) - limit
    if more > 0:
        lines.append(f"... and {more} more")
    return "; ".join(lines)
