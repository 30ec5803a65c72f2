"""Benchmark: a room on venue Wi-Fi (issue #18). N visitors arrive spread
over a window, over one emulated shared link, and walk the five pages in
turn with a pause on each; the same room, link and arrival times for the
workbook (``workshop serve``) and for a bare notebook served by plain Voila.

    .venv/bin/python bench/voila_network.py                  # 40 visitors over 10 s, 30/10 Mbit/s, 30 ms
    .venv/bin/python bench/voila_network.py --visitors 20 --pause 10 --repeat 2

What it does:

1. **The link.** ``tc`` with ``netem`` would be the natural choice (a
   network namespace, a veth pair, ``netem delay`` and ``tbf``), but this
   machine's kernel has no ``netem`` module (``tbf`` and ``htb`` only, and
   no module loading), so the link is a **shaped proxy** in a process of
   its own (``--proxy`` mode, :class:`Link`): every byte between the
   visitors and the server crosses it; one downlink (server to visitors,
   ``--down`` Mbit/s) and one uplink (``--up``) shared by every
   connection, each a first-in first-out queue with ``--rtt``/2 of
   one-way delay, plus one round trip before a new connection's first
   request (the TCP handshake). It models a shared bottleneck and its
   latency; not TCP slow start, losses or Wi-Fi airtime fairness (one
   visitor's burst is not interleaved with another's). It counts the
   bytes it carries (TCP payload, both directions).
2. **The servers**, one after the other (so their kernels never share the
   memory): ``workshop serve --pool P --pool-for diagnosis=N`` on a fresh
   SQLite store, and *plain Voila* (``voila.app.Voila``, not the kit's
   class: none of the kit's static path, pools refilled Voila's way with
   its default 1 s delay) with the same :func:`toolkit.serve.voila_config`
   over five copies of ``bench/bare/bare.ipynb``
   (``import pandas, ipywidgets; Text``), the first with a pool of N,
   the others P. Each is measured once its pools are warm and idle.
3. **The visitors** are wire visitors (:class:`wire_visitor.RoomVisitor`):
   each speaks Voila's protocol as a browser does (the page, the static
   files a real Chromium fetched for it, recorded once per server; the
   kernel websocket with permessage-deflate offered; every widget
   model's state; one character typed into the first text box, confirmed
   by the kernel's echo), keeps a browser's cookies and HTTP cache, and
   sends Voila's shutdown beacon when it leaves a page. Forty Chromiums
   do not fit on this 2-core machine (each page costs Chromium 7-10
   CPU-seconds, see ``voila_room.py``); in a room each runs on its own
   laptop. A wire visitor fetches every static file as soon as the page
   is in (a browser discovers them in a few waves), so the figures are
   slightly optimistic about latency and exact about bytes. Visitor i
   arrives at a seeded random time in ``--window``; after each page took
   typing it waits ``--pause`` seconds and opens the next.
   **Join flow**: when the server prints a join link (``.../join...``,
   issue #12) every visitor opens it first; ``workshop serve`` on main
   prints none, so visitors open the pages directly (the output says
   which).
4. **Figures**, per server: time until the first box takes typing (first
   page; later pages), p50 and p95; bytes on the link per visitor (the
   whole walk), and for one visitor alone the first page and a later
   page; server CPU seconds per visitor (the server process, its kernels
   and its finished children, from the first arrival to the last page);
   peak kernels and peak memory (PSS of the server and its kernels,
   sampled every few seconds). Ratios workbook/bare, the targets of
   issue #18, the load average before and after. Raw figures go to
   ``bench/results/voila_network-<date>.json``.

Nothing fails when a target is missed: these are measurements.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))
import voila_room  # noqa: E402 - bench/ is the script's own folder
import wire_visitor  # noqa: E402

HOST = "127.0.0.1"
RESULTS = BENCH / "results"
BARE_PAGES = tuple(f"bare-{i}.ipynb" for i in range(1, 6))
#: The first text box of every page: the workbook's sign-in name, the bare page's only Text.
FIRST_TEXT = {"bare": None, "workbook": "xs-signin-name"}
TARGETS = {"p95_s": 3.0, "p95_ratio": 0.7, "first_visit_bytes": 1.2e6, "later_page_bytes": 100e3}


# ----------------------------------------------------------------------------
# The link: a shaped proxy


class Link:
    """One direction of the shared link: a FIFO queue drained at ``mbit``
    Mbit/s, then ``delay`` seconds of propagation."""

    def __init__(self, mbit: float, delay: float) -> None:
        self.rate = mbit * 1e6 / 8
        self.delay = delay
        self.free_at = 0.0
        self.bytes = 0

    def arrival(self, n: int, now: float) -> float:
        start = max(now, self.free_at)
        self.free_at = start + n / self.rate
        self.bytes += n
        return self.free_at + self.delay


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, link: Link, first_extra: float) -> None:
    loop = asyncio.get_running_loop()
    pending: asyncio.Queue[tuple[float, bytes | None]] = asyncio.Queue()

    async def deliver() -> None:
        while True:
            when, data = await pending.get()
            wait = when - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if data is None:
                break
            writer.write(data)
            await writer.drain()
        writer.close()

    sender = asyncio.ensure_future(deliver())
    extra = first_extra
    try:
        while True:
            data = await reader.read(16384)
            if not data:
                break
            pending.put_nowait((link.arrival(len(data), loop.time()) + extra, data))
            extra = 0.0
    except (ConnectionError, OSError):
        pass
    pending.put_nowait((max(link.free_at + link.delay, loop.time()), None))
    try:
        await sender
    except (ConnectionError, OSError):
        pass


def run_proxy(listen: int, target: int, down: float, up: float, rtt: float, stats: Path) -> int:
    """``--proxy``: forward 127.0.0.1:listen to 127.0.0.1:target over the
    shaped link; write the byte counts to ``stats`` every 0.2 s."""
    half = rtt / 2000

    async def main() -> None:
        downlink, uplink = Link(down, half), Link(up, half)
        count = {"connections": 0}

        async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
            count["connections"] += 1
            try:
                server_r, server_w = await asyncio.open_connection(HOST, target)
            except OSError:
                client_w.close()
                return
            # The handshake: SYN and SYN-ACK cross the link before the request.
            await asyncio.gather(_pipe(client_r, server_w, uplink, 2 * half), _pipe(server_r, client_w, downlink, 0.0))

        server = await asyncio.start_server(handle, HOST, listen, backlog=1024)

        async def report() -> None:
            while True:
                tmp = stats.with_suffix(".tmp")
                tmp.write_text(json.dumps({"down": downlink.bytes, "up": uplink.bytes, **count}))
                os.replace(tmp, stats)
                await asyncio.sleep(0.2)

        asyncio.ensure_future(report())
        async with server:
            await server.serve_forever()

    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))  # counts are on disk already
    asyncio.run(main())
    return 0


@dataclass
class Proxy:
    proc: subprocess.Popen[bytes]
    port: int
    stats: Path

    def counts(self) -> dict[str, int]:
        time.sleep(0.5)  # the proxy writes every 0.2 s
        return json.loads(self.stats.read_text())

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def start_proxy(target: int, args: argparse.Namespace, workdir: Path) -> Proxy:
    port = voila_room.free_port()
    stats = workdir / f"proxy-{port}.json"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--proxy", str(port), str(target), "--down", str(args.down), "--up", str(args.up), "--rtt", str(args.rtt), "--stats", str(stats)]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not stats.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the shaped proxy did not start")
        time.sleep(0.1)
    return Proxy(proc, port, stats)


# ----------------------------------------------------------------------------
# The servers


def serve_plain_bare(port: int, pool: int, room_pool: int) -> int:
    """``--serve-plain-bare``: stock Voila over five copies of the bare
    notebook with :func:`toolkit.serve.voila_config`'s settings, less the
    kit's own: no page_config hook, Voila's 1 s refill delay (the kit's
    20 s means "once the page is quiet", which stock Voila cannot do: it
    would make a visitor past the pool wait 20 s)."""
    from toolkit import serve

    plan = serve.ServePlan(
        url="sqlite://", slug="bare", title="bare notebook", host=HOST, port=port, pool=pool,
        cull_minutes=serve.DEFAULT_CULL_MINUTES, dashboard_only=False,
        pages=tuple(serve.Page(name=name, label=name) for name in BARE_PAGES),
        page_pools=(serve.PagePool(BARE_PAGES[0], room_pool),),
    )
    config = voila_room.bare_config(plan)
    config["VoilaKernelManager"]["fill_delay"] = 1.0
    return voila_room.run_plain_voila(config, BARE_PAGES)


def start_server(kind: str, args: argparse.Namespace, workdir: Path) -> voila_room.Server:
    if kind == "workbook":
        limits = () if args.max_kernels is None else ("--max-kernels", str(args.max_kernels))
        server = voila_room.start_workbook_server(workdir, args.pool, args.room_pool, limits)
        server.pages = ("stage-1-diagnosis.ipynb", "stage-2-design.ipynb", "stage-3-implementation.ipynb", "stage-4-assessment.ipynb", "priorities.ipynb")  # type: ignore[attr-defined]
    else:
        port = voila_room.free_port()
        cmd = [sys.executable, str(Path(__file__).resolve()), "--serve-plain-bare", "--port", str(port), "--pool", str(args.pool), "--room-pool", str(args.room_pool)]
        server = voila_room._spawn("bare", cmd, port=port, notebook=BARE_PAGES[0], workdir=workdir, expected_kernels=args.room_pool + 4 * args.pool)
        server.pages = BARE_PAGES  # type: ignore[attr-defined]
    voila_room.wait_http(server)
    voila_room.wait_warm([server], refill=False)
    return server


def cpu_seconds(server: voila_room.Server) -> tuple[float, float]:
    """CPU seconds of the server process itself (Voila's one thread: pages,
    static files, websockets) and of its kernels (live descendants and
    the finished children of each)."""
    import psutil

    try:
        root = psutil.Process(server.proc.pid)
        t = root.cpu_times()
        own, kernels = t.user + t.system, t.children_user + t.children_system
        for p in root.children(recursive=True):
            try:
                c = p.cpu_times()
                # ... and its own finished children: kernels forked by the
                # kit's fork server are its children, not the server's.
                kernels += c.user + c.system + c.children_user + c.children_system
            except psutil.NoSuchProcess:
                pass
    except psutil.NoSuchProcess:
        return 0.0, 0.0
    return own, kernels


class Sampler:
    """Peak kernels and peak memory (PSS of the server and its descendants, MiB)."""

    def __init__(self, server: voila_room.Server, every: float = 3.0) -> None:
        self.server, self.every = server, every
        self.peak_kernels = 0
        self.peak_mib = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join(30)

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                procs = [psutil.Process(self.server.proc.pid), *psutil.Process(self.server.proc.pid).children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            kernels = 0
            mib = 0.0
            for p in procs:
                try:
                    if any("ipykernel_launcher" in part for part in p.cmdline()):
                        kernels += 1
                    mib += voila_room.smaps_rollup(p.pid)["pss"]
                except (psutil.NoSuchProcess, psutil.AccessDenied, OSError):
                    pass
            self.peak_kernels = max(self.peak_kernels, kernels)
            self.peak_mib = max(self.peak_mib, mib)
            self._stop.wait(self.every)


# ----------------------------------------------------------------------------
# The room


async def record_assets(url: str, join: str | None) -> list[str]:
    """The static files a real Chromium fetches for ``url`` (after joining)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=voila_room.CHROMIUM, args=voila_room.CHROMIUM_ARGS, headless=True)
        try:
            return await wire_visitor.record_assets(browser, url, join)
        finally:
            await browser.close()


