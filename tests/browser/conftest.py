"""A real ``workshop serve`` and Debian's Chromium, for what only a running
server and a browser can show.

- ``start_server(tmp_path, *args, content=None)``: start ``workshop serve``
  on a free port against a SQLite store in ``tmp_path`` (with ``--content``
  when given); returns a :class:`Server` once it answers HTTP (stop it with
  ``server.stop()``). ``server.render("diagnosis")`` is the path of a page
  by any name ``--pool-for`` accepts (``/voila/render/stage-1-diagnosis.ipynb``).
- Every page is behind the room's door: ``server.join(context)`` gives a
  Playwright browser context the room's cookies as the printed join link
  does (``dashboard=True``: the dashboard's too), ``server.visitor()`` is a
  plain HTTP client that has joined, ``server.get(path)`` is a stranger's
  request, and ``server.kernels()`` lists the kernels with the facilitator's
  token (from the server's run folder). ``server.join_code``,
  ``server.join_link`` and ``server.dashboard_link`` are what it printed.
- ``serve_factory``: the same as a fixture, stopping what it started;
  ``launch``: :func:`start_server` for a module-scoped server.
- ``leave(context)``: close a context's pages as a person closes tabs
  (``beforeunload`` runs, so each page gives its kernel back), then the context.
- ``room``: one server for the session (participant pages and dashboard,
  one preheated kernel per page, dashboard refreshing every 2 seconds) on a
  store with one workshop; ``room.store`` writes to it as participants do.
- ``sign_in``: ``sign_in(page, name, org, sector, table)`` fills a page's
  sign-in form (sector by its label) and waits until it is signed in.
- ``browser`` / ``page``: Chromium at /usr/bin/chromium through Playwright
  (never a downloaded browser), a fresh 1400-wide page per test that fails
  the test if the page raises a JavaScript dialog (``page.dialogs``).

Voila needs time to start kernels: tests wait on selectors with generous
timeouts (:data:`WAIT_MS`) and never assert on timing.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from toolkit.exports.pdf import CHROMIUM_ARGS

CHROMIUM = "/usr/bin/chromium"
#: Generous waits for a selector: a kernel may still be starting.
WAIT_MS = 90_000
#: The dashboard's refresh interval in the session server (seconds).
REFRESH_SECONDS = 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str]
    cookies: dict[str, str] = field(default_factory=dict)


def http_request(port: int, method: str, path: str, headers: dict[str, str] | None = None, cookies: dict[str, str] | None = None) -> Response:
    """One request to 127.0.0.1:``port``, ``path`` exactly as written (no
    normalising of ``..`` or ``%2e``), without following redirects."""
    sent = dict(headers or {})
    if cookies:
        sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, headers=sent)
        r = conn.getresponse()
        got = {}
        for name, value in r.getheaders():
            if name.lower() == "set-cookie":
                cookie = value.split(";", 1)[0]
                got[cookie.split("=", 1)[0]] = cookie.split("=", 1)[1]
        return Response(r.status, r.read(), {k.lower(): v for k, v in r.getheaders()}, got)
    finally:
        conn.close()


@dataclass
class Visitor:
    """A plain HTTP client with its own cookies (see :meth:`Server.visitor`)."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, headers: dict[str, str] | None = None) -> Response:
        r = http_request(self.port, method, path, headers, self.cookies)
        self.cookies.update(r.cookies)
        return r

    def get(self, path: str, headers: dict[str, str] | None = None) -> Response:
        return self.request("GET", path, headers)

    def kernel_of(self, path: str) -> str:
        """Open a page and return its kernel's id."""
        r = self.get(path)
        assert r.status == 200, (path, r.status)
        found = re.search(rb'"kernelId": "([0-9a-f-]{36})"', r.body)
        assert found, "the rendered page names its kernel"
        return found.group(1).decode()


