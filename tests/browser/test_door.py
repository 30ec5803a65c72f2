"""The room's door on a real ``workshop serve`` (issues #12 and #13):
who gets in, which workshop they see, whose kernels are whose, and what
a stranger, another Host or a flood of requests gets instead.

Kernels are counted through the server (``GET /api/kernels`` with the
facilitator's token, :meth:`Server.kernels`)."""

from __future__ import annotations

import json
import re
import shutil
import stat
import time
import uuid
from urllib.parse import urlsplit

import pytest

from toolkit import serve
from toolkit.serve import kernel_errors

pytestmark = pytest.mark.browser

WAIT_MS = 90_000
OTHER_TITLE = "Hidden Harbour Partnership"


def _claimed(server) -> list[dict]:
    """The kernels handed to pages (pool kernels aside)."""
    return [k for k in server.kernels() if k["page"] is not None]


def _open(server, context, name: str, ready: str, *, dashboard: bool = False):
    """Join ``context`` to ``server``'s room, open its page ``name`` and
    wait for ``ready`` (a selector)."""
    server.join(context, dashboard=dashboard)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(server.url(server.render(name)))
    page.locator(ready).first.wait_for()
    return page


def _wait_for(predicate, seconds: float = 60.0, every: float = 0.5):
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)


@pytest.fixture(scope="module")
def door(tmp_path_factory, launch):
    """A server without pools (every kernel is a page's) on a store with
    two workshops, serving the first; at most 4 kernels; kernels that are
    never connected given back after 30 s."""
    from toolkit import content
    from toolkit.store import AnswerStore

    tmp = tmp_path_factory.mktemp("door")
    db = tmp / "store" / "workshop.sqlite"
    db.parent.mkdir()
    store = AnswerStore(str(db), kit=content.load(content.DEFAULT_FILE))
    served = store.create_workshop("Riverside Partners")
    other = store.create_workshop(OTHER_TITLE)
    store.close()
    server = launch(tmp, "--pool", "0", "--max-kernels", "4", "--max-kernels-per-page", "4", "--unconnected-seconds", "30", db=db, slug=served.slug)
    server.extra["other"] = other.slug
    yield server
    server.stop()


def test_a_served_room_shows_and_writes_one_workshop(door, browser, sign_in, leave):
    other = door.extra["other"]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = _open(door, context, "diagnosis", ".xs-signin-org input", dashboard=True)
        options = [o.replace("\xa0", " ") for o in page.locator(".xs-signin-workshop select option").all_inner_texts()]
        assert options == ["Riverside Partners"]  # options render spaces as &nbsp;
        assert OTHER_TITLE not in page.content() and other not in page.content()
        sign_in(page, "Rosa Door", "Eastside Library", "Community", "Table 1")
        tool = door.store.kit.tools_in("diagnosis")[0]
        page.locator(f".xs-tool-nav-{tool.id}").click()
        page.locator(f".xs-q-{tool.questions[0].id} textarea").fill("One workshop only")
        page.locator(f".xs-question-{tool.questions[0].id} .xs-save-status", has_text="Saved").wait_for()

        dash = context.new_page()
        dash.set_default_timeout(WAIT_MS)
        dash.goto(door.url(door.render("dashboard")))
        dash.locator(".xs-dash-participants", has_text="Table 1").wait_for()
        picker = [o.replace("\xa0", " ") for o in dash.locator(".xs-dash-workshop select option").all_inner_texts()]
        assert picker == [f"Riverside Partners · {door.slug}"]
        assert OTHER_TITLE not in dash.content() and other not in dash.content()
    finally:
        leave(context)
    assert [p.name for p in door.store.participants(door.slug)] == ["Rosa Door"]
    assert door.store.participants(other) == [] and door.store.count_answers(other) == 0


