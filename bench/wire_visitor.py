"""A visitor without a browser: what a participant's laptop asks of the
server when it opens Voila pages, sent straight over HTTP and the kernel
websocket, so a room of visitors can be measured on the server alone.

    >>> assets = await record_assets(browser, "http://127.0.0.1:8866/voila/render/stage-1-diagnosis.ipynb", join)
    >>> visitor = RoomVisitor("http://127.0.0.1:8866", assets, join_url=join)
    >>> await visitor.join()
    >>> visit = await visitor.open_page("stage-1-diagnosis.ipynb", "xs-signin-name")
    >>> visit.tti, visit.models, visit.requests

In a real room every participant's browser runs on their own laptop; on
this 2-core machine twenty headless Chromiums take most of the CPU (about
7 CPU-seconds a page, most of it layout and script that a laptop does for
itself), so a browser crowd measures the browsers as much as the server.
A wire visitor (:class:`RoomVisitor`) asks the server for exactly what a
browser asks for and does none of the rendering:

0. opens the room's join link first when the server has one (its cookies
   go with everything after, websockets included);
1. ``GET`` the page (Voila sends the notebook already rendered by a
   preheated kernel, or runs it now) and every static file a real
   Chromium fetched for a page (:func:`record_assets`, recorded once per
   run), over :data:`CONNECTIONS` kept-alive connections as Chromium does
   (HTTP/1.1, six per host), with Chromium's ``Accept-Encoding`` and a
   browser's HTTP cache (fresh files are not asked for again, stale ones
   are revalidated);
2. opens the page's kernel websocket (the kernel id is in the page) with
   the binary ``v1.kernel.websocket.jupyter.org`` protocol that Voila's
   page asks for, offering permessage-deflate as browsers do, asks for
   ``kernel_info`` as Voila's page does, and loads every widget model the
   way ipywidgets 8's manager does: a ``jupyter.widget.control`` comm and
   one ``request_states`` message, answered with all states;
3. changes the first text box's value (found by its CSS class in those
   states, like the browser's ``.xs-signin-name input``) and waits for the
   kernel's ``echo_update``: the box accepted typing;
4. on leaving, closes the websocket and sends the shutdown beacon Voila's
   page sends on ``beforeunload``.

``tti`` is the time from the page's request to that echo (and to the last
static file, whichever comes later). A page's kernel websocket stays open
until the visitor leaves it, so its kernel counts in the memory figures.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import queue
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from jupyter_server.services.kernels.connection.base import (
    deserialize_msg_from_ws_v1,
    serialize_msg_to_ws_v1,
)
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

#: How a page names its kernel (Voila's page config).
KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')
CONTROL_TARGET = "jupyter.widget.control"
#: Connections a browser keeps open to one host (Chromium: 6 for HTTP/1.1).
CONNECTIONS = 6
#: One thread per visitor downloading (each starts CONNECTIONS more).
_DOWNLOADERS = ThreadPoolExecutor(max_workers=256, thread_name_prefix="wire-visitor")
PROTOCOL_VERSION = "5.3"
#: The kernel websocket protocol JupyterLab's services (and so Voila's page) use.
WS_PROTOCOL = "v1.kernel.websocket.jupyter.org"


#: The first text box of a workbook page and of the bare notebook.
FIRST_BOX = ".xs-signin-name input, .widget-text input"


async def record_assets(browser: Any, url: str, join: str | None = None) -> list[str]:
    """The same-origin static files a real Chromium loads for ``url``
    (everything but the page itself, the API and websockets), after
    opening the room's ``join`` link when there is one. Recorded until the
    first text box shows and the network is quiet: on a busy machine
    "networkidle" alone fires between two waves of scripts."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
    seen: list[str] = []
    context = await browser.new_context()
    try:
        page = await context.new_page()
        if join:  # its cookies only: the page it redirects to is opened below
            await context.request.get(join, max_redirects=0, timeout=300_000)
        page.on("request", lambda r: seen.append(r.url) if r.method == "GET" else None)
        await page.goto(url, wait_until="load", timeout=300_000)
        await page.locator(FIRST_BOX).first.wait_for(state="visible", timeout=300_000)
        await page.wait_for_load_state("networkidle", timeout=300_000)
    finally:
        await context.close()
    return [u for u in dict.fromkeys(seen) if u.startswith(origin) and u != url and "/api/" not in u]