@dataclass
class Server:
    """A running ``workshop serve``."""

    base_url: str
    port: int
    db: str | Path
    slug: str
    proc: subprocess.Popen[bytes]
    log: Path
    store: Any = None
    extra: dict[str, Any] = field(default_factory=dict)
    content: Path | None = None
    join_code: str = ""
    dashboard_link: str = ""
    run_folder: Path | None = None

    def url(self, path: str) -> str:
        return self.base_url + path

    def pages(self) -> tuple[Any, ...]:
        """The pages this server publishes, built from its content."""
        from toolkit import content, serve

        return serve.site_pages(content.load(self.content or content.DEFAULT_FILE))

    def render(self, page: str) -> str:
        """The path of a served page: ``render("diagnosis")``, ``render("1")``,
        ``render("priorities")``, ``render("dashboard")``."""
        from toolkit import serve

        return f"/voila/render/{serve.page_names(self.pages())[page.lower()]}"

    def get(self, path: str, headers: dict[str, str] | None = None) -> Response:
        """A stranger's GET of ``path`` exactly as written (no normalising
        of ``..`` or ``%2e``), without following redirects."""
        return http_request(self.port, "GET", path, headers)

    @property
    def join_link(self) -> str:
        return self.url(f"/join/{self.join_code}")

    @property
    def dashboard_path(self) -> str:
        return "/" + self.dashboard_link.split("/", 3)[3]

    def visitor(self, *, join: bool = True, dashboard: bool = False) -> Visitor:
        """An HTTP client that followed the join link (and the dashboard's
        link with ``dashboard``): it holds the room's cookies."""
        v = Visitor(self.port)
        if join and self.join_code:  # a --dashboard-only server has no join code
            assert v.get(f"/join/{self.join_code}").status == 302
        if dashboard:
            assert v.get(self.dashboard_path).status == 302
        return v

    def join(self, context: Any, *, dashboard: bool = False) -> None:
        """Give a Playwright browser context the cookies the join link (and
        with ``dashboard`` the dashboard's link) sets, so its pages open."""
        v = self.visitor(dashboard=dashboard)
        context.add_cookies([{"name": k, "value": val, "url": self.base_url + "/"} for k, val in v.cookies.items()])

    @property
    def token(self) -> str:
        if self.run_folder is None:  # printed when the first kernel starts
            _read_links(self)
        assert self.run_folder is not None
        return (self.run_folder / "facilitator-token").read_text().strip()

    def facilitator_get(self, path: str) -> Response:
        return http_request(self.port, "GET", path, {"Authorization": f"token {self.token}"})

    def kernels(self) -> list[dict[str, Any]]:
        """Every kernel the server holds (``GET /api/kernels``, facilitator's token)."""
        r = self.facilitator_get("/api/kernels")
        assert r.status == 200, r.body
        return json.loads(r.body)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # Voila shuts its kernels down
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # our own process group only
                self.proc.wait(timeout=10)
        if self.store is not None:
            self.store.close()


def workshop_command() -> list[str]:
    """The installed ``workshop`` console script beside this Python."""
    script = shutil.which("workshop", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "toolkit.cli"]


