"""The work comes first (issue #19), in Chromium at a 1366x768 laptop and a
390x844 phone: after signing in the first answer box is in the first
screen (the page at its top, not scrolled there by the focus); "About this
tool" opens and closes, and the browser remembers it; "Next tool" shows
the next tool; a box takes no 20,001st character and its counter shows
the limit; the dots are buttons (a tool places one, a dot is taken back,
no dot left is said beside the tool); and no message the page shows names
a tool or question by its id."""

from __future__ import annotations

import re

import pytest

from toolkit import content
from toolkit.store.checks import MAX_ANSWER_CHARS

pytestmark = pytest.mark.browser

WAIT_MS = 90_000
VIEWPORTS = {"laptop": (1366, 768), "phone": (390, 844)}
STAGE = "design"
FIRST_TOOL = "establish-transparency-of-viewpoints"  # tool 5, the first of stage 2
NEXT_TOOL = "build-a-common-fact-base"  # tool 6


def id_pattern() -> re.Pattern[str]:
    """Every tool id and question id of the content, as whole words."""
    kit = content.load()
    ids = [t.id for t in kit.tools] + [q.id for t in kit.tools for q in t.questions]
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True)) + r")(?![\w-])")


IDS = id_pattern()


def assert_no_ids(page) -> str:
    """Everything the page shows as text (its messages included) names no
    tool or question by id; returns that text."""
    text = page.evaluate("document.body.innerText")
    assert IDS.findall(text) == []
    return text


def rows_of(room, who: str, kind: str):
    """The current rows of one kind by the participant named ``who``."""
    ids = [p.id for p in room.store.participants(room.slug) if p.name == who]
    rows = room.store.answer_rows(room.slug, current=True)
    return rows[rows["participant_id"].isin(ids) & (rows["kind"] == kind)]


def open_page(browser, room, viewport: str, notebook: str):
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height})
    room.join(context)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(room.url(room.render(notebook)))
    page.locator(".xs-signin-org input").wait_for(timeout=WAIT_MS)
    return page


def to_top(page) -> None:
    """Scroll the page (Voila scrolls a panel, not the window) to its top."""
    page.evaluate("() => { for (const el of document.querySelectorAll('*')) if (el.scrollTop > 0) el.scrollTop = 0; window.scrollTo(0, 0); }")