def _message(msg_type: str, content: dict[str, Any], session: str, channel: str = "shell", metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": session, "username": "wire", "version": PROTOCOL_VERSION, "date": ""},
        "parent_header": {},
        "metadata": metadata or {},
        "content": content,
        "channel": channel,
        "buffers": [],
    }


def first_text_model(states: dict[str, Any], css_class: str | None) -> str:
    """The model id of the text box a visitor types in first: the ``Text``
    carrying ``css_class``, or the only ``Text`` when no class is given."""
    texts = [mid for mid, m in states.items() if m.get("model_name") == "TextModel"]
    if css_class is not None:
        texts = [mid for mid in texts if css_class in states[mid].get("state", {}).get("_dom_classes", [])]
    if not texts:
        raise LookupError(f"no text box{' with class ' + css_class if css_class else ''} among {len(states)} widget models")
    return texts[0]


def _on_connections(worker: Any, files: int, failures: list[str]) -> None:
    """Run ``worker`` on up to CONNECTIONS threads (one connection each)
    until the queue it reads is empty; raise the first failure it noted."""
    import threading

    threads = [threading.Thread(target=worker) for _ in range(min(CONNECTIONS, files))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise ConnectionError(failures[0])


async def _type(visit: Any, model_id: str) -> None:
    ws, session = visit._ws, visit._session
    change = _message("comm_msg", {"comm_id": model_id, "data": {"method": "update", "state": {"value": "a"}, "buffer_paths": []}}, session)
    await ws.write_message(_frame(change), binary=True)
    await _reply(ws, lambda m: m["msg_type"] == "comm_msg" and m["content"].get("comm_id") == model_id and m["content"]["data"].get("method") == "echo_update")


def _frame(msg: dict[str, Any]) -> bytes:
    return serialize_msg_to_ws_v1(msg, msg["channel"], pack=lambda part: json.dumps(part).encode("utf-8"))


async def _reply(ws: Any, wanted: Any) -> dict[str, Any]:
    """Read the websocket until a message ``wanted(msg)`` accepts."""
    while True:
        raw = await ws.read_message()
        if raw is None:
            raise ConnectionError("the kernel websocket closed")
        if isinstance(raw, str):
            continue  # only the legacy protocol sends text frames
        channel, parts = deserialize_msg_from_ws_v1(raw)
        header, parent, metadata, content = (json.loads(p) for p in parts[:4])
        msg = {"channel": channel, "header": header, "parent_header": parent, "metadata": metadata, "content": content, "msg_type": header.get("msg_type")}
        if wanted(msg):
            return msg


# ----------------------------------------------------------------------------
# A visitor who stays: pages in turn, a browser's cache and cookies


#: What Chromium sends (it decodes all of these).
ACCEPT_ENCODING = "gzip, deflate, br, zstd"
#: Chromium's heuristic freshness for a response with Last-Modified and no
#: Cache-Control: a tenth of its age (RFC 9111 4.2.2).
HEURISTIC_SHARE = 0.1


@dataclass
class CacheEntry:
    fresh_until: float
    etag: str | None
    last_modified: str | None


@dataclass
class PageVisit:
    """One page of a :class:`RoomVisitor`'s walk (seconds from opening it)."""

    page: str
    served: float | None = None
    states: float | None = None
    tti: float | None = None
    models: int = 0
    requests: int = 0  # HTTP requests sent for it (the page, files not fresh in the cache)
    from_cache: int = 0  # static files the cache answered without a request
    kernel_id: str | None = None
    left_status: int | None = None  # the shutdown beacon's answer on leaving
    error: str | None = None


class RoomVisitor:
    """One participant's browser: its cookies, its HTTP cache (Cache-Control,
    ETag/Last-Modified revalidation, Chromium's heuristic freshness) and up
    to :data:`CONNECTIONS` kept-alive connections, walking pages in turn.

    ``join_url``: the room's join link, opened first (its cookies are then
    sent with everything) when the server offers one (the join flow of
    issue #12); ``None`` opens pages directly, as ``workshop serve`` on
    main allows today."""

    def __init__(self, base: str, assets: list[str], *, join_url: str | None = None, timeout: float = 300.0) -> None:
        self.base = base.rstrip("/")
        self.assets = assets
        self.join_url = join_url
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.cache: dict[str, CacheEntry] = {}
        self._idle: list[http.client.HTTPConnection] = []
        self._ws: Any = None
        self._kernel: str | None = None
        self.join_status: int | None = None

    # -- HTTP, on threads (http.client), as a browser's network stack
    def _connection(self) -> http.client.HTTPConnection:
        try:
            return self._idle.pop()
        except IndexError:
            parts = urlsplit(self.base)
            return http.client.HTTPConnection(parts.hostname, parts.port, timeout=self.timeout)

    def _request(self, method: str, url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        sent = {"Accept-Encoding": ACCEPT_ENCODING, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (0, 1):
            conn = self._connection()
            try:
                conn.request(method, target, headers=sent)
                r = conn.getresponse()
                body = r.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                conn.close()
                if attempt:
                    raise
                continue  # a kept-alive connection the server had closed: a browser retries
            got = {k.lower(): v for k, v in r.getheaders()}
            for k, v in r.getheaders():
                if k.lower() == "set-cookie":
                    name, _, value = v.split(";", 1)[0].partition("=")
                    self.cookies[name.strip()] = value.strip()
            self._idle.append(conn)
            return r.status, got, body
        raise ConnectionError(url)

    def _get_cached(self, url: str) -> tuple[bool, int]:
        """GET ``url`` through the cache; ``(answered by the cache, status)``."""
        now = time.monotonic()
        entry = self.cache.get(url)
        if entry is not None and now < entry.fresh_until:
            return True, 200
        headers = {}
        if entry is not None and entry.etag:
            headers["If-None-Match"] = entry.etag
        elif entry is not None and entry.last_modified:
            headers["If-Modified-Since"] = entry.last_modified
        status, got, _ = self._request("GET", url, headers)
        if status not in (200, 304):
            raise ConnectionError(f"{url}: HTTP {status}")
        self._store(url, got, time.monotonic())
        return False, status

    def _store(self, url: str, headers: dict[str, str], now: float) -> None:
        cc = {d.strip().split("=", 1)[0].lower(): (d.split("=", 1)[1] if "=" in d else "") for d in headers.get("cache-control", "").split(",") if d.strip()}
        if "no-store" in cc:
            self.cache.pop(url, None)
            return
        if "no-cache" in cc:
            fresh = 0.0
        elif "max-age" in cc:
            fresh = float(cc["max-age"] or 0)
        elif "last-modified" in headers and "date" in headers:
            from email.utils import parsedate_to_datetime

            try:
                age = (parsedate_to_datetime(headers["date"]) - parsedate_to_datetime(headers["last-modified"])).total_seconds()
            except (TypeError, ValueError):
                age = 0.0
            fresh = max(0.0, HEURISTIC_SHARE * age)
        else:
            fresh = 0.0
        old = self.cache.get(url)
        self.cache[url] = CacheEntry(now + fresh, headers.get("etag") or (old.etag if old else None), headers.get("last-modified") or (old.last_modified if old else None))

    def _fetch_assets(self) -> tuple[int, int]:
        """The page's static files over up to CONNECTIONS threads; returns
        (requests sent, answered by the cache)."""
        todo: queue.Queue[str] = queue.Queue()
        for a in self.assets:
            todo.put(a)
        counts = {"sent": 0, "cached": 0}
        failures: list[str] = []
        import threading

        lock = threading.Lock()

        def worker() -> None:
            while not failures:
                try:
                    url = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    cached, _ = self._get_cached(url)
                except Exception as exc:  # noqa: BLE001 - reported as the visit's error
                    failures.append(f"{url}: {exc}")
                    return
                with lock:
                    counts["cached" if cached else "sent"] += 1

        _on_connections(worker, len(self.assets), failures)
        return counts["sent"], counts["cached"]

    async def _http(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(_DOWNLOADERS, fn, *args)

    # -- the walk
    async def join(self) -> None:
        """Open the join link (following its redirects) for the room's
        cookies, up to the page it leads to: that page is opened by
        :meth:`open_page`, once, as a browser opens it once. (Fetching it
        here as well rendered it twice, and each render takes a kernel.)"""
        url = self.join_url
        for _ in range(5):
            if url is None or "/voila/render/" in urlsplit(url).path:
                return
            status, headers, _ = await self._http(self._request, "GET", url)
            self.join_status = status
            url = urljoin(url, headers["location"]) if status in (301, 302, 303, 307) and "location" in headers else None

    async def open_page(self, page: str, css_class: str | None) -> PageVisit:
        """Leave the current page (its websocket closes and Voila's page
        sends its shutdown beacon, as a browser tab does) and open ``page``
        until its first text box took typing; errors go in ``.error``."""
        visit = PageVisit(page)
        try:
            await asyncio.wait_for(self._open(page, css_class, visit), self.timeout)
        except Exception as exc:  # noqa: BLE001 - reported in the table, the run goes on
            visit.error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        return visit

    async def leave(self) -> int | None:
        """Close the page: its websocket, then the beacon Voila's page sends
        on ``beforeunload`` (``POST voila/api/shutdown/<kernel>``)."""
        if self._ws is not None:
            self._ws.close()
            self._ws = None
        kernel, self._kernel = self._kernel, None
        if kernel is None:
            return None
        try:
            status, _, _ = await self._http(self._request, "POST", f"{self.base}/voila/api/shutdown/{kernel}")
        except Exception:  # noqa: BLE001 - a beacon is fire and forget
            return None
        return status

    async def _open(self, page: str, css_class: str | None, visit: PageVisit) -> None:
        visit.left_status = await self.leave()
        t0 = time.perf_counter()
        url = f"{self.base}/voila/render/{page}"
        status, headers, body = await self._http(self._request, "GET", url)
        visit.requests += 1
        if status != 200:
            raise ConnectionError(f"{page}: HTTP {status}")
        visit.served = time.perf_counter() - t0
        html = _decoded(body, headers.get("content-encoding")).decode("utf-8", "replace")
        found = KERNEL_ID.search(html)
        if found is None:
            raise LookupError("the page names no kernel")
        visit.kernel_id = self._kernel = found.group(1)
        downloads = asyncio.ensure_future(self._http(self._fetch_assets))
        states = await self._states(visit)
        visit.states = time.perf_counter() - t0
        visit.models = len(states)
        await _type(_Typing(self._ws, self._session), first_text_model(states, css_class))
        sent, cached = await downloads
        visit.requests += sent
        visit.from_cache = cached
        visit.tti = time.perf_counter() - t0

    async def _states(self, visit: PageVisit) -> dict[str, Any]:
        parts = urlsplit(self.base)
        self._session = uuid.uuid4().hex
        request = HTTPRequest(
            f"ws://{parts.netloc}{parts.path}/api/kernels/{visit.kernel_id}/channels?session_id={self._session}",
            headers={"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else None,
            connect_timeout=60,
        )
        # compression_options={} offers permessage-deflate, as every browser does.
        ws = await websocket_connect(request, subprotocols=[WS_PROTOCOL], compression_options={})
        if ws.selected_subprotocol != WS_PROTOCOL:
            raise ConnectionError(f"the server did not accept the {WS_PROTOCOL} protocol")
        self._ws = ws
        return await _request_states(ws, self._session)

    def close(self) -> None:
        if self._ws is not None:
            self._ws.close()
            self._ws = None
        for conn in self._idle:
            conn.close()
        self._idle.clear()


@dataclass
class _Typing:
    _ws: Any
    _session: str


def _decoded(body: bytes, coding: str | None) -> bytes:
    if coding == "gzip":
        import gzip

        return gzip.decompress(body)
    if coding == "br":
        import brotli

        return brotli.decompress(body)
    if coding == "deflate":
        import zlib

        return zlib.decompress(body)
    return body


async def _request_states(ws: Any, session: str) -> dict[str, Any]:
    """kernel_info, then every widget model's state, as ipywidgets 8's manager asks."""
    info = _message("kernel_info_request", {}, session)
    await ws.write_message(_frame(info), binary=True)
    await _reply(ws, lambda m: m["parent_header"].get("msg_id") == info["header"]["msg_id"] and m["msg_type"] == "kernel_info_reply")
    comm_id = uuid.uuid4().hex
    await ws.write_message(_frame(_message("comm_open", {"comm_id": comm_id, "target_name": CONTROL_TARGET, "data": {}}, session, metadata={"version": "1.0.0"})), binary=True)
    await ws.write_message(_frame(_message("comm_msg", {"comm_id": comm_id, "data": {"method": "request_states"}}, session)), binary=True)
    reply = await _reply(ws, lambda m: m["msg_type"] == "comm_msg" and m["content"].get("comm_id") == comm_id)
    data = reply["content"]["data"]
    if data.get("method") != "update_states":
        raise LookupError(f"the kernel answered request_states with {data.get('method')!r}")
    return data["states"]
