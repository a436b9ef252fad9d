"""The drill service: starts drills, saves outlines, grades the finish report. The routes stay thin."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.catalog import Catalog
from service.config import Settings
from service.drills.choose import DRILL_SIZE, choose
from service.drills.report import DrillReport, build_report
from service.errors import Conflict, InputError, NotFound, QuotaExceeded
from service.store import crud
from service.store import drills as store
from service.store.models import Drill

TIME_BOX_SECONDS = 480  # the seed: "Time-box at 8 minutes per story"


class DrillService:
    def __init__(
        self, *, sessions: async_sessionmaker[AsyncSession], catalog: Catalog, settings: Settings
    ) -> None:
        self.sessions = sessions
        self.catalog = catalog
        self.settings = settings

    async def start(self, *, archetypes: Sequence[str] | None, user_id: str | None) -> Drill:
        # An account keeps as many drills as it may keep interviews (a soft quota, as the story bank's).
        quota = self.settings.quota("interviews", user_id)
        if quota and user_id is not None:
            async with self.sessions() as session:
                if await store.count_drills(session, user_id=user_id) >= quota:
                    raise QuotaExceeded(f"your account keeps {quota} drills, the most it may")
        if archetypes:
            if len(set(archetypes)) != DRILL_SIZE or len(archetypes) != DRILL_SIZE:
                raise InputError(f"a drill takes {DRILL_SIZE} different archetypes, or none to let it choose")
            chosen = list(archetypes)
        else:
            async with self.sessions() as session:
                chosen = choose(await crud.list_stories(session, user_id=user_id))
        async with self.sessions() as session:
            return await store.create_drill(
                session, archetypes=chosen, time_box_seconds=TIME_BOX_SECONDS, user_id=user_id
            )

    async def list(self, *, user_id: str | None, limit: int) -> list[Drill]:
        async with self.sessions() as session:
            return await store.list_drills(session, user_id=user_id, limit=limit)

    async def get(self, *, drill_id: str, user_id: str | None) -> Drill:
        async with self.sessions() as session:
            return await self._load(session, drill_id, user_id)

    @staticmethod
    async def _load(session: AsyncSession, drill_id: str, user_id: str | None) -> Drill:
        drill = await store.get_drill(session, drill_id=drill_id, user_id=user_id)
        if drill is None:
            raise NotFound(f"no drill {drill_id!r}")
        return drill

    async def save_outline(
        self, *, drill_id: str, archetype: str, parts: Mapping[str, str], user_id: str | None
    ) -> Drill:
        async with self.sessions() as session:
            drill = await self._load(session, drill_id, user_id)
            if archetype not in drill.archetypes:
                raise InputError(
                    f"this drill is for {', '.join(drill.archetypes)}; {archetype!r} is not one of them"
                )
            if drill.status == "finished":
                raise Conflict(f"drill {drill_id} is finished; its outlines can no longer change")
            return await store.save_outline(session, drill=drill, archetype=archetype, parts=dict(parts))

    async def finish(self, *, drill_id: str, named_gaps: Sequence[str], user_id: str | None) -> DrillReport:
        """The report; finishing again returns the same one. No connection is held while it is graded."""
        async with self.sessions() as session:
            drill = await self._load(session, drill_id, user_id)
            if drill.status == "finished" and drill.report:
                return DrillReport.model_validate(drill.report)
            bank = await crud.list_stories(session, user_id=user_id)
        # The rubric reads every outline (embeddings, classifier: CPU work): off the event loop.
        report = await asyncio.to_thread(
            functools.partial(
                build_report,
                drill_id=drill.id,
                archetypes=drill.archetypes,
                outlines=drill.outlines or {},
                time_box_seconds=drill.time_box_seconds,
                started_at=drill.started_at,
                bank=bank,
                named_gaps=named_gaps,
                catalog=self.catalog,
            )
        )
        async with self.sessions() as session:
            drill = await self._load(session, drill_id, user_id)
            if drill.status == "finished" and drill.report:  # another request finished it meanwhile
                return DrillReport.model_validate(drill.report)
            await store.finish_drill(session, drill=drill, report=report.model_dump(mode="json"))
        return report
