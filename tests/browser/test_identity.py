"""One participant across pages, reloads, tabs and devices, in Chromium
against a real ``workshop serve`` (issue #12 items 1, 2 and 4).

Each browser context is one browser: it carries its own device cookie
(``xs_device``), set here as the room's join flow would set it.

- Sign in once, open all five pages and reload one: no second sign-in,
  answers present; another browser typing the same name, organization and
  table sees none of them; the resume code continues on a fresh browser.
- One participant in two tabs: A saves, B shows A's text within 5 s; B's
  save on a stale version shows both texts, and after B chooses the store
  holds the chosen text and the history holds both.
"""

from __future__ import annotations

import uuid

import pytest

from toolkit.store.identity import format_resume_code

pytestmark = pytest.mark.browser

WAIT_MS = 90_000
TOOL = "engage-potential-partners"  # stage 1's first tool: its panel is built with the page
Q = "epp-1"
PAGES = ("diagnosis", "design", "implementation", "assessment", "priorities")


def browser_context(browser, room):
    """A new browser (context) that followed the room's join link: it holds
    the room's grant and its own device cookie."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    room.join(context)
    context.set_default_timeout(WAIT_MS)
    return context


def open_page(context, room, which: str):
    page = context.new_page()
    page.goto(room.url(room.render(which)))
    page.locator(".xs-signin").wait_for(state="attached")
    return page


def signed_in_without_form(page) -> str:
    """Wait until the page knows its visitor with no form; the resume code shown."""
    page.locator(".xs-signed-in").wait_for(state="visible")
    assert not page.locator(".xs-signin-org input").is_visible()
    return page.locator(".xs-resume-code").inner_text()


def box_value(page, question: str = Q) -> str:
    return page.locator(f".xs-q-{question} textarea").input_value()


def wait_for_box(page, text: str, *, timeout: float = WAIT_MS, question: str = Q) -> None:
    page.wait_for_function(
        "([sel, want]) => { const el = document.querySelector(sel); return el && el.value === want; }",
        arg=[f".xs-q-{question} textarea", text],
        timeout=timeout,
    )


def participant_of(room, name: str):
    return next(p for p in room.store.people(room.slug) if p.participant.name == name)


def test_sign_in_once_every_page_and_reload_knows_you_and_no_one_else(room, browser, sign_in):
    name = f"Una Once {uuid.uuid4().hex[:6]}"
    answer = "The library can host us " + uuid.uuid4().hex[:6]
    mine = browser_context(browser, room)
    stranger = browser_context(browser, room)
    fresh = browser_context(browser, room)
    try:
        first = open_page(mine, room, "diagnosis")
        first.locator(".xs-signin-org input").wait_for(state="visible")
        sign_in(first, name, "Westside Library", "Non-profit", "Table 12")
        code_text = first.locator(".xs-resume-code").inner_text()
        person = participant_of(room, name)
        code = format_resume_code(person.resume_code)
        assert code in code_text
        first.locator(f".xs-q-{Q} textarea").fill(answer)
        first.locator(f".xs-question-{Q} .xs-save-status", has_text="Saved").wait_for()

        # Every other page knows who this is, with no form.
        for which in PAGES[1:]:
            other = open_page(mine, room, which)
            assert code in signed_in_without_form(other)
            other.close()
        # A reload: a new kernel, still signed in, the answer back.
        first.reload()
        signed_in_without_form(first)
        wait_for_box(first, answer)
        assert len([p for p in room.store.people(room.slug) if p.participant.name == name]) == 1

        # Another browser typing the same name, organization and table is
        # another participant and sees nothing of the first one's.
        theirs = open_page(stranger, room, "diagnosis")
        theirs.locator(".xs-signin-org input").wait_for(state="visible")
        sign_in(theirs, name, "Westside Library", "Non-profit", "Table 12")
        assert code not in theirs.locator(".xs-resume-code").inner_text()
        theirs.locator(f".xs-q-{Q} textarea").wait_for(state="visible")
        theirs.wait_for_timeout(500)  # give a (wrong) load of the first one's answer time to arrive
        assert box_value(theirs) == ""
        twins = [p for p in room.store.people(room.slug) if p.participant.name == name]
        assert len(twins) == 2 and len({p.resume_code for p in twins}) == 2

        # The resume code continues as the first participant on a fresh browser.
        laptop = open_page(fresh, room, "diagnosis")
        laptop.locator(".xs-signin-resume input").wait_for(state="visible")
        laptop.locator(".xs-signin-resume input").fill(code.lower())
        laptop.locator(".xs-signin-resume-submit").click()
        assert code in signed_in_without_form(laptop)
        wait_for_box(laptop, answer)
        laptop.reload()  # the fresh browser is bound to them now
        signed_in_without_form(laptop)
        wait_for_box(laptop, answer)
    finally:
        for context in (mine, stranger, fresh):
            context.close()


def test_two_tabs_see_each_others_answers_and_choose_on_a_conflict(room, browser, sign_in):
    name = f"Tia Tabs {uuid.uuid4().hex[:6]}"
    context = browser_context(browser, room)
    try:
        tab_a = open_page(context, room, "diagnosis")
        tab_a.locator(".xs-signin-org input").wait_for(state="visible")
        sign_in(tab_a, name, "Harbor Grocers", "Business", "Table 13")
        tab_b = open_page(context, room, "diagnosis")
        signed_in_without_form(tab_b)
        tab_b.locator(f".xs-q-{Q} textarea").wait_for(state="visible")

        # A saves; B shows A's text within 5 s of A's "Saved".
        tab_a.locator(f".xs-q-{Q} textarea").fill("A's first text")
        tab_a.locator(f".xs-question-{Q} .xs-save-status", has_text="Saved").wait_for()
        wait_for_box(tab_b, "A's first text", timeout=5_000)

        # B types (its box has unsaved edits) while A saves a newer text;
        # B's save, based on A's first text, is refused.
        tab_a.locator(f".xs-q-{Q} textarea").fill("A's newer text")
        b_box = tab_b.locator(f".xs-q-{Q} textarea")
        b_box.click()
        b_box.press("End")
        b_box.press_sequentially(" and B's addition", delay=60)
        tab_a.locator(f".xs-question-{Q} .xs-save-status", has_text="Saved").wait_for()
        conflict = tab_b.locator(f".xs-question-{Q} .xs-conflict")
        conflict.wait_for(state="visible")
        typed = "A's first text and B's addition"
        wait_for_box(tab_b, typed)  # the box keeps what B typed, all of it
        # The refused text is B's as it was when its save was refused (a
        # slow kernel may have saved part of the typing before A's save).
        refused = tab_b.locator(f".xs-question-{Q} .xs-conflict-mine-text").inner_text()
        assert refused.startswith("A's first text and B") and typed.startswith(refused)
        assert tab_b.locator(f".xs-question-{Q} .xs-conflict-theirs-text").inner_text() == "A's newer text"
        assert "choose below what to keep" in tab_b.locator(f".xs-question-{Q} .xs-save-status").inner_text()
        pid = participant_of(room, name).participant.id
        assert room.store.current_for(room.slug, pid)[("text", TOOL, Q)] == "A's newer text"

        # B keeps its own: the store holds B's text, and the history holds
        # both (A's newer text and B's in the answers; B's refused save
        # among the superseded ones).
        tab_b.locator(f".xs-question-{Q} .xs-conflict-mine").click()
        conflict.wait_for(state="hidden")
        tab_b.locator(f".xs-question-{Q} .xs-save-status", has_text="Saved").wait_for()
        assert room.store.current_for(room.slug, pid)[("text", TOOL, Q)] == typed
        history = list(room.store.answer_rows(room.slug).query("participant_id == @pid")["value"])
        assert history[0] == "A's first text" and history[-1] == typed and "A's newer text" in history
        assert refused in [s.value for s in room.store.superseded(room.slug, pid)]
        # Tab A follows (its box has no unsaved edits).
        wait_for_box(tab_a, typed)
    finally:
        context.close()
