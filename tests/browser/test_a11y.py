"""Everyone can take part (issue #17): axe-core's WCAG 2.0/2.1 A and AA
rules on every served page (a stage page before and after sign-in, the
priorities page, the dashboard, any other page ``workshop serve`` adds) and
on the HTML planning guide; a keyboard-only participant who signs in, picks
a tool, answers, rates and reaches "Saved" without the mouse; status lines
in live regions; a visible focus ring; pages that reflow at 320 px.

axe-core comes from ``tests/browser/node_modules`` (pinned in
``package.json``/``package-lock.json``, installed by ``scripts/setup.sh
--test`` with ``npm ci``) and is injected into each page: nothing is fetched
while the tests run.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from toolkit.store.values import SCREENS

pytestmark = pytest.mark.browser

HERE = Path(__file__).resolve().parent
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
#: The rule sets checked: WCAG 2.0 and 2.1, levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: Violations that Voila's own page template causes and the kit cannot
#: change, by rule id and the selector axe reports. None today: the kit's
#: template (toolkit/serve/templates/page) gives the page a title and a
#: main landmark, and Voila's top and bottom panels are hidden. Add an
#: entry only with a comment saying what in Voila causes it.
VOILA_ONLY: dict[str, set[str]] = {}
#: Voila shows a page inside a fixed-height scroll container
#: (#rendered_cells in Lumino's shell); axe's colour-contrast rule gives up
#: on everything below its fold ("Element midpoint exceeds the grid
#: bounds"). Flattened for the audit (overflow and height only; colours
#: unchanged), the rule sees the whole page.
FLATTEN = (
    "#main, #jp-main-content-panel, #rendered_cells "
    "{ overflow: visible !important; height: auto !important; position: static !important; contain: none !important; }"
)
WAIT_MS = 90_000
TOOL = "account-for-resources"
#: A page's root (every kit page puts its style block first).
KIT_PAGE = ".xs-style"


# ---------------------------------------------------------------------------
# Helpers


@pytest.fixture(scope="module")
def demo_room(tmp_path_factory, launch):
    """One server for this module on a store holding the demo workshop
    (answers, ratings, dots, actions) with its ratings revealed: every page
    has something to show, the heatmap included."""
    from toolkit.store import AnswerStore
    from toolkit.store.demo import create_demo

    folder = tmp_path_factory.mktemp("a11y")
    db = folder / "store" / "workshop.sqlite"
    db.parent.mkdir()
    store = AnswerStore(str(db))
    try:
        ws = create_demo(store)
        store.update_settings(ws.slug, ratings_revealed=True)
    finally:
        store.close()
    server = launch(folder, "--pool", "1", slug=ws.slug, db=db)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def axe_js() -> str:
    if not AXE_JS.is_file():
        pytest.fail(f"{AXE_JS} is missing: install it with bash scripts/setup.sh --test (npm ci in tests/browser)", pytrace=False)
    pinned = json.loads((HERE / "package.json").read_text(encoding="utf-8"))["dependencies"]["axe-core"]
    installed = json.loads((AXE_JS.parent / "package.json").read_text(encoding="utf-8"))["version"]
    assert installed == pinned, f"axe-core {installed} is installed, package.json pins {pinned}: run bash scripts/setup.sh --test"
    return AXE_JS.read_text(encoding="utf-8")


def audit(page, axe_js: str, label: str) -> dict:
    """Run axe's WCAG 2.0/2.1 A and AA rules on the whole page and fail on
    any violation the kit causes; return axe's results."""
    page.add_style_tag(content=FLATTEN)
    page.add_script_tag(content=axe_js)
    results = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            const brief = (list) => list.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => ({target: n.target.join(' '), why: (n.failureSummary || '').slice(0, 300)}))}));
            return {version: axe.version, violations: brief(r.violations), passes: r.passes.map(v => v.id),
                    incomplete: r.incomplete.map(v => v.id), inapplicable: r.inapplicable.map(v => v.id)};
        }""",
        WCAG_TAGS,
    )
    found = []
    for rule in results["violations"]:
        for node in rule["nodes"]:
            if node["target"] not in VOILA_ONLY.get(rule["id"], set()):
                found.append(f"{rule['id']} ({rule['help']}): {node['target']}: {node['why']}")
    assert found == [], f"{label}: axe {results['version']} found {len(found)} violation(s):\n" + "\n".join(found[:40])
    # The contrast rule really looked at the page (it did not give up).
    assert "color-contrast" in results["passes"] or "color-contrast" in {v["id"] for v in results["violations"]}, label
    return results


def open_page(page, server, name: str) -> None:
    """Join the room (and hold the dashboard's key) as the printed links
    do, then open the page ``name``."""
    server.join(page.context, dashboard=True)
    page.goto(server.url(server.render(name)), timeout=WAIT_MS)
    page.locator(KIT_PAGE).first.wait_for(state="attached", timeout=WAIT_MS)


def active(page) -> dict:
    """What has the keyboard focus: tag, type, classes (its own and its
    widget's), and whether it is a control."""
    return page.evaluate(
        """() => {
            const e = document.activeElement;
            const widget = e.closest('.jupyter-widgets');
            return {tag: e.tagName, type: e.type || '', cls: e.className.toString(), widget: widget ? widget.className.toString() : '',
                    text: (e.textContent || '').trim().slice(0, 60)};
        }"""
    )


def tab_to(page, selector: str, *, back: bool = False, limit: int = 80) -> None:
    """Press Tab (Shift+Tab with ``back``) until the focus is on an element
    matching ``selector``; fail after ``limit`` presses."""
    for _ in range(limit):
        if page.evaluate("(sel) => document.activeElement.matches(sel)", selector):
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
    if page.evaluate("(sel) => document.activeElement.matches(sel)", selector):
        return
    raise AssertionError(f"{limit} presses of {'Shift+Tab' if back else 'Tab'} never reached {selector}; the focus is on {active(page)}")


def aria(page, selector: str) -> dict:
    return page.evaluate(
        """(sel) => { const e = document.querySelector(sel); return e && {role: e.getAttribute('role'), live: e.getAttribute('aria-live'),
                      atomic: e.getAttribute('aria-atomic'), current: e.getAttribute('aria-current'), text: e.textContent}; }""",
        selector,
    )


def sign_in_with_keys(page, name: str, org: str, sector_letter: str, table: str) -> None:
    """Sign in with the keyboard only: Tab to each field, type, Enter."""
    tab_to(page, ".xs-signin-name input")
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    page.keyboard.type(org)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.matches('.xs-signin-sector select')")
    page.keyboard.type(sector_letter)  # a closed select picks the first option starting so
    page.keyboard.press("Tab")
    page.keyboard.type(table)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.matches('.xs-signin-submit')")
    page.keyboard.press("Enter")


def page_names(server) -> list[str]:
    return [p.name for p in server.pages()]


def participant_pages(server) -> list[str]:
    return [p.name for p in server.pages() if not p.dashboard and p.code.count("Session()")]


# ---------------------------------------------------------------------------
# axe-core on every page


def test_stage_page_before_and_after_sign_in_has_no_violations(demo_room, page, axe_js, sign_in):
    open_page(page, demo_room, "diagnosis")
    page.locator(".xs-signin-org input").wait_for(timeout=WAIT_MS)
    audit(page, axe_js, "stage page before sign-in")
    assert page.title() == f"Diagnosis · {demo_room.store.workshop(demo_room.slug).title}"
    assert page.locator("main .xs-stage").count() == 1  # the main landmark holds the page

    page.reload()
    page.locator(".xs-signin-org input").wait_for(timeout=WAIT_MS)
    sign_in(page, "Amira Haddad", "Quillmouth Town Council", "Government", "Table 1")
    # A tool opened, a low rating (its comment box shows), a refused action
    # (an error message shows): every state's colours are checked.
    page.locator(f".xs-tool-nav-{TOOL}").click()
    page.locator(f".xs-tool-{TOOL} .xs-rating label", has_text="1 · Not at all").click()
    page.locator(f".xs-tool-{TOOL} .xs-rating-comment textarea").wait_for(state="visible")
    page.locator(f".xs-tool-{TOOL} .xs-action-add").click()
    page.locator(f".xs-tool-{TOOL} .xs-message-error").wait_for(state="visible")
    page.locator(f".xs-tool-{TOOL} .xs-scale-help summary").click()  # what the points mean, opened
    audit(page, axe_js, "stage page after sign-in")


def test_priorities_page_has_no_violations(demo_room, page, axe_js, sign_in):
    open_page(page, demo_room, "priorities")
    page.locator(".xs-signin-org input").wait_for(timeout=WAIT_MS)
    sign_in(page, "Amira Haddad", "Quillmouth Town Council", "Government", "Table 1")
    page.locator(".xs-dots-remaining", has_text="dots left").wait_for(timeout=WAIT_MS)
    audit(page, axe_js, "priorities page")
    assert page.title().startswith("Priorities · ")


def test_every_other_served_page_has_no_violations(demo_room, browser, axe_js):
    """The dashboard, and any page ``workshop serve`` publishes besides the
    participants' (a presenter view, say), at a wide and a phone width."""
    others = [n for n in page_names(demo_room) if n not in participant_pages(demo_room)]
    assert "dashboard.ipynb" in others
    for name in others:
        for width in (1400, 320):
            context = browser.new_context(viewport={"width": width, "height": 900})
            try:
                page = context.new_page()
                open_page(page, demo_room, name.removesuffix(".ipynb"))
                if name == "dashboard.ipynb":
                    page.locator(".xs-heatmap-grid").wait_for(timeout=WAIT_MS)
                page.wait_for_timeout(1000)  # the first refresh has drawn every section
                audit(page, axe_js, f"{name} at {width} px")
            finally:
                context.close()


def test_join_page_has_no_violations(demo_room, browser, axe_js):
    """The door a stranger meets first, and what it says to a wrong code."""
    context = browser.new_context(viewport={"width": 320, "height": 700})
    try:
        page = context.new_page()
        page.goto(demo_room.url("/join"))
        audit(page, axe_js, "join page")
        page.goto(demo_room.url("/join?code=ZZZZZZ"))
        page.locator(".xs-join-error").wait_for()
        audit(page, axe_js, "join page, wrong code")
    finally:
        context.close()


def test_planning_guide_html_has_no_violations(demo_room, browser, axe_js, tmp_path):
    from toolkit.exports import export_workshop

    guide = export_workshop(demo_room.store, demo_room.slug, "html", tmp_path / "guide.html")
    # The guide forbids every script (its Content-Security-Policy); the
    # audit's own script is let in.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(guide.as_uri())
        audit(page, axe_js, "planning guide")
        levels = page.evaluate("() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1])")
        skips = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
        assert levels[0] == 1 and skips == []
    finally:
        context.close()


#: What the room's live region says when a lock with notice and a timer start.
SAID = r"(The \w+ stage locks in \d+:\d\d\.)? ?(Discussion timer: \d+:\d\d left\.)?"


def test_the_presenter_and_the_rooms_countdowns_have_no_violations_and_are_announced(demo_room, browser, axe_js):
    """The presenter view at 1920 x 1080, every section, while a discussion
    timer and a lock with notice count down on it; a stage page showing the
    same. The countdowns are timers (read on demand); that they started is
    said once in a polite live region."""
    store, slug, kit = demo_room.store, demo_room.slug, demo_room.store.kit
    stages = [s.id for s in kit.stages]
    store.start_timer(slug, 600)
    for stage in stages:  # whichever stage the presenter finds current
        store.lock_with_notice(slug, stage, 1800)
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:
        page = context.new_page()
        open_page(page, demo_room, "presenter")
        assert page.title() == f"Presenter view · {store.workshop(slug).title}"
        page.locator(".xs-presenter .xs-lock-countdown .xs-lock-left").wait_for(timeout=WAIT_MS)
        page.locator(".xs-presenter .xs-timer .xs-timer-left").wait_for(timeout=WAIT_MS)
        said = aria(page, ".xs-presenter .xs-room-alert")
        assert (said["role"], said["live"], said["atomic"]) == ("status", "polite", "true")
        # Both at once, unless a refresh fell between the two writes above.
        assert re.fullmatch(SAID, said["text"]) and said["text"], said["text"]
        assert page.locator(".xs-presenter .xs-timer [role=timer]").count() == page.locator(".xs-presenter .xs-lock-countdown [role=timer]").count() == 1
        titles = []
        for _ in range(len(SCREENS)):  # every section, moved by the Next button
            heading = page.locator(".xs-presenter-title h1").inner_text()
            titles.append(heading)
            page.wait_for_timeout(500)  # the section's HTML is drawn with its title
            # One section per screen (#14): the section and the side column
            # (join box, timer, countdown) end above the projector's 1080 px.
            bottoms = page.evaluate("() => ['.xs-presenter-screen', '.xs-presenter-side'].map(s => document.querySelector(s).getBoundingClientRect().bottom)")
            assert max(bottoms) <= 1080, (heading, bottoms)
            audit(page, axe_js, f"presenter: {heading}")
            page.locator(".xs-presenter-next").click()
            page.wait_for_function("t => document.querySelector('.xs-presenter-title h1').innerText !== t", arg=heading, timeout=WAIT_MS)
        assert len(set(titles)) == len(SCREENS)
        # The section slider's handle is named and says the section, not its index.
        handle = page.locator(".xs-presenter-slider .noUi-handle")
        page.wait_for_function("() => document.querySelector('.xs-presenter-slider .noUi-handle').getAttribute('aria-valuetext') === 'Who is here'", timeout=WAIT_MS)
        name = handle.evaluate("h => document.getElementById(h.getAttribute('aria-labelledby')).textContent")
        assert name == "Section" and handle.get_attribute("role") == "slider"
        handle.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.querySelector('.xs-presenter-slider .noUi-handle').getAttribute('aria-valuetext') === 'Progress by table'", timeout=WAIT_MS)

        page = context.new_page()
        open_page(page, demo_room, "diagnosis")
        page.locator(".xs-lock-countdown .xs-lock-left").wait_for(timeout=WAIT_MS)
        audit(page, axe_js, "stage page with a timer and a lock counting down")
        said = aria(page, ".xs-room-alert")
        assert (said["role"], said["live"]) == ("status", "polite")
        assert re.fullmatch(SAID, said["text"]) and said["text"], said["text"]
        assert "The Diagnosis stage locks in" in page.locator(".xs-lock-countdown").inner_text()
    finally:
        context.close()
        store.stop_timer(slug)
        for stage in stages:
            store.open_stage(slug, stage)


# ---------------------------------------------------------------------------
# Reflow: 320 px wide (400% zoom) and 640 px (200% zoom of 1280 px)


OUTSIDE = """(width) => {
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
        if (el.closest('.xs-scroll, .scroll, .xs-sr-only, .sr')) continue;
        const r = el.getBoundingClientRect();
        if (r.width > 0 && r.height > 0 && r.right > width + 1) out.push(el.tagName + '.' + el.className.toString().split(' ').slice(-2).join('.'));
    }
    const scrolled = [...document.querySelectorAll('*')].filter(e => {
        const s = getComputedStyle(e);
        return /(auto|scroll)/.test(s.overflowX) && e.scrollWidth > e.clientWidth + 1 && !e.matches('.xs-scroll, .scroll');
    }).map(e => e.tagName + '#' + e.id + '.' + e.className.toString().split(' ').slice(-2).join('.'));
    // A widget box whose children are wider than itself (ipywidgets' 2 px
    // margins did that to every full-width child): a sideways scroll, or
    // content hanging over the edge.
    const boxes = [...document.querySelectorAll('.widget-box')].filter(e => e.scrollWidth > e.clientWidth + 1)
        .map(e => e.className.toString().split(' ').slice(-2).join('.'));
    return {outside: out.slice(0, 20), scrolled, boxes};
}"""


@pytest.mark.parametrize("width", [320, 640])
def test_dashboard_stage_page_and_guide_reflow(demo_room, browser, tmp_path, width):
    """Only data tables scroll sideways (each in its own region); nothing
    else is wider than the screen, and tool names wrap."""
    from toolkit.exports import export_workshop

    guide = export_workshop(demo_room.store, demo_room.slug, "html", tmp_path / "guide.html")
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        for name, ready in (("dashboard", ".xs-heatmap-grid"), ("diagnosis", ".xs-signin-org input")):
            open_page(page, demo_room, name)
            page.locator(ready).first.wait_for(timeout=WAIT_MS)
            page.wait_for_timeout(500)
            assert page.evaluate(OUTSIDE, width) == {"outside": [], "scrolled": [], "boxes": []}, f"{name} at {width} px"
        page.goto(guide.as_uri())
        assert page.evaluate(OUTSIDE, width) == {"outside": [], "scrolled": [], "boxes": []}, f"guide at {width} px"
        # Tool names are whole, never cut off with an ellipsis.
        cut = page.evaluate("() => [...document.querySelectorAll('td.tool')].filter(td => td.scrollWidth > td.clientWidth + 1).length")
        assert cut == 0
        regions = page.evaluate("() => [...document.querySelectorAll('.scroll')].map(e => [e.getAttribute('role'), e.tabIndex, !!e.getAttribute('aria-label')])")
        assert regions and all(r == ["region", 0, True] for r in regions)
    finally:
        context.close()


# ---------------------------------------------------------------------------
# The keyboard alone


CONTROLS = "input, textarea, select, button, a[href], summary, .xs-scroll[tabindex='0']"


def test_keyboard_only_sign_in_pick_a_tool_answer_rate_and_saved(demo_room, page):
    """Sign in, pick a tool, answer, rate: Tab, type, Enter and arrow keys
    only. Every Tab stop on the way is a control, the focus ring shows on
    each, and the status lines are live regions."""
    open_page(page, demo_room, "diagnosis")
    page.locator(".xs-signin-org input").wait_for(timeout=WAIT_MS)

    # Every Tab stop before sign-in is a control (no scrolling box, no
    # empty stop), and shows a ring of 2 px or more.
    stops = []
    for _ in range(40):
        page.keyboard.press("Tab")
        now = active(page)
        if now["tag"] == "BODY":
            break
        stops.append(now)
        assert page.evaluate("(sel) => document.activeElement.matches(sel)", CONTROLS), f"a Tab stop that is not a control: {now}"
        assert focus_ring(page) >= 2, now
    assert len(stops) >= 8  # the links, the five fields, Sign in, the tool list

    page.keyboard.press("Tab")  # back to the top
    sign_in_with_keys(page, "Kofi Keys", "Harbour Library", "G", "Table 7")
    page.locator(".xs-signed-in").wait_for(state="visible", timeout=WAIT_MS)
    # The focus went on to the first answer box of the tool shown.
    first = demo_room.store.kit.tools_in("diagnosis")[0].questions[0].id
    page.wait_for_function("(sel) => document.activeElement.matches(sel)", arg=f".xs-q-{first} textarea", timeout=WAIT_MS)

    # Pick a tool from the list: it is marked current and announced.
    tool = demo_room.store.kit.tool(TOOL)
    tab_to(page, f".xs-tool-nav-{TOOL}", back=True)
    page.keyboard.press("Enter")
    page.wait_for_function("(sel) => document.querySelector(sel).getAttribute('aria-current') === 'true'", arg=f".xs-tool-nav-{TOOL}", timeout=WAIT_MS)
    assert page.locator(".xs-tool-nav [aria-current]").count() == 1
    announce = aria(page, ".xs-tool-announce")
    assert announce["role"] == "status" and announce["live"] == "polite" and announce["text"] == f"Showing tool {tool.number}: {tool.name}"

    # Answer the tool's first question; "Saved" is said in a live region.
    question = tool.questions[0].id
    page.locator(f".xs-q-{question} textarea:enabled").wait_for(state="visible", timeout=WAIT_MS)  # the panel is drawn
    tab_to(page, f".xs-q-{question} textarea")
    assert focus_ring(page) >= 2
    page.keyboard.type("We can lend the church hall on Saturdays")
    status = f".xs-question-{question} .xs-save-status"
    page.locator(status, has_text="Saved").wait_for(timeout=WAIT_MS)
    said = aria(page, status)
    assert said["role"] == "status" and said["live"] == "polite" and said["atomic"] == "true" and said["text"].startswith("Saved ")

    # Rate it: Tab into the radio group, an arrow key moves the choice.
    radios = f".xs-rating-{TOOL} input[type=radio]"
    tab_to(page, radios)
    group = page.evaluate(
        """(sel) => { const box = document.querySelector(sel).closest('[role=radiogroup]');
                      const label = box && document.getElementById(box.getAttribute('aria-labelledby'));
                      return {names: [...box.querySelectorAll('input')].map(i => i.name), label: label && label.textContent}; }""",
        radios,
    )
    assert len(set(group["names"])) == 1 and group["names"][0] and group["label"] == demo_room.store.kit.scale.question
    page.keyboard.press("ArrowRight")  # from "1 · Not at all" to "2 · A little"
    assert page.evaluate("(sel) => document.activeElement.matches(sel) && document.activeElement.checked", radios)
    assert focus_ring(page, pill=True) >= 2
    rating_status = f".xs-tool-{TOOL} .xs-rating-block > .xs-save-status"
    page.locator(rating_status, has_text="Saved").wait_for(timeout=WAIT_MS)
    assert aria(page, rating_status)["live"] == "polite"

    # 2 is low: the comment box opens, and it saves like an answer.
    tab_to(page, f".xs-tool-{TOOL} .xs-rating-comment textarea")
    page.keyboard.type("No shared list of what each partner can lend")
    page.locator(f".xs-tool-{TOOL} .xs-rating-comment-box .xs-save-status", has_text="Saved").wait_for(timeout=WAIT_MS)

    rows = demo_room.store.answer_rows(demo_room.slug, current=True)
    mine = rows[rows["participant_id"] == rows[rows["value"] == "We can lend the church hall on Saturdays"]["participant_id"].iloc[0]]
    assert set(zip(mine["kind"], mine["value"])) >= {("text", "We can lend the church hall on Saturdays"), ("rating", "2"), ("comment", "No shared list of what each partner can lend")}


BORDERS = """() => {
    const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
    const lum = (c) => { const [r, g, b] = rgb(c).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
    const behind = (el) => {
        for (let p = el.parentElement; p; p = p.parentElement) {
            const c = getComputedStyle(p).backgroundColor;
            if (c && !c.startsWith('rgba(0, 0, 0, 0)') && c !== 'transparent') return c;
        }
        return 'rgb(255, 255, 255)';
    };
    const fields = [...document.querySelectorAll('input:not([type=radio]):not([type=checkbox]):not([type=hidden]), textarea, select')]
        .filter(e => e.getClientRects().length && !e.closest('.xs-sr-only'));
    return fields.map(e => {
        const s = getComputedStyle(e);
        const [a, b] = [lum(s.borderTopColor), lum(behind(e))].sort((x, y) => y - x);
        return {field: e.tagName + '.' + (e.closest('.jupyter-widgets') || e).className.toString().split(' ').filter(c => c.startsWith('xs-')).join('.'),
                width: parseFloat(s.borderTopWidth), ratio: Math.round((a + 0.05) / (b + 0.05) * 100) / 100};
    });
}"""


def test_text_fields_have_borders_of_at_least_3_to_1(demo_room, page, sign_in):
    """WCAG 1.4.11: the edge of every text box and list (sign-in, answers,
    actions, dots) stands out at 3:1 or more from what is behind it."""
    open_page(page, demo_room, "design")
    page.locator(".xs-signin-org input").wait_for(timeout=WAIT_MS)
    sign_in(page, "Bea Border", "Harbour Library", "Community", "Table 3")
    page.locator(".xs-tool-nav button").first.wait_for(timeout=WAIT_MS)
    page.locator(".xs-body textarea:enabled").first.wait_for(state="visible", timeout=WAIT_MS)
    fields = page.evaluate(BORDERS)
    assert len(fields) >= 5, fields  # the answer boxes, the action's fields
    assert [f for f in fields if f["width"] < 1 or f["ratio"] < 3] == []
    open_page(page, demo_room, "priorities")
    page.locator(".xs-dots-remaining", has_text="dots left").wait_for(timeout=WAIT_MS)
    fields = page.evaluate(BORDERS)
    assert fields and [f for f in fields if f["width"] < 1 or f["ratio"] < 3] == []


def test_a_refused_sign_in_says_why_at_once_and_focuses_the_field(demo_room, page):
    open_page(page, demo_room, "diagnosis")
    page.locator(".xs-signin-org input").wait_for(timeout=WAIT_MS)
    tab_to(page, ".xs-signin-table input")
    page.keyboard.type("Table 8")
    tab_to(page, ".xs-signin-submit")
    page.keyboard.press("Enter")  # no organization, no sector
    message = ".xs-signin-message"
    page.locator(message, has_text="Not signed in").wait_for(timeout=WAIT_MS)
    said = aria(page, message)
    assert said["role"] == "status" and said["live"] == "assertive"
    field = "organization" if "organization" in said["text"] else "sector"
    selector = {"organization": ".xs-signin-org input", "sector": ".xs-signin-sector select"}[field]
    page.wait_for_function("(sel) => document.activeElement.matches(sel)", arg=selector, timeout=WAIT_MS)


def focus_ring(page, pill: bool = False) -> float:
    """The focused control's outline width in px, if its colour has at
    least 3:1 against the page behind it (else 0). ``pill``: the ring is
    on the label around the (invisible) radio."""
    return page.evaluate(
        """(pill) => {
            let el = document.activeElement;
            if (pill) el = el.closest('label');
            const s = getComputedStyle(el);
            if (s.outlineStyle === 'none' || s.outlineStyle === 'hidden') return 0;
            const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
            const lum = (c) => { const [r, g, b] = rgb(c).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
            let bg = 'rgb(255, 255, 255)';
            for (let p = el.parentElement; p; p = p.parentElement) {
                const c = getComputedStyle(p).backgroundColor;
                if (c && !c.startsWith('rgba(0, 0, 0, 0)') && c !== 'transparent') { bg = c; break; }
            }
            const [a, b] = [lum(s.outlineColor), lum(bg)].sort((x, y) => y - x);
            return (a + 0.05) / (b + 0.05) >= 3 ? parseFloat(s.outlineWidth) : 0;
        }""",
        pill,
    )
