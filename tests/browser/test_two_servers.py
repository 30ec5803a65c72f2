"""Two ``workshop serve`` processes on one PostgreSQL store, as when a hub
runs several Voila servers (or one per facilitator screen) against a shared
database: a participant answers on a page served by server A, and the
dashboard served by server B, already open, shows the answer.

The servers are the real console script on free ports of 127.0.0.1, each
with its own kernels; the only thing they share is the PostgreSQL URL.
"""

from __future__ import annotations

import os
import uuid

import pytest

from toolkit.store import AnswerStore

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

#: The dashboard's refresh interval in both servers ($WORKSHOP_REFRESH).
REFRESH_SECONDS = 2
#: Generous waits: kernels may still be starting on a busy machine.
WAIT_MS = 120_000
#: Once both pages are up, the answer must reach the dashboard within
#: this long: many refresh intervals, so a loaded machine does not fail
#: the test (the dashboard re-reads the store every REFRESH_SECONDS).
UPDATE_MS = 60_000

ANSWER = "Both libraries and the bus company can host the food map (two servers)"


@pytest.fixture
def shared_db(pg_url):
    """A PostgreSQL database created for this test on the session's server
    (dropped afterwards, connections ended), with one workshop in it."""
    import workshop_tests_pg as pg  # tests/pg.py, loaded by tests/conftest.py

    name = f"two_servers_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    url = pg.create_database(pg_url, name)
    store = AnswerStore(url)
    try:
        ws = store.create_workshop("Two Servers Partnership")
        yield url, ws.slug, store
    finally:
        store.close()
        pg.drop_database(pg_url, name)


@pytest.fixture
def two_servers(shared_db, serve_factory):
    """Server A (participant pages and dashboard) and server B (dashboard
    only), both on the shared database; both stopped afterwards."""
    url, slug, _store = shared_db
    env = {"WORKSHOP_REFRESH": str(REFRESH_SECONDS)}
    a = serve_factory("--pool", "1", db=url, slug=slug, env=env)
    b = serve_factory("--pool", "1", "--dashboard-only", db=url, slug=slug, env=env)
    return a, b


def test_answer_on_server_a_shows_on_dashboard_of_server_b(two_servers, shared_db, browser, kit):
    a, b = two_servers
    url, slug, store = shared_db
    tool = kit.tools_in("diagnosis")[0]
    question = tool.questions[0]
    assert a.port != b.port and a.proc.pid != b.proc.pid
    assert b.facilitator_get(a.render("diagnosis")).status == 404  # B really serves only the dashboard

    contexts = []
    try:
        # The projected dashboard on B, open before anyone answers.
        dash_context = browser.new_context(viewport={"width": 1400, "height": 900})
        contexts.append(dash_context)
        b.join(dash_context, dashboard=True)
        dash = dash_context.new_page()
        dash.set_default_timeout(WAIT_MS)
        dialogs: list[str] = []
        dash.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        dash.goto(b.url("/voila/render/dashboard.ipynb"))
        status = dash.locator(".xs-dashboard .xs-dash-status", has_text="Updated")
        status.wait_for()
        assert f"refreshes every {REFRESH_SECONDS} s" in status.inner_text()  # $WORKSHOP_REFRESH reached B's kernel
        assert dash.locator(".xs-feed-item", has_text=ANSWER).count() == 0

        # A participant on A.
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        a.join(context)
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.goto(a.url(a.render("diagnosis")))
        page.locator(".xs-signin-name input").fill("Rosa Two")
        page.locator(".xs-signin-org input").fill("Eastside Library")
        page.locator(".xs-signin-sector select").select_option(label="Community")
        page.locator(".xs-signin-table input").fill("Table 9")
        page.locator(".xs-signin-submit").click()
        page.locator(".xs-signed-in").wait_for(state="visible")
        page.locator(f".xs-tool-nav-{tool.id}").click()
        page.locator(f".xs-q-{question.id} textarea").fill(ANSWER)
        page.locator(f".xs-question-{question.id} .xs-save-status", has_text="Saved").wait_for(timeout=UPDATE_MS)

        # It is in the shared store, written by A's kernel.
        rows = store.answer_rows(slug, current=True)
        mine = rows[(rows["kind"] == "text") & (rows["question_id"] == question.id)]
        assert list(mine["value"]) == [ANSWER]
        people = store.participants(slug)
        assert [(p.name, p.organization, p.sector, p.table) for p in people] == [("Rosa Two", "Eastside Library", "community", "Table 9")]

        # B's dashboard picks it up on one of its next refreshes.
        item = dash.locator(".xs-feed-item", has_text=ANSWER)
        item.wait_for(timeout=UPDATE_MS)
        who = item.locator(".xs-feed-who").inner_text()
        assert "Community" in who and "Table 9" in who
        assert dialogs == []
    finally:
        for c in contexts:
            c.close()
