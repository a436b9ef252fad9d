"""Item 8 of issue 12: the debrief accounts for every gap, per archetype: asked and closed, asked and still
open, never asked (the pushback budget ran out, the call was someone else's, the interview ended first),
alike in JSON, Markdown and HTML, and with every evidence quote."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping

import pytest
from markupsafe import escape

from service.catalog import get_catalog
from service.interview.planner import Turn, next_move
from service.report.debrief import Debrief, build_debrief, typical_level
from service.report.render import _md, to_html, to_markdown
from tests.test_interviewer_pickup import KILLED

CLOSE = {
    "ask_first_person": "I rebuilt the review queue myself and I made the call to add the second pass.",
    "ask_tradeoff": (
        "The trade-off was speed against quality: shipping on the original date meant about 8% bad labels, "
        "while a second pass cut that to 4% at the cost of two weeks."
    ),
}
DODGES = (
    "Hard to say really; lots of people had opinions on it.",
    "Many hands were on it, so it is hard to split.",
)
NOT_MINE = "No, it wasn't my call. My director decided to stop it."
# THIN's flaws in an incident ("a regression got out, we patched it"): THIN itself tells no incident, and
# an answer about something else is held back whole (service/rubric/topic.py), which is not this file's point.
# Its second-pass review became the standard: a lasting fix, so the incident's trap is not among its gaps.
INCIDENT = (
    "I was the lead on the annotation tooling for our speech team, twelve people, when a bad batch of labels "
    "slipped into training and the recognizer got worse for callers with accents. The trade-off was labeling "
    "speed against label quality. We rolled the model back together and we decided as a group to add a second "
    "review pass. The next release went really well and the customers were happy. Afterwards the second-pass "
    "review became our standard for new datasets. Next time I'd communicate more."
)


def _interview(
    archetype: str, story: str, replies: Mapping[str, list[str]], budget: int, stop_after: int = 99
) -> list[Turn]:
    """Play the planner with scripted replies (per code, in order; a dodge once they run out), until it
    leaves the archetype or `stop_after` follow-ups were answered."""
    turns = [Turn(0, "interviewer", "probe", "probe", None, archetype)]
    turns.append(Turn(1, "candidate", story, None, None, archetype))
    used: dict[str, int] = {}
    for n in range(10):
        move = next_move([archetype, "cost_negotiation"], turns, max_pushbacks=budget)
        if move.kind != "pushback":
            turns.append(Turn(len(turns), "interviewer", "next", move.kind, None, move.archetype))
            break
        assert move.code is not None
        turns.append(
            Turn(len(turns), "interviewer", f"question {n} {move.code}", "pushback", move.code, archetype)
        )
        if n >= stop_after:
            break
        i = used[move.code] = used.get(move.code, 0) + 1
        options = replies.get(move.code, [])
        text = options[i - 1] if i <= len(options) else DODGES[n % 2]
        turns.append(Turn(len(turns), "candidate", text, None, None, archetype))
    return turns


def _debrief(turns: list[Turn], budget: int) -> Debrief:
    archetypes = sorted({t.archetype for t in turns if t.archetype})
    return build_debrief(
        interview_id="g",
        model="builtin",
        archetypes=archetypes,
        turns=turns,
        catalog=get_catalog(),
        max_pushbacks=budget,
    )


# (name, archetype, story, replies by code, budget, stop after n answered follow-ups,
#  closed, open (code, reason), not asked (code, reason))
CASES = [
    (
        "close_then_dodge_budget_2",
        "quality_incident",
        INCIDENT,
        {"ask_first_person": [CLOSE["ask_first_person"]]},
        2,
        99,
        ["ask_first_person"],
        [("ask_tradeoff", "dodged")],
        [(c, "budget") for c in ("ask_number",)],
    ),
    (
        "dodge_twice_then_close_budget_3",
        "quality_incident",
        INCIDENT,
        {"ask_tradeoff": [CLOSE["ask_tradeoff"]]},
        3,
        99,
        ["ask_tradeoff"],
        [("ask_first_person", "dodged")],
        [(c, "budget") for c in ("ask_number_source", "ask_reflection")],
    ),
    (
        "not_their_call",
        "killed_own_project",
        KILLED,
        {"ask_own_call": [NOT_MINE]},
        3,
        99,
        [],
        [("ask_own_call", "not_their_call")],
        [(c, "wrong_story") for c in ("ask_first_person", "ask_number_source")],
    ),
    (
        "finished_before_the_answer",
        "quality_incident",
        INCIDENT,
        {},
        2,
        0,
        [],
        [("ask_first_person", "unanswered")],
        [(c, "ended") for c in ("ask_tradeoff", "ask_number", "ask_reflection")],
    ),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize(
    ("name", "archetype", "story", "replies", "budget", "stop", "closed", "open_", "not_asked"),
    CASES,
    ids=IDS,
)
def test_every_gap_is_accounted_for_in_the_json(
    name: str,
    archetype: str,
    story: str,
    replies: Mapping[str, list[str]],
    budget: int,
    stop: int,
    closed: list[str],
    open_: list[tuple[str, str]],
    not_asked: list[tuple[str, str]],
) -> None:
    debrief = _debrief(_interview(archetype, story, replies, budget, stop), budget)
    data = debrief.model_dump(mode="json")
    [entry] = [a for a in data["archetypes"] if a["archetype"] == archetype]
    gaps = entry["gaps"]
    assert [g["code"] for g in gaps["closed"]] == closed
    assert [(g["code"], g["reason"]) for g in gaps["open"]] == open_
    assert [(g["code"], g["reason"]) for g in gaps["not_asked"]] == not_asked
    asked = [p["code"] for p in entry["pushbacks"]]
    for g in gaps["closed"] + gaps["open"]:
        assert g["asked"] == asked.count(g["code"]) >= 1 and len(g["questions"]) == g["asked"]
    assert all(g["asked"] == 0 and not g["questions"] for g in gaps["not_asked"])
    # The per-question outcome agrees with the account.
    assert {p["code"] for p in entry["pushbacks"] if p["closed"]} == set(closed)


@pytest.mark.parametrize(
    ("name", "archetype", "story", "replies", "budget", "stop", "closed", "open_", "not_asked"),
    CASES,
    ids=IDS,
)
def test_markdown_and_html_list_the_same_gaps(
    name: str,
    archetype: str,
    story: str,
    replies: Mapping[str, list[str]],
    budget: int,
    stop: int,
    closed: list[str],
    open_: list[tuple[str, str]],
    not_asked: list[tuple[str, str]],
) -> None:
    debrief = _debrief(_interview(archetype, story, replies, budget, stop), budget)
    md, page = to_markdown(debrief), to_html(debrief)
    [entry] = [a for a in debrief.archetypes if a.archetype == archetype]
    for status, gaps in (
        ("closed", entry.gaps.closed),
        ("still open", entry.gaps.open),
        ("not asked", entry.gaps.not_asked),
    ):
        for g in gaps:
            md_lines = [line for line in md.splitlines() if f"`{g.code}`" in line]
            html_lines = [
                line for line in page.splitlines() if f"<code>{g.code}</code>" in line and "gap" in line
            ]
            assert any(status in line.lower() for line in md_lines), (g.code, md_lines)
            assert any(status in line.lower() for line in html_lines), (g.code, html_lines)
            if g.reason_text:
                assert any(_md(g.reason_text) in line for line in md_lines)
                assert any(str(escape(g.reason_text)) in line for line in html_lines)


@pytest.mark.parametrize(
    ("name", "archetype", "story", "replies", "budget", "stop"), [c[:6] for c in CASES], ids=IDS
)
def test_every_evidence_quote_is_shown(
    name: str, archetype: str, story: str, replies: Mapping[str, list[str]], budget: int, stop: int
) -> None:
    debrief = _debrief(_interview(archetype, story, replies, budget, stop), budget)
    md, page = to_markdown(debrief), to_html(debrief)
    quotes = [e.quote for a in debrief.archetypes for p in a.grade.parts.values() for e in p.evidence]
    for quote in quotes:
        assert _md(quote) in md, quote
        assert str(escape(quote)) in page, quote


def test_some_part_has_several_quotes() -> None:
    """The cases above would not show a renderer that drops all but the first quote otherwise."""
    counts = [
        len(p.evidence)
        for c in CASES
        for a in _debrief(_interview(*c[1:6]), c[4]).archetypes
        for p in a.grade.parts.values()
    ]
    assert max(counts) >= 2


@pytest.mark.parametrize(
    ("levels", "typical"),
    [
        (["strong", "weak"], "weak"),
        (["weak", "strong"], "weak"),
        (["staff", "passing", "staff", "passing"], "passing"),
        (["staff", "staff", "weak"], "staff"),
        (["passing"], "passing"),
    ],
)
def test_the_typical_level_breaks_ties_downward(levels: list[str], typical: str) -> None:
    assert typical_level(levels) == typical


def test_the_typical_level_is_the_same_in_every_process() -> None:
    # Set order follows the hash seed, so a tie broken by set order differs between workers.
    code = "from service.report.debrief import typical_level; print(typical_level(['staff', 'strong', 'weak', 'passing']))"
    seen = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
        ).stdout.strip()
        for seed in range(6)
    }
    assert seen == {"weak"}
