"""The /api routes. Every one of them sits behind `require_user` (401 without a valid token in tokens
mode) and `limit_rate` (429 over the per-user rate of reads or writes): add new routers here, not to the app."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from service.api.deps import limit_rate, require_user
from service.api.routes import drills, interviews, progress, stories
from service.api.schemas import ERRORS

router = APIRouter(prefix="/api", dependencies=[Depends(require_user), Depends(limit_rate)], responses=ERRORS)
router.include_router(interviews.router)
router.include_router(stories.router)
router.include_router(drills.router)
router.include_router(progress.router)
