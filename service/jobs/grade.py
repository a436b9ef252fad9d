"""What a grading job does: grade one archetype's stored answers with the interview's grader model.

The rubric half of the grade is the planner's reading stored with the last answer (`turns.grade`), not
computed again; the model's half is asked for here, unless that stored reading is the model's already
(made before the move was chosen, service/grading/live.py): then it is the grade, with no second call. Model trouble does not raise: it comes back as a
fallback outcome, which the worker retries (worker.py).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.catalog import Catalog
from service.config import Settings
from service.grading import GradeOutcome, grade_answer
from service.interview.planner import Turn, answers_for, other_fingerprints
from service.jobs.queue import Claimed
from service.llm import get_model
from service.rubric import Grade
from service.store import crud
from service.store.models import Turn as TurnRow


def grader_name(settings: Settings, interview_model: str) -> str:
    return settings.grader_model or interview_model


def by_model(settings: Settings, interview_model: str) -> bool:
    """Whether this interview's archetypes are graded by a model (jobs); with `builtin` the planner's
    stored reading is the grade."""
    return grader_name(settings, interview_model) != "builtin"


def plain_turns(rows: list[TurnRow]) -> list[Turn]:
    return [
        Turn(t.index, t.role, t.text, t.move, t.code, t.archetype)
        for t in sorted(rows, key=lambda t: t.index)
    ]


def stored_reading(rows: list[TurnRow], archetype: str, *, first: bool = False) -> Grade | None:
    """The planner's reading stored with an answer to `archetype`: the last answer's (all answers read
    together), or with `first` the first answer's (that answer alone)."""
    answers = [
        t for t in sorted(rows, key=lambda t: t.index) if t.role == "candidate" and t.archetype == archetype
    ]
    if not answers:
        return None
    row = answers[0] if first else answers[-1]
    return Grade.model_validate(row.grade) if row.grade else None


async def grade_job(
    job: Claimed, *, sessions: async_sessionmaker[AsyncSession], settings: Settings, catalog: Catalog
) -> GradeOutcome | None:
    """The outcome for this job's answers; None when the interview or its answers are gone."""
    async with sessions() as session:
        interview = await crud.get_interview(session, interview_id=job.interview_id)
    if interview is None:
        return None
    plain = plain_turns(list(interview.turns))
    answers = answers_for(plain, job.archetype)
    if not answers:
        return None
    base = stored_reading(list(interview.turns), job.archetype)
    model = get_model(grader_name(settings, interview.model), settings)
    if base is not None and base.grader == model.name:
        # The model's reading made with the last answer (service/grading/live.py): the same call on the
        # same answers, already verified and merged. It is the grade; the model is not asked again.
        return GradeOutcome(grade=base)
    question = next((t.text for t in plain if t.move == "probe" and t.archetype == job.archetype), None)
    return await grade_answer(
        answer="\n\n".join(answers),
        archetype=job.archetype,
        question=question,
        model=model,
        catalog=catalog,
        prompts_dir=settings.prompts_dir,
        earlier=other_fingerprints(plain, job.archetype),
        base=base,
    )
