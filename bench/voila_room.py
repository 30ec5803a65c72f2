"""Benchmark: a room of visitors opening a workbook page at once, against a
bare notebook served by the same Voila with the same settings.

    .venv/bin/python bench/voila_room.py                 # 20 visitors, 20 warm kernels on their page
    .venv/bin/python bench/voila_room.py --visitors 40 --room-pool 40 --repeat 5
    .venv/bin/python bench/voila_room.py --markdown      # also a table for docs/deploy.md

What it does, all on 127.0.0.1 and bounded by timeouts:

1. Starts ``workshop serve`` (the real command, as a subprocess) on a fresh
   SQLite store with one workshop, and a *bare* server: stock Voila with
   :func:`toolkit.serve.voila_config` (same preheated pool, refill delay,
   culling, allow-lists; not the room's door, which needs a store, nor the
   kit's compressed static files) over ``bench/bare/`` whose one
   notebook is ``import pandas, ipywidgets as w; w.Text(description="Answer")``.
   Visitors of ``workshop serve`` open its join link first. The page the room opens gets a pool sized
   for the room (``--room-pool``, default ``--visitors``: ``workshop serve
   --pool-for diagnosis=N``, and the bare notebook's pool), the other pages
   ``--pool``. Waits until both pools are warm (kernel processes started
   and the servers' process trees idle; after visits, first the serve's
   refill delay, since pools refill once a page is quiet).
2. Opens pages in one headless Chromium (Debian's, never a downloaded one),
   one browser context per visitor, concurrently with asyncio, and
   measures per page:

   - **time-to-interactive (TTI)**: from just before navigation until the
     first text input accepted typing: the input is located and clicked,
     one character is typed, and the kernel's ``echo_update`` for that
     change (ipywidgets 8 echoes every front-end state change back) arrives
     on the page's kernel websocket. The workbook's first input is the
     sign-in name box (``.xs-signin-name input``), the bare page's its Text;
     both are ``ipywidgets.Text``, confirmed the same way.
   - **answer box after sign-in** (workbook only): organization, sector and
     table are filled, *Sign in* clicked, and the time from that click until
     the first visible, enabled answer box (``.xs-answer textarea``) accepted
     a character the same way (also reported from navigation start).

   - **page HTML complete** (server side): the page's navigation timing
     ``responseEnd``. Voila streams the page while the notebook runs, so
     this is when the kernel's outputs were in, whatever the browser does.

   First one visitor at a time (``--repeat`` trials, alternating bare and
   workbook, each after the pools refilled), then ``--visitors`` at once on
   each server, with the CPU seconds the server (with its kernels) and
   Chromium used meanwhile.
   Then the same room without browsers (skip with ``--skip-wire``):
   ``--visitors`` *wire visitors* (:mod:`wire_visitor`) at once on each
   server, each asking for what a browser asks for (the page, the static
   files a real Chromium fetched for it, the kernel websocket, every widget
   model's state) and typing one character into the same first box. In a
   room each browser runs on its own laptop; here twenty Chromiums share
   the server's two cores, so the browser rows measure the browsers too
   and the wire rows the server's own share.
3. Reads each visitor's kernel memory: the kernel's pid is found among the
   server's descendants whose command line holds ``ipykernel_launcher`` and
   the page's kernel id (from its ``/api/kernels/<id>/channels`` websocket);
   PSS and USS come from ``/proc/<pid>/smaps_rollup``.
4. Times the dashboard's data refresh over ``--answers`` answers
   (:class:`toolkit.frames.LiveFrames`, rows written with
   ``store.bulk_insert``): the first refresh, one after a single new answer,
   and one with nothing new; plus the dashboard widget's whole refresh
   (read + render) for reference.

Prints medians/p95 for both servers, their ratios and the targets of issue
#7, with the machine's load average before and after (other work on the
machine slows everything). These are measurements, not tests: nothing
fails when a target is missed. Both servers are stopped at the end, on
error and on Ctrl-C too. The browser shares the machine's cores with the
servers, so the many-visitors figures include the browser's own work,
which a real room does on its own laptops.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
import wire_visitor  # noqa: E402 - bench/ is the script's own folder

from toolkit.exports import pdf as _pdf  # noqa: E402 - after the path, so the script runs from anywhere

BARE_DIR = Path(__file__).resolve().parent / "bare"
BARE_NOTEBOOK = "bare.ipynb"
WORKBOOK_NOTEBOOK = "stage-1-diagnosis.ipynb"
HOST = "127.0.0.1"

CHROMIUM = "/usr/bin/chromium"
#: The kit's one list of Chromium flags (PDF export, browser tests, screenshots).
CHROMIUM_ARGS = list(_pdf.CHROMIUM_ARGS)

#: Selectors of the first text input on each page (both ipywidgets.Text).
FIRST_INPUT = {"bare": ".widget-text input", "workbook": ".xs-signin-name input"}
#: The same boxes for a wire visitor: the Text model's CSS class (the bare page has one Text).
FIRST_TEXT_CLASS = {"bare": None, "workbook": "xs-signin-name"}
#: The page the room opens, whose pool is sized for the room (``--pool-for``).
ROOM_PAGE = "diagnosis"
ANSWER_BOX = ".xs-answer textarea:enabled"

SERVER_START_S = 180  # until a server answers HTTP
WARM_S = 600  # until its pool is warm and the process tree idle
PAGE_S = 300  # one visitor, from navigation to the last measurement (--page-timeout)
ECHO_S = 120  # one typed character until the kernel's echo
STOP_S = 30  # SIGTERM until SIGKILL
IDLE_SHORT_S = 20  # idle seconds with kernels missing before going on without them
REFILL_S = 20.0  # workshop serve's refill delay (set from toolkit.serve in main)
#: Where failed visits leave a screenshot and the page's HTML (--debug-dir).
DEBUG_DIR: Path | None = None

TARGETS = {
    "single_ratio": 1.2,  # single-visitor TTI within 1.2x bare
    "room_p95_s": 3.0,  # N simultaneous visitors p95 under 3 s with the pool
    "memory_delta_mib": 25.0,  # per-visitor kernel memory within 25 MiB of bare
    "refresh_ms": 300.0,  # dashboard refresh over 50,000 answers under 300 ms
}


# ----------------------------------------------------------------------------
# Servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """One Voila server this script started (its own process group)."""

    name: str
    proc: subprocess.Popen[bytes]
    port: int
    notebook: str
    log: Path
    expected_kernels: int
    seen_pids: set[int] = field(default_factory=set)
    join: str | None = None  # the room's join link, opened before any page

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/voila/render/{self.notebook}"

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def kernels(self) -> dict[str, Any]:
        """``{kernel_id: psutil.Process}`` of this server's kernels."""
        import psutil

        found: dict[str, Any] = {}
        try:
            children = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return found
        for child in children:
            try:
                cmd = child.cmdline()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            if not any("ipykernel_launcher" in part for part in cmd):
                continue
            self.seen_pids.add(child.pid)
            for part in cmd:
                name = Path(part).name
                if name.startswith("kernel-") and name.endswith(".json"):
                    found[name[len("kernel-") : -len(".json")]] = child
        return found

    def tree_cpu_seconds(self) -> float:
        import psutil

        total = 0.0
        try:
            procs = [psutil.Process(self.proc.pid), *psutil.Process(self.proc.pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0.0
        for p in procs:
            try:
                t = p.cpu_times()
                # Finished kernels count with whoever reaped them: the
                # server, or the kit's kernel fork server.
                total += t.user + t.system + t.children_user + t.children_system
            except psutil.NoSuchProcess:
                pass
        return total

    def stop(self) -> None:
        """SIGTERM (Voila shuts its kernels down), then SIGKILL to this
        server's process group and to any kernel pid it started that is
        still alive. Only processes this script started are touched."""
        import psutil

        self.kernels()  # remember the kernel pids before the server goes
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGTERM)
                self.proc.wait(timeout=STOP_S)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        for pid in sorted(self.seen_pids):
            try:
                p = psutil.Process(pid)
                if any("ipykernel_launcher" in part for part in p.cmdline()):
                    p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except psutil.TimeoutExpired:
                p.kill()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass


def _spawn(name: str, cmd: list[str], *, port: int, notebook: str, workdir: Path, expected_kernels: int) -> Server:
    log = workdir / f"{name}-{port}.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for key in ("WORKSHOP_DB", "WORKSHOP_SLUG"):
        env.pop(key, None)
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=workdir, env=env, start_new_session=True)
    return Server(name, proc, port, notebook, log, expected_kernels)


