"""Progress over time (Contract 3, additions): thin; the work is in service/progress.py."""

from __future__ import annotations

from fastapi import APIRouter

from service.api.deps import CurrentUser, ProgressDep
from service.report.progress import Progress

router = APIRouter(prefix="/progress", tags=["progress"])


@router.get("")
async def progress(service: ProgressDep, user: CurrentUser) -> Progress:
    """Per STAR-DRIVE part and per archetype, first-answer and after-follow-up verdicts over the caller's
    finished interviews and drills, oldest first."""
    return await service.progress(user_id=user)