def test_the_join_link_opens_every_page_and_strangers_get_only_the_join_page(door, browser, leave):
    assert _wait_for(lambda: door.kernels() == [], 30), door.kernels()  # the tabs closed before gave theirs back
    before = len(door.kernels())
    stranger = browser.new_context()
    try:
        page = stranger.new_page()
        page.set_default_timeout(WAIT_MS)
        for path in (door.render("diagnosis"), door.render("dashboard"), "/", "/voila/tree", "/voila/api/contents"):
            response = page.goto(door.url(path))
            if path.startswith("/voila/api") or path == "/voila/tree":
                assert response.status in (403, 404) and b"dashboard.ipynb" not in response.body()
            else:
                assert urlsplit(page.url).path == "/join"
                page.locator(".xs-join-code").wait_for()
                assert page.locator("#jupyter-config-data").count() == 0  # no page, no kernel
        assert len(door.kernels()) == before  # nothing started for a stranger
        # A wrong code is refused with a message; the right one opens the page asked for.
        page.goto(door.url(door.render("priorities")))
        page.locator(".xs-join-code").fill("ZZZZZZ")
        page.locator(".xs-join-submit").click()
        message = page.locator(".xs-join-message")
        assert "not this workshop's code" in message.inner_text()
        assert page.locator(".xs-join-code").get_attribute("aria-invalid") == "true"
        assert len(door.kernels()) == before
        page.locator(".xs-join-code").fill(door.join_code.lower())  # typed by hand, any case
        page.locator(".xs-join-submit").click()
        page.wait_for_url(re.compile(r".*/voila/render/priorities\.ipynb$"))
        page.locator(".xs-dots").first.wait_for()
        assert door.dashboard_link not in page.content()
    finally:
        leave(stranger)

    joined = browser.new_context()
    try:
        page = joined.new_page()
        page.set_default_timeout(WAIT_MS)
        page.goto(door.join_link)  # the printed link: one click
        page.wait_for_url(re.compile(r".*/voila/render/stage-1-diagnosis\.ipynb$"))
        page.locator(".xs-signin-org input").wait_for()
        cookies = {c["name"]: c for c in joined.cookies()}
        assert cookies["xs_room"]["httpOnly"] and cookies["xs_room"]["sameSite"] == "Lax"
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", cookies["xs_device"]["value"]) and cookies["xs_device"]["httpOnly"]
        assert cookies["xs_device"]["expires"] - time.time() > 13 * 86400
        for name in ("design", "priorities", "assessment"):
            page.goto(door.url(door.render(name)))
            assert urlsplit(page.url).path == door.render(name)  # no second join
            page.locator(".xs-stage-header, .xs-dots").first.wait_for()
        page.reload()
        assert urlsplit(page.url).path == door.render("assessment")
        page.locator(".xs-stage-header").wait_for()
        # The dashboard has its own key: a participant's grant does not open it.
        response = page.goto(door.url(door.render("dashboard")))
        assert response.status == 403 and "own link" in page.locator(".xs-room-message").inner_text()
    finally:
        leave(joined)


def test_reloads_and_closed_tabs_give_their_kernels_back(door, browser):
    context = browser.new_context()
    try:
        before = len(_claimed(door))
        page = _open(door, context, "design", ".xs-stage-header")
        for _ in range(10):
            page.reload()
            page.locator(".xs-stage-header").wait_for()
        # Each reload's beforeunload beacon shut the old kernel down: only this page's is left.
        assert _wait_for(lambda: len(_claimed(door)) <= before + 1, 30), door.kernels()
        assert not re.search(r"\b403 POST /voila/api/shutdown", door.log_text())
        page.close(run_before_unload=True)  # the tab is closed
        assert _wait_for(lambda: len(_claimed(door)) <= before, 30), door.kernels()
    finally:
        context.close()


def test_another_page_kernel_cannot_be_read_or_shut_down(door):
    import websocket

    alice, mallory = door.visitor(), door.visitor()
    assert alice.cookies["xs_device"] != mallory.cookies["xs_device"]
    kernel = alice.kernel_of(door.render("priorities"))
    try:
        for who in (mallory, door.visitor(join=False)):
            got = who.get(f"/api/kernels/{kernel}")
            assert got.status == 403 and b"execution_state" not in got.body and kernel.encode() not in got.body
            assert who.request("DELETE", f"/api/kernels/{kernel}").status == 403
            assert who.request("POST", f"/voila/api/shutdown/{kernel}", {"Origin": door.base_url}).status in (403, 404)
            assert who.request("POST", f"/api/kernels/{kernel}/restart").status in (403, 404, 405)
        assert mallory.get("/api/kernels").status == 403  # no list of kernels for visitors
        with pytest.raises(websocket.WebSocketBadStatusException) as refused:
            websocket.create_connection(
                f"ws://127.0.0.1:{door.port}/api/kernels/{kernel}/channels?session_id={uuid.uuid4().hex}",
                origin=door.base_url, cookie="; ".join(f"{k}={v}" for k, v in mallory.cookies.items()), timeout=30,
            )
        assert refused.value.status_code == 403
        assert kernel in {k["id"] for k in door.kernels()}  # still alive
        # Its own browser reads it (Voila's page needs the kernel's name) and gives it back.
        own = alice.get(f"/api/kernels/{kernel}")
        assert own.status == 200 and json.loads(own.body)["id"] == kernel
        assert alice.request("DELETE", f"/api/kernels/{kernel}").status == 403  # the kernels API stays closed
        # ... but a forged Origin does not (another site on this machine).
        assert alice.request("POST", f"/voila/api/shutdown/{kernel}", {"Origin": "http://127.0.0.1:1"}).status == 404
        assert alice.request("POST", f"/voila/api/shutdown/{kernel}", {"Origin": door.base_url}).status == 204
        assert _wait_for(lambda: kernel not in {k["id"] for k in door.kernels()}, 30)
    finally:
        alice.request("POST", f"/voila/api/shutdown/{kernel}")