async def walk(visitor: wire_visitor.RoomVisitor, pages: tuple[str, ...], css: str | None, arrive_at: float, pause: float, t0: float) -> list[wire_visitor.PageVisit]:
    await asyncio.sleep(max(0.0, t0 + arrive_at - time.perf_counter()))
    visits = []
    try:
        await visitor.join()
        for i, page in enumerate(pages):
            if i:
                await asyncio.sleep(pause)
            v = await visitor.open_page(page, css)
            visits.append(v)
            if v.error:
                break
        await visitor.leave()
    finally:
        visitor.close()
    return visits


async def room(server: voila_room.Server, proxy: Proxy, kind: str, assets: list[str], join: str | None, arrivals: list[float], args: argparse.Namespace) -> dict[str, Any]:
    base = f"http://{HOST}:{proxy.port}"
    proxied_assets = [re.sub(r"^http://[^/]+", base, a) for a in assets]
    proxied_join = re.sub(r"^http://[^/]+", base, join) if join else None
    visitors = [wire_visitor.RoomVisitor(base, proxied_assets, join_url=proxied_join, timeout=args.page_timeout) for _ in arrivals]
    bytes0 = proxy.counts()
    cpu0 = cpu_seconds(server)
    t0 = time.perf_counter()
    with Sampler(server) as sampler:
        walks = await asyncio.gather(*(walk(v, server.pages, FIRST_TEXT[kind], a, args.pause, t0) for v, a in zip(visitors, arrivals)))  # type: ignore[attr-defined]
    wall = time.perf_counter() - t0
    cpu1 = cpu_seconds(server)
    cpu = sum(cpu1) - sum(cpu0)
    bytes1 = proxy.counts()
    return {
        "walks": [[asdict(v) for v in w] for w in walks],
        "wall_s": wall,
        "cpu_s": cpu,
        "cpu_server_s": cpu1[0] - cpu0[0],
        "down_bytes": bytes1["down"] - bytes0["down"],
        "up_bytes": bytes1["up"] - bytes0["up"],
        "peak_kernels": sampler.peak_kernels,
        "peak_pss_mib": sampler.peak_mib,
    }


