"""The debrief: per archetype (probe answer plus follow-ups) and across the interview. Coaching, not a verdict."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from service.catalog import ARCHETYPE_IDS, Catalog
from service.interview.accounting import account
from service.interview.planner import Turn, answers_for, other_fingerprints
from service.report.gaps import Gaps, gaps_of
from service.report.progress import SinceLast
from service.rubric import Grade, analyze, project_fingerprint
from service.rubric.fingerprint import same_project
from service.rubric.models import LEVELS

# Which fixes are worth most: the two missing Staff moves first (seed: T and E), then ownership and numbers.
_FIX_WEIGHT = {"tradeoff": 6, "reflection": 5, "action": 4, "result": 3, "driver": 2, "situation": 1}
_ADVICE = {
    "tradeoff": "Open with the trade-off, both sides in terms the interviewer can grade: 'X against Y'.",
    "reflection": "Close with one small, specific change you'd make next time, and what it would have prevented.",
    "action": "Use 'I' for the load-bearing moves: 'I proposed', 'I made the call', 'I escalated'.",
    "result": "Put a number on the outcome, and know where it came from.",
    "driver": "Say what outlived the project: the template, gate or policy the org still uses.",
    "situation": "Keep the setup under 30 seconds: scale, stakes, your role.",
}


class PushbackOutcome(BaseModel):
    code: str
    question: str
    closed: bool


class ArchetypeDebrief(BaseModel):
    archetype: str
    title: str
    question: str
    answers: list[str]
    grade: Grade
    first_level: str
    pushbacks: list[PushbackOutcome]
    # Every gap accounted for: asked and closed, asked and still open, never asked (and why).
    gaps: Gaps = Gaps()


class Bullet(BaseModel):
    id: str
    text: str
    met: int
    of: int
    missing_in: list[str]


class Fix(BaseModel):
    part: str
    advice: str
    archetypes: list[str]
    example: str | None = None


class Debrief(BaseModel):
    interview_id: str
    model: str
    archetypes: list[ArchetypeDebrief]
    bullets: list[Bullet]
    covered: list[str]
    not_covered: list[str]
    projects_reused: list[list[str]]
    top_fixes: list[Fix]
    summary: str
    usage: dict[str, Any] = {}
    # Archetypes the model is still grading: the rubric's grade stands in until it lands.
    pending_grades: list[str] = []
    # What improved since the last finished interview (added when the debrief is served; null for the first).
    since_last: SinceLast | None = None


def build_debrief(
    *,
    interview_id: str,
    model: str,
    archetypes: Sequence[str],
    turns: Sequence[Turn],
    catalog: Catalog,
    graded: Mapping[str, Grade] | None = None,
    first_grades: Mapping[str, Grade] | None = None,
    usage: Sequence[Mapping[str, Any]] = (),
    pending: Sequence[str] = (),
    max_pushbacks: int = 2,
) -> Debrief:
    """`graded`: the stored grades by archetype (the model's, evidence-verified, or the planner's reading);
    `first_grades`: the planner's reading of each archetype's first answer; the rubric grades what is
    missing from either (transcripts stored before grades were);
    `max_pushbacks`: the interview's follow-up budget per archetype (gaps left when it ran out)."""
    per: list[ArchetypeDebrief] = []
    for arch in archetypes:
        answers = answers_for(turns, arch)
        if not answers:
            continue
        grade = (graded or {}).get(arch) or analyze(
            "\n\n".join(answers), arch, earlier=other_fingerprints(turns, arch), catalog=catalog
        )
        first = (first_grades or {}).get(arch) or analyze(answers[0], arch, catalog=catalog)
        probe = next((t.text for t in turns if t.move == "probe" and t.archetype == arch), "")
        states = account(turns, arch, max_pushbacks=max_pushbacks)
        shut = {s.code for s in states if s.status == "closed"}
        outcomes = [
            PushbackOutcome(code=t.code, question=t.text, closed=t.code in shut)
            for t in turns
            if t.move == "pushback" and t.archetype == arch and t.code
        ]
        per.append(
            ArchetypeDebrief(
                archetype=arch,
                title=catalog.archetype(arch).title,
                question=probe,
                answers=answers,
                grade=grade,
                first_level=first.level,
                pushbacks=outcomes,
                gaps=gaps_of(states, grade),
            )
        )
    reused = _reused(per)
    return Debrief(
        interview_id=interview_id,
        model=model,
        archetypes=per,
        bullets=_bullets(per, reused, catalog),
        covered=[a.archetype for a in per],
        not_covered=[a for a in ARCHETYPE_IDS if a not in {p.archetype for p in per}],
        projects_reused=reused,
        top_fixes=_fixes(per),
        summary=_summary(per),
        usage=_usage(usage),
        pending_grades=list(pending),
    )


