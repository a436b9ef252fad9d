"""The seed's self-assessment rubric (service/drills/assess.py) as a table: each row a drill's outlines and
the level it earns on one dimension. Grades are made by hand here, so each row tests the ladder, not the
rubric's reading."""

from __future__ import annotations

from typing import Any

import pytest

from service.drills.assess import Written, assess
from service.drills.choose import choose
from service.rubric.models import Grade, PartGrade, Signals

PARTS = ("situation", "tradeoff", "action", "result", "driver", "reflection")
TITLES = {
    "killed_own_project": "Killed-my-own-project",
    "mentoring": "Mentoring",
    "quality_incident": "Incident",
}


def written(archetype: str, verdicts: dict[str, str] | None = None, **texts: str) -> Written:
    verdicts = verdicts or {}
    grade = Grade(
        archetype=archetype,
        parts={p: PartGrade(verdict=verdicts.get(p, "met")) for p in PARTS},  # type: ignore[arg-type]
        level="staff",
        trap=None,
        pushbacks=[],
        signals=Signals(words=1, speaking_seconds=1, situation_seconds=1, i_count=1, we_count=0, numbers=[]),
    )
    return Written(archetype, TITLES[archetype], texts, grade)


T_PLAIN = "We had to pick a direction for the ranker."
T_SIDES = "Platform stability against research velocity."
T_NEGOTIATED = "Platform stability against research velocity; I negotiated the ratio with the platform lead."
E_PLAIN = "I'd write the kill criteria down first."
E_WHY = "I'd write the kill criteria down first, because we would have stopped two months sooner."
E_TEMPLATE = (
    "I'd write kill criteria first, because we'd have stopped sooner; I now require them in every bet."
)
D_STRUCT = "The review gate became part of our release process."
D_STILL = "The review gate is still part of every release across four teams."


@pytest.mark.parametrize(
    ("dimension", "outlines", "level"),
    [
        ("tradeoff_articulation", [written("mentoring", {"tradeoff": "missing"})], "weak"),
        ("tradeoff_articulation", [written("mentoring", {"tradeoff": "partial"}, tradeoff=T_SIDES)], "weak"),
        ("tradeoff_articulation", [written("mentoring", tradeoff=T_PLAIN)], "passing"),
        ("tradeoff_articulation", [written("mentoring", tradeoff=T_SIDES)], "strong"),
        ("tradeoff_articulation", [written("mentoring", tradeoff=T_NEGOTIATED)], "staff"),
        # The weakest outline sets the level.
        (
            "tradeoff_articulation",
            [written("mentoring", tradeoff=T_NEGOTIATED), written("quality_incident", tradeoff=T_PLAIN)],
            "passing",
        ),
        ("reflection_specificity", [written("mentoring", {"reflection": "partial"})], "weak"),
        ("reflection_specificity", [written("mentoring", reflection=E_PLAIN)], "passing"),
        ("reflection_specificity", [written("mentoring", reflection=E_WHY)], "strong"),
        ("reflection_specificity", [written("mentoring", reflection=E_TEMPLATE)], "staff"),
        ("structural_change_driver", [written("mentoring", {"driver": "missing"})], "weak"),
        ("structural_change_driver", [written("mentoring", {"driver": "partial"})], "passing"),
        ("structural_change_driver", [written("mentoring", driver=D_STRUCT)], "strong"),
        ("structural_change_driver", [written("mentoring", driver=D_STILL)], "staff"),
        ("structural_change_driver", [], "weak"),
    ],
)
def test_part_dimensions(dimension: str, outlines: list[Written], level: str) -> None:
    result = assess(
        outlines, drilled=[], same_project=[], stretches=[], gaps=[], named_gaps=[], titles=TITLES
    )[dimension]  # type: ignore[index]
    assert result.level == level, result.reason
    assert result.reason and "\n" not in result.reason


THREE = ["killed_own_project", "mentoring", "quality_incident"]


