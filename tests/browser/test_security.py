"""What the room can and cannot do to a running ``workshop serve``: reach
the console, download the store or data files, run code through a page's
kernel connection, or run script through an answer shown on the dashboard."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

from toolkit import serve

pytestmark = pytest.mark.browser

REPO = Path(serve.__file__).resolve().parents[2]
SQLITE_MAGIC = b"SQLite format 3"


def test_console_notebook_is_not_reachable(room):
    visitor = room.visitor(dashboard=True)
    assert visitor.get("/voila/render/00_facilitator.ipynb").status == 404
    assert room.facilitator_get("/voila/render/00_facilitator.ipynb").status == 404
    listing = json.loads(room.facilitator_get("/voila/api/contents").body)
    names = {item["name"] for item in listing["content"]}
    assert names == {p.name for p in room.pages()}  # exactly the participant pages and the dashboard
    assert "00_facilitator.ipynb" not in names
    assert visitor.get("/voila/api/contents").status == 403  # the listing is the facilitator's
    home = visitor.get("/")
    assert home.status == 302 and home.headers["location"] == room.render("diagnosis")  # no tree: the first page
    console = REPO / "notebooks" / "00_facilitator.ipynb"
    assert console.exists()
    for path in (
        "/voila/render/../notebooks/00_facilitator.ipynb",
        "/voila/render/%2e%2e/notebooks/00_facilitator.ipynb",
        "/voila/render/..%2fnotebooks%2f00_facilitator.ipynb",
        f"/voila/render/{console}",
        f"/voila/render/{quote(str(console), safe='')}",
        "/voila/api/contents/../notebooks/00_facilitator.ipynb",
        "/voila/tree/../notebooks",
    ):
        r = visitor.get(path)
        assert r.status in (403, 404), (path, r.status)
        assert b"build_console" not in r.body


def _assert_not_served(visitor, path: str) -> None:
    r = visitor.get(path)
    if r.status in (301, 302, 303, 307, 308):  # Voila sends non-notebooks to its file handler
        location = r.headers["location"]
        assert location.startswith("/"), location
        if location.startswith("/join?"):  # a stranger is sent to the join page, and gets nothing else
            return
        r = visitor.get(location)
    # Refused (403/404), or for a mangled template path Voila's own 500.
    assert r.status >= 400, (path, r.status)
    assert SQLITE_MAGIC not in r.body and b"schema_version" not in r.body and b"stages:" not in r.body


def test_store_and_data_files_cannot_be_downloaded(room):
    db = room.db.resolve()
    assert db.read_bytes().startswith(SQLITE_MAGIC)  # there is something to steal
    data = REPO / "data" / "toolkit.yaml"
    paths = [
        f"/voila/files/{db.name}",
        f"/files/{db.name}",
        f"/voila/files/../{db.name}",
        f"/voila/files/../../{db.parent.name}/{db.name}",
        f"/voila/files/%2e%2e/%2e%2e/{db.parent.name}/{db.name}",
        f"/voila/files/{db}",
        f"/voila/files/{quote(str(db), safe='')}",
        f"/voila/files/{'../' * 12}{str(db).lstrip('/')}",
        f"/voila/render/{db}",
        f"/voila/render/{'../' * 12}{str(db).lstrip('/')}",
        f"/voila/static/{'../' * 12}{str(db).lstrip('/')}",
        f"/voila/templates/lab/static/{'../' * 12}{str(db).lstrip('/')}",
        f"/voila/api/contents/{db}",
        "/voila/files/data/toolkit.yaml",
        "/files/data/toolkit.yaml",
        f"/voila/files/{data}",
        f"/voila/files/{'../' * 12}{str(data).lstrip('/')}",
        "/voila/files/dashboard.ipynb",  # in the served folder, and still refused
        "/voila/files/.",
    ]
    visitor = room.visitor(dashboard=True)  # who has joined gets no more than a stranger
    for path in paths:
        _assert_not_served(visitor, path)
        _assert_not_served(room, path)


def test_kernel_sockets_and_connection_files_stay_outside_the_served_folder(room):
    import stat

    from toolkit.serve.app import NOTARY_DB, NOTARY_SECRET
    from toolkit.serve.kernel_fork import SOCKET_NAME

    visitor = room.visitor(dashboard=True)
    visitor.kernel_of("/voila/render/dashboard.ipynb")  # a page has a kernel: its files exist
    found = re.search(r"Storing connection files in (\S+)\.", room.log_text())
    assert found, "Voila names its connection folder"
    connections = Path(found.group(1))
    run_folder = connections.parent
    assert run_folder.name.startswith(serve.RUN_FOLDER_PREFIX)
    assert sorted(p.name for p in run_folder.iterdir()) == sorted(
        [serve.PAGES_FOLDER, serve.PID_FILE, connections.name, serve.FACILITATOR_TOKEN_FILE, serve.IPYTHON_FOLDER, NOTARY_DB, NOTARY_SECRET, SOCKET_NAME]
    )
    # The kernel fork server's socket: a Unix socket only its owner may use.
    fork_socket = run_folder / SOCKET_NAME
    assert stat.S_ISSOCK(fork_socket.stat().st_mode) and fork_socket.stat().st_mode & 0o077 == 0
    pages = run_folder / serve.PAGES_FOLDER
    assert sorted(p.name for p in pages.iterdir()) == sorted(p.name for p in room.pages())  # no socket in what is served
    connection_file = next(connections.glob("kernel-*.json"))
    info = json.loads(connection_file.read_text())
    assert info["transport"] == "ipc" and info["ip"].startswith(str(connections) + "/")
    sockets = [p for p in connections.iterdir() if stat.S_ISSOCK(p.stat().st_mode)]
    assert len(sockets) >= 5  # five channels per kernel, none on a TCP port
    key = info["key"].encode()
    for target in (connection_file, sockets[0]):
        rel = f"{connections.name}/{target.name}"
        for path in (
            f"/voila/files/../{rel}",
            f"/voila/files/%2e%2e/{rel}",
            f"/voila/files/..%2f{quote(rel, safe='')}",
            f"/voila/files/{target}",
            f"/voila/render/../{rel}",
            f"/voila/api/contents/../{rel}",
            f"/voila/tree/../{connections.name}",
            f"/voila/static/../../{rel}",
        ):
            _assert_not_served(visitor, path)
            assert key not in visitor.get(path).body


def _send(ws, channel: str, msg_type: str, content: dict) -> str:
    msg_id = uuid.uuid4().hex
    ws.send(
        json.dumps(
            {
                "channel": channel,
                "header": {"msg_id": msg_id, "msg_type": msg_type, "username": "page", "session": uuid.uuid4().hex, "date": "", "version": "5.3"},
                "parent_header": {},
                "metadata": {},
                "content": content,
                "buffers": [],
            }
        )
    )
    return msg_id


def _replies_until(ws, msg_type: str, parent_id: str) -> list[dict]:
    seen = []
    while True:
        raw = ws.recv()
        if isinstance(raw, bytes):
            continue
        msg = json.loads(raw)
        seen.append(msg)
        if msg.get("msg_type") == msg_type and msg.get("parent_header", {}).get("msg_id") == parent_id:
            return seen


def test_page_kernel_connection_runs_no_code(room, tmp_path):
    import websocket

    marker = tmp_path / "marker-from-page"
    visitor = room.visitor(dashboard=True)
    kernel = visitor.kernel_of("/voila/render/dashboard.ipynb")
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{room.port}/api/kernels/{kernel}/channels?session_id={uuid.uuid4().hex}",
        origin=room.base_url,
        cookie="; ".join(f"{k}={v}" for k, v in visitor.cookies.items()),  # the page's own browser
        timeout=60,
    )
    try:
        code = f"open({str(marker)!r}, 'w').write('the page ran code')"
        sent = [_send(ws, "shell", kind, {"code": code, "silent": False, "store_history": False, "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}) for kind in ("execute_request",)]
        sent.append(_send(ws, "shell", "inspect_request", {"code": "import os", "cursor_pos": 9, "detail_level": 1}))
        sent.append(_send(ws, "shell", "complete_request", {"code": "import o", "cursor_pos": 8}))
        # The kernel handles shell messages in order: once this reply is
        # back, any execute_request that got through has already run.
        info = _send(ws, "shell", "kernel_info_request", {})
        seen = _replies_until(ws, "kernel_info_reply", info)
    finally:
        ws.close()
    assert seen[-1]["content"]["status"] == "ok"  # the connection works for what widgets need
    answered = {m.get("parent_header", {}).get("msg_id") for m in seen}
    assert not answered & set(sent), "the kernel answered a message the page may not send"
    assert not marker.exists()
    assert 'Received message of type "execute_request", which is not allowed' in room.log_text()


def test_script_in_answers_runs_nothing_on_the_dashboard(room, page):
    store = room.store
    p = store.add_participant(room.slug, name="Mallory", organization="Test <b>Org</b>", sector="community", table="Table 9")
    payloads = [
        "<img src=x onerror=alert(1)>",
        "<script>alert(1)</script>",
        "<img src=x onerror=\"window.__xss = 1\">",
    ]
    tool = store.kit.tool("tell-the-story")
    for question, payload in zip(tool.questions, payloads):
        store.save_answer(room.slug, p.id, tool.id, question.id, payload)
    room.join(page.context, dashboard=True)
    page.goto(room.url("/voila/render/dashboard.ipynb"))
    for payload in payloads:
        page.locator(".xs-feed-item", has_text=payload).first.wait_for()  # shown literally, as text
    assert page.locator(".xs-feed-item", has_text="Test <b>Org</b>").count() >= 1
    assert page.locator(".xs-dashboard img").count() == 0
    assert page.locator(".xs-dashboard script").count() == 0
    assert page.evaluate("window.__xss") is None
    assert page.dialogs == []  # type: ignore[attr-defined]
