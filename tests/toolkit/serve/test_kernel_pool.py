"""Pools for a room arriving at once: refills wait until a page is quiet,
and pool kernels start a few at a time. Driven on a fake of the part of
Voila's kernel manager they build on, with a clock the test sets."""

from __future__ import annotations

import asyncio

from toolkit.serve import kernel_pool


class _Clock:
    now = 1000.0


class _VoilaPool:
    """The part of Voila's VoilaKernelManager that RefillWhenQuiet builds on."""

    fill_delay = 20.0

    def __init__(self, clock: _Clock):
        self.clock = clock
        self.fills: list[tuple[float, float | None, str | None, dict]] = []
        self.shut_down = False

    def fill_if_needed(self, delay=None, notebook_name=None, **kwargs):
        self.fills.append((self.clock.now, delay, notebook_name, kwargs))

    def get_pool_size(self, notebook_name):
        return 0

    async def shutdown_all(self):
        self.shut_down = True


def _drive(steps):
    """Run ``steps(km, at)`` on an event loop whose clock ``at(t)`` sets."""
    clock = _Clock()
    km = kernel_pool.with_refill_when_quiet(_VoilaPool)(clock)

    async def main():
        loop = asyncio.get_running_loop()
        loop.time = lambda: clock.now  # timers fire when the test says so

        async def at(t):
            clock.now = 1000.0 + t
            for _ in range(3):
                await asyncio.sleep(0)

        await steps(km, at)
        await km.shutdown_all()

    asyncio.run(main())
    return km


def test_refill_waits_until_nobody_opened_the_page_for_fill_delay():
    async def steps(km, at):
        km.fill_if_needed(delay=0, notebook_name="a.ipynb")  # start-up: at once
        await at(0)
        km.fill_if_needed(notebook_name="a.ipynb", env={"who": "first"})  # a kernel taken
        await at(10)
        km.get_pool_size("a.ipynb")  # a visitor finds the pool empty: still arriving
        await at(25)
        assert len(km.fills) == 1  # 25 s after the take, but only 15 s after the last visitor
        await at(30)
        assert len(km.fills) == 2
        km.get_pool_size("b.ipynb")  # no refill waiting there: nothing to push back
        await at(90)

    km = _drive(steps)
    assert km.fills == [(1000.0, 0, "a.ipynb", {}), (1030.0, 0, "a.ipynb", {"env": {"who": "first"}})]
    assert isinstance(km, kernel_pool.RefillWhenQuiet) and km.shut_down


def test_refill_comes_at_the_latest_three_delays_after_the_first_take():
    async def steps(km, at):
        for t in range(0, 100, 10):  # someone opens the page every 10 s
            await at(t)
            km.fill_if_needed(notebook_name="a.ipynb", env={"t": t}) if t < 30 else km.get_pool_size("a.ipynb")
        await at(100)

    km = _drive(steps)
    assert km.fills == [(1060.0, 0, "a.ipynb", {"env": {"t": 20}})]  # one refill, with the latest taker's arguments


def test_stopping_cancels_waiting_refills():
    async def steps(km, at):
        await at(0)
        km.fill_if_needed(notebook_name="a.ipynb")
        await at(5)
        await km.shutdown_all()
        await at(60)
        assert km.fills == []  # no kernel started just to be shut down

    assert _drive(steps).shut_down


def test_pool_kernels_start_in_batches_each_held_until_its_notebook_ran(monkeypatch):
    """Started all at once, a big pool outran Voila's wait for output on 2
    cores and served blank pages; pool starts go a few at a time."""
    monkeypatch.setattr(kernel_pool.os, "cpu_count", lambda: 2)
    assert kernel_pool.pool_start_slots() == 2 * kernel_pool.POOL_STARTS_PER_CORE

    class Starting(_VoilaPool):
        def __init__(self):
            super().__init__(_Clock())
            self.running = 0
            self.most = 0
            self.order: list[str] = []

        async def _initialize(self, notebook_path, kernel_id=None, **kwargs):
            self.running += 1
            self.most = max(self.most, self.running)

            async def render():  # the notebook runs after the kernel started
                await asyncio.sleep(0.01)
                self.order.append(notebook_path)
                self.running -= 1

            return {"task": asyncio.ensure_future(render()), "kernel_id": notebook_path}

    km = kernel_pool.with_refill_when_quiet(Starting)()

    async def main():
        started = await asyncio.gather(*(km._initialize(f"k{i}") for i in range(7)))
        return [s["kernel_id"] for s in started]

    assert asyncio.run(main()) == [f"k{i}" for i in range(7)]
    assert km.most == kernel_pool.pool_start_slots()
    assert sorted(km.order) == [f"k{i}" for i in range(7)]