def start_workbook_server(workdir: Path, pool: int, room_pool: int, serve_args: tuple[str, ...] = ()) -> Server:
    """``workshop serve`` on a fresh SQLite store with one workshop
    (``serve_args``: more of its options, such as ``--max-kernels 51``)."""
    sys.path.insert(0, str(REPO))
    from toolkit import serve
    from toolkit.store import AnswerStore

    db = workdir / "store" / "room.sqlite"
    db.parent.mkdir(parents=True, exist_ok=True)
    store = AnswerStore(str(db))
    try:
        slug = store.create_workshop("Bench room").slug
    finally:
        store.close()
    port = free_port()
    script = shutil.which("workshop", path=str(Path(sys.executable).parent))
    base = [script] if script else [sys.executable, "-m", "toolkit.cli"]
    pool_for = f"{ROOM_PAGE}={room_pool}"
    cmd = [*base, "serve", "--db", str(db), "--workshop", slug, "--port", str(port), "--pool", str(pool), "--pool-for", pool_for, *serve_args]
    expected = serve.plan_serve(str(db), workshop=slug, port=port, pool=pool, pool_for=[pool_for]).warm_kernels
    return _spawn("workbook", cmd, port=port, notebook=WORKBOOK_NOTEBOOK, workdir=workdir, expected_kernels=expected)


def start_bare_server(workdir: Path, pool: int, room_pool: int) -> Server:
    """This script in ``--serve-bare`` mode: WorkshopVoila over bench/bare."""
    port = free_port()
    cmd = [sys.executable, str(Path(__file__).resolve()), "--serve-bare", "--port", str(port), "--pool", str(pool), "--room-pool", str(room_pool)]
    return _spawn("bare", cmd, port=port, notebook=BARE_NOTEBOOK, workdir=workdir, expected_kernels=room_pool)


def serve_bare(port: int, pool: int, room_pool: int) -> int:
    """Run Voila over bench/bare exactly as ``workshop serve`` runs it: the
    same class and :func:`toolkit.serve.voila_config`, only the folder
    differs. Runs until SIGTERM."""
    sys.path.insert(0, str(REPO))
    from toolkit import serve

    plan = serve.ServePlan(
        url="sqlite://", slug="bare", title="bare notebook", host=HOST, port=port, pool=pool,
        cull_minutes=serve.DEFAULT_CULL_MINUTES, dashboard_only=False, pages=(serve.Page(name=BARE_NOTEBOOK, label="bare notebook"),),
        page_pools=(serve.PagePool(BARE_NOTEBOOK, room_pool),),
    )
    return run_plain_voila(bare_config(plan), [BARE_NOTEBOOK])