@pytest.mark.parametrize(
    ("written_for", "same", "stretches", "gaps", "named", "level", "says"),
    [
        (THREE, [THREE[:2]], THREE, [], [], "weak", "same project"),
        ([], [], THREE, [], [], "weak", "No outline"),
        (THREE[:2], [], THREE, ["quality_incident"], [], "passing", "Incident"),
        (THREE, [], [], ["ethical_pushback"], [], "passing", "none of them a stretch"),
        (THREE, [], ["mentoring"], ["ethical_pushback"], [], "strong", "ethical_pushback"),
        (THREE, [], ["mentoring"], ["ethical_pushback"], ["ethical_pushback"], "staff", "named the gaps"),
        (THREE, [], ["mentoring"], [], [], "staff", "no archetype left"),
    ],
)
def test_coverage_discovery(
    written_for: list[str],
    same: list[list[str]],
    stretches: list[str],
    gaps: list[str],
    named: list[str],
    level: str,
    says: str,
) -> None:
    result = assess(
        [written(a) for a in written_for],
        drilled=THREE,
        same_project=same,
        stretches=stretches,
        gaps=gaps,
        named_gaps=named,
        titles=TITLES,
    )["coverage_discovery"]
    assert result.level == level
    assert says in result.reason


class S:
    def __init__(self, archetype: str, level: str | None) -> None:
        self.archetype = archetype
        self.grade: dict[str, Any] | None = {"level": level} if level else None


@pytest.mark.parametrize(
    ("bank", "chosen"),
    [
        ([], ["contested_decision", "killed_own_project", "research_vs_shipping"]),
        (
            [S("contested_decision", "staff"), S("killed_own_project", "strong")],
            ["research_vs_shipping", "safety_escalation", "quality_incident"],
        ),
        # A weak story is no solid story, but an archetype with no story at all comes first.
        (
            [S(a, "staff") for a in ["contested_decision", "research_vs_shipping", "quality_incident"]]
            + [S("killed_own_project", "weak"), S("safety_escalation", None)],
            ["cost_negotiation", "mentoring", "ethical_pushback"],
        ),
        (
            [S(a, "staff") for a in ["contested_decision", "research_vs_shipping", "quality_incident"]]
            + [S("killed_own_project", "weak"), S("cost_negotiation", "passing")]
            + [S("mentoring", "strong"), S("ethical_pushback", "staff")],
            ["safety_escalation", "killed_own_project", "cost_negotiation"],
        ),
    ],
)
def test_choose_prefers_archetypes_without_a_solid_story(bank: list[S], chosen: list[str]) -> None:
    assert choose(bank) == chosen


@pytest.mark.parametrize(
    ("outline", "written", "material", "over_time"),
    [
        ({}, [], False, False),
        (
            {"parts": {"situation": "I led Helix.", "action": "I made the call."}},
            ["situation", "action"],
            True,
            False,
        ),
        ({"parts": {"result": "CTR went up 4%."}}, ["result"], False, False),
        (
            {
                "started_at": "2026-12-01T10:00:00+00:00",
                "saved_at": "2026-12-01T10:08:01+00:00",
                "parts": {"reflection": "I'd write the RFC first.", "situation": "I led Helix."},
            },
            ["situation", "reflection"],
            False,
            True,
        ),
        (
            {"started_at": "2026-12-01T10:00:00+00:00", "saved_at": "2026-12-01T10:08:00+00:00", "parts": {}},
            [],
            False,
            False,
        ),
    ],
)
def test_outline_report_fields(
    outline: dict[str, Any], written: list[str], material: bool, over_time: bool
) -> None:
    from datetime import UTC, datetime

    from service.catalog import load_catalog
    from service.config import Settings
    from service.drills.report import build_report

    report = build_report(
        drill_id="d",
        archetypes=["mentoring", "quality_incident", "ethical_pushback"],
        outlines={"mentoring": outline},
        time_box_seconds=480,
        started_at=datetime.now(UTC),
        bank=[],
        named_gaps=[],
        catalog=load_catalog(Settings().prompts_dir),
    )
    got = report.outlines["mentoring"]
    assert (got.written, got.material, got.over_time) == (written, material, over_time)
    assert got.text == "\n\n".join(outline.get("parts", {})[p] for p in written)
    assert (got.grade is None) == (not written)