def _reused(per: Sequence[ArchetypeDebrief]) -> list[list[str]]:
    prints = [(a.archetype, project_fingerprint(" ".join(a.answers))) for a in per]
    return [[a, b] for i, (a, fa) in enumerate(prints) for b, fb in prints[i + 1 :] if same_project(fa, fb)]


def _bullets(per: Sequence[ArchetypeDebrief], reused: list[list[str]], catalog: Catalog) -> list[Bullet]:
    out = []
    for bullet in catalog.rubric.scoring_bullets:
        if bullet.part is None:
            stretched = sorted({a for pair in reused for a in pair})
            out.append(
                Bullet(
                    id=bullet.id,
                    text=bullet.text,
                    met=len(per) - len(stretched),
                    of=len(per),
                    missing_in=stretched,
                )
            )
            continue
        missing = [a.archetype for a in per if a.grade.parts[bullet.part].verdict != "met"]
        out.append(
            Bullet(
                id=bullet.id, text=bullet.text, met=len(per) - len(missing), of=len(per), missing_in=missing
            )
        )
    return out


def _fixes(per: Sequence[ArchetypeDebrief]) -> list[Fix]:
    gaps: dict[str, list[str]] = {}
    for a in per:
        for part, grade in a.grade.parts.items():
            if grade.verdict != "met":
                gaps.setdefault(part, []).append(a.archetype)
    ranked = sorted(gaps.items(), key=lambda kv: len(kv[1]) * _FIX_WEIGHT[kv[0]], reverse=True)
    fixes = []
    for part, archs in ranked[:3]:
        example = None
        for a in per:
            if a.archetype in archs and a.grade.parts[part].evidence:
                example = a.grade.parts[part].evidence[0].quote
                break
        fixes.append(Fix(part=part, advice=_ADVICE[part], archetypes=archs, example=example))
    return fixes


def typical_level(levels: Sequence[str]) -> str:
    """The most common level; a tie goes to the lower one, so the summary never flatters and never
    depends on set order (which changes with the process's hash seed)."""
    return max(LEVELS, key=lambda level: (levels.count(level), -LEVELS.index(level)))


def _summary(per: Sequence[ArchetypeDebrief]) -> str:
    if not per:
        return "No answers yet: there is nothing to debrief. Start with the story you know best."
    levels = [a.grade.level for a in per]
    best = max(levels, key=LEVELS.index)
    common = typical_level(levels)
    improved = sum(LEVELS.index(a.grade.level) > LEVELS.index(a.first_level) for a in per)
    parts = [
        f"Across {len(per)} stories your answers mostly land at '{common}'; the strongest reached '{best}'."
    ]
    if improved:
        parts.append(
            f"Follow-up questions lifted {improved} of them: the material is there, lead with it next time."
        )
    parts.append("The fixes below are ordered by how much signal they add; rehearse them aloud, timed.")
    return " ".join(parts)


def _usage(calls: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Token use and cost over every model call of the interview (interviewer and grader)."""
    if not calls:
        return {}
    costs = [c["cost_usd"] for c in calls if c.get("cost_usd") is not None]
    return {
        "calls": sum(int(c.get("calls") or 0) for c in calls),
        "prompt_tokens": sum(int(c.get("prompt_tokens") or 0) for c in calls),
        "completion_tokens": sum(int(c.get("completion_tokens") or 0) for c in calls),
        "cost_usd": round(sum(costs), 6) if costs else None,
        "failed_calls": sum(1 for c in calls if c.get("error")),
        "withdrawn_replies": sum(1 for c in calls if c.get("withdrawn")),
        # Calls whose server reported no usage: their tokens were counted with the model's tokenizer.
        "estimated_calls": sum(1 for c in calls if c.get("estimated")),
    }