def _clock_on_loop(clock: _Clock):
    """Make the running loop's time the test's clock; ``await at(t)`` moves it."""
    asyncio.get_running_loop().time = lambda: clock.now

    async def at(t):
        clock.now = 1000.0 + t
        for _ in range(3):
            await asyncio.sleep(0)

    return at


class _Parent:
    room_route = ("stage-1.ipynb", "stage-2.ipynb", "priorities.ipynb")


def _room_pools(clock: _Clock):
    km = kernel_pool.with_refill_when_quiet(_VoilaPool)(clock)
    km.parent = _Parent()
    km.kernel_pools_config = {
        "default": {"pool_size": 2},
        "stage-1.ipynb": {"pool_size": 40},
        "stage-2.ipynb": {"pool_size": 2},
        "priorities.ipynb": {"pool_size": 2},
        "dashboard.ipynb": {"pool_size": 1},
    }
    return km


def test_a_pool_for_the_whole_room_moves_to_the_page_the_room_opens_next():
    clock = _Clock()
    km = _room_pools(clock)
    sizes = lambda: {nb: c["pool_size"] for nb, c in km.kernel_pools_config.items() if nb != "default"}  # noqa: E731

    async def main():
        at = _clock_on_loop(clock)

        km.fill_if_needed(notebook_name="stage-1.ipynb")  # the room arrives on stage 1
        await at(30)
        # Stage 1 is back to the everyday pool; stage 2 gets the room's 40.
        assert sizes() == {"stage-1.ipynb": 2, "stage-2.ipynb": 40, "priorities.ipynb": 2, "dashboard.ipynb": 1}
        assert [f[2] for f in km.fills] == ["stage-1.ipynb", "stage-2.ipynb"]
        km.fill_if_needed(notebook_name="dashboard.ipynb")  # not on the room's route: refilled where it is
        km.fill_if_needed(notebook_name="stage-2.ipynb")  # the room moves to stage 2
        await at(60)
        assert sizes() == {"stage-1.ipynb": 2, "stage-2.ipynb": 2, "priorities.ipynb": 40, "dashboard.ipynb": 1}
        km.fill_if_needed(notebook_name="priorities.ipynb")  # the last page: the pool stays
        await at(90)
        assert sizes()["priorities.ipynb"] == 40
        await km.shutdown_all()

    asyncio.run(main())
    assert [f[2] for f in km.fills] == ["stage-1.ipynb", "stage-2.ipynb", "dashboard.ipynb", "stage-2.ipynb", "priorities.ipynb", "priorities.ipynb"]


def test_an_everyday_pool_stays_where_it_is():
    clock = _Clock()
    km = _room_pools(clock)
    assert km._room_moves_on("stage-2.ipynb") is None  # 2 is the everyday size
    assert km._room_moves_on("dashboard.ipynb") is None
    assert km.kernel_pools_config["stage-2.ipynb"] == {"pool_size": 2}


def test_the_room_pool_waits_for_a_quiet_page_rather_than_doubling_a_busy_one():
    clock = _Clock()
    km = _room_pools(clock)
    sizes = lambda: {nb: c["pool_size"] for nb, c in km.kernel_pools_config.items() if nb != "default"}  # noqa: E731

    async def main():
        at = _clock_on_loop(clock)

        km.fill_if_needed(notebook_name="stage-1.ipynb")  # the room arrives on stage 1 ...
        await at(15)
        km.fill_if_needed(notebook_name="stage-2.ipynb")  # ... and is moving on before stage 1 went quiet
        await at(25)
        # Stage 1 is quiet: back to the everyday pool; stage 2 is busy: no room pool there.
        assert sizes() == {"stage-1.ipynb": 2, "stage-2.ipynb": 2, "priorities.ipynb": 2, "dashboard.ipynb": 1}
        await at(40)
        # Stage 2 went quiet: the room's 40 go to the page after it.
        assert sizes()["priorities.ipynb"] == 40
        await km.shutdown_all()

    asyncio.run(main())
    assert [f[2] for f in km.fills] == ["stage-1.ipynb", "stage-2.ipynb", "priorities.ipynb"]
