"""The story bank: stories stored per user, each graded by the rubric when it is saved, and the coverage
audit over them. The story routes stay thin; this is where the work is (as engine.py is for interviews).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.catalog import Catalog
from service.config import Settings
from service.errors import NotFound, QuotaExceeded
from service.report.audit import audit
from service.rubric import analyze
from service.store import crud
from service.store.models import Story


class BankTexts:
    """Each user's (archetype, text) pairs for the planner's "same project" check, read again only when the
    bank changed (a one-row version query per answer instead of every story's text). The same string
    objects come back each time, so the fingerprints cached by their text cost a lookup, not a hash of
    20,000 characters. Bounded: the users seen most recently."""

    def __init__(self, users: int = 64) -> None:
        self.users = users
        self._texts: OrderedDict[str | None, tuple[tuple[int, Any], list[tuple[str, str]]]] = OrderedDict()

    async def get(
        self, session: AsyncSession, user_id: str | None, version: tuple[int, Any] | None = None
    ) -> list[tuple[str, str]]:
        """`version`: `crud.stories_version` of this user, when the caller has read it already."""
        if version is None:
            version = await crud.stories_version(session, user_id=user_id)
        cached = self._texts.get(user_id)
        if cached is not None and cached[0] == version:
            self._texts.move_to_end(user_id)
            return cached[1]
        texts = [(s.archetype, s.text) for s in await crud.list_stories(session, user_id=user_id)]
        self._texts[user_id] = (version, texts)
        self._texts.move_to_end(user_id)
        while len(self._texts) > self.users:
            self._texts.popitem(last=False)
        return texts


class StoryBank:
    def __init__(
        self, *, sessions: async_sessionmaker[AsyncSession], catalog: Catalog, settings: Settings
    ) -> None:
        self.sessions = sessions
        self.catalog = catalog
        self.settings = settings

    async def _grade(self, text: str, archetype: str) -> dict[str, Any]:
        # The rubric reads the story (embeddings, classifier: CPU work): off the event loop.
        grade = await asyncio.to_thread(analyze, text, archetype, catalog=self.catalog)
        return grade.model_dump(mode="json")

    async def list(self, *, user_id: str | None) -> list[Story]:
        async with self.sessions() as session:
            return await crud.list_stories(session, user_id=user_id)

    async def audit(self, *, user_id: str | None) -> dict[str, Any]:
        return audit(await self.list(user_id=user_id), self.catalog)

    async def get(self, *, story_id: str, user_id: str | None) -> Story:
        async with self.sessions() as session:
            story = await crud.get_story(session, story_id=story_id, user_id=user_id)
        if story is None:
            raise NotFound(f"no story {story_id!r}")
        return story

    async def create(
        self, *, title: str, archetype: str, project: str, text: str, year: int | None, user_id: str | None
    ) -> Story:
        quota = self.settings.quota("stories", user_id)
        if quota and user_id is not None:
            async with self.sessions() as session:
                # A soft quota: two saves at the very same moment may both pass the count.
                if await crud.count_stories(session, user_id=user_id) >= quota:
                    raise QuotaExceeded(
                        f"your story bank holds {quota} stories, the most it may; delete one first"
                    )
        grade = await self._grade(text, archetype)
        async with self.sessions() as session:
            return await crud.create_story(
                session,
                title=title,
                archetype=archetype,
                project=project,
                text=text,
                year=year,
                grade=grade,
                user_id=user_id,
            )

    async def update(
        self,
        *,
        story_id: str,
        title: str,
        archetype: str,
        project: str,
        text: str,
        year: int | None,
        user_id: str | None,
    ) -> Story:
        grade = await self._grade(text, archetype)
        async with self.sessions() as session:
            story = await crud.update_story(
                session,
                story_id=story_id,
                user_id=user_id,
                title=title,
                archetype=archetype,
                project=project,
                text=text,
                year=year,
                grade=grade,
            )
        if story is None:
            raise NotFound(f"no story {story_id!r}")
        return story

    async def delete(self, *, story_id: str, user_id: str | None) -> None:
        async with self.sessions() as session:
            if not await crud.delete_story(session, story_id=story_id, user_id=user_id):
                raise NotFound(f"no story {story_id!r}")