def run_plain_voila(config: dict[str, Any], names: list[str] | tuple[str, ...]) -> int:
    """Stock Voila with ``config`` over copies of bench/bare's notebook
    named ``names``, until SIGTERM."""
    from traitlets.config import Config
    from voila.app import Voila

    folder = Path(tempfile.mkdtemp(prefix="bench-bare-"))
    try:
        for name in names:
            shutil.copyfile(BARE_DIR / BARE_NOTEBOOK, folder / name)
        app = Voila.instance(config=Config(config))
        app.initialize([str(folder)])
        app.start()
        return 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def bare_config(plan: Any) -> dict[str, dict[str, object]]:
    """:func:`toolkit.serve.voila_config` for stock Voila: without the
    room's door (a join code kept in a store) and the kit's page hook, whose
    classes need ``WorkshopVoila``. The pools, refill delay, culling,
    allow-lists and message types are the kit's."""
    from toolkit import serve

    config = serve.voila_config(plan)
    config["VoilaConfiguration"].pop("page_config_hook", None)
    for kit_class in ("identity_provider_class", "authorizer_class"):
        config["Voila"].pop(kit_class, None)
    return config


def wait_http(server: Server) -> None:
    deadline = time.monotonic() + SERVER_START_S
    url = f"http://{HOST}:{server.port}/voila/api/contents"
    while True:
        if server.proc.poll() is not None:
            raise RuntimeError(f"{server.name} server exited with {server.proc.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                if r.status == 200:
                    return
        except urllib.error.HTTPError as refused:
            if refused.code < 500:
                return  # it answers: a room's door refuses the contents API to strangers
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{server.name} server did not answer within {SERVER_START_S} s:\n{server.log_tail()}")
        time.sleep(0.3)


def join_link(server: Server) -> str | None:
    """The join link the server printed (the room's door, issue #12), on
    this server's own address where the pages are opened (a cookie set for
    "localhost" is not sent to 127.0.0.1); ``None`` when it printed none.

    ``workshop serve`` prints its links only once it answers, a moment
    after its first answer, and always before its ``Ready`` line: for the
    workbook server this waits for the link (up to ``SERVER_START_S``)
    until that line or the server's end; the bare server prints none."""
    import re

    deadline = time.monotonic() + (SERVER_START_S if server.name == "workbook" else 0)
    while True:
        log = server.log_tail(200)
        found = re.search(r"https?://\S+/join\S*", log)
        if found:
            return re.sub(r"^https?://[^/]+", f"http://{HOST}:{server.port}", found.group(0))
        if time.monotonic() > deadline or re.search(r"^Ready\b", log, re.M) or server.proc.poll() is not None:
            return None
        time.sleep(0.3)


def wait_warm(servers: list[Server], *, min_kernels: dict[str, int] | None = None, idle_share: float = 0.10, window: float = 2.0, refill: bool = True) -> float:
    """Wait until every server has at least its expected kernels and its
    whole process tree used under ``idle_share`` of one core over
    ``window`` seconds (pools filled and their notebooks executed).
    ``workshop serve`` refills a pool once its page has had no visitor for
    its refill delay, so after visits (``refill``) this first waits that
    long. A kernel that failed to start never comes: after
    ``IDLE_SHORT_S`` idle seconds with kernels missing, this goes on and
    says so. Returns the seconds waited."""
    start = time.monotonic()
    time.sleep(REFILL_S + 1.5 if refill else 1.5)
    deadline = start + WARM_S
    want = {s.name: (min_kernels or {}).get(s.name, s.expected_kernels) for s in servers}
    idle_since: float | None = None
    while True:
        for s in servers:
            if s.proc.poll() is not None:
                raise RuntimeError(f"{s.name} server exited with {s.proc.returncode}:\n{s.log_tail()}")
        counts = {s.name: len(s.kernels()) for s in servers}
        counts_ok = all(counts[name] >= want[name] for name in counts)
        before = [s.tree_cpu_seconds() for s in servers]
        time.sleep(window)
        after = [s.tree_cpu_seconds() for s in servers]
        idle = all((a - b) / window < idle_share for a, b in zip(after, before))
        if counts_ok and idle:
            return time.monotonic() - start
        idle_since = (idle_since or time.monotonic()) if idle else None
        if idle_since is not None and time.monotonic() - idle_since > IDLE_SHORT_S:
            short = ", ".join(f"{n}: {counts[n]} of {want[n]}" for n in counts if counts[n] < want[n])
            print(f"  warning: kernels missing after {IDLE_SHORT_S} idle seconds ({short}); see the server log", file=sys.stderr)
            return time.monotonic() - start
        if time.monotonic() > deadline:
            state = ", ".join(f"{s.name}: {len(s.kernels())}/{want[s.name]} kernels" for s in servers)
            raise RuntimeError(f"servers not warm and idle within {WARM_S} s ({state})")


def browser_cpu_seconds() -> float:
    """CPU seconds used so far by this script's own descendants that are
    not Voila servers: the Playwright driver and its Chromium."""
    import psutil

    total = 0.0
    for p in psutil.Process().children(recursive=True):
        try:
            cmd = " ".join(p.cmdline())
            if "chromium" in cmd or "playwright" in cmd:
                t = p.cpu_times()
                total += t.user + t.system + t.children_user + t.children_system
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total


# ----------------------------------------------------------------------------
# Memory


def smaps_rollup(pid: int) -> dict[str, float]:
    """PSS and USS (private clean + dirty) of ``pid`` in MiB."""
    fields: dict[str, int] = {}
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[-1] == "kB":
                fields[parts[0].rstrip(":")] = int(parts[1])
    return {
        "pss": fields.get("Pss", 0) / 1024,
        "uss": (fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)) / 1024,
        "rss": fields.get("Rss", 0) / 1024,
    }


