"""The room's door without a server: who a request's cookies say it is
(toolkit/serve/room.py), the Host allowlist, the kernel limits and their
bookkeeping (toolkit/serve/kernel_limits.py), what ``workshop serve`` plans
and prints for the room, the kernels' traceback guard and the file modes.
The running server is checked in tests/browser/test_door.py."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from toolkit import cli, serve
from toolkit.errors import ToolkitError
from toolkit.serve import kernel_errors
from toolkit.serve.handlers import host_allowed
from toolkit.serve.kernel_limits import KernelLimits, RoomFull, RoomKernels, default_max_kernels, visiting
from toolkit.serve.room import DASHBOARD, DEVICE_COOKIE, FACILITATOR, PAGES, ROOM_COOKIE, DASHBOARD_COOKIE, JoinThrottle, Room, new_device
from toolkit.store import AnswerStore, room_keys


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _room(secrets: list[tuple[str | None, str | None]], **kw) -> tuple[Room, Clock]:
    clock = Clock()
    room = Room(slug="riverside", base_url="/", read_secrets=lambda: secrets[0], clock=clock,
                pages={"stage-1-diagnosis.ipynb": PAGES, "priorities.ipynb": PAGES, "dashboard.ipynb": DASHBOARD}, **kw)
    return room, clock


def test_the_join_code_and_the_cookies_it_grants():
    secrets = [("K7QM4P", "dash-key-123")]
    room, clock = _room(secrets)
    assert room.code_matches("k7q m4p") and room.code_matches("K7QM4P")
    assert not room.code_matches("K7QM4X") and not room.code_matches("")
    device = new_device()
    joined = room.visitor({ROOM_COOKIE: room.grant_value(), DEVICE_COOKIE: device})
    assert joined.grants == {PAGES} and joined.device == device
    assert room.visitor({}) is None  # a stranger holds nothing
    assert room.visitor({ROOM_COOKIE: "0" * 64, DEVICE_COOKIE: device}) is None  # a made-up grant
    assert room.visitor({ROOM_COOKIE: room.dashboard_value()}) is None  # the dashboard's cookie is not the room's
    dash = room.visitor({DASHBOARD_COOKIE: room.dashboard_value()})
    assert dash.grants == {DASHBOARD} and dash.device is None
    assert room.visitor({ROOM_COOKIE: room.grant_value(), DEVICE_COOKIE: "not-a-device"}).device is None
    # A new join code ends every grant made with the old one, once read again.
    old = room.grant_value()
    secrets[0] = ("W3HT9C", "dash-key-123")
    assert room.visitor({ROOM_COOKIE: old}) is not None  # still the cached code
    clock.now += 10
    assert room.visitor({ROOM_COOKIE: old}) is None
    assert room.code_matches("W3HT9C") and not room.code_matches("K7QM4P")
    assert room.landing(joined) == "stage-1-diagnosis.ipynb" and room.landing(dash) == "dashboard.ipynb" and room.landing(None) is None


def test_the_facilitator_token_and_the_public_dashboard():
    room, _clock = _room([("K7QM4P", "dash-key-123")], public_dashboard=True)
    assert room.visitor({}).grants == {DASHBOARD}  # anyone may open the dashboard, nothing else
    assert room.visitor({}, f"token {room.facilitator_token}").grants == {FACILITATOR, PAGES, DASHBOARD}
    assert room.visitor({}, "token wrong").grants == {DASHBOARD}
    private, _ = _room([("K7QM4P", "dash-key-123")])
    assert private.visitor({}, "token wrong") is None and private.visitor({}, f"Bearer {private.facilitator_token}") is None


def test_a_store_that_cannot_be_read_keeps_the_last_secrets():
    calls = []

    def read():
        calls.append(1)
        if len(calls) > 1:
            raise OSError("disk gone")
        return ("K7QM4P", "key")

    logged: list[str] = []
    clock = Clock()
    room = Room(slug="w", base_url="/", read_secrets=read, clock=clock, log=logged.append)
    clock.now += 60
    assert room.code_matches("K7QM4P")
    assert logged == ["could not read the join code from the store (OSError); using the last one read"]
    with pytest.raises(OSError):  # but a server that cannot read them at all does not start
        Room(slug="w", base_url="/", read_secrets=lambda: (_ for _ in ()).throw(OSError("no store")))


def test_wrong_codes_are_throttled_per_address_and_overall():
    clock = Clock()
    throttle = JoinThrottle(per_address=3, overall=5, window=60, clock=clock)
    for _ in range(3):
        assert not throttle.blocked("10.0.0.7")
        throttle.failed("10.0.0.7")
    assert throttle.blocked("10.0.0.7") and not throttle.blocked("10.0.0.8")
    throttle.failed("10.0.0.8")
    throttle.failed("10.0.0.9")
    assert throttle.blocked("10.0.0.10")  # five wrong codes in the window: nobody may guess now
    clock.now += 61
    assert not throttle.blocked("10.0.0.7") and not throttle.blocked("10.0.0.10")


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1:8866", True), ("localhost:8866", True), ("LOCALHOST", True), ("[::1]:8866", True),
        ("192.168.1.23:8866", True), ("workshop.example.org", True), ("workshop.example.org.:80", True),
        ("evil.example:8866", False), ("192.168.1.24:8866", False), ("", False), (None, False),
        ("localhost.evil.example", False), ("[::2]:8866", False),
    ],
)
def test_the_host_allowlist(host, allowed):
    assert host_allowed(host, ("localhost", "127.0.0.1", "::1", "192.168.1.23", "workshop.example.org")) is allowed


def test_kernel_limits_come_from_memory_and_options():
    gib = 1024**3
    assert default_max_kernels(24 * gib) == 294 and default_max_kernels(4 * gib) == 49
    assert default_max_kernels(8 * gib) >= 88 + 4  # a room of 40's peak (docs/deploy.md), with room to spare
    assert default_max_kernels(1 * gib) == 12
    assert default_max_kernels(512 * 1024 * 1024) == 8  # never fewer than a small room needs
    limits = KernelLimits.for_machine(pages=6, memory_bytes=4 * gib)
    assert (limits.total, limits.per_page) == (49, 44)  # each other page keeps room for one
    assert KernelLimits.for_machine(pages=6, total=12, per_page=4).per_page == 4
    with pytest.raises(ToolkitError, match="--max-kernels: expected 1 or more, got 0"):
        KernelLimits.for_machine(pages=6, total=0)
    with pytest.raises(ToolkitError, match="--max-kernels-per-page: expected 1 to 12"):
        KernelLimits.for_machine(pages=6, total=12, per_page=13)


class _Kernels:
    """Stands in for Jupyter's kernel manager under RoomKernels: starting a
    kernel adds an id (real kernels are started in tests/browser)."""

    def __init__(self, *args, **kwargs):
        self.started: list[str] = []
        self.log = _Log()
        self.parent = kwargs.get("parent")

    def list_kernel_ids(self):
        return list(self.started)

    async def start_kernel(self, **kwargs):
        await asyncio.sleep(0)
        self.started.append(f"k{len(self.started) + 1}")
        return self.started[-1]

    async def shutdown_kernel(self, kernel_id, *args, **kwargs):
        self.started.remove(kernel_id)

    async def shutdown_all(self):
        self.started.clear()


class _Log:
    def __init__(self):
        self.lines: list[str] = []

    def warning(self, msg, *args):
        self.lines.append(msg % args)

    info = warning


class _App:
    def __init__(self, limits):
        self.kernel_limits = limits


def test_room_kernels_cap_claim_and_cull():
    cls = serve.kernel_limits.with_room_kernels(_Kernels)
    km = cls(parent=_App(KernelLimits(total=3, per_page=2, unconnected_seconds=30)))

    async def scenario():
        with visiting("a.ipynb", "dev-1"):
            first = await km.start_kernel()
            second = await km.start_kernel()
            with pytest.raises(RoomFull, match="this page holds 2 kernels"):
                await km.start_kernel()
        with visiting("b.ipynb", "dev-2"):
            third = await km.start_kernel()
            with pytest.raises(RoomFull, match="the server holds 3 kernels"):
                await km.start_kernel()
        assert km.owner_of(first).device == "dev-1" and km.owner_of(third).page == "b.ipynb"
        assert km.owner_of("unknown") is None
        km.mark_connected(second)
        loop = asyncio.get_running_loop()
        for claim in km._claims.values():
            claim.at = loop.time() - 31  # handed out 31 s ago
        culled = await km.cull_unconnected()
        assert sorted(culled) == sorted([first, third])  # the connected one stays
        assert km.list_kernel_ids() == [second] and km.kernel_count() == 1
        # Several visitors at once cannot all pass the check before any kernel exists.
        with visiting("b.ipynb", "dev-3"):
            results = await asyncio.gather(*(km.start_kernel() for _ in range(4)), return_exceptions=True)
        assert sum(isinstance(r, str) for r in results) == 2 and sum(isinstance(r, RoomFull) for r in results) == 2
        await km.shutdown_all()

    asyncio.run(scenario())
    assert any("Refused a kernel for a.ipynb" in line for line in km.log.lines)


def test_the_plan_remembers_the_workshop_and_fits_the_pools(sqlite_store):
    sqlite_store.create_workshop("Older")
    sqlite_store.create_workshop("Newer")
    assert serve.plan_serve(sqlite_store.url, workshop="older").slug == "older"
    plan = serve.plan_serve(sqlite_store.url)  # no --workshop: the one served last, not the newest
    assert plan.slug == "older"
    assert plan.join_code == room_keys.join_code(sqlite_store, "older") and plan.dashboard_key == room_keys.dashboard_key(sqlite_store, "older")
    assert serve.plan_serve(sqlite_store.url, workshop="newer").slug == "newer"
    assert serve.plan_serve(sqlite_store.url).slug == "newer"
    with pytest.raises(ToolkitError, match="the pools keep 16 kernels warm but the server may hold 10"):
        serve.plan_serve(sqlite_store.url, pool=3, max_kernels=10)
    with pytest.raises(ToolkitError, match="stage-1-diagnosis.ipynb keeps 9 kernels warm but a page may hold 5"):
        serve.plan_serve(sqlite_store.url, pool_for=["diagnosis=9"], max_kernels=40, max_kernels_per_page=5)
    assert serve.plan_serve(sqlite_store.url, public_dashboard=True).env[serve.PUBLIC_DASHBOARD_ENV] == "1"
    assert serve.PUBLIC_DASHBOARD_ENV not in plan.env
    with pytest.raises(ToolkitError, match="--allow-host"):
        serve.plan_serve(sqlite_store.url, allow_hosts=["*"])
    with pytest.raises(ToolkitError, match="--unconnected-seconds"):
        serve.plan_serve(sqlite_store.url, unconnected_seconds=1)


def test_workshop_code_prints_and_renews_the_code(capsys, sqlite_store):
    ws = sqlite_store.create_workshop("Riverside Partners")
    assert cli.main(["code", ws.slug, "--db", sqlite_store.url]) == 0
    out = capsys.readouterr().out
    code = room_keys.join_code(sqlite_store, ws.slug)
    assert f"Join code: {code}\n" in out and f"/join/{code}" in out and f"/dashboard/{room_keys.dashboard_key(sqlite_store, ws.slug)}" in out
    assert cli.main(["code", ws.slug, "--db", sqlite_store.url, "--new"]) == 0
    renewed = room_keys.join_code(sqlite_store, ws.slug)
    assert renewed != code and f"Join code: {renewed}  (new" in capsys.readouterr().out
    assert cli.main(["code", "nope", "--db", sqlite_store.url]) == 2  # one line, exit 2, as every verb
    assert "unknown workshop 'nope'" in capsys.readouterr().err


def test_a_failing_kernel_shows_a_sentence_and_logs_one_line(tmp_path):
    """The startup file ``workshop serve`` gives its kernels, run in a real
    IPython: an exception in code and in a callback shows the page message,
    and the terminal gets one line, never the traceback."""
    ipython_dir = kernel_errors.write_startup(tmp_path / "ipython")
    startup = ipython_dir / "profile_default" / "startup" / kernel_errors.STARTUP_FILE
    assert stat.S_IMODE(startup.stat().st_mode) == 0o600
    secret = tmp_path / "secret-folder" / "notes.txt"
    script = (
        "from IPython import get_ipython\n"
        "ip = get_ipython()\n"
        f"ip.run_cell('open(' + {str(secret)!r}.__repr__() + ')')\n"
        "def callback():\n"
        "    try:\n"
        "        {}['missing']\n"
        "    except Exception:\n"
        "        ip.showtraceback()\n"
        "callback()\n"
    )

    def run_ipython(folder):
        return subprocess.run([sys.executable, "-m", "IPython", "--no-banner", "--colors=NoColor", "-c", script],
                              capture_output=True, text=True, env={**os.environ, "IPYTHONDIR": str(folder)}, timeout=120)

    plain = run_ipython(tmp_path / "plain-ipython")  # no startup file: IPython's own tracebacks
    assert "secret-folder" in plain.stdout and "Traceback" in plain.stdout
    run = run_ipython(ipython_dir)
    shown = run.stdout
    assert shown.count(kernel_errors.PAGE_MESSAGE) == 2, run
    assert "secret-folder" not in shown and "Traceback" not in shown and "File " not in shown
    lines = [line for line in run.stderr.splitlines() if line.startswith("page error:")]
    assert lines[0].startswith("page error: FileNotFoundError: [Errno 2] No such file or directory")
    assert lines[1].startswith("page error: KeyError: 'missing' (") and lines[1].endswith(" in callback)")
    assert "Traceback" not in run.stderr


def test_one_line_names_the_kit_file_not_the_full_path():
    try:
        raise ValueError("bad value\nsecond line")
    except ValueError as exc:
        line = kernel_errors.one_line(type(exc), exc, exc.__traceback__)
    assert line.startswith("page error: ValueError: bad value (toolkit/serve/test_room.py:")  # from the kit's folder on
    assert line.endswith(" in test_one_line_names_the_kit_file_not_the_full_path)")
    assert "\n" not in line and str(Path(__file__).resolve().parents[3]) not in line  # not the checkout's path


def test_everything_the_kit_writes_is_private(tmp_path, kit):
    from toolkit import paths
    from toolkit.exports.workshop import export_workshop

    old = os.umask(0o022)  # a usual umask: group and others could read
    try:
        db = tmp_path / "new" / "deeper" / "workshop.sqlite"
        assert cli.main(["new", "Riverside Partners", "--db", str(db), "--create-folder"]) == 0
        store = AnswerStore(str(db), kit=kit)
        (ws,) = store.workshops()
        folder = tmp_path / "new"
        assert stat.S_IMODE(folder.stat().st_mode) == stat.S_IMODE((folder / "deeper").stat().st_mode) == 0o700
        for name in ("workshop.sqlite", "workshop.sqlite-wal", "workshop.sqlite-shm"):
            assert stat.S_IMODE((folder / "deeper" / name).stat().st_mode) == 0o600, name
        exported = export_workshop(store, ws.slug, "json", tmp_path / "exports" / "w.json")
        assert stat.S_IMODE(exported.stat().st_mode) == 0o600
        assert stat.S_IMODE((tmp_path / "exports").stat().st_mode) == 0o700
        store.close()
        run_folder = serve.make_run_folder(tmp_path)
        assert stat.S_IMODE(run_folder.stat().st_mode) == 0o700
        assert stat.S_IMODE((run_folder / serve.PID_FILE).stat().st_mode) == 0o600
        pages = serve.write_pages(serve.site_pages(kit), run_folder / serve.PAGES_FOLDER)
        assert {stat.S_IMODE(p.stat().st_mode) for p in pages.iterdir()} == {0o600}
        assert stat.S_IMODE(pages.stat().st_mode) == 0o700
        existing = tmp_path / "shared.txt"
        existing.write_text("x")
        assert paths.private_file(existing) == existing and stat.S_IMODE(existing.stat().st_mode) == 0o644  # left as it was
    finally:
        os.umask(old)


def test_the_join_page_has_its_documented_hooks():
    """docs/ui-hooks.md's join page table and the templates agree."""
    import re

    from toolkit.serve.handlers import room_jinja_env

    doc = (Path(__file__).resolve().parents[3] / "docs" / "ui-hooks.md").read_text(encoding="utf-8")
    section = doc.split("## Join page", 1)[1].split("\n## ", 1)[0]
    names = re.findall(r"^\| `(xs-[^`]+)`", section, re.M)
    assert names == ["xs-join", "xs-join-code", "xs-join-submit", "xs-join-message", "xs-join-error", "xs-room-message"]
    env = room_jinja_env()
    html = env.get_template("join.html").render(base_url="/", next="/voila/render/x.ipynb", message="Wrong <b>code</b>", invalid=True)
    html += env.get_template("message.html").render(base_url="/", message="The room is full")
    missing = [n for n in names if not re.search(rf'class="[^"]*\b{re.escape(n)}\b', html)]
    assert missing == []
    assert "Wrong &lt;b&gt;code&lt;/b&gt;" in html and 'aria-invalid="true"' in html  # escaped, and the field says it is wrong
    assert 'name="next" value="/voila/render/x.ipynb"' in html and '<label for="xs-join-code">' in html
    assert "http" not in env.get_template("base.html").render(base_url="/")  # nothing from elsewhere


