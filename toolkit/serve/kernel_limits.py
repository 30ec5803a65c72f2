"""How many kernels a room may hold, and whose each one is.

    >>> limits = KernelLimits.for_machine(pages=6)       # from this machine's memory
    >>> cls = with_room_kernels(VoilasKernelManagerClass)

:func:`toolkit.serve.workshop_voila_class` mixes :class:`RoomKernels` into
the kernel manager Voila builds. A page's handler says who is asking
(:func:`visiting`); then every kernel handed to a page, from a pool or
started for it, is *claimed* by that page's browser (its ``xs_device``
cookie), and:

- a visitor's kernel is started only while the room holds fewer than
  ``limits.total`` kernels and the page fewer than ``limits.per_page``
  (warm pool kernels count); otherwise :class:`RoomFull` is raised before
  anything starts, and the page says the room is full;
- a pool is refilled only within the same limits (and again once a kernel
  goes, if a refill was skipped);
- a claimed kernel whose page never opened its websocket within
  ``limits.unconnected_seconds`` is shut down (a bare GET, a page closed
  while loading);
- :meth:`RoomKernels.owner_of` says whose a kernel is: only its own browser
  may connect to it or shut it down (:mod:`toolkit.serve.handlers`).
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator
from dataclasses import dataclass

from toolkit.errors import ToolkitError
from toolkit.serve.kernel_pool import pool_size

#: Memory a page's kernel takes, with room to spare: a workbook page's
#: kernel measures 51 MiB (PSS) alone, forked from the fork server, and
#: 56 MiB started the usual way; a room of 40 walking the five pages
#: peaked at 88 kernels in 4.1 GiB with the server (docs/deploy.md).
KERNEL_MIB = 50
#: Share of the machine's memory the kernels may take by default: 98
#: kernels on 8 GiB, above that room's peak (at 80 MiB and half the
#: memory it was 51, and the room was told it was full).
MEMORY_SHARE = 0.6
#: Fewest kernels the default allows, on any machine.
MIN_KERNELS = 8
#: Default when the machine's memory cannot be read.
FALLBACK_KERNELS = 40
#: A page that has not opened its kernel's websocket within this many
#: seconds of getting it never will: its kernel is shut down.
DEFAULT_UNCONNECTED_SECONDS = 120.0
#: How often kernels that never connected are looked for (seconds).
CULL_CHECK_SECONDS = 15.0


class RoomFull(ToolkitError):
    """No kernel may be started for this page now: the room is at its cap."""


@dataclass(frozen=True)
class KernelLimits:
    """``total``: kernels the server may hold at once, warm ones included;
    ``per_page``: kernels one page may hold; ``unconnected_seconds``: how
    long a page has to open its kernel's websocket."""

    total: int
    per_page: int
    unconnected_seconds: float = DEFAULT_UNCONNECTED_SECONDS

    @classmethod
    def for_machine(cls, *, pages: int, total: int | None = None, per_page: int | None = None,
                    unconnected_seconds: float = DEFAULT_UNCONNECTED_SECONDS, memory_bytes: int | None = None) -> KernelLimits:
        """The limits for ``pages`` served pages: ``total`` defaults to
        :func:`default_max_kernels`; ``per_page`` to the total less one
        for each other page, so a flood on one page leaves every other page
        a kernel."""
        total = total if total is not None else default_max_kernels(memory_bytes)
        if total < 1:
            raise ToolkitError(f"--max-kernels: expected 1 or more, got {total}")
        if per_page is None:
            per_page = max(1, total - max(0, pages - 1))
        if not 1 <= per_page <= total:
            raise ToolkitError(f"--max-kernels-per-page: expected 1 to {total} (the --max-kernels), got {per_page}")
        return cls(total=total, per_page=per_page, unconnected_seconds=float(unconnected_seconds))

    def to_dict(self) -> dict[str, object]:
        return {"total": self.total, "per_page": self.per_page, "unconnected_seconds": self.unconnected_seconds}


def machine_memory() -> int | None:
    """This machine's physical memory in bytes, or ``None`` if unknown."""
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):
        return None


