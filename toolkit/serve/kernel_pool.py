"""Voila's preheated kernel pools, made for a room that arrives at once.

    >>> cls = with_refill_when_quiet(VoilasPoolingKernelManager)

:func:`toolkit.serve.workshop_voila_class` mixes :class:`RefillWhenQuiet`
into the kernel manager class Voila builds: pools refill once a page is
quiet rather than while the room arrives, and pool kernels start a few at
a time (:func:`pool_start_slots`) so that each is ready in time.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio

#: ... and at the latest this many times that after the first kernel was
#: taken, so a steady trickle of late arrivals cannot keep a pool empty.
REFILL_AT_THE_LATEST = 3
#: Pool kernels started and run at the same time, per core. Started all at
#: once (40 kernels when a room's page gets a pool of 40), a 2-core machine
#: took longer than Voila's wait for their output and served blank pages;
#: in small batches every one is ready, and the first ones sooner.
POOL_STARTS_PER_CORE = 1
#: Longest a pool start holds its place in the batch (seconds): a notebook
#: that never finishes must not stop the others from starting.
POOL_START_HOLD_SECONDS = 120


class RefillWhenQuiet:
    """Mixed into Voila's pooling kernel manager class by :func:`with_refill_when_quiet`.

    Voila 0.5 refills a page's pool by putting a task that sleeps
    ``fill_delay`` seconds and then starts a kernel straight into the pool,
    and a visitor who finds no warm kernel is handed that task: they wait
    out the delay, then the start. Here nothing goes into the pool until it
    is refilled, so a visitor past the pool gets a kernel started at once;
    the pool is refilled once the page has had no visitor for ``fill_delay``
    seconds (at the latest :data:`REFILL_AT_THE_LATEST` times that after
    the first kernel was taken): once the room has arrived. A pool for the
    whole room then moves on to the page the room opens next
    (:meth:`_room_moves_on`) rather than waiting where everyone has already
    been. Pool kernels
    start in batches of :func:`pool_start_slots`, each waiting until the
    one before has run its notebook.
    """

    fill_delay: float
    _refills: dict[str | None, _Refill]

    def __init__(self, *args: object, **kwargs: object) -> None:
        self._refills = {}
        self._carried = 0  # a room's pool on its way to a quiet page
        self._starting = None  # a semaphore, made on the serving loop
        super().__init__(*args, **kwargs)  # Voila's __init__ fills the pools

    def fill_if_needed(self, delay: float | None = None, notebook_name: str | None = None, **kwargs: object) -> None:
        fill = functools.partial(super().fill_if_needed, notebook_name=notebook_name, **kwargs)  # type: ignore[misc]
        if delay is not None:  # the first fill at start-up, or a refill that is due
            fill(delay=delay)
        else:  # a kernel was just taken from the pool
            self._refill_later(notebook_name, fill)

    def get_pool_size(self, notebook_name: str) -> int:
        # Voila's page handler asks this once per visit to the page: the
        # room is still arriving, so a waiting refill waits longer.
        waiting = self._refills.get(notebook_name)
        if waiting is not None:
            self._refill_later(notebook_name, waiting.fill)
        return super().get_pool_size(notebook_name)  # type: ignore[misc]

    def _refill_later(self, notebook_name: str | None, fill: Callable[..., None]) -> None:
        import asyncio  # here: every ``workshop`` command imports this module

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not serving: nothing to wait for
            fill(delay=self.fill_delay)
            return
        now = loop.time()
        waiting = self._refills.pop(notebook_name, None)
        first = now
        if waiting is not None:
            waiting.timer.cancel()
            first = waiting.first
        when = min(now + self.fill_delay, first + REFILL_AT_THE_LATEST * self.fill_delay)

        def refill() -> None:
            self._refills.pop(notebook_name, None)
            ahead = self._room_moves_on(notebook_name)
            fill(delay=0)
            if ahead is not None:
                self.fill_if_needed(delay=0, notebook_name=ahead)

        self._refills[notebook_name] = _Refill(first, loop.call_at(when, refill), fill)

    def _room_moves_on(self, notebook_name: str | None) -> str | None:
        """When a page's refill is due and its pool is bigger than the
        everyday pool (``--pool-for diagnosis=40``: a pool for the whole
        room), the room has arrived there and gone quiet: that page goes
        back to the everyday pool and the room's size is carried to the
        next page of the room's route (:attr:`ServePlan.route
        <toolkit.serve.plan.ServePlan.route>`, the Voila application's
        ``room_route``), the page the room opens next. It is placed only
        on a page that is quiet too: if the room is already arriving there,
        warm kernels would only double its kernels, so the size is carried
        on until the next page the room has not reached by the time it goes
        quiet again. Returns the page given the room's pool, or ``None``."""
        route = tuple(getattr(getattr(self, "parent", None), "room_route", ()) or ())
        config = getattr(self, "kernel_pools_config", None)
        if notebook_name not in route or not isinstance(config, dict):
            return None
        everyday = pool_size(config, None)
        size = pool_size(config, notebook_name)
        at = route.index(notebook_name)
        if at + 1 >= len(route):
            return None  # the room's last page keeps what it has
        carried = max(self._carried, size if size > everyday else 0)
        if carried <= everyday:
            return None
        config[notebook_name] = {**config.get(notebook_name, {}), "pool_size": everyday}
        ahead = route[at + 1]
        if ahead in self._refills:  # the room is arriving there already
            self._carried = carried
            return None
        self._carried = 0
        config[ahead] = {**config.get(ahead, {}), "pool_size": max(carried, pool_size(config, ahead))}
        return ahead

    async def _initialize(self, notebook_path: str, kernel_id: str | None = None, **kwargs: object) -> dict[str, object]:
        # Voila starts a pool's kernel and runs its notebook here; only so
        # many at a time (POOL_STARTS_PER_CORE), each holding its place
        # until its notebook has run.
        import asyncio

        if self._starting is None:
            self._starting = asyncio.Semaphore(pool_start_slots())
        async with self._starting:
            started = await super()._initialize(notebook_path, kernel_id, **kwargs)  # type: ignore[misc]
            render = started.get("task") if isinstance(started, dict) else None
            if isinstance(render, asyncio.Future):
                await asyncio.wait({render}, timeout=POOL_START_HOLD_SECONDS)
            return started

    async def shutdown_all(self, *args: object, **kwargs: object) -> None:
        for waiting in self._refills.values():
            waiting.timer.cancel()  # no kernel is started just to be shut down
        self._refills.clear()
        await super().shutdown_all(*args, **kwargs)  # type: ignore[misc]


@dataclass(frozen=True)
class _Refill:
    """A page's waiting refill: when the first kernel was taken (loop
    time), the timer, and Voila's fill call with the taker's arguments."""

    first: float
    timer: asyncio.TimerHandle
    fill: Callable[..., None]


def pool_size(config: Mapping[str, Mapping[str, Any]], notebook: str | None) -> int:
    """The size Voila fills ``notebook``'s pool to, read from its
    ``kernel_pools_config`` as Voila reads it (the page's own entry, else
    ``default``); ``None`` reads the default."""
    default = config.get("default", {})
    entry = default if notebook is None else config.get(notebook, default)
    return int(entry.get("pool_size", default.get("pool_size", 1)))


def pool_start_slots() -> int:
    """How many pool kernels may start and run their notebook at once."""
    return max(1, POOL_STARTS_PER_CORE * (os.cpu_count() or 1))


def with_refill_when_quiet(cls: type) -> type:
    """Voila's pooling kernel manager class with :class:`RefillWhenQuiet`
    mixed in; any other kernel manager class as it is (no pools: preheating
    is off)."""
    if not hasattr(cls, "fill_if_needed") or issubclass(cls, RefillWhenQuiet):
        return cls
    return type(f"RefillWhenQuiet{cls.__name__}", (RefillWhenQuiet, cls), {})


#: Sockets (and open files) a room's server may hold: a kernel holds about
#: five zmq sockets for its page and its pool, plus files and pipes.
ROOM_SOCKETS = 65536


def raise_socket_limit(kernel_manager: object, wanted: int = ROOM_SOCKETS) -> int:
    """Let one server hold a room's kernels: zmq allows 1023 sockets per
    context by default, so about 200 kernels in one ``workshop serve``
    (40 people on five pages) made every further page fail with "Too many
    open files" (HTTP 500). Raises the process's open-file limit as far as
    the hard limit allows, and the kernel manager's zmq context to match;
    zmq reads it only before the context's first socket, so this runs
    before any kernel starts. Returns the limit set."""
    import zmq

    limit = wanted
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        limit = min(wanted, hard) if hard != resource.RLIM_INFINITY else wanted
        if soft != resource.RLIM_INFINITY and soft < limit:
            resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))
    except (ImportError, ValueError, OSError):  # not POSIX, or not allowed: zmq's own limit still goes up
        pass
    limit = min(limit, zmq.Context().get(zmq.SOCKET_LIMIT))
    context = getattr(kernel_manager, "context", None)
    if isinstance(context, zmq.Context) and context.get(zmq.MAX_SOCKETS) < limit:
        context.set(zmq.MAX_SOCKETS, limit)
    return limit
