"""A room in Chromium: three participants from three sectors sign in on
their own Diagnosis pages and type their answers, using only the hooks in
docs/ui-hooks.md; the projected dashboard shows them, and the heatmap once
the facilitator reveals ratings; a locked stage is read-only on reload."""

from __future__ import annotations


import pytest


pytestmark = pytest.mark.browser

TOOL = "engage-potential-partners"
QUESTION = "epp-1"
#: Once a page is up, an update must show within this long (many refresh
#: and poll intervals, so a busy machine does not fail the test).
UPDATE_MS = 45_000

PEOPLE = [
    # name, organization, sector label, table, answer, rating button
    ("Gail Room", "Riverside Council", "Government", "Room 1", "Government view: the council can open land for a market", "5 · Fully"),
    ("Bill Room", "Corner Shop", "Business", "Room 1", "Business view: margins decide which shops stay", "1 · Not at all"),
    ("Nora Room", "Food Bank", "Non-profit", "Room 2", "Non-profit view: families queue for two hours", "4 · Mostly"),
]


def _open_stage(page, room):
    page.goto(room.url(room.render("diagnosis")))
    page.locator(".xs-signin-org input").wait_for()


def test_three_sectors_type_and_the_dashboard_shows_them(room, browser, sign_in):
    contexts = []
    try:
        pages = []
        for name, org, sector, table, answer, rating in PEOPLE:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            contexts.append(context)
            room.join(context)
            page = context.new_page()
            page.set_default_timeout(90_000)
            _open_stage(page, room)
            sign_in(page, name, org, sector, table)
            page.locator(f".xs-tool-nav-{TOOL}").click()
            box = page.locator(f".xs-q-{QUESTION} textarea")
            box.fill(answer)
            page.locator(f".xs-question-{QUESTION} .xs-save-status", has_text="Saved").wait_for(timeout=UPDATE_MS)
            page.locator(f".xs-tool-{TOOL} .xs-rating label", has_text=rating).click()
            page.locator(f".xs-tool-{TOOL} .xs-rating-block .xs-save-status", has_text="Saved").first.wait_for(timeout=UPDATE_MS)
            pages.append(page)

        # What the kernels wrote is in the store, under the served workshop.
        current = room.store.answer_rows(room.slug, current=True)
        texts = set(current[current["kind"] == "text"]["value"])
        assert {p[4] for p in PEOPLE} <= texts

        dash_context = browser.new_context(viewport={"width": 1400, "height": 900})
        contexts.append(dash_context)
        room.join(dash_context, dashboard=True)
        dash = dash_context.new_page()
        dash.set_default_timeout(90_000)
        dialogs = []
        dash.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        dash.goto(room.url(room.render("dashboard")))
        for name, _org, sector, table, answer, _rating in PEOPLE:
            item = dash.locator(".xs-feed-item", has_text=answer)
            item.wait_for(timeout=UPDATE_MS)
            assert f"{sector} · {table}" in item.locator(".xs-feed-who").inner_text()
        assert "Room 2" in dash.locator(".xs-dash-participants").inner_text()

        room.store.update_settings(room.slug, ratings_revealed=True)
        try:
            tool_name = room.store.kit.tool(TOOL).name
            row = dash.locator(".xs-heatmap tr", has_text=tool_name)
            # One rater per sector: below the minimum group (3), no sector's
            # mean is shown and nobody is compared.
            row.locator(".xs-band-withheld", has_text="fewer than 3").first.wait_for(timeout=UPDATE_MS)
            assert row.locator(".xs-band-withheld:not(.xs-band-all)").count() == 3 and row.locator(".xs-divergence-flag").count() == 0
            room.store.update_settings(room.slug, min_group=1)  # a workshop that allows groups of one
            row.locator(".xs-divergence-flag").wait_for(timeout=UPDATE_MS)  # government 5 vs business 1
            words = row.inner_text().lower()
            assert "strength" in words and "concern" in words
        finally:
            room.store.update_settings(room.slug, ratings_revealed=False, min_group=3)
        assert dialogs == []

        # The facilitator locks Diagnosis: on reload the workbook is read-only.
        room.store.lock_stage(room.slug, "diagnosis")
        try:
            page = pages[0]
            page.reload()  # still signed in: the browser's device cookie
            page.locator(".xs-signed-in").wait_for(state="visible")
            page.locator(".xs-stage.xs-locked").wait_for(timeout=UPDATE_MS)
            page.locator(f".xs-tool-nav-{TOOL}").click()
            box = page.locator(f".xs-q-{QUESTION} textarea")
            assert box.is_disabled()
            assert box.input_value() == PEOPLE[0][4]  # their answer is still shown
            assert "locked" in page.locator(".xs-notice").first.inner_text().lower()
        finally:
            room.store.open_stage(room.slug, "diagnosis")
    finally:
        for context in contexts:
            context.close()