async def solo(server: voila_room.Server, proxy: Proxy, kind: str, assets: list[str], join: str | None) -> dict[str, int]:
    """Bytes on the link for one visitor alone: the first page (empty
    cache), then the next page (warm cache)."""
    base = f"http://{HOST}:{proxy.port}"
    v = wire_visitor.RoomVisitor(base, [re.sub(r"^http://[^/]+", base, a) for a in assets],
                                 join_url=re.sub(r"^http://[^/]+", base, join) if join else None)
    out = {}
    try:
        c0 = proxy.counts()
        await v.join()
        first = await v.open_page(server.pages[0], FIRST_TEXT[kind])  # type: ignore[attr-defined]
        c1 = proxy.counts()
        second = await v.open_page(server.pages[1], FIRST_TEXT[kind])  # type: ignore[attr-defined]
        c2 = proxy.counts()
        await v.leave()
        out = {"first_page": c1["down"] + c1["up"] - c0["down"] - c0["up"], "later_page": c2["down"] + c2["up"] - c1["down"] - c1["up"],
               "first_requests": first.requests, "later_requests": second.requests, "later_from_cache": second.from_cache,
               "errors": [e for e in (first.error, second.error) if e]}
    finally:
        v.close()
    return out


def measure(kind: str, args: argparse.Namespace, arrivals: list[float], workdir: Path) -> dict[str, Any]:
    print(f"Starting the {kind} server (pool {args.room_pool} on the first page, {args.pool} on the others) ...", file=sys.stderr)
    server = start_server(kind, args, workdir)
    proxy = None
    try:
        join = voila_room.join_link(server)
        first_url = f"http://{HOST}:{server.port}/voila/render/{server.pages[0]}"  # type: ignore[attr-defined]
        assets = asyncio.run(record_assets(first_url, join))
        print(f"  {kind}: a browser fetches {len(assets)} static files for the first page; join link: {join or 'none printed'}", file=sys.stderr)
        proxy = start_proxy(server.port, args, workdir)
        print(f"  {kind}: one visitor alone, for the bytes of a first and a later page ...", file=sys.stderr)
        alone = asyncio.run(solo(server, proxy, kind, assets, join))
        voila_room.wait_warm([server])  # the recording and that visitor took pool kernels: refilled, idle
        load_before = voila_room._load()
        print(f"  {kind}: {args.visitors} visitors arriving over {args.window:g} s (load {load_before}) ...", file=sys.stderr)
        result = asyncio.run(room(server, proxy, kind, assets, join, arrivals, args))
        result["load_before"], result["load_after"] = load_before, voila_room._load()
        result["assets"] = len(assets)
        result["warm"] = server.expected_kernels
        result["join"] = join
        result["solo"] = alone
        print(f"  {kind}: done in {result['wall_s']:.0f} s", file=sys.stderr)
        return result
    finally:
        if proxy is not None:
            proxy.stop()
        server.stop()
        if args.logs:
            Path(args.logs).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(server.log, Path(args.logs) / f"{kind}-{time.strftime('%H%M%S')}.log")


