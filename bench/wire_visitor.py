"""A visitor without a browser: what a participant's laptop asks of the
server when it opens a Voila page, sent straight over HTTP and the kernel
websocket, so a room of visitors can be measured on the server alone.

    >>> assets = await record_assets(browser, "http://127.0.0.1:8866/voila/render/stage-1-diagnosis.ipynb")
    >>> visit = await wire_visit("http://127.0.0.1:8866/voila/render/stage-1-diagnosis.ipynb", assets, FIRST_TEXT["workbook"])
    >>> visit.tti, visit.models

In a real room every participant's browser runs on their own laptop; on
this 2-core machine twenty headless Chromiums take most of the CPU (about
7 CPU-seconds a page, most of it layout and script that a laptop does for
itself), so a browser crowd measures the browsers as much as the server.
A wire visitor asks the server for exactly what a browser asks for and
does none of the rendering:

1. ``GET`` the page (Voila sends the notebook already rendered by a
   preheated kernel, or runs it now) and every static file a real
   Chromium fetched for the same page (:func:`record_assets`, recorded
   once per run: Voila's scripts, styles and fonts, which each laptop
   downloads once), over :data:`CONNECTIONS` kept-alive connections as
   Chromium does (HTTP/1.1, six per host);
2. opens the page's kernel websocket (the kernel id is in the page) with
   the binary ``v1.kernel.websocket.jupyter.org`` protocol that Voila's
   page asks for (the server relays its frames without re-encoding JSON),
   asks for ``kernel_info`` as Voila's page does, and loads every widget
   model the way ipywidgets 8's manager does: a ``jupyter.widget.control``
   comm and one ``request_states`` message, answered with all states;
3. changes the first text box's value (found by its CSS class in those
   states, like the browser's ``.xs-signin-name input``) and waits for the
   kernel's ``echo_update``: the box accepted typing.

``tti`` is the time from the first request to that echo. The kernel's
websocket stays open until :meth:`WireVisit.close`, as a page that stays
open, so its kernel counts in the memory figures.
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
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from jupyter_server.services.kernels.connection.base import (
    deserialize_msg_from_ws_v1,
    serialize_msg_to_ws_v1,
)
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
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


@dataclass
class WireVisit:
    """One wire visitor's figures (seconds from its first request)."""

    served: float | None = None  # page HTML complete
    assets: float | None = None  # every recorded static file downloaded
    states: float | None = None  # every widget model's state received
    tti: float | None = None  # first text box's change echoed by the kernel
    models: int = 0
    kernel_id: str | None = None
    error: str | None = None
    _ws: Any = field(default=None, repr=False)
    _session: str = field(default="", repr=False)  # the kernel websocket's session id

    def close(self) -> None:
        if self._ws is not None:
            self._ws.close()
            self._ws = None


async def record_assets(browser: Any, url: str) -> list[str]:
    """The same-origin static files a real Chromium loads for ``url``
    (everything but the page itself, the API and websockets)."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
    seen: list[str] = []
    context = await browser.new_context()
    try:
        page = await context.new_page()
        page.on("request", lambda r: seen.append(r.url) if r.method == "GET" else None)
        await page.goto(url, wait_until="networkidle", timeout=300_000)
    finally:
        await context.close()
    own = [u for u in dict.fromkeys(seen) if u.startswith(origin) and u != url and "/api/" not in u]
    return own


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


async def wire_visit(url: str, assets: list[str], css_class: str | None, *, timeout: float = 300.0) -> WireVisit:
    """One visitor, bounded by ``timeout`` seconds; errors are recorded in
    ``.error``, never raised."""
    visit = WireVisit()
    try:
        await asyncio.wait_for(_visit(url, assets, css_class, visit), timeout)
    except Exception as exc:  # noqa: BLE001 - reported in the table, the run goes on
        visit.error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return visit


async def _visit(url: str, assets: list[str], css_class: str | None, visit: WireVisit) -> None:
    client = AsyncHTTPClient(force_instance=True)  # the page only: static files go through _fetch_all
    t0 = time.perf_counter()
    try:
        page = await client.fetch(HTTPRequest(url, request_timeout=300, connect_timeout=60))
        visit.served = time.perf_counter() - t0
        html = page.body.decode("utf-8", "replace")
        found = KERNEL_ID.search(html)
        if found is None:
            raise LookupError("the page names no kernel")
        visit.kernel_id = found.group(1)
        # A browser downloads the scripts while the kernel connection opens.
        # Not asyncio.to_thread: its default pool runs only a few visitors at once.
        downloads = asyncio.get_running_loop().run_in_executor(_DOWNLOADERS, _fetch_all, assets)
        states = await _load_states(url, visit)
        visit.states = time.perf_counter() - t0
        visit.models = len(states)
        model = first_text_model(states, css_class)
        await _type(visit, model)
        await downloads
        visit.assets = downloads.result() - t0
        visit.tti = max(time.perf_counter(), downloads.result()) - t0
    finally:
        client.close()


def _fetch_all(assets: list[str]) -> float:
    """Download ``assets`` over CONNECTIONS kept-alive connections (one
    thread each); returns when the last one arrived. Raises on a non-200."""
    todo: queue.Queue[str] = queue.Queue()
    for a in assets:
        todo.put(a)
    failures: list[str] = []

    def worker() -> None:
        conn = None
        try:
            while not failures:
                try:
                    url = todo.get_nowait()
                except queue.Empty:
                    return
                parts = urlsplit(url)
                if conn is None:
                    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=300)
                conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    failures.append(f"{url}: HTTP {response.status}")
        finally:
            if conn is not None:
                conn.close()

    import threading

    threads = [threading.Thread(target=worker) for _ in range(min(CONNECTIONS, len(assets)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise ConnectionError(failures[0])
    return time.perf_counter()


async def _load_states(url: str, visit: WireVisit) -> dict[str, Any]:
    parts = urlsplit(url)
    base = urljoin(f"ws://{parts.netloc}/", "api/kernels/")
    session = uuid.uuid4().hex
    ws = await websocket_connect(f"{base}{visit.kernel_id}/channels?session_id={session}", connect_timeout=60, subprotocols=[WS_PROTOCOL])
    if ws.selected_subprotocol != WS_PROTOCOL:
        raise ConnectionError(f"the server did not accept the {WS_PROTOCOL} protocol")
    visit._ws = ws
    visit._session = session
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


async def _type(visit: WireVisit, model_id: str) -> None:
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
