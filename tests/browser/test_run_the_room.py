"""Running the room (issue #14) in Chromium against a real ``workshop
serve``: today's plan on the participant page, the dashboard and the guide;
the presenter view at 1920 x 1080 (text size, join code, a QR code that
decodes to the join link, arrow keys); a timer and a lock with notice
started from the command line and seen counting down on an open page; a
hidden answer leaving the feed and the guide and coming back.

The module has its own server and workshop: its plans, timers and locks
must not reach the other browser tests' room."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from toolkit.store.values import SCREENS
from widgets.autosave import lock_fell_text

pytestmark = pytest.mark.browser

WAIT_MS = 90_000

#: An update made in the store shows on an open page within this long
#: (the pages re-read the settings every 3 s, the dashboard every 2 s).
UPDATE_MS = 30_000
PLANNED = ("3", "1", "5")  # tool numbers, in the plan's order


@pytest.fixture(scope="module")
def server(launch, tmp_path_factory):
    s = launch(tmp_path_factory.mktemp("run-the-room"), "--pool", "1", title="Harbour Compact", env={"WORKSHOP_REFRESH": "2"})
    yield s
    s.stop()


def workshop(server, *args: str) -> str:
    """Run a ``workshop`` verb on the server's store, as the facilitator
    does in a terminal; its output."""
    script = shutil.which("workshop", path=str(Path(sys.executable).parent))
    done = subprocess.run([script or "workshop", *args, "--db", str(server.db)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def seconds(text: str) -> int:
    """``9:58`` as 598."""
    m = re.search(r"(\d+):(\d\d)", text)
    assert m, text
    return int(m.group(1)) * 60 + int(m.group(2))


def open_page(server, browser, page_name: str, *, dashboard: bool = False, size=(1400, 900)):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    server.join(context, dashboard=dashboard)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(server.url(server.render(page_name)))
    return page


def test_a_three_tool_plan_leads_the_page_and_bounds_the_dashboard_and_guide(server, browser, sign_in, tmp_path):
    store, slug, kit = server.store, server.slug, server.store.kit
    workshop(server, "plan", slug, "--tools", ",".join(PLANNED))
    planned = [kit.tool(n).id for n in PLANNED]
    # Someone answers tool 7, outside the plan: it is in scope too.
    p = store.add_participant(slug, name="Oona Outside", organization="Port Trust", sector="business", table="Table 4")
    store.save_answer(slug, p.id, kit.tool(7).id, kit.tool(7).questions[0].id, "Measures we already keep")
    store.save_rating(slug, p.id, kit.tool(7).id, 4)

    page = open_page(server, browser, "diagnosis")
    # A page built ahead in a warm kernel takes the plan at its next look at the settings.
    page.locator(".xs-nav-others").wait_for(timeout=UPDATE_MS)
    order = page.eval_on_selector_all(".xs-tool-nav button", "bs => bs.map(b => [...b.classList].find(c => /^xs-tool-nav-/.test(c)))")
    diagnosis = [t.id for t in kit.tools_in("diagnosis")]
    first = [f"xs-tool-nav-{t}" for t in planned if t in diagnosis]
    assert order[: len(first)] == first == ["xs-tool-nav-" + kit.tool(3).id, "xs-tool-nav-" + kit.tool(1).id]
    rest = [f"xs-tool-nav-{t}" for t in diagnosis if t not in planned]
    assert order[len(first):] == rest  # the others still there, after "Not in today's plan"
    assert page.locator(".xs-nav-others").text_content().strip() == "Not in today's plan"  # (shown in capitals)
    for t in diagnosis:
        unplanned = page.locator(f".xs-tool-nav-{t}").evaluate("b => b.classList.contains('xs-tool-unplanned')")
        assert unplanned == (t not in planned), t
    # The selected tool is the first of today's.
    assert "xs-tool-selected" in page.locator(f".xs-tool-nav-{kit.tool(3).id}").get_attribute("class")
    page.context.close()

    dash = open_page(server, browser, "dashboard", dashboard=True)
    progress = dash.locator(".xs-dash-progress")
    progress.locator("text=Table 4").wait_for(timeout=UPDATE_MS)
    rows = progress.locator("th.xs-tool").all_inner_texts()
    assert [r.split(".")[0] for r in rows] == ["1", "3", "5", "7"]  # planned or answered, in the content's order
    stages = progress.locator("tr.xs-stagerow th").all_text_contents()
    assert [s.split(":")[0] for s in stages] == ["Stage 1", "Stage 2"]  # no empty stages
    heat = dash.locator(".xs-heatmap th.xs-tool").all_text_contents()
    assert [r.split(".")[0] for r in heat] == ["1", "3", "5", "7"]
    dash.context.close()

    guide = tmp_path / "guide.html"
    workshop(server, "export", slug, "--format", "html", "--output", str(guide))
    text = guide.read_text(encoding="utf-8")
    assert re.findall(r'<article class="tool" id="tool-(\d+)">', text) == ["1", "3", "5", "7"]
    assert re.findall(r'<section class="stage" id="stage-([a-z]+)">', text) == ["diagnosis", "design"]
    assert "Today&rsquo;s plan" in text


def test_the_presenter_view_is_big_and_carries_the_join_code_and_a_qr_of_the_link(server, browser):
    import numpy as np
    import zxingcpp

    page = open_page(server, browser, "presenter", dashboard=True, size=(1920, 1080))
    page.locator(".xs-presenter-screen .xs-dash-card").first.wait_for()
    # The join code and link, as workshop serve printed them.
    assert page.locator(".xs-presenter-code").inner_text().strip() == server.join_code
    link = page.locator(".xs-presenter-link").inner_text().strip()
    assert link.endswith(f":{server.port}/join/{server.join_code}")
    # The QR code decodes to that link: read its pixels off a canvas.
    img = page.locator("img.xs-presenter-qr")
    width, height, data = img.evaluate(
        """img => { const c = document.createElement('canvas'); c.width = img.naturalWidth; c.height = img.naturalHeight;
                    const g = c.getContext('2d'); g.drawImage(img, 0, 0);
                    return [c.width, c.height, Array.from(g.getImageData(0, 0, c.width, c.height).data)]; }"""
    )
    pixels = np.array(data, dtype=np.uint8).reshape(height, width, 4)[:, :, 0]
    assert [r.text for r in zxingcpp.read_barcodes(pixels)] == [link]
    assert not page.evaluate("() => performance.getEntriesByType('resource').some(e => !e.name.startsWith(location.origin) && !e.name.startsWith('data:'))")

    def smallest_text() -> float:
        """The smallest computed font size of any visible text on the screen and at its side (join box, countdowns)."""
        return page.evaluate(
            """() => Math.min(...[...document.querySelectorAll('.xs-presenter-screen *, .xs-presenter-side *, .xs-presenter-title *')]
                 .filter(el => [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()) && el.getClientRects().length
                         && !el.closest('.xs-sr-only'))
                 .map(el => parseFloat(getComputedStyle(el).fontSize)))"""
        )

    # A discussion timer shows at the side of every section, as big as the rest.
    workshop(server, "timer", server.slug, "5m")
    page.locator(".xs-presenter-side .xs-timer .xs-timer-left").wait_for(timeout=UPDATE_MS)
    titles = []
    for n in range(len(SCREENS)):  # every section, moved by the Next button
        heading = page.locator(".xs-presenter-title h1")
        titles.append(heading.inner_text())
        assert smallest_text() >= 24, titles[-1]
        page.locator(".xs-presenter-next").click()
        page.wait_for_function("t => document.querySelector('.xs-presenter-title h1').innerText !== t", arg=titles[-1])
    assert len(set(titles)) == len(SCREENS) and titles[0].startswith("Who is here")
    workshop(server, "timer", server.slug, "stop")
    tile = page.locator(".xs-presenter-screen .xs-tile-n").first
    assert float(tile.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 96  # headline figures
    # The arrow keys move it too, once the section slider has the focus.
    page.locator(".xs-presenter-slider .noUi-handle").focus()
    page.keyboard.press("ArrowRight")
    page.locator(".xs-presenter-title h1", has_text="Progress by table").wait_for()
    page.keyboard.press("ArrowLeft")
    page.locator(".xs-presenter-title h1", has_text="Who is here").wait_for()
    # ... and the console's (or the command line's) choice.
    workshop(server, "present", server.slug, "priorities")
    page.locator(".xs-presenter-title h1", has_text="Priorities").wait_for(timeout=UPDATE_MS)
    workshop(server, "present", server.slug, "auto")
    page.context.close()


def test_a_timer_started_from_the_command_line_counts_down_on_an_open_page(server, browser):
    page = open_page(server, browser, "design")
    page.locator(".xs-tool-nav").wait_for()
    out = workshop(server, "timer", server.slug, "2m")
    assert "Timer: 2:00 on every page" in out
    left = page.locator(".xs-timer .xs-timer-left")
    left.wait_for(timeout=UPDATE_MS)
    # The page shows the new timer at its next settings poll.
    page.wait_for_function("() => { const t = document.querySelector('.xs-timer .xs-timer-left').innerText.split(':'); return (+t[0]) * 60 + (+t[1]) <= 120; }", timeout=UPDATE_MS)
    first = seconds(left.inner_text())
    assert 0 < first <= 120
    page.wait_for_function(f"() => {{ const t = document.querySelector('.xs-timer .xs-timer-left').innerText.split(':'); return (+t[0]) * 60 + (+t[1]) < {first}; }}")
    workshop(server, "timer", server.slug, "stop")
    page.locator(".xs-timer .xs-timer-left").wait_for(state="detached", timeout=UPDATE_MS)
    page.context.close()


def test_a_lock_with_notice_counts_down_and_leaves_the_typed_text_on_screen(server, browser, sign_in):
    store, slug, kit = server.store, server.slug, server.store.kit
    tool = kit.tools_in("assessment")[0]
    question = tool.questions[0].id
    page = open_page(server, browser, "assessment")
    page.locator(".xs-signin-org input").wait_for()
    sign_in(page, "Lena Late", "Harbour Clinic", "Non-profit", "Table 2")
    page.locator(f".xs-tool-nav-{tool.id}").click()
    box = page.locator(f".xs-q-{question} textarea")
    box.wait_for(state="visible")
    box.click()

    workshop(server, "lock", slug, "assessment", "--in", "20s")
    fell = store.workshop(slug).settings.lock_at["assessment"]
    countdown = page.locator(".xs-lock-countdown .xs-lock-left")
    countdown.wait_for(timeout=UPDATE_MS)
    assert "The Assessment stage locks in" in page.locator(".xs-lock-countdown").inner_text()
    start = seconds(countdown.inner_text())
    page.wait_for_function(f"() => {{ const t = document.querySelector('.xs-lock-countdown .xs-lock-left').innerText.split(':'); return (+t[0]) * 60 + (+t[1]) < {start}; }}")

    # Keep typing, never pausing long enough for a save, until the lock falls.
    typed = ""
    words = "We want to hear what the families on the east side say about the evening hours and the bus "
    while not page.locator(".xs-stage-assessment.xs-locked").count():
        char = words[len(typed) % len(words)]
        page.keyboard.type(char)
        typed += char
        page.wait_for_timeout(120)
        assert len(typed) < 2000, "the lock never fell"
    status = page.locator(f".xs-question-{question} .xs-save-status")
    # One message whether the lock's poll or the refusal of a save already on
    # its way comes first, naming the time the notice ran out.
    expected = "Not saved: " + lock_fell_text(kit.stage("assessment").title, fell)
    status.locator("text=before this was saved").wait_for(timeout=UPDATE_MS)
    assert status.inner_text() == expected
    # A live region, read at once: an error.
    assert status.get_attribute("role") == "status" and status.get_attribute("aria-live") == "assertive"
    value = box.input_value()
    assert len(value) >= len(typed) - 3 and typed.startswith(value)  # what was typed stays on screen
    assert box.is_disabled()
    page.wait_for_timeout(4000)  # a settings poll and a sync later, it is still there
    assert box.input_value() == value
    # ... and no fragment of it was saved as the answer.
    saved = store.answer_rows(slug, current=True)
    assert not ((saved["question_id"] == question) & (saved["value"] != "")).any()
    workshop(server, "open", slug, "assessment")
    page.context.close()


def test_a_hidden_answer_leaves_the_feed_and_the_guide_and_comes_back(server, browser, tmp_path):
    store, slug, kit = server.store, server.slug, server.store.kit
    tool = kit.tool(1)
    p = store.add_participant(slug, name="Max Mistake", organization="Dock Office", sector="government", table="Table 6")
    answer = store.save_answer(slug, p.id, tool.id, tool.questions[1].id, "This was typed into the wrong box by mistake")
    dash = open_page(server, browser, "dashboard", dashboard=True)
    item = dash.locator(".xs-feed-item", has_text="typed into the wrong box")
    item.wait_for(timeout=UPDATE_MS)
    assert f"#{answer.id}" in item.inner_text()  # the id the command line takes

    out = workshop(server, "hide-answer", slug, str(answer.id))
    assert f"Answer {answer.id} is hidden" in out
    item.wait_for(state="detached", timeout=UPDATE_MS)
    guide = tmp_path / "hidden.html"
    workshop(server, "export", slug, "--format", "html", "--output", str(guide))
    assert "typed into the wrong box" not in guide.read_text(encoding="utf-8")
    assert "typed into the wrong box" in workshop(server, "hidden-answers", slug)
    assert store.answer(slug, answer.id).value == "This was typed into the wrong box by mistake"  # not deleted

    workshop(server, "show-answer", slug, str(answer.id))
    dash.locator(".xs-feed-item", has_text="typed into the wrong box").wait_for(timeout=UPDATE_MS)
    workshop(server, "export", slug, "--format", "html", "--output", str(guide))
    assert "typed into the wrong box" in guide.read_text(encoding="utf-8")
    dash.context.close()


def test_a_long_answer_is_clamped_on_the_feed_and_opens_with_a_click(server, browser):
    """A 3,200-character answer: a few lines on the dashboard's feed and the
    presenter's, its neighbour in the row keeps its own height, and on the
    laptop the whole text is one click away."""
    store, slug, kit = server.store, server.slug, server.store.kit
    tool = kit.tool(1)
    long_text = ("We asked the families on the east side about the evening hours, and " * 50)[:3200]
    p = store.add_participant(slug, name="Lou Long", organization="East Side Tenants", sector="community", table="Table 5")
    store.save_answer(slug, p.id, tool.id, tool.questions[2].id, "Short and sweet")
    store.save_answer(slug, p.id, tool.id, tool.questions[3].id, long_text)
    dash = open_page(server, browser, "dashboard", dashboard=True)
    long_card = dash.locator(".xs-feed-item", has=dash.locator(".xs-feed-long")).filter(has_text="evening hours").first
    short_card = dash.locator(".xs-feed-item", has_text="Short and sweet").first
    long_card.wait_for(timeout=UPDATE_MS)
    short_card.wait_for(timeout=UPDATE_MS)
    closed = long_card.bounding_box()["height"]
    short = short_card.bounding_box()["height"]
    assert closed < 260, closed  # four lines and "3,200 characters: show all", not 1,778 px
    assert "3,200 characters: show all" in long_card.inner_text()
    assert short < closed  # its own height, not stretched to the long card's
    long_card.locator("summary").click()
    dash.wait_for_function("() => document.querySelector('.xs-feed-long[open]') !== null")
    opened = long_card.bounding_box()["height"]
    assert opened > 3 * closed, (closed, opened)
    assert short_card.bounding_box()["height"] == short  # the neighbour stays as it was
    dash.context.close()

    wall = open_page(server, browser, "presenter", dashboard=True, size=(1920, 1080))
    workshop(server, "present", slug, "feed")
    card = wall.locator(".xs-presenter-screen .xs-feed-item", has_text="evening hours").first
    card.wait_for(timeout=UPDATE_MS)
    size = float(card.evaluate("e => parseFloat(getComputedStyle(e.querySelector('.xs-feed-text')).lineHeight)"))
    text_height = card.locator(".xs-feed-text").bounding_box()["height"]
    assert text_height <= 3 * size + 2, (text_height, size)  # three lines on the wall
    workshop(server, "present", slug, "auto")
    wall.context.close()