def start_server(tmp_path: Path, *args: str, slug: str | None = None, title: str = "Riverside Partners", env: dict[str, str] | None = None, db: str | Path | None = None, content: Path | None = None) -> Server:
    """Start ``workshop serve`` against ``db`` (a path or URL; default
    ``tmp_path/store/workshop.sqlite``), on the workshop ``slug`` or a new
    one, serving ``content`` (``--content``; default: the packaged file,
    whatever ``$WORKSHOP_CONTENT`` says), and wait until it answers."""
    from toolkit import content as content_mod
    from toolkit.store import AnswerStore

    if db is None:
        db = tmp_path / "store" / "workshop.sqlite"
        db.parent.mkdir(exist_ok=True)  # a store in a missing folder is refused
    store = AnswerStore(str(db), kit=content_mod.load(content or content_mod.DEFAULT_FILE))
    ws = store.workshop(slug) if slug and any(w.slug == slug for w in store.workshops()) else store.create_workshop(title)
    port = free_port()
    log = tmp_path / f"serve-{port}.log"
    cmd = [*workshop_command(), "serve", "--db", str(db), "--workshop", ws.slug, "--port", str(port), *(["--content", str(content)] if content else []), *args]
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    full_env.pop("WORKSHOP_SLUG", None)
    full_env.pop("WORKSHOP_CONTENT", None)
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=tmp_path, env=full_env, start_new_session=True)
    server = Server(f"http://127.0.0.1:{port}", port, db, ws.slug, proc, log, store, content=content)
    deadline = time.monotonic() + 120
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"workshop serve exited with {proc.returncode}:\n{server.log_text()}")
        try:
            answered = server.get("/join").status == 200
        except OSError:
            answered = False
        # The links are printed (in one write) once the server answers: a moment after.
        if answered and "Serving workshop" in server.log_text():
            time.sleep(0.3)
            return _read_links(server)
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"workshop serve did not answer within 120 s:\n{server.log_text()}")
        time.sleep(0.3)


def _read_links(server: Server) -> Server:
    """What the server printed: its join code, the dashboard's link, its run folder."""
    text = server.log_text()
    code = re.search(r"type the join code:\s+([A-Z0-9]+)", text)
    server.join_code = code.group(1) if code else ""
    dash = re.search(r"(http://\S+/dashboard/\S+)", text)
    server.dashboard_link = dash.group(1) if dash else ""
    folder = re.search(r"Storing connection files in (\S+)\.", text)
    server.run_folder = Path(folder.group(1)).parent if folder else None
    return server


@pytest.fixture(scope="session")
def room(tmp_path_factory):
    """The session's server: participant pages and the dashboard, one
    preheated kernel per page, the dashboard refreshing every 2 s."""
    server = start_server(tmp_path_factory.mktemp("room"), "--pool", "1", env={"WORKSHOP_REFRESH": str(REFRESH_SECONDS)})
    yield server
    server.stop()


@pytest.fixture(scope="session")
def launch():
    """:func:`start_server` itself, for a test module's own server."""
    return start_server


@pytest.fixture
def serve_factory(tmp_path):
    """``serve_factory(*args, env=...)`` starts another ``workshop serve``
    (see :func:`start_server`) in ``tmp_path``; stopped after the test."""
    started: list[Server] = []

    def start(*args: str, **kwargs: Any) -> Server:
        server = start_server(tmp_path, *args, **kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def sign_in():
    """``sign_in(page, name, org, sector, table)``: sign in on an open
    participant page (``sector`` is the label shown, e.g. ``Non-profit``)."""

    def fill(page, name: str, org: str, sector: str, table: str) -> None:
        page.locator(".xs-signin-name input").fill(name)
        page.locator(".xs-signin-org input").fill(org)
        page.locator(".xs-signin-sector select").select_option(label=sector)
        page.locator(".xs-signin-table input").fill(table)
        page.locator(".xs-signin-submit").click()
        page.locator(".xs-signed-in").wait_for(state="visible", timeout=WAIT_MS)

    return fill


@pytest.fixture(scope="session")
def leave():
    """``leave(context)``: close every page as a tab is closed (running
    ``beforeunload``: the page shuts its kernel down), then the context."""

    def close(context) -> None:
        for p in context.pages:
            p.close(run_before_unload=True)
        context.close()

    return close


# Module scope, not session: Playwright's sync API keeps an event loop
# running in the main thread while it is open, and the widget tests that
# run their own asyncio loop afterwards would find it still running.
@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (bash scripts/setup.sh --test)", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS), headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh page, 1400 px wide; ``page.dialogs`` collects any alert,
    confirm or prompt the page raised (each is dismissed)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    p = context.new_page()
    p.dialogs = []  # type: ignore[attr-defined]

    def on_dialog(dialog):
        p.dialogs.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()

    p.on("dialog", on_dialog)
    p.set_default_timeout(WAIT_MS)
    yield p
    context.close()
