"""Faults a participant's page lives through, with a real ``workshop
serve`` and Chromium: the server killed, the network gone and back, the
store locked by another program for 40 seconds.

The banner's bound (10 seconds) is the one issue #13 states; every other
wait is generous (:data:`WAIT_MS`) and nothing asserts how long a step took.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Generous waits for a selector: a kernel may still be starting.
WAIT_MS = 90_000
TOOL = "engage-potential-partners"
#: What the banner says (toolkit/serve/static/connection.js).
LOST = "Connection to the workshop lost: your last edits are not saved. Keep this page open; we\u2019ll reconnect\u2026"
#: The bound issue #13 sets for the banner.
BANNER_MS = 10_000


def open_signed_in(browser, server, sign_in, name: str):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    server.join(context)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.dialogs = []  # type: ignore[attr-defined]
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))  # type: ignore[attr-defined]
    page.goto(server.url(server.render("diagnosis")))
    sign_in(page, name, "City Parks", "Government", "Table 1")
    return context, page


def box(page, question: str):
    return page.locator(f".xs-q-{question} textarea")


def status(page, question: str):
    return page.locator(f".xs-question-{question} .xs-save-status")


def wait_saved(page, question: str) -> None:
    page.wait_for_function(
        "q => { const s = document.querySelector(`.xs-question-${q} .xs-save-status`); return s && s.textContent.startsWith('Saved'); }",
        arg=question, timeout=WAIT_MS,
    )


def test_the_banner_is_the_servers_own_files(room):
    page = room.visitor().get(room.render("diagnosis"))
    assert b'/xs/static/connection.js" data-ping="/xs/static/connection.css"' in page.body
    for name, kind in (("connection.js", "javascript"), ("connection.css", "text/css")):
        r = room.get(f"/xs/static/{name}")  # a stranger's request: the banner needs no grant
        assert r.status == 200 and kind in r.headers["content-type"]


def test_the_server_killed_shows_the_banner_and_keeps_the_text(browser, serve_factory, sign_in):
    server = serve_factory("--pool", "0")
    context, page = open_signed_in(browser, server, sign_in, "Ana")
    try:
        banner = page.locator(".xs-connection-banner")
        assert banner.count() == 1 and banner.is_hidden()  # there, and quiet while all is well
        assert banner.get_attribute("role") == "alert"
        box(page, "epp-1").fill("saved before the server stopped")
        wait_saved(page, "epp-1")
        os.kill(server.proc.pid, signal.SIGKILL)  # the facilitator's laptop crashed
        box(page, "epp-2").fill("typed after the server stopped")
        banner.wait_for(state="visible", timeout=BANNER_MS)
        assert banner.text_content() == LOST
        assert page.evaluate("document.documentElement.classList.contains('xs-connection-lost')")
        assert box(page, "epp-2").input_value() == "typed after the server stopped"
        assert box(page, "epp-1").input_value() == "saved before the server stopped"
        assert page.dialogs == []  # type: ignore[attr-defined]
    finally:
        context.close()
        # The kernels outlive their killed server: end the server's own process group.
        try:
            os.killpg(server.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        server.proc.wait(timeout=30)
    (ana,) = server.store.participants(server.slug)
    assert server.store.current_for(server.slug, ana.id) == {("text", TOOL, "epp-1"): "saved before the server stopped"}


def test_a_lost_network_shows_the_banner_until_it_is_back(browser, room, sign_in):
    context, page = open_signed_in(browser, room, sign_in, "Ben")
    try:
        banner = page.locator(".xs-connection-banner")
        box(page, "epp-1").fill("before the network dropped")
        wait_saved(page, "epp-1")
        context.set_offline(True)
        banner.wait_for(state="visible", timeout=BANNER_MS)
        assert banner.text_content() == LOST
        before = status(page, "epp-1").text_content()
        box(page, "epp-1").fill("typed while offline")
        context.set_offline(False)
        banner.wait_for(state="hidden", timeout=WAIT_MS)
        # Back online, what was typed meanwhile is saved without typing again.
        page.wait_for_function(
            "old => { const s = document.querySelector('.xs-question-epp-1 .xs-save-status').textContent;"
            " return s.startsWith('Saved ') && s !== old; }",
            arg=before, timeout=WAIT_MS,
        )
        assert box(page, "epp-1").input_value() == "typed while offline"
        who = {p.name: p.id for p in room.store.participants(room.slug)}["Ben"]
        assert room.store.current_for(room.slug, who)[("text", TOOL, "epp-1")] == "typed while offline"
    finally:
        context.close()


HOLD_SECONDS = 40
HOLDER = Path(__file__).resolve().parents[1] / "lock_holder.py"


def hold_write_lock(path, seconds: float) -> subprocess.Popen[str]:
    """Another program holding the store's write lock for ``seconds``."""
    holder = subprocess.Popen([sys.executable, str(HOLDER), str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def test_a_store_locked_for_40_seconds_heals_by_itself(browser, room, sign_in):
    server = room
    context, page = open_signed_in(browser, server, sign_in, "Cleo")
    holder = None
    try:
        holder = hold_write_lock(server.db, HOLD_SECONDS)
        box(page, "epp-1").fill("typed while the store was locked")
        page.wait_for_function(
            "() => document.querySelector('.xs-question-epp-1 .xs-save-status').textContent.startsWith('Not saved yet, retrying')",
            timeout=WAIT_MS,
        )
        # The page is not frozen: another box takes typing and says where its save is.
        box(page, "epp-2").fill("a second box")
        page.wait_for_function(
            "() => document.querySelector('.xs-question-epp-2 .xs-save-status').textContent.startsWith('Not saved yet, retrying')",
            timeout=WAIT_MS,
        )
        assert holder.poll() is None  # all of that while the lock was still held
        assert status(page, "epp-1").text_content() == "Not saved yet, retrying… The workshop store is busy with another save."
        holder.wait(timeout=HOLD_SECONDS + 30)
        wait_saved(page, "epp-1")  # no typing needed
        wait_saved(page, "epp-2")
    finally:
        if holder is not None and holder.poll() is None:
            holder.kill()
        context.close()
    cleo = {p.name: p.id for p in server.store.participants(server.slug)}["Cleo"]
    db = sqlite3.connect(server.db)  # what another program reads: durable
    try:
        rows = dict(db.execute("SELECT question_id, value FROM answers WHERE participant_id = ? AND tool_id = ? ORDER BY id", (cleo, TOOL)).fetchall())
    finally:
        db.close()
    assert rows == {"epp-1": "typed while the store was locked", "epp-2": "a second box"}