def kernel_memory(server: Server, kernel_ids: list[str]) -> list[dict[str, float]]:
    kernels = server.kernels()
    out = []
    for kid in kernel_ids:
        proc = kernels.get(kid)
        if proc is None:
            continue
        try:
            out.append(smaps_rollup(proc.pid))
        except OSError:
            pass
    return out


# ----------------------------------------------------------------------------
# Visitors


@dataclass
class Visit:
    server: str
    tti: float | None = None  # navigation start -> first input's change echoed by the kernel
    visible: float | None = None  # navigation start -> first input visible
    served: float | None = None  # navigation start -> the page's HTML fully received (server side)
    answer_after_submit: float | None = None  # Sign in click -> answer box change echoed
    answer_from_start: float | None = None  # navigation start -> same
    kernel_id: str | None = None
    error: str | None = None


class EchoWatch:
    """Arms on a page's kernel websocket and completes when the kernel
    echoes a widget change (``echo_update``) received after arming."""

    def __init__(self) -> None:
        self.kernel_id: str | None = None
        self._event = asyncio.Event()
        self._armed = False

    def attach(self, ws: Any) -> None:
        if "/api/kernels/" in ws.url and "/channels" in ws.url:
            self.kernel_id = ws.url.split("/api/kernels/", 1)[1].split("/", 1)[0]
            ws.on("framereceived", self._frame)

    def _frame(self, payload: Any) -> None:
        if not self._armed:
            return
        data = payload if isinstance(payload, (bytes, bytearray)) else str(payload).encode("utf-8", "replace")
        if b"echo_update" in data:
            self._event.set()

    def arm(self) -> None:
        self._event.clear()
        self._armed = True

    async def wait(self) -> None:
        await asyncio.wait_for(self._event.wait(), ECHO_S)
        self._armed = False


async def type_confirmed(locator: Any, watch: EchoWatch, text: str = "a") -> None:
    """Click the input (Playwright waits until it is visible, stable and
    enabled), type ``text`` and wait for the kernel's echo."""
    await locator.click(timeout=PAGE_S * 1000)
    watch.arm()
    await locator.press_sequentially(text)
    await watch.wait()


async def visit(browser: Any, server: Server, kind: str, number: int, *, sign_in: bool) -> Visit:
    """One visitor in a context of its own, at most PAGE_S seconds; the
    context stays open (``result._context``) until :func:`close_visits`."""
    result = Visit(server.name)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    result._context = context  # type: ignore[attr-defined]
    try:
        await asyncio.wait_for(_visit(context, result, server, kind, number, sign_in=sign_in), PAGE_S)
    except asyncio.TimeoutError:
        result.error = result.error or f"TimeoutError: the visit took more than {PAGE_S} s"
        await _save_debug(context, f"{server.name}-{number}-timeout")
    return result


async def _save_debug(context: Any, stem: str) -> None:
    """A screenshot and the HTML of a failed visit's page (--debug-dir)."""
    if DEBUG_DIR is None or not context.pages:
        return
    page = context.pages[0]
    try:
        await page.screenshot(path=str(DEBUG_DIR / f"{stem}.png"), full_page=True, timeout=30_000)
        (DEBUG_DIR / f"{stem}.html").write_text(await page.content())
    except Exception:  # noqa: BLE001 - diagnostics only
        pass


async def _visit(context: Any, result: Visit, server: Server, kind: str, number: int, *, sign_in: bool) -> None:
    page = None
    watch = EchoWatch()
    try:
        page = await context.new_page()
        page.set_default_timeout(PAGE_S * 1000)
        page.on("websocket", watch.attach)
        if server.join:
            # The join link's cookies, without the page it redirects to:
            # rendering that page here too would take a second kernel (and
            # a second pool kernel) for every visitor.
            await context.request.get(server.join, max_redirects=0, timeout=PAGE_S * 1000)
        t0 = time.perf_counter()
        await page.goto(server.url, wait_until="commit", timeout=PAGE_S * 1000)
        first = page.locator(FIRST_INPUT[kind]).first
        await first.wait_for(state="visible")
        result.visible = time.perf_counter() - t0
        await type_confirmed(first, watch)
        result.tti = time.perf_counter() - t0
        # The server's part: Voila streams the page while the notebook runs,
        # so the end of the HTML response is when the kernel's outputs were in.
        end_ms = await page.evaluate("performance.getEntriesByType('navigation')[0].responseEnd")
        result.served = float(end_ms) / 1000 if end_ms else None
        if sign_in:
            await page.locator(".xs-signin-org input").fill(f"Organization {number}")
            await page.locator(".xs-signin-sector select").select_option(label="Government")
            await page.locator(".xs-signin-table input").fill(f"Table {number % 5 + 1}")
            t_submit = time.perf_counter()
            await page.locator(".xs-signin-submit").click()
            box = page.locator(ANSWER_BOX).filter(visible=True).first
            await type_confirmed(box, watch)
            now = time.perf_counter()
            result.answer_after_submit = now - t_submit
            result.answer_from_start = now - t0
    except Exception as exc:  # noqa: BLE001 - reported in the table, the run goes on
        result.error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        await _save_debug(context, f"{server.name}-{number}-error")
    finally:
        if page is not None:
            result.kernel_id = watch.kernel_id