def test_a_foreign_host_is_refused(door):
    import websocket

    visitor = door.visitor()
    for path in ("/", "/join", f"/join/{door.join_code}", door.render("diagnosis"), "/voila/static/voila.js"):
        for host in ("evil.example", f"evil.example:{door.port}", "192.0.2.1", "localhost.evil.example"):
            r = visitor.get(path, {"Host": host})
            assert r.status == 403 and b"does not answer to that address" in r.body, (path, host, r.status)
            assert "set-cookie" not in r.headers
    assert visitor.get("/join", {"Host": f"localhost:{door.port}"}).status == 200
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(
            f"ws://127.0.0.1:{door.port}/api/kernels/{uuid.uuid4()}/channels", host="evil.example",
            origin="http://evil.example", cookie="; ".join(f"{k}={v}" for k, v in visitor.cookies.items()), timeout=30,
        )
    assert refused.value.status_code == 403


def test_bounded_gets_leave_at_most_the_cap(door):
    """50 page GETs without websockets (some asking for another template
    or theme): at most --max-kernels kernels, the rest told the room is
    full; the unconnected ones are given back within the minute."""
    assert _wait_for(lambda: _claimed(door) == [], 60), door.kernels()
    visitor = door.visitor()
    statuses = []
    for n in range(50):
        query = ("?template=classic", "?theme=dark", "?template=../../x", "")[n % 4]
        r = visitor.get(door.render(("diagnosis", "design")[n % 2]) + query)
        statuses.append(r.status)
        if r.status == 200:
            assert b"cdn.jsdelivr" not in r.body and b"fontawesome" not in r.body  # the kit's template, whatever was asked
            assert b"theme-dark" not in r.body
        else:
            assert r.status == 503 and b"The room is full" in r.body
        assert len(door.kernels()) <= 4
    # The first four got kernels; then the room was full (a kernel given
    # back meanwhile lets one more in).
    assert statuses[:4] == [200] * 4 and statuses.count(503) >= 40, statuses
    assert _wait_for(lambda: door.kernels() == [], 120), door.kernels()  # never connected: given back
    assert "its page never connected to it" in door.log_text()


def test_no_request_leaves_the_server_while_pages_load(door, browser, sign_in, leave):
    context = browser.new_context()
    hosts: list[str] = []
    context.on("request", lambda r: hosts.append(urlsplit(r.url).netloc))
    try:
        page = _open(door, context, "implementation", ".xs-signin-org input", dashboard=True)
        sign_in(page, "Nia Offline", "Food Bank", "Non-profit", "Table 2")
        page.goto(door.url(door.render("dashboard")))
        page.locator(".xs-dash-participants").wait_for()
        page.wait_for_load_state("networkidle")
    finally:
        leave(context)
    assert hosts and set(hosts) == {f"127.0.0.1:{door.port}"}


def test_a_public_dashboard_is_anonymous_and_opens_for_anyone(serve_factory, browser):
    server = serve_factory("--dashboard-only", "--public-dashboard", "--pool", "0")
    server.store.add_participant(server.slug, name="Visible Name", organization="Food Bank", sector="nonprofit", table="Table 7")
    assert not server.store.workshop(server.slug).settings.anonymous
    assert "public (read-only, names hidden)" in server.log_text()
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.goto(server.url("/"))
        page.wait_for_url(re.compile(r".*/voila/render/dashboard\.ipynb$"))
        participants = page.locator(".xs-dash-participants")
        participants.filter(has_text="Table 7").wait_for()
        assert "Visible Name" not in page.content() and "Names hidden" in participants.inner_text()
    finally:
        context.close()
    assert server.get("/join").status == 200 and server.get(f"/join/{'X' * 6}").status == 403  # no room to join


def test_a_failing_page_shows_no_path(serve_factory, browser):
    """The store disappears under a running server: the page whose kernel
    fails says so in a sentence, without a path or a traceback, and the
    terminal gets one line."""
    server = serve_factory("--pool", "0", "--dashboard-only")
    store_dir = server.db.parent
    server.store.close()
    shutil.move(str(store_dir), str(store_dir.with_name("moved-away")))
    context = browser.new_context()
    try:
        page = _open(server, context, "dashboard", f"text={kernel_errors.PAGE_MESSAGE}", dashboard=True)
        text = page.locator("body").inner_text()
        assert "Traceback" not in text and str(store_dir) not in text and ".py" not in text and "workshop.sqlite" not in text
    finally:
        context.close()
    log = server.log_text()
    assert "Traceback" not in log
    assert re.search(r"page error: \w+Error: .*\bstore\b.*\(toolkit/store/\S+\.py:\d+ in \w+\)\n", log)  # the kernel's one line


def test_the_run_folder_is_private(door):
    folder = door.run_folder
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for item in folder.rglob("*"):
        if item.is_socket():
            continue
        mode = stat.S_IMODE(item.stat().st_mode) & 0o777  # Jupyter adds the sticky bit to its connection folder
        assert mode == (0o700 if item.is_dir() else 0o600), (item, oct(mode))
    assert (folder / serve.FACILITATOR_TOKEN_FILE).read_text().strip() == door.token
    for name in ("workshop.sqlite", "workshop.sqlite-wal", "workshop.sqlite-shm"):
        assert stat.S_IMODE((door.db.parent / name).stat().st_mode) == 0o600
