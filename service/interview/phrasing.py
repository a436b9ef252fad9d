"""The builtin interviewer: words a move from `prompts/phrasing.yaml`, quoting the candidate where it helps.

Deterministic for a given interview id and turn index (so a replayed interview reads the same), and it
never asks the same question twice in one interview.
"""

from __future__ import annotations

import random
import re
from collections.abc import Collection
from functools import lru_cache
from pathlib import Path
from typing import get_args

import yaml
from pydantic import BaseModel, ConfigDict

from service.catalog import PUSHBACK_CODES, Catalog
from service.errors import CatalogError
from service.interview.pickup import quote as pick_up
from service.interview.planner import After, Move
from service.rubric import Grade


class Variants(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    plain: list[str]
    quoted: list[str] = []


class Phrasing(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int
    transitions: list[str]
    lead_ins: list[str]
    wrap_up: list[str]
    # Said before moving on, by how the topic being left ended (planner.After).
    after: dict[str, list[str]]
    pushbacks: dict[str, Variants]
    presses: dict[str, Variants]
    repeat_leads: list[str]
    implausible: list[str]  # a figure the metric cannot reach, or a multiple with no baseline: {number}
    # `ask_different_story` when the story answers another question ({reads_as}, {asked}: archetype
    # titles) or tells no example at all: said instead of the reuse wording.
    off_topic: list[str]
    no_example: list[str]
    outside_work: list[str] = []  # ... or is set outside the candidate's work (else the no-example lines)


@lru_cache
def load_phrasing(prompts_dir: Path) -> Phrasing:
    path = prompts_dir / "phrasing.yaml"
    try:
        phrasing = Phrasing.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except Exception as exc:
        raise CatalogError(f"{path}: {exc}") from exc
    missing_after = set(get_args(After)) - set(phrasing.after)
    if missing_after:
        raise CatalogError(f"{path}: after: no wording for {sorted(missing_after)}")
    for section in ("pushbacks", "presses"):
        missing = set(PUSHBACK_CODES) - set(getattr(phrasing, section))
        if missing:
            raise CatalogError(f"{path}: {section}: no wording for {sorted(missing)}")
    return phrasing


_CLAUSE = re.compile(r"[^,.;:!?—–()]+")


def _echo(reply: str) -> str | None:
    """The start of a follow-up, to put back to the candidate when it dodged ("I hear '…'")."""
    m = _CLAUSE.search(reply)
    if not m:
        return None
    words = m.group().split()
    return " ".join(words) if 3 <= len(words) <= 12 else None


def _number(grade: Grade | None) -> str | None:
    if grade is None:
        return None
    for ev in grade.parts["result"].evidence:
        for n in grade.signals.numbers:
            if n in ev.quote:
                return n
    return grade.signals.numbers[0] if grade.signals.numbers else None


def phrase(
    move: Move,
    *,
    interview_id: str,
    turn_index: int,
    catalog: Catalog,
    phrasing: Phrasing,
    asked: Collection[str] = (),
    last_answer: str = "",
) -> str:
    """The interviewer's words for `move`; `asked` holds the questions already asked (never repeated)."""
    rng = random.Random(f"{interview_id}:{turn_index}")
    options: list[str]
    # How the topic just left ended, said before the next question or the closing line.
    leads = phrasing.after.get(move.after or "", [])
    if move.kind == "probe":
        assert move.archetype is not None
        probes = catalog.archetype(move.archetype).probes
        frames = [f"{lead} {{probe}}" for lead in leads] or (
            phrasing.transitions if turn_index > 0 else ["{probe}"]
        )
        options = [f.format(probe=p) for p in probes for f in frames]
    elif move.kind == "wrap_up":
        options = [f"{lead} {close}" for lead in leads for close in phrasing.wrap_up] or list(
            phrasing.wrap_up
        )
    else:
        assert move.code is not None
        variants = (phrasing.presses if move.press else phrasing.pushbacks)[move.code]
        why = _why_different(move, catalog, phrasing) if move.code == "ask_different_story" else None
        if why is not None:
            variants = why
        if move.number and not move.press:
            variants = Variants(plain=[t.format(number=move.number) for t in phrasing.implausible])
        options = []
        quote = _echo(last_answer) if move.press else pick_up(move.grade, move.code, last_answer)
        number = move.number or _number(move.grade)
        for template in variants.quoted:
            if "{number}" in template and number:
                options.append(template.format(number=number))
            elif "{quote}" in template and quote:
                options.append(template.format(quote=quote))
        if not options:  # the candidate's words, whenever there are some to pick up
            options = list(variants.plain)
    if move.repeat:
        # Said before the question, so the candidate knows why it comes again.
        options = [f"{lead} {o}" for lead in phrasing.repeat_leads for o in options]
    fresh = [o for o in options if o not in asked]
    if not fresh:
        # Every wording of this move has been used in the interview: keep the question, frame it anew.
        fresh = [lead + o[0].lower() + o[1:] for lead in phrasing.lead_ins for o in options]
        fresh = [o for o in fresh if o not in asked] or fresh
    return rng.choice(fresh)


def _why_different(move: Move, catalog: Catalog, phrasing: Phrasing) -> Variants | None:
    """The wording of a different-story request whose reason is the topic, not reuse."""
    signals = move.grade.signals if move.grade is not None else None
    if signals is None or move.archetype is None:
        return None
    if signals.held == "off_topic" and signals.off_topic:
        titles = {
            "reads_as": catalog.archetype(signals.off_topic).title,
            "asked": catalog.archetype(move.archetype).title,
        }
        return Variants(plain=[t.format(**titles) for t in phrasing.off_topic])
    if signals.held == "outside_work":
        return Variants(plain=list(phrasing.outside_work or phrasing.no_example))
    if signals.held == "no_example":
        return Variants(plain=list(phrasing.no_example))
    return None


def quote_for(move: Move, last_answer: str) -> str | None:
    """A short quote of the candidate's words worth putting back to them for this move, if any."""
    if move.kind != "pushback" or move.code is None:
        return None
    return pick_up(move.grade, move.code, last_answer)
