"""The participant workbook in Chromium (issue #4): an answer typed and shown
as "Saved" survives a page reload and a new kernel, the browser still
signed in (its device cookie, issue #12); a script-looking answer is shown
as text and runs nothing."""

from __future__ import annotations

import re


import pytest


pytestmark = pytest.mark.browser

TOOL = "account-for-resources"
QUESTION = "afr-1"
PAYLOAD = "<img src=x onerror=alert(1)> we can lend the church hall"
WAIT_MS = 90_000


def _sign_in(page, sign_in) -> None:
    page.locator(".xs-signin-org input").wait_for(timeout=WAIT_MS)
    sign_in(page, "Rhea Reload", "Westside Library", "Non-profit", "Table 9")
    page.locator(f".xs-tool-nav-{TOOL}").click()


def test_answer_is_back_after_reload_and_script_is_text(room, page, sign_in):
    page.set_default_timeout(WAIT_MS)
    fetched = []
    page.on("request", lambda r: fetched.append(r.url))
    room.join(page.context)
    page.goto(room.url(room.render("diagnosis")))
    _sign_in(page, sign_in)
    # The page runs the kit's own front end (toolkit/serve/page_bundle.py):
    # no JupyterLab extension and none of Voila's scripts.
    assert [u for u in fetched if "/labextensions/" in u or "/voila/static/" in u] == []
    assert any("/xs/static/page/page.js?v=" in u for u in fetched)
    box = page.locator(f".xs-q-{QUESTION} textarea")
    box.fill(PAYLOAD)
    page.locator(f".xs-question-{QUESTION} .xs-save-status", has_text="Saved").wait_for(timeout=WAIT_MS)

    # "Saved" means it is in the store, under this participant.
    rows = room.store.answer_rows(room.slug, current=True)
    mine = rows[(rows["question_id"] == QUESTION) & (rows["value"] == PAYLOAD)]
    assert len(mine) == 1

    page.reload()  # a new page, a new kernel: the browser is still signed in
    page.locator(".xs-signed-in").wait_for(state="visible", timeout=WAIT_MS)
    page.locator(f".xs-tool-nav-{TOOL}").click()
    restored = page.locator(f".xs-q-{QUESTION} textarea")
    restored.wait_for(state="visible")
    page.wait_for_function(
        "([sel, want]) => { const el = document.querySelector(sel); return el && el.value === want; }",
        arg=[f".xs-q-{QUESTION} textarea", PAYLOAD],
        timeout=WAIT_MS,
    )
    assert restored.input_value() == PAYLOAD
    # The payload never became an element, and no dialog opened.
    assert page.locator("img[src='x']").count() == 0
    assert page.dialogs == []  # type: ignore[attr-defined]


def test_a_sensitive_answer_given_without_a_name_reaches_the_dashboard_unattributed(room, page, browser, sign_in):
    """Tick "Answer without my name" under a sensitive question, type, see
    Saved; the store has the flag and the projected dashboard shows the
    answer with no name, organization, sector or table."""
    text = "The credit union wrote off the last loan to this project"
    page.set_default_timeout(WAIT_MS)
    room.join(page.context)
    page.goto(room.url(room.render("diagnosis")))
    page.locator(".xs-signin-org input").wait_for(timeout=WAIT_MS)
    sign_in(page, "Sana Secret", "Harbor Credit Union", "Business", "Table 11")
    page.locator(f".xs-tool-nav-{TOOL}").click()
    check = page.locator(f".xs-question-{QUESTION} .xs-q-anonymous input[type=checkbox]")
    assert page.locator(".xs-question-afr-2 .xs-q-anonymous").count() == 0  # not sensitive: not offered
    check.check()
    page.locator(f".xs-q-{QUESTION} textarea").fill(text)
    page.locator(f".xs-question-{QUESTION} .xs-save-status", has_text="Saved").wait_for(timeout=WAIT_MS)
    [person] = [p for p in room.store.participants(room.slug) if p.name == "Sana Secret"]
    assert room.store.anonymous_questions(room.slug, person.id) == {QUESTION}

    dash = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    room.join(dash.context, dashboard=True)
    dash.goto(room.url(room.render("dashboard")))
    item = dash.locator(".xs-feed-item", has_text=text)
    item.wait_for(timeout=WAIT_MS)
    who = item.locator(".xs-feed-who").inner_text()
    assert re.fullmatch(r"Answered without a name #\d+", who)  # the answer's id, for moderation: nobody's details
    assert not any(w in item.inner_text() for w in ("Sana", "Credit Union", "Table 11", "Business"))
    dash.context.close()