class _PoolKernels(_Kernels):
    """... with Voila's pools: a fill records the size it was asked to reach."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pools: dict[str, list] = {}
        self.kernel_pools_config = {"default": {"pool_size": 2}, "b.ipynb": {"pool_size": 8}}
        self.fills: list[tuple[str, int]] = []

    def fill_if_needed(self, delay=None, notebook_name=None, **kwargs):
        size = self.kernel_pools_config.get(notebook_name, self.kernel_pools_config["default"])["pool_size"]
        self.fills.append((notebook_name, size))


def test_a_refill_past_the_cap_starts_what_fits_and_the_rest_later():
    cls = serve.kernel_limits.with_room_kernels(_PoolKernels)
    km = cls(parent=_App(KernelLimits(total=10, per_page=10)))

    async def scenario():
        with visiting("a.ipynb", "dev-1"):
            held = [await km.start_kernel() for _ in range(6)]
        km.fill_if_needed(delay=0, notebook_name="b.ipynb")  # wants 8, room for 4
        assert km.fills == [("b.ipynb", 4)]
        assert km.kernel_pools_config["b.ipynb"] == {"pool_size": 8}  # the page's own size is kept
        assert km._starved == {"b.ipynb"}
        await km.shutdown_kernel(held[0])  # a kernel goes: the refill is tried again
        assert km.fills[-1] == ("b.ipynb", 5)
        await km.shutdown_all()

    asyncio.run(scenario())