# ----------------------------------------------------------------------------
# Figures


def summary(result: dict[str, Any], n: int) -> dict[str, Any]:
    walks = result["walks"]
    first = [w[0]["tti"] for w in walks if w and w[0]["tti"] is not None]
    later = [v["tti"] for w in walks for v in w[1:] if v["tti"] is not None]
    errors = [v["error"] for w in walks for v in w if v["error"]]
    complete = sum(1 for w in walks if len(w) == 5 and all(v["tti"] is not None for v in w))
    beacons = [v["left_status"] for w in walks for v in w if v["left_status"] is not None]
    return {
        "first_p50": voila_room.pct(first, 50), "first_p95": voila_room.pct(first, 95),
        "later_p50": voila_room.pct(later, 50), "later_p95": voila_room.pct(later, 95),
        "bytes_per_visitor": (result["down_bytes"] + result["up_bytes"]) / n,
        "cpu_per_visitor": result["cpu_s"] / n,
        "server_cpu_per_visitor": result.get("cpu_server_s", 0.0) / n,
        "peak_kernels": result["peak_kernels"], "peak_gib": result["peak_pss_mib"] / 1024,
        "first_page_bytes": result["solo"].get("first_page"), "later_page_bytes": result["solo"].get("later_page"),
        "errors": errors, "complete": complete, "beacons": beacons,
        "models": statistics.median([w[0]["models"] for w in walks if w and w[0]["models"]] or [0]),
    }