async def close_visits(visits: list[Visit]) -> None:
    for v in visits:
        ctx = getattr(v, "_context", None)
        if ctx is not None:
            try:
                await ctx.close()
            except Exception:  # noqa: BLE001 - closing is best effort
                pass


async def crowd(browser: Any, server: Server, kind: str, n: int, *, sign_in: bool) -> list[Visit]:
    """``n`` visitors at once; each visit bounds itself to PAGE_S."""
    return list(await asyncio.gather(*(visit(browser, server, kind, i, sign_in=sign_in) for i in range(n))))


# ----------------------------------------------------------------------------
# Dashboard refresh


def dashboard_refresh(answers: int, workdir: Path, repeat: int = 3) -> dict[str, float]:
    """Times (ms) of LiveFrames refreshes over ``answers`` answers in a
    SQLite store: first, after one new answer, with nothing new; and the
    dashboard widget's whole first refresh and one after a new answer."""
    sys.path.insert(0, str(REPO))
    from toolkit import content
    from toolkit.frames import LiveFrames
    from toolkit.store import AnswerStore

    kit = content.load()
    db = workdir / "dash" / "answers.sqlite"
    db.parent.mkdir(parents=True, exist_ok=True)
    store = AnswerStore(str(db))
    ws = store.create_workshop("Dashboard bench")
    sectors = [s.id for s in kit.sectors]
    people = [
        store.add_participant(ws.slug, organization=f"Org {i}", sector=sectors[i % len(sectors)], table=f"Table {i % 8 + 1}", name=f"Person {i}")
        for i in range(120)
    ]
    slots: list[tuple[str, str, str]] = []
    for tool in kit.tools:
        slots += [(tool.id, q.id, "text") for q in tool.questions]
        slots += [(tool.id, "", "rating"), (tool.id, "", "comment")]
    scale = [str(v) for v in kit.scale.values]
    now = time.time()
    rows = []
    for n in range(answers):
        tool_id, qid, kind = slots[n % len(slots)]
        person = people[(n // len(slots)) % len(people)]
        value = scale[n % len(scale)] if kind == "rating" else f"Answer {n}: partners named, resources listed, next steps agreed."
        rows.append(("answers", {
            "workshop_id": ws.id, "participant_id": person.id, "round": 1, "tool_id": tool_id,
            "question_id": qid, "kind": kind, "value": value, "created": now - (answers - n) * 0.01,
        }))
    store.bulk_insert(rows)
    store.close()
    tool = kit.tools[0]
    results: dict[str, list[float]] = {k: [] for k in ("first", "one_new", "unchanged", "widget_first", "widget_one_new")}
    results.update({f"{k}_cpu": [] for k in list(results)})

    def timed(key: str, fn: Any) -> Any:
        # Wall time, and this process's CPU time: on a machine shared with
        # other work the CPU figure is what the refresh itself costs.
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        results[key].append((time.perf_counter() - t) * 1000)
        results[f"{key}_cpu"].append((time.process_time() - c) * 1000)
        return out

    for r in range(repeat):
        store = AnswerStore(str(db))
        live = LiveFrames(store, ws.slug)
        timed("first", live.refresh)
        store.save_answer(ws.slug, people[r].id, tool.id, tool.questions[0].id, f"one more answer {r}")
        timed("one_new", live.refresh)
        timed("unchanged", live.refresh)
        store.close()
    try:
        from widgets.dashboard import Dashboard

        for r in range(repeat):
            reader = AnswerStore(str(db), read_only=True)
            writer = AnswerStore(str(db))
            dash = timed("widget_first", lambda: Dashboard(reader, slug=ws.slug, start=False))  # builds and refreshes once
            writer.save_answer(ws.slug, people[r].id, tool.id, tool.questions[0].id, f"widget answer {r}")
            timed("widget_one_new", dash.refresh)
            dash.close()
            reader.close()
            writer.close()
    except Exception as exc:  # noqa: BLE001 - the widget figure is extra
        print(f"(dashboard widget refresh not timed: {type(exc).__name__}: {exc})", file=sys.stderr)
    total = AnswerStore(str(db), read_only=True)
    count = total.count_answers(ws.slug)
    total.close()
    out = {k: statistics.median(v) for k, v in results.items() if v}
    out["answers"] = float(count)
    return out


# ----------------------------------------------------------------------------
# Figures


def pct(values: list[float], q: float) -> float | None:
    """Percentile with linear interpolation (q in 0..100)."""
    vals = sorted(v for v in values if v is not None)
    if not vals:
        return None
    if len(vals) == 1:
        return vals[0]
    k = (len(vals) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(vals) - 1)
    return vals[lo] + (vals[hi] - vals[lo]) * (k - lo)


def fmt(v: float | None, unit: str = "", digits: int = 2) -> str:
    return "n/a" if v is None else f"{v:.{digits}f}{unit}"


def ratio(a: float | None, b: float | None) -> str:
    return "n/a" if a is None or b is None or b == 0 else f"{a / b:.2f}x"


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "MISSED")


async def run_browser(args: argparse.Namespace, bare: Server, book: Server) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    figures: dict[str, Any] = {"single": {"bare": [], "workbook": [], "workbook_answer": []}}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            # The static files a browser fetches for each page, for the wire visitors.
            assets = {}
            if not args.skip_wire:
                for server, kind in ((bare, "bare"), (book, "workbook")):
                    assets[kind] = await wire_visitor.record_assets(browser, server.url, server.join)
                    print(f"  {kind} page: a browser fetches {len(assets[kind])} static files", file=sys.stderr)
            # One visitor at a time, alternating, each after the pools refilled.
            for trial in range(args.repeat):
                for server, kind in ((bare, "bare"), (book, "workbook")) if trial % 2 == 0 else ((book, "workbook"), (bare, "bare")):
                    waited = wait_warm([bare, book])
                    v = await visit(browser, server, kind, 1000 + trial, sign_in=kind == "workbook")
                    await close_visits([v])
                    if v.error:
                        print(f"  single {kind} trial {trial + 1}: {v.error}", file=sys.stderr)
                    else:
                        figures["single"][kind].append(v.tti)
                        if kind == "workbook":
                            figures["single"]["workbook_answer"].append(v.answer_after_submit)
                    print(f"  single {kind} trial {trial + 1}: TTI {fmt(v.tti, ' s')}"
                          + (f", answer box {fmt(v.answer_after_submit, ' s')} after Sign in" if kind == "workbook" else "")
                          + f" (waited {waited:.0f} s for warm pools)", file=sys.stderr)
            # A room at once, on each server in turn.
            for server, kind in ((bare, "bare"), (book, "workbook")):
                wait_warm([bare, book])
                print(f"  {args.visitors} visitors at once on the {kind} page ...", file=sys.stderr)
                t = time.perf_counter()
                cpu0 = (server.tree_cpu_seconds(), browser_cpu_seconds(), time.process_time())
                visits = await crowd(browser, server, kind, args.visitors, sign_in=kind == "workbook")
                wall = time.perf_counter() - t
                cpu = {
                    "server": server.tree_cpu_seconds() - cpu0[0],
                    "browser": browser_cpu_seconds() - cpu0[1],
                    "bench": time.process_time() - cpu0[2],
                }
                print(f"  {kind}: {wall:.0f} s wall; CPU seconds used meanwhile: server and its kernels {cpu['server']:.0f}, "
                      f"Chromium {cpu['browser']:.0f}, this script {cpu['bench']:.0f} ({os.cpu_count()} cores)", file=sys.stderr)
                # Memory once the kernels have settled (pages still open).
                wait_warm([bare, book], min_kernels={"bare": 0, "workbook": 0}, refill=False)
                mem = kernel_memory(server, [v.kernel_id for v in visits if v.kernel_id])
                await close_visits(visits)
                errors = [v.error for v in visits if v.error]
                for e in sorted(set(errors)):
                    print(f"  {kind}: {errors.count(e)} visitor(s) failed: {e}", file=sys.stderr)
                figures[kind] = {"visits": visits, "memory": mem, "wall": wall, "errors": len(errors), "cpu": cpu}
        finally:
            await browser.close()
    # The room again, without browsers: the server's own share.
    for server, kind in (() if args.skip_wire else ((bare, "bare"), (book, "workbook"))):
        wait_warm([bare, book])
        print(f"  {args.visitors} wire visitors at once on the {kind} page ...", file=sys.stderr)
        t = time.perf_counter()
        cpu0 = server.tree_cpu_seconds()
        visits = list(await asyncio.gather(*(wire_visit(server, assets[kind], FIRST_TEXT_CLASS[kind]) for _ in range(args.visitors))))
        wall, cpu = time.perf_counter() - t, server.tree_cpu_seconds() - cpu0
        errors = [v.error for v in visits if v.error]
        for e in sorted(set(errors)):
            print(f"  wire {kind}: {errors.count(e)} visitor(s) failed: {e}", file=sys.stderr)
        print(f"  wire {kind}: {wall:.1f} s wall; server and its kernels used {cpu:.0f} CPU s; "
              f"{statistics.median([v.models for v in visits if not v.error] or [0]):.0f} widget models per page", file=sys.stderr)
        for v in visits:
            v._visitor.close()
        figures[f"wire_{kind}"] = {"visits": visits, "wall": wall, "errors": len(errors), "cpu": {"server": cpu, "browser": 0.0}}
    return figures


async def wire_visit(server: Server, assets: list[str], css_class: str | None) -> Any:
    """One wire visitor (joining first when the server has a door) opening
    the server's page; the page's figures (``._visitor`` to close it)."""
    visitor = wire_visitor.RoomVisitor(f"http://{HOST}:{server.port}", assets, join_url=server.join, timeout=PAGE_S)
    await visitor.join()
    visit = await visitor.open_page(server.notebook, css_class)
    visit._visitor = visitor  # type: ignore[attr-defined]  # closed once the room is measured
    return visit


def _load() -> str:
    """The 1-minute load average, as text."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "n/a"


def report(args: argparse.Namespace, figures: dict[str, Any], dash: dict[str, float] | None, when: str) -> str:
    single = figures["single"]
    s_bare = statistics.median(single["bare"]) if single["bare"] else None
    s_book = statistics.median(single["workbook"]) if single["workbook"] else None
    s_ans = statistics.median(single["workbook_answer"]) if single["workbook_answer"] else None
    n = args.visitors

    def tti(kind: str, attr: str = "tti") -> list[float]:
        return [getattr(v, attr) for v in figures.get(kind, {}).get("visits", []) if getattr(v, attr) is not None]

    def mem(kind: str, key: str) -> float | None:
        vals = [m[key] for m in figures.get(kind, {}).get("memory", [])]
        return statistics.median(vals) if vals else None

    def cpu_of(kind: str) -> str:
        cpu = figures.get(kind, {}).get("cpu")
        return "n/a" if not cpu else f"{cpu['server']:.0f} / {cpu['browser']:.0f}"

    b50, b95 = pct(tti("bare"), 50), pct(tti("bare"), 95)
    w50, w95 = pct(tti("workbook"), 50), pct(tti("workbook"), 95)
    a50, a95 = pct(tti("workbook", "answer_after_submit"), 50), pct(tti("workbook", "answer_after_submit"), 95)
    f50, f95 = pct(tti("workbook", "answer_from_start"), 50), pct(tti("workbook", "answer_from_start"), 95)
    pb, pw = mem("bare", "pss"), mem("workbook", "pss")
    ub, uw = mem("bare", "uss"), mem("workbook", "uss")
    delta = None if pb is None or pw is None else pw - pb
    ok_single = None if s_bare is None or s_book is None else s_book <= TARGETS["single_ratio"] * s_bare
    ok_room = None if w95 is None else w95 < TARGETS["room_p95_s"]
    ok_mem = None if delta is None else delta <= TARGETS["memory_delta_mib"]

    rows = [
        ("Measure", "bare", "workbook", "workbook/bare", "target", "verdict"),
        (f"1 visitor, TTI (median of {args.repeat})", fmt(s_bare, " s"), fmt(s_book, " s"), ratio(s_book, s_bare), f"<= {TARGETS['single_ratio']}x bare", verdict(ok_single)),
        ("1 visitor, Sign in -> answer box accepts typing", "-", fmt(s_ans, " s"), "-", "-", "-"),
        (f"{n} at once, TTI p50", fmt(b50, " s"), fmt(w50, " s"), ratio(w50, b50), "-", "-"),
        (f"{n} at once, TTI p95", fmt(b95, " s"), fmt(w95, " s"), ratio(w95, b95), f"workbook < {TARGETS['room_p95_s']:g} s", verdict(ok_room)),
        (f"{n} at once, page HTML complete p50 / p95 (server side)", f"{fmt(pct(tti('bare', 'served'), 50), ' s')} / {fmt(pct(tti('bare', 'served'), 95), ' s')}",
         f"{fmt(pct(tti('workbook', 'served'), 50), ' s')} / {fmt(pct(tti('workbook', 'served'), 95), ' s')}", "-", "-", "-"),
        (f"{n} at once, Sign in -> answer box p50 / p95", "-", f"{fmt(a50, ' s')} / {fmt(a95, ' s')}", "-", "-", "-"),
        (f"{n} at once, navigation -> answer box p50 / p95", "-", f"{fmt(f50, ' s')} / {fmt(f95, ' s')}", "-", "-", "-"),
        ("kernel PSS per visitor (median)", fmt(pb, " MiB", 1), fmt(pw, " MiB", 1), ratio(pw, pb), f"+{TARGETS['memory_delta_mib']:g} MiB max (+{fmt(delta, ' MiB', 1)})", verdict(ok_mem)),
        ("kernel USS per visitor (median)", fmt(ub, " MiB", 1), fmt(uw, " MiB", 1), ratio(uw, ub), "-", "-"),
        ("failed visitors", str(figures.get("bare", {}).get("errors", "n/a")), str(figures.get("workbook", {}).get("errors", "n/a")), "-", "0", "-"),
        (f"{n} at once, CPU s: server+kernels / Chromium", cpu_of("bare"), cpu_of("workbook"), "-", "-", "-"),
    ]
    if "wire_workbook" in figures:
        wb50, wb95 = pct(tti("wire_bare"), 50), pct(tti("wire_bare"), 95)
        ww50, ww95 = pct(tti("wire_workbook"), 50), pct(tti("wire_workbook"), 95)
        ok_wire = None if ww95 is None else ww95 < TARGETS["room_p95_s"]
        models = [v.models for v in figures["wire_workbook"]["visits"] if not v.error]
        bare_models = [v.models for v in figures["wire_bare"]["visits"] if not v.error]
        rows += [
            (f"{n} at once, no browser (wire visitors), TTI p50", fmt(wb50, " s"), fmt(ww50, " s"), ratio(ww50, wb50), "-", "-"),
            (f"{n} at once, no browser (wire visitors), TTI p95", fmt(wb95, " s"), fmt(ww95, " s"), ratio(ww95, wb95), f"workbook < {TARGETS['room_p95_s']:g} s", verdict(ok_wire)),
            (f"{n} at once, no browser, page HTML complete p95", fmt(pct(tti("wire_bare", "served"), 95), " s"), fmt(pct(tti("wire_workbook", "served"), 95), " s"), "-", "-", "-"),
            ("widget models a page loads", str(max(bare_models, default=0)), str(max(models, default=0)), "-", "-", "-"),
            ("failed wire visitors", str(figures["wire_bare"]["errors"]), str(figures["wire_workbook"]["errors"]), "-", "0", "-"),
            (f"{n} at once, no browser, server+kernels CPU s", cpu_of("wire_bare").split(" /")[0], cpu_of("wire_workbook").split(" /")[0], "-", "-", "-"),
        ]
    if dash:
        answers = int(dash["answers"])
        limit = TARGETS["refresh_ms"]

        def ms(key: str) -> str:
            return f"{fmt(dash[key], ' ms', 0)} (CPU {fmt(dash[key + '_cpu'], ' ms', 0)})"

        rows += [
            (f"dashboard frames, first refresh ({answers:,} answers)", "-", ms("first"), "-", f"< {limit:g} ms", verdict(dash["first"] < limit)),
            ("dashboard frames, refresh after 1 new answer", "-", ms("one_new"), "-", f"< {limit:g} ms", verdict(dash["one_new"] < limit)),
            ("dashboard frames, refresh with nothing new", "-", ms("unchanged"), "-", "-", "-"),
        ]
        if "widget_first" in dash:
            rows += [
                ("dashboard widget, build + first refresh (read + render)", "-", ms("widget_first"), "-", "-", "-"),
                ("dashboard widget, refresh after 1 new answer", "-", ms("widget_one_new"), "-", "-", "-"),
            ]
    header = (
        f"Voila room benchmark, {when}: {n} visitors, pool {args.room_pool} on the page they open and {args.pool} on the others, "
        f"{os.cpu_count()} cores, {platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"load average {figures.get('load_before', 'n/a')} before, {_load()} after"
    )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [header, ""]
    for i, r in enumerate(rows):
        lines.append("  ".join(c.ljust(widths[j]) for j, c in enumerate(r)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    if args.markdown:
        lines += ["", "Markdown:", "", f"<!-- {header} -->", "| " + " | ".join(rows[0]) + " |", "|" + "|".join("---" for _ in rows[0]) + "|"]
        lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    global PAGE_S, DEBUG_DIR
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--visitors", type=int, default=20, help="visitors opening the page at once (default: %(default)s)")
    p.add_argument("--pool", type=int, default=None, help="preheated kernels per page on both servers (default: workshop serve's default)")
    p.add_argument("--room-pool", type=int, default=None, metavar="N", help="preheated kernels on the page the room opens (workshop serve --pool-for diagnosis=N; the bare notebook's pool); default: --visitors")
    p.add_argument("--skip-wire", action="store_true", help="do not measure the room without browsers (wire visitors)")
    p.add_argument("--repeat", type=int, default=3, help="single-visitor trials per server (default: %(default)s)")
    p.add_argument("--answers", type=int, default=50_000, help="answers in the dashboard refresh store (default: %(default)s)")
    p.add_argument("--skip-dashboard", action="store_true", help="do not time the dashboard refresh")
    p.add_argument("--skip-browser", action="store_true", help="only time the dashboard refresh")
    p.add_argument("--markdown", action="store_true", help="also print the table as Markdown (for docs/deploy.md)")
    p.add_argument("--json", metavar="FILE", help="also write the raw figures as JSON")
    p.add_argument("--page-timeout", type=int, default=PAGE_S, metavar="S", help="give up on a visitor after S seconds (default: %(default)s)")
    p.add_argument("--debug-dir", metavar="DIR", help="save a screenshot and the HTML of every failed visit here")
    p.add_argument("--serve-bare", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from toolkit import serve
    global REFILL_S
    REFILL_S = serve.DEFAULT_REFILL_SECONDS
    if args.pool is None:
        args.pool = serve.DEFAULT_POOL
    if args.room_pool is None:
        args.room_pool = args.visitors
    if args.serve_bare:
        return serve_bare(args.port, args.pool, args.room_pool)
    PAGE_S = args.page_timeout
    if args.debug_dir:
        DEBUG_DIR = Path(args.debug_dir)
        DEBUG_DIR.mkdir(parents=True, exist_ok=True)
    if args.visitors < 1 or args.repeat < 1 or args.pool < 0:
        p.error("--visitors and --repeat must be 1 or more, --pool 0 or more")
    if not args.skip_browser and not Path(CHROMIUM).exists():
        p.error(f"{CHROMIUM} is missing (Debian's chromium; this benchmark never downloads a browser)")

    when = time.strftime("%Y-%m-%d %H:%M")
    load_before = _load()
    workdir = Path(tempfile.mkdtemp(prefix="bench-voila-room-"))
    servers: list[Server] = []
    figures: dict[str, Any] = {"single": {"bare": [], "workbook": [], "workbook_answer": []}}
    dash = None
    interrupted = False

    def on_term(_sig: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    try:
        if not args.skip_browser:
            print(f"Starting the bare and the workbook server (pool {args.room_pool} on the room's page, {args.pool} on the others) ...", file=sys.stderr)
            bare = start_bare_server(workdir, args.pool, args.room_pool)
            servers.append(bare)
            book = start_workbook_server(workdir, args.pool, args.room_pool)
            servers.append(book)
            for s in servers:
                wait_http(s)
                s.join = join_link(s)
            waited = wait_warm(servers, refill=False)
            print(f"Pools warm after {waited:.0f} s more; visiting ...", file=sys.stderr)
            figures = asyncio.run(run_browser(args, bare, book))
        if not args.skip_dashboard:
            print(f"Timing the dashboard refresh over {args.answers:,} answers ...", file=sys.stderr)
            dash = dashboard_refresh(args.answers, workdir)
    except KeyboardInterrupt:
        interrupted = True
        print("Interrupted; stopping the servers.", file=sys.stderr)
    finally:
        for s in servers:
            try:
                s.stop()
            except Exception as exc:  # noqa: BLE001 - keep stopping the others
                print(f"could not stop the {s.name} server cleanly: {exc}", file=sys.stderr)
            if DEBUG_DIR is not None and s.log.exists():
                shutil.copyfile(s.log, DEBUG_DIR / s.log.name)
        shutil.rmtree(workdir, ignore_errors=True)
    if interrupted:
        return 130
    figures["load_before"] = load_before
    print(report(args, figures, dash, when))
    if args.json:
        raw = {
            "when": when, "visitors": args.visitors, "pool": args.pool, "cores": os.cpu_count(),
            "single": figures["single"], "dashboard_ms": dash,
            **{k: {"visits": [{kk: vv for kk, vv in vars(v).items() if not kk.startswith("_")} for v in figures[k]["visits"]],
                   "memory_mib": figures[k].get("memory"), "wall_s": figures[k]["wall"], "cpu_s": figures[k]["cpu"]}
               for k in ("bare", "workbook", "wire_bare", "wire_workbook") if k in figures},
        }
        Path(args.json).write_text(json.dumps(raw, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