def shown(page, selector: str):
    return page.locator(f"{selector} >> visible=true")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_questions_first_about_and_next_tool(browser, room, sign_in, viewport):
    page = open_page(browser, room, viewport, STAGE)
    sign_in(page, f"Quinn {viewport}", "Harbour Trust", "Non-profit", "Table 4")
    first_box = page.locator(f".xs-tool-{FIRST_TOOL} .xs-answer textarea").first
    first_box.wait_for(state="visible")
    # By selector, not by element: the form is drawn again as the table's part joins it.
    page.wait_for_function("sel => { const t = document.querySelector(sel); return t && !t.disabled; }", arg=f".xs-tool-{FIRST_TOOL} .xs-answer textarea")
    page.locator(".xs-page-saved", has_text="All your answers here are saved.").wait_for()

    # The first answer box is in the first screen, with the page at its top.
    to_top(page)
    page.wait_for_timeout(300)
    box = first_box.bounding_box()
    width, height = VIEWPORTS[viewport]
    assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= height, (box, height)
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    # The tool list: buttons on a laptop, the compact picker on a phone.
    assert page.locator(".xs-tool-picker").is_visible() == (viewport == "phone")
    assert page.locator(f".xs-tool-nav-{FIRST_TOOL}").is_visible() == (viewport == "laptop")
    assert_no_ids(page)

    # "About this tool" opens and closes (aria-expanded follows) ...
    toggle = page.locator(f".xs-tool-{FIRST_TOOL} .xs-about-toggle")
    about = page.locator(f".xs-tool-{FIRST_TOOL} .xs-about")
    assert toggle.get_attribute("aria-expanded") == "false" and not about.is_visible()
    toggle.click()
    about.wait_for(state="visible")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert "Why it matters" in about.inner_text()
    toggle.click()
    about.wait_for(state="hidden")
    assert toggle.get_attribute("aria-expanded") == "false"
    # ... and is remembered: opened, it is open again after a reload.
    toggle.click()
    page.wait_for_function("el => el.getAttribute('aria-expanded') === 'true'", arg=toggle.element_handle())
    page.reload()
    page.locator(".xs-signed-in").wait_for(state="visible")
    page.locator(f".xs-tool-{FIRST_TOOL} .xs-about").wait_for(state="visible")
    page.locator(f".xs-tool-{FIRST_TOOL} .xs-about-toggle").click()  # closed again for the next test
    page.locator(f".xs-tool-{FIRST_TOOL} .xs-about").wait_for(state="hidden")

    # "Next tool" at the end of the tool shows the next one, focus in its first box.
    next_button = page.locator(f".xs-tool-{FIRST_TOOL} .xs-next-tool")
    assert next_button.inner_text().strip() == "Next tool: 6. Build a Common Fact Base"
    next_button.click()
    page.locator(f".xs-tool-{NEXT_TOOL}").wait_for(state="visible")
    page.locator(f".xs-tool-{FIRST_TOOL}").wait_for(state="hidden")
    page.wait_for_function(
        "sel => document.activeElement === document.querySelector(sel)", arg=f".xs-tool-{NEXT_TOOL} .xs-answer textarea"
    )
    if viewport == "phone":
        chosen = page.locator(".xs-tool-picker select").evaluate("s => s.options[s.selectedIndex].text.replace(/\\u00a0/g, ' ')")
        assert chosen == "6. Build a Common Fact Base"
    assert_no_ids(page)
    page.context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_box_stops_at_the_limit_and_counts_near_it(browser, room, sign_in, viewport):
    page = open_page(browser, room, viewport, STAGE)
    who = f"Lim {viewport}"
    sign_in(page, who, "Harbour Trust", "Business", "Table 5")
    box = page.locator(f".xs-tool-{FIRST_TOOL} .xs-answer textarea").nth(1)
    # By selector, not by element: the form is drawn again as the table's part joins it.
    page.wait_for_function("sel => { const t = document.querySelectorAll(sel)[1]; return t && !t.disabled; }", arg=f".xs-tool-{FIRST_TOOL} .xs-answer textarea")
    assert box.get_attribute("maxlength") == str(MAX_ANSWER_CHARS)
    counter = page.locator(f".xs-tool-{FIRST_TOOL} .xs-question").nth(1).locator(".xs-char-count")
    assert not counter.is_visible()  # far from the limit: no counter

    box.fill("a" * (MAX_ANSWER_CHARS - 1))
    box.press("End")
    page.keyboard.type("bcd")  # one more fits, the rest does not
    assert len(box.input_value()) == MAX_ANSWER_CHARS and box.input_value().endswith("ab")
    counter.wait_for(state="visible")
    page.locator(".xs-char-count", has_text="20,000 of 20,000 characters").wait_for()
    # Pasting more stops at the limit too.
    page.evaluate("el => { el.focus(); el.select(); }", box.element_handle())
    page.keyboard.insert_text("z" * (MAX_ANSWER_CHARS + 50))
    assert box.input_value() == "z" * MAX_ANSWER_CHARS
    status = page.locator(f".xs-tool-{FIRST_TOOL} .xs-question").nth(1).locator(".xs-save-status")
    status.filter(has_text="Saved").wait_for()
    assert [len(v) for v in rows_of(room, who, "text")["value"]] == [MAX_ANSWER_CHARS]

    # A refused answer says why beside its box, without the question's id.
    first = page.locator(f".xs-tool-{FIRST_TOOL} .xs-answer textarea").first
    first.fill("before\x01after")
    first_status = page.locator(f".xs-tool-{FIRST_TOOL} .xs-question").first.locator(".xs-save-status")
    first_status.filter(has_text="Not saved").wait_for()
    assert first_status.inner_text().startswith("Not saved: contains a control character (U+0001) at position 7")
    page.locator(".xs-page-saved", has_text="1 answer on this page is not saved").wait_for()
    assert_no_ids(page)
    page.context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_dots_are_placed_and_taken_back_with_a_click_or_the_keyboard(browser, room, sign_in, viewport):
    page = open_page(browser, room, viewport, "priorities")
    who = f"Dot {viewport}"
    sign_in(page, who, "Harbour Trust", "Government", "Table 6")
    tool, other = "share-discretion", "tell-the-story"
    add = page.locator(f".xs-dots-{tool} .xs-dot-add")
    page.wait_for_function("el => !el.disabled", arg=add.element_handle())
    assert add.inner_text().strip() == "9. Share Discretion"

    def placed() -> dict[str, int]:
        mine = rows_of(room, who, "dots")
        return {t: int(v) for t, v in zip(mine["tool_id"], mine["value"]) if int(v)}

    def wait_stored(want: dict[str, int]) -> None:
        for _ in range(100):
            if placed() == want:
                return
            page.wait_for_timeout(100)
        assert placed() == want

    add.click()
    add.click()
    page.locator(f".xs-dots-{tool} .xs-dot >> visible=true").nth(1).wait_for()
    page.locator(".xs-dots-left", has_text="3 of 5 dots left").wait_for()
    assert page.locator(".xs-budget-dot-used").count() == 2 and page.locator(".xs-budget-dot").count() == 5
    wait_stored({tool: 2})
    # A dot is a button named for what it does; a click takes it back.
    dot = shown(page, f".xs-dots-{tool} .xs-dot").first
    assert dot.get_attribute("title") == "Take back a dot from 9. Share Discretion"
    dot.click()
    page.locator(".xs-dots-left", has_text="4 of 5 dots left").wait_for()
    wait_stored({tool: 1})

    # The keyboard: Enter on a tool places a dot, Enter on a dot takes it back.
    other_add = page.locator(f".xs-dots-{other} .xs-dot-add")
    other_add.focus()
    for _ in range(4):
        page.keyboard.press("Enter")
    page.locator(".xs-dots-left", has_text="0 of 5 dots left").wait_for()
    wait_stored({tool: 1, other: 4})
    # No dot left: said beside the tool pressed, nothing placed.
    add.click()
    beside = page.locator(f".xs-dots-{tool} .xs-save-status")
    beside.filter(has_text="No dots left").wait_for()
    assert beside.inner_text() == "No dots left: take one back from another tool first."
    assert shown(page, f".xs-dots-{tool} .xs-dot").count() == 1
    shown(page, f".xs-dots-{other} .xs-dot").last.focus()
    page.keyboard.press("Enter")
    page.locator(".xs-dots-left", has_text="1 of 5 dots left").wait_for()
    # The focus stays on this tool's dots (the one pressed went away).
    page.wait_for_function(f"() => document.activeElement.closest('.xs-dots-{other} .xs-dot-list') !== null")
    wait_stored({tool: 1, other: 3})
    page.locator(".xs-page-saved", has_text="All your answers here are saved.").wait_for()
    assert_no_ids(page)
    page.context.close()
