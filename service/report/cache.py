"""Debriefs already built, by the state they were built from, so a reader asking again costs no rebuild.

A debrief is a pure function of the transcript and the grades in: keyed by that state, a cached one is
never stale (a new answer or grade is a new key). Callers asking for a key being built share that one
build, so a burst of reads of one unfinished interview builds its debrief once.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class BuiltOnce(Generic[V]):
    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._done: OrderedDict[Hashable, V] = OrderedDict()
        self._building: dict[Hashable, asyncio.Task[V]] = {}

    def __len__(self) -> int:
        return len(self._done)

    async def get(self, key: Hashable, build: Callable[[], Awaitable[V]]) -> V:
        if key in self._done:
            self._done.move_to_end(key)
            return self._done[key]
        task = self._building.get(key)
        if task is None:
            task = asyncio.ensure_future(build())
            self._building[key] = task
            task.add_done_callback(lambda t: self._settle(key, t))
        # Shielded: a reader that goes away does not cancel the build the others are waiting for.
        return await asyncio.shield(task)

    def _settle(self, key: Hashable, task: asyncio.Task[V]) -> None:
        self._building.pop(key, None)
        if task.cancelled() or task.exception() is not None:
            return  # not kept: the next reader builds again (and sees the error itself)
        self._done[key] = task.result()
        while len(self._done) > self.size:
            self._done.popitem(last=False)
