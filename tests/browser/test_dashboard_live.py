"""The dashboard in Chromium, served by ``workshop serve``: it picks up
what participants write while it is open, and shows the heatmap once the
facilitator reveals ratings."""

from __future__ import annotations

import json
import re

import pytest

pytestmark = pytest.mark.browser

#: After the page is up, an update must show within this long: many
#: refresh intervals, so a busy machine does not fail the test.
UPDATE_MS = 30_000


def _dashboard(page, room):
    room.join(page.context, dashboard=True)
    page.goto(room.url("/voila/render/dashboard.ipynb"))
    page.locator(".xs-dashboard .xs-dash-participants").wait_for()  # the kernel is up and rendered


def test_dashboard_follows_three_sectors_and_reveals_the_heatmap(room, page):
    store, slug = room.store, room.slug
    _dashboard(page, room)
    assert "Ratings hidden until the facilitator reveals them" in page.locator(".xs-heatmap").inner_text()

    # Three participants from three sectors answer while the dashboard is open.
    people = {
        "government": store.add_participant(slug, name="Gita Live", organization="Riverside Council", sector="government", table="Table L1"),
        "business": store.add_participant(slug, name="Bo Live", organization="Corner Shop", sector="business", table="Table L1"),
        "nonprofit": store.add_participant(slug, name="Nia Live", organization="Food Bank", sector="nonprofit", table="Table L2"),
    }
    tool = store.kit.tool("build-a-common-fact-base")
    said = {sector: f"{sector} says: we need one shared map of the stores" for sector in people}
    for sector, p in people.items():
        store.save_answer(slug, p.id, tool.id, tool.questions[0].id, said[sector])
    for sector, score in (("government", 5), ("business", 1), ("nonprofit", 4)):
        store.save_rating(slug, people[sector].id, tool.id, score)

    for sector, text in said.items():
        item = page.locator(".xs-feed-item", has_text=text)
        item.wait_for(timeout=UPDATE_MS)
        who = item.locator(".xs-feed-who").inner_text()
        assert f"{store.kit.sector(sector).name} · Table L" in who
    participants = page.locator(".xs-dash-participants").inner_text()
    assert "Table L1" in participants and "Table L2" in participants and "Gita Live" in participants
    progress = page.locator(".xs-dash-progress")
    assert "Table L2" in progress.inner_text()
    assert "Ratings hidden until the facilitator reveals them" in page.locator(".xs-heatmap").inner_text()
    assert page.locator(".xs-heatmap td.xs-band-strength").count() == 0

    # One rater a sector: means shown only with groups of one allowed (3 by default).
    store.update_settings(slug, ratings_revealed=True, min_group=1)
    try:
        row = page.locator(".xs-heatmap tr", has_text=tool.name)
        row.locator("td.xs-band-strength").first.wait_for(timeout=UPDATE_MS)
        cells = row.locator("td.xs-band").all_inner_texts()
        text = " ".join(" ".join(c.split()) for c in cells).lower()  # the label is shown in capitals
        assert "5.0 strength" in text and "1.0 concern" in text and "4.0 strength" in text  # colour and a word
        assert "Partners see this differently" in row.inner_text()  # business 1 vs government 5
        assert tool.name in page.locator(".xs-divergence").inner_text()
        assert page.locator(".xs-dots-ranking").count() == 1 and page.locator(".xs-actions").count() == 1
        assert page.dialogs == []  # type: ignore[attr-defined]
    finally:
        store.update_settings(slug, ratings_revealed=False, min_group=3)


def test_dashboard_keeps_the_viewers_tool_while_refreshing(room, page):
    store, slug = room.store, room.slug
    _dashboard(page, room)
    tool = store.kit.tool("agree-on-measures-of-success")
    page.locator(".xs-dash-feed-tool select").select_option(label=f"{tool.number}. {tool.name}")
    page.locator(".xs-dash-feed h3", has_text=tool.questions[0].text).wait_for()
    p = store.add_participant(slug, name="Vera Keep", organization="Parks", sector="government", table="Table K")
    store.save_answer(slug, p.id, tool.id, tool.questions[1].id, "Count what people buy, not just visits")
    page.locator(".xs-feed-item", has_text="Count what people buy").wait_for(timeout=UPDATE_MS)
    selected = page.locator(".xs-dash-feed-tool select").evaluate("s => s.options[s.selectedIndex].text")
    assert selected.replace("\xa0", " ") == f"{tool.number}. {tool.name}"  # options render spaces as &nbsp;


def test_dashboard_only_publishes_just_the_dashboard(serve_factory):
    server = serve_factory("--dashboard-only", "--pool", "0")
    try:
        listing = json.loads(server.facilitator_get("/voila/api/contents").body)
        assert [item["name"] for item in listing["content"]] == ["dashboard.ipynb", "presenter.ipynb"]  # and its presenter view
        assert server.facilitator_get(server.render("diagnosis")).status == 404
        assert server.facilitator_get("/voila/render/00_facilitator.ipynb").status == 404
        assert server.get("/voila/render/dashboard.ipynb").status == 302  # a stranger is sent to the door
        page = server.visitor(dashboard=True).get("/voila/render/dashboard.ipynb")
        assert page.status == 200 and b"kernelId" in page.body
        log = server.log_text()
        assert "Project the dashboard (read-only" in log and "Share this link" not in log and "type the join code" not in log
        assert re.search(rf"http://localhost:{server.port}/dashboard/[A-Za-z0-9_-]{{24}}\n", log)
    finally:
        server.stop()
    assert server.proc.returncode == 0  # SIGTERM stops it cleanly
