"""A turn for each search: at most ``search_concurrency`` searches of one process run at
once; the others wait their turn on the event loop, holding no worker thread.

Why: a search costs ~25 ms of CPU, a cached page ~0.1 ms. Before, 50 readers searching
at once took 40 worker threads that fought over the GIL with the event loop, so every
other page waited behind them; and a search whose reader had left (a closed tab, a
client's timeout) still ran to the end. Now a search that gets its turn after its reader
has gone is not run (answered 499, as nginx logs it), and one that waits longer than
``search_wait_seconds`` is answered 503 with Retry-After rather than queueing without
bound. Repeated anonymous searches never get here: the page cache answers them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, Request

from paperboy.errors import ClientGone, ServiceUnavailable


class SearchGate:
    def __init__(self, slots: int, wait_seconds: float) -> None:
        self.slots, self.wait_seconds = slots, wait_seconds
        # One semaphore per event loop (tests run several apps, each on its own loop).
        self._turns: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        turns = self._turns.get(loop)
        if turns is None:
            turns = self._turns[loop] = asyncio.Semaphore(self.slots)
        return turns

    @asynccontextmanager
    async def turn(self, request: Request) -> AsyncIterator[None]:
        turns = self._semaphore()
        try:
            await asyncio.wait_for(turns.acquire(), self.wait_seconds)
        except TimeoutError:
            raise ServiceUnavailable(
                "too many searches at once; try again in a moment", retry_after=5
            ) from None
        try:
            if await request.is_disconnected():
                raise ClientGone("the reader left before the search began")
            yield
        finally:
            turns.release()


async def _search_turn(request: Request) -> AsyncIterator[None]:
    gate: SearchGate = request.app.state.search_gate
    async with gate.turn(request):
        yield


SearchTurn = Annotated[None, Depends(_search_turn)]