def report(args: argparse.Namespace, runs: list[dict[str, Any]], when: str) -> str:
    fmt, ratio, verdict = voila_room.fmt, voila_room.ratio, voila_room.verdict
    n = args.visitors
    lines = [
        f"Voila room over a shaped link, {when}: {n} visitors arriving over {args.window:g} s (seeded), "
        f"link {args.down:g} Mbit/s down, {args.up:g} up, {args.rtt:g} ms round trip (a shaped proxy: this kernel has no netem), "
        f"{len(BARE_PAGES)} pages each with {args.pause:g} s pauses; pool {args.room_pool} on the first page, {args.pool} on the others; "
        f"workbook kernel cap {args.max_kernels or 'workshop serve' + chr(39) + 's default'}; "
        f"wire visitors (40 Chromiums do not fit on {os.cpu_count()} cores); {platform.system()} {platform.release()}, Python {platform.python_version()}",
    ]
    for i, run in enumerate(runs, 1):
        b, w = summary(run["bare"], n), summary(run["workbook"], n)
        mb = lambda v: fmt(None if v is None else v / 1e6, " MB")  # noqa: E731
        kb = lambda v: fmt(None if v is None else v / 1e3, " KB", 0)  # noqa: E731
        rows = [
            ("Measure", "bare (plain Voila)", "workbook", "workbook/bare", "target", "verdict"),
            ("first page, time until the first box takes typing, p50", fmt(b["first_p50"], " s"), fmt(w["first_p50"], " s"), ratio(w["first_p50"], b["first_p50"]), "-", "-"),
            ("first page, time until the first box takes typing, p95", fmt(b["first_p95"], " s"), fmt(w["first_p95"], " s"), ratio(w["first_p95"], b["first_p95"]),
             f"< {TARGETS['p95_s']:g} s and <= {TARGETS['p95_ratio']:g}x bare",
             verdict(None if w["first_p95"] is None or b["first_p95"] is None else w["first_p95"] < TARGETS["p95_s"] and w["first_p95"] <= TARGETS["p95_ratio"] * b["first_p95"])),
            ("pages 2-5, same, p50 / p95", f"{fmt(b['later_p50'], ' s')} / {fmt(b['later_p95'], ' s')}", f"{fmt(w['later_p50'], ' s')} / {fmt(w['later_p95'], ' s')}", ratio(w["later_p95"], b["later_p95"]), "-", "-"),
            ("bytes on the link per visitor (5 pages)", mb(b["bytes_per_visitor"]), mb(w["bytes_per_visitor"]), ratio(w["bytes_per_visitor"], b["bytes_per_visitor"]), "-", "-"),
            ("one visitor alone: first page / a later page", f"{mb(b['first_page_bytes'])} / {kb(b['later_page_bytes'])}", f"{mb(w['first_page_bytes'])} / {kb(w['later_page_bytes'])}", "-",
             "<= 1.2 MB / <= 100 KB", verdict(None if w["first_page_bytes"] is None else w["first_page_bytes"] <= TARGETS["first_visit_bytes"] and w["later_page_bytes"] <= TARGETS["later_page_bytes"])),
            ("server CPU seconds per visitor (server + kernels)", fmt(b["cpu_per_visitor"], " s"), fmt(w["cpu_per_visitor"], " s"), ratio(w["cpu_per_visitor"], b["cpu_per_visitor"]), "<= bare",
             verdict(w["cpu_per_visitor"] <= b["cpu_per_visitor"])),
            ("  of which Voila's own process (pages, files, websockets)", fmt(b["server_cpu_per_visitor"], " s"), fmt(w["server_cpu_per_visitor"], " s"),
             ratio(w["server_cpu_per_visitor"], b["server_cpu_per_visitor"]), "-", "-"),
            ("peak kernels", str(b["peak_kernels"]), str(w["peak_kernels"]), ratio(w["peak_kernels"], b["peak_kernels"]), f"<= {n} + pools ({n + run['workbook']['warm']})",
             verdict(w["peak_kernels"] <= n + run["workbook"]["warm"])),
            ("peak memory (PSS, server + kernels)", fmt(b["peak_gib"], " GiB", 1), fmt(w["peak_gib"], " GiB", 1), ratio(w["peak_gib"], b["peak_gib"]), "-", "-"),
            ("widget models on the first page", f"{b['models']:.0f}", f"{w['models']:.0f}", "-", "-", "-"),
            ("visitors who finished all 5 pages", f"{b['complete']} of {n}", f"{w['complete']} of {n}", "-", f"{n} of {n}", "-"),
            ("wall time of the room; load average before -> after", f"{run['bare']['wall_s']:.0f} s; {run['bare']['load_before']} -> {run['bare']['load_after']}",
             f"{run['workbook']['wall_s']:.0f} s; {run['workbook']['load_before']} -> {run['workbook']['load_after']}", "-", "-", "-"),
        ]
        widths = [max(len(r[j]) for r in rows) for j in range(len(rows[0]))]
        lines += ["", f"Run {i} of {len(runs)}:"]
        for k, r in enumerate(rows):
            lines.append("  ".join(c.ljust(widths[j]) for j, c in enumerate(r)).rstrip())
            if k == 0:
                lines.append("  ".join("-" * wd for wd in widths))
        for kind, s in (("bare", b), ("workbook", w)):
            for e in sorted(set(s["errors"])):
                lines.append(f"  {kind}: {s['errors'].count(e)} page visit(s) failed: {e}")
            for e in run[kind]["solo"].get("errors", []):
                lines.append(f"  {kind}: the lone visitor's page failed: {e}")
            statuses = {st: s["beacons"].count(st) for st in sorted(set(s["beacons"]))}
            lines.append(f"  {kind}: shutdown beacons on leaving a page answered {statuses or 'none'}; join link: {run[kind].get('join') or 'none printed, pages opened directly'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--visitors", type=int, default=40, help="visitors in the room (default: %(default)s)")
    p.add_argument("--window", type=float, default=10.0, help="seconds over which they arrive (default: %(default)s)")
    p.add_argument("--pause", type=float, default=20.0, help="seconds on each page before the next (default: %(default)s)")
    p.add_argument("--down", type=float, default=30.0, help="link Mbit/s, server to visitors (default: %(default)s)")
    p.add_argument("--up", type=float, default=10.0, help="link Mbit/s, visitors to server (default: %(default)s)")
    p.add_argument("--rtt", type=float, default=30.0, help="round trip in ms (default: %(default)s)")
    p.add_argument("--pool", type=int, default=None, help="preheated kernels on each page after the first (default: workshop serve's)")
    p.add_argument("--room-pool", type=int, default=None, help="preheated kernels on the first page (default: --visitors)")
    p.add_argument("--max-kernels", type=int, default=None, metavar="N",
                   help="the workbook server's kernel cap, warm ones included (default: workshop serve's, from this machine's memory; 51 is an 8 GiB machine's)")
    p.add_argument("--repeat", type=int, default=1, help="runs of both servers, alternating which goes first (default: %(default)s)")
    p.add_argument("--seed", type=int, default=18, help="arrival times' seed (default: %(default)s)")
    p.add_argument("--page-timeout", type=float, default=300.0, help="give up on a page after S seconds (default: %(default)s)")
    p.add_argument("--only", choices=("bare", "workbook"), help="measure one server only")
    p.add_argument("--logs", metavar="DIR", help="keep each server's log here")
    p.add_argument("--json", metavar="FILE", help="raw figures (default: bench/results/voila_network-<date>.json)")
    p.add_argument("--proxy", nargs=2, type=int, metavar=("LISTEN", "TARGET"), help=argparse.SUPPRESS)
    p.add_argument("--stats", help=argparse.SUPPRESS)
    p.add_argument("--serve-plain-bare", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.proxy:
        return run_proxy(args.proxy[0], args.proxy[1], args.down, args.up, args.rtt, Path(args.stats))
    from toolkit import serve

    voila_room.REFILL_S = serve.DEFAULT_REFILL_SECONDS
    args.pool = serve.DEFAULT_POOL if args.pool is None else args.pool
    args.room_pool = args.visitors if args.room_pool is None else args.room_pool
    if args.serve_plain_bare:
        return serve_plain_bare(args.port, args.pool, args.room_pool)
    rng = random.Random(args.seed)
    arrivals = sorted(rng.uniform(0, args.window) for _ in range(args.visitors))
    when = time.strftime("%Y-%m-%d %H:%M")
    workdir = Path(tempfile.mkdtemp(prefix="bench-voila-network-"))
    runs: list[dict[str, Any]] = []
    try:
        for r in range(args.repeat):
            order = ("bare", "workbook") if r % 2 == 0 else ("workbook", "bare")
            run: dict[str, Any] = {}
            for kind in order:
                if args.only and kind != args.only:
                    continue
                run[kind] = measure(kind, args, arrivals, workdir)
            runs.append(run)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    out = Path(args.json) if args.json else RESULTS / f"voila_network-{time.strftime('%Y%m%d-%H%M')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    out.write_text(json.dumps({"when": when, "commit": commit, "load_note": "1-minute load average before and after each room is in each run", "args": {k: v for k, v in vars(args).items() if k not in ("proxy", "stats", "serve_plain_bare", "port")},
                               "cores": os.cpu_count(), "arrivals_s": arrivals, "runs": runs}, indent=1))
    if not args.only:
        print(report(args, runs, when))
    else:
        for i, run in enumerate(runs, 1):
            s = summary(run[args.only], args.visitors)
            errors = {e: s["errors"].count(e) for e in sorted(set(s["errors"]))}
            print(f"Run {i}, {args.only} only (no ratios): first page p50 {voila_room.fmt(s['first_p50'], ' s')}, p95 {voila_room.fmt(s['first_p95'], ' s')}; "
                  f"pages 2-5 p95 {voila_room.fmt(s['later_p95'], ' s')}; {s['bytes_per_visitor'] / 1e6:.2f} MB and {s['cpu_per_visitor']:.1f} CPU-s per visitor; "
                  f"peak {s['peak_kernels']} kernels, {s['peak_gib']:.1f} GiB; {s['complete']} of {args.visitors} finished; failed visits: {errors or 'none'}")
    print(f"\nRaw figures: {out.relative_to(REPO) if out.is_relative_to(REPO) else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