def default_max_kernels(memory_bytes: int | None = None) -> int:
    """Kernels that fit in :data:`MEMORY_SHARE` of the machine's memory at
    :data:`KERNEL_MIB` each (at least :data:`MIN_KERNELS`): 294 on 24 GiB,
    98 on 8 GiB, 49 on 4 GiB."""
    memory = memory_bytes if memory_bytes is not None else machine_memory()
    if not memory:
        return FALLBACK_KERNELS
    return max(MIN_KERNELS, int(memory * MEMORY_SHARE) // (KERNEL_MIB * 1024 * 1024))


@dataclass(frozen=True)
class Visit:
    """Who is asking for a page's kernel: the served notebook and the
    browser's device token (``None`` if it has none)."""

    page: str
    device: str | None


@dataclass
class Claim:
    """A kernel handed to a page: the page, its browser, when (monotonic
    seconds) and whether its websocket ever connected."""

    page: str
    device: str | None
    at: float
    connected: bool = False


_VISIT: contextvars.ContextVar[Visit | None] = contextvars.ContextVar("workshop_visit", default=None)


@contextlib.contextmanager
def visiting(page: str, device: str | None) -> Iterator[Visit]:
    """While a page's handler renders it: the kernel it gets is claimed
    for ``device`` (see :class:`RoomKernels`)."""
    visit = Visit(page, device)
    token = _VISIT.set(visit)
    try:
        yield visit
    finally:
        _VISIT.reset(token)


class RoomKernels:
    """Mixed into Voila's kernel manager class by :func:`with_room_kernels`.
    Reads its :class:`KernelLimits` from the Voila application
    (``parent.kernel_limits``); without one nothing is limited."""

    _claims: dict[str, Claim]
    _starting_visitors: dict[str, int]  # visitor kernels being started now, per page

    def __init__(self, *args: object, **kwargs: object) -> None:
        self._claims = {}
        self._starting_visitors = {}
        self._starved: set[str] = set()
        self._cull_timer = None
        super().__init__(*args, **kwargs)

    # -- what the room holds ---------------------------------------------

    @property
    def limits(self) -> KernelLimits | None:
        return getattr(getattr(self, "parent", None), "kernel_limits", None)

    def owner_of(self, kernel_id: str) -> Claim | None:
        """The claim on a running kernel, or ``None`` (a pool kernel, an
        unknown id, a kernel that is gone)."""
        claim = self._claims.get(kernel_id)
        if claim is not None and kernel_id not in self._kernel_ids():
            self._claims.pop(kernel_id, None)
            return None
        return claim

    def mark_connected(self, kernel_id: str) -> None:
        """Its page opened the kernel's websocket: it is in use."""
        claim = self._claims.get(kernel_id)
        if claim is not None:
            claim.connected = True

    def kernel_count(self, page: str | None = None) -> int:
        """Kernels held (running, starting, or waiting in a pool), in all
        or on one page."""
        self._prune()
        pools = getattr(self, "_pools", {})
        if page is None:
            waiting = sum(1 for pool in pools.values() for task in pool if not task.done())
            return len(self._kernel_ids() | set(self._claims)) + sum(self._starting_visitors.values()) + waiting
        claimed = sum(1 for c in self._claims.values() if c.page == page)
        return claimed + self._starting_visitors.get(page, 0) + len(pools.get(page, ()))

    def _kernel_ids(self) -> set[str]:
        return set(self.list_kernel_ids()) | set(getattr(self, "_pending_kernels", {}))  # type: ignore[attr-defined]

    def _prune(self) -> None:
        alive = self._kernel_ids()
        for kernel_id in [k for k in self._claims if k not in alive]:
            del self._claims[kernel_id]

    def _room_for(self, page: str) -> str | None:
        """Why no kernel may start for ``page`` now, or ``None``."""
        limits = self.limits
        if limits is None:
            return None
        if self.kernel_count() >= limits.total:
            return f"the server holds {limits.total} kernels, its limit"
        if self.kernel_count(page) >= limits.per_page:
            return f"this page holds {limits.per_page} kernels, its limit"
        return None

    # -- kernels handed to pages ---------------------------------------------

    async def start_kernel(self, *args: object, **kwargs: object) -> str:
        # Voila's page handler calls this for a visitor past the pool (pool
        # kernels start through the base class, from Voila's _initialize).
        visit = _VISIT.get()
        page = visit.page if visit is not None else ""
        full = self._room_for(page)
        if full:
            self.log.warning("Refused a kernel for %s: %s", page or "a page", full)  # type: ignore[attr-defined]
            raise RoomFull(full)
        starting = self._starting_visitors
        starting[page] = starting.get(page, 0) + 1
        try:
            kernel_id = await super().start_kernel(*args, **kwargs)  # type: ignore[misc]
        finally:
            starting[page] -= 1
            if not starting[page]:
                del starting[page]
        self._claim(kernel_id, visit)
        return kernel_id

    async def get_rendered_notebook(self, *args: object, **kwargs: object) -> tuple[object, ...]:
        result = await super().get_rendered_notebook(*args, **kwargs)  # type: ignore[misc]
        self._claim(result[2], _VISIT.get())  # (render task, rendered cells, kernel id)
        return result

    def _claim(self, kernel_id: str, visit: Visit | None) -> None:
        if visit is None or kernel_id in self._claims:
            return
        import asyncio

        self._claims[kernel_id] = Claim(visit.page, visit.device, asyncio.get_running_loop().time())
        self._start_cull_timer()

    async def shutdown_kernel(self, kernel_id: str, *args: object, **kwargs: object) -> None:
        self._claims.pop(kernel_id, None)
        try:
            await super().shutdown_kernel(kernel_id, *args, **kwargs)  # type: ignore[misc]
        finally:
            self._refill_starved()

    def _refill_starved(self) -> None:
        for page in sorted(self._starved):
            if self._room_for(page) is None:
                self._starved.discard(page)
                self.fill_if_needed(delay=0, notebook_name=page)  # type: ignore[attr-defined]

    # -- never connected -----------------------------------------------------

    def _start_cull_timer(self) -> None:
        if self._cull_timer is not None or self.limits is None:
            return
        from tornado.ioloop import PeriodicCallback

        self._cull_timer = PeriodicCallback(self.cull_unconnected, CULL_CHECK_SECONDS * 1000)
        self._cull_timer.start()

    async def cull_unconnected(self) -> list[str]:
        """Shut down claimed kernels whose page never connected within
        ``limits.unconnected_seconds``; returns their ids."""
        import asyncio

        limits = self.limits
        if limits is None:
            return []
        now = asyncio.get_running_loop().time()
        stale = [k for k, c in self._claims.items() if not c.connected and now - c.at >= limits.unconnected_seconds]
        for kernel_id in stale:
            self.log.info("Shutting down kernel %s: its page never connected to it", kernel_id)  # type: ignore[attr-defined]
            try:
                await self.shutdown_kernel(kernel_id)
            except Exception:  # noqa: BLE001 - already gone; the next round tries the rest
                self._claims.pop(kernel_id, None)
        return stale

    async def shutdown_all(self, *args: object, **kwargs: object) -> None:
        if self._cull_timer is not None:
            self._cull_timer.stop()
        await super().shutdown_all(*args, **kwargs)  # type: ignore[misc]


class RoomPools:
    """Pool refills within the room's limits (mixed in only where Voila
    keeps pools): a refill that would pass a limit starts what fits and
    the rest once kernels go."""

    def fill_if_needed(self, delay: float | None = None, notebook_name: str | None = None, **kwargs: object) -> None:
        limits: KernelLimits | None = self.limits  # type: ignore[attr-defined]
        page = notebook_name or ""
        if limits is not None and delay is not None:
            config = self.kernel_pools_config  # type: ignore[attr-defined]
            size = pool_size(config, page)
            missing = size - len(self._pools.get(page, ()))  # type: ignore[attr-defined]
            free = min(limits.total - self.kernel_count(), limits.per_page - self.kernel_count(page))  # type: ignore[attr-defined]
            if missing > 0 and free < missing:
                self._starved.add(page)  # type: ignore[attr-defined]
                if free <= 0:
                    self.log.warning("Not refilling the pool of %s: the room is at its kernel limit", page)  # type: ignore[attr-defined]
                    return
                # What fits now; the rest once kernels go (_refill_starved).
                wanted = config.get(page)
                config[page] = {**(wanted or config.get("default", {})), "pool_size": size - missing + free}
                try:
                    super().fill_if_needed(delay=delay, notebook_name=notebook_name, **kwargs)  # type: ignore[misc]
                finally:
                    if wanted is None:
                        config.pop(page, None)
                    else:
                        config[page] = wanted
                return
        super().fill_if_needed(delay=delay, notebook_name=notebook_name, **kwargs)  # type: ignore[misc]


def with_room_kernels(cls: type) -> type:
    """``cls`` (Voila's kernel manager class) with :class:`RoomKernels`
    mixed in, and :class:`RoomPools` where it keeps pools."""
    if issubclass(cls, RoomKernels):
        return cls
    bases = (RoomPools, RoomKernels, cls) if hasattr(cls, "fill_if_needed") else (RoomKernels, cls)
    return type(f"Room{cls.__name__}", bases, {})
