"""The presenter view (widgets/presenter.py), headless: its sections, the
console's choice of section, cycling, the join box and the rule it shows
by (no names, small groups, hidden answers, today's scope)."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from toolkit.errors import ToolkitError
from toolkit.store import AnswerStore
from toolkit.store import room_keys
from toolkit.store.demo import create_demo
from toolkit.store.values import SCREENS
from widgets.presenter import TITLES, Presenter, qr_data_uri, render_join

LINK = "http://10.0.0.5:8866/join/K7QM4P"


@pytest.fixture
def demo(sqlite_store):
    ws = create_demo(sqlite_store)
    sqlite_store.update_settings(ws.slug, ratings_revealed=True)
    return sqlite_store, ws.slug


@pytest.fixture
def view(demo):
    store, slug = demo
    ro = AnswerStore(store.url, read_only=True)
    now = [1_800_000_000.0]
    v = Presenter(ro, slug=slug, start=False, join_url=LINK, join_code="K7QM4P", clock=lambda: now[0])
    v.now = now  # type: ignore[attr-defined]
    yield v
    v.close()
    ro.close()


def test_refuses_a_writable_store(demo):
    with pytest.raises(ToolkitError, match="read_only=True"):
        Presenter(demo[0], start=False)


def test_every_section_draws_and_who_is_here_lists_no_one(demo, view):
    store, slug = demo
    names = [p.name for p in store.participants(slug) if p.name]
    seen = {}
    for section in SCREENS:
        view.value = section
        assert TITLES[section] in view.title.value
        seen[section] = view.screen.value
    assert not [n for n in names if n in seen["here"]]  # counts on the wall, not a list of people
    assert '<div class="xs-tile-n">12</div>' in seen["here"]
    assert "xs-presenter-table" in seen["progress"] and "Table 4" in seen["progress"]
    assert "xs-heatmap-grid" in seen["heatmap"] and "Stage " in seen["heatmap"]
    assert "xs-divergence-item" in seen["divergence"]
    assert seen["priorities"].count('class="xs-dots-item') == 7
    assert seen["feed"].count('class="xs-feed-item"') == 6 and "xs-feed-id" not in seen["feed"]
    assert "xs-presenter-report" in seen["report"] and "No table has written a table answer yet." in seen["report"]


def test_the_report_back_on_the_wall_shows_each_tables_answers_as_text(demo, view):
    store, slug = demo
    p = store.participants(slug)[0]
    tool = store.kit.tool(1)
    store.save_table_answer(slug, p.table, tool.id, tool.questions[0].id, "<script>x()</script> our answer", participant_id=p.id)
    view.refresh()
    view.value = "report"
    html = view.screen.value
    assert f"<h3>{p.table}</h3>" in html and "&lt;script&gt;x()&lt;/script&gt; our answer" in html and "<script>" not in html
    assert TITLES["report"] == "What the tables said" and "What the tables said" in view.title.value


def test_the_join_box_has_the_link_the_code_and_a_local_qr_code(view):
    html = view.join.value
    assert "K7QM4P" in html and LINK.replace("/", "/<wbr>") in html
    src = qr_data_uri(LINK)
    assert f'src="{src}"' in html and src.startswith("data:image/png;base64,")
    base64.b64decode(src.split(",", 1)[1], validate=True)  # a PNG made here, nothing fetched
    import segno
    import zxingcpp

    matrix = np.array([[0 if dark else 255 for dark in row] for row in segno.make(LINK, error="m").matrix_iter(scale=4, border=4)], dtype=np.uint8)
    assert [r.text for r in zxingcpp.read_barcodes(matrix)] == [LINK]
    assert "Ask the facilitator for the link" in render_join("", "")


def test_a_join_code_made_new_while_serving_is_shown(demo, view):
    store, slug = demo
    code = room_keys.join_code(store, slug)  # the code workshop serve made
    view.join_code, view.join_url = code, f"http://10.0.0.5:8866/join/{code}"
    new = room_keys.join_code(store, slug, new=True)
    view.refresh()
    assert view.join_code == new and view.join_url.endswith(f"/join/{new}") and new in view.join.value


def test_it_follows_the_consoles_section_and_cycles(demo, view):
    store, slug = demo
    store.show_screen(slug, "priorities")
    view.refresh()
    assert view.value == "priorities" and view.slider.value == "priorities"
    view.step(1)  # the arrow keys or the buttons still move it
    assert view.value == "feed"
    view.refresh()  # the same console setting is not applied twice
    assert view.value == "feed"
    view.next.click()
    assert view.value == "report"  # what the tables said, last
    view.next.click()
    assert view.value == "here"
    view.cycling = True
    view.now[0] += view.cycle_seconds + 1
    view.tick()
    assert view.value == "progress"
    store.show_screen(slug, "heatmap")
    view.refresh()
    assert view.value == "heatmap" and not view.cycling  # the facilitator took over


def test_small_groups_hidden_answers_and_the_plan_hold_on_the_wall(demo, view):
    store, slug = demo
    store.update_settings(slug, min_group=4)  # no sector of the demo has four raters
    newest = store.answer_rows(slug, current=True).query("kind == 'text'").iloc[-1]
    store.hide_answer(slug, int(newest["id"]))
    store.set_plan(slug, [("5", None)])
    view.refresh()
    view.value = "heatmap"
    heat = view.screen.value
    assert "fewer than 4" in heat and "xs-mean" not in heat.split("All sectors", 1)[1].split("</thead>")[0]
    view.value = "feed"
    assert newest["value"] not in view.screen.value
    view.value = "divergence"
    assert "No tool is flagged" in view.screen.value  # no sector has a mean to compare


def test_the_timer_and_the_current_stages_lock_count_down(demo, view):
    store, slug = demo
    view.now[0] = __import__("time").time()
    store.start_timer(slug, 90)
    store.lock_with_notice(slug, view._stage.id, 60)
    view.refresh()

    def left() -> int:
        import re

        m, s = re.search(r'xs-timer-left">(\d+):(\d\d)<', view.room.timer.value).groups()
        return int(m) * 60 + int(s)

    assert 85 <= left() <= 91
    assert f"The {view._stage.title} stage locks in" in view.room.countdown.value
    before = left()
    view.now[0] += 30
    view.tick()
    assert left() == before - 30
    view.now[0] += 100
    view.tick()
    assert "Time is up" in view.room.timer.value and view.room.countdown.value == ""


def test_its_controls_carry_the_accessibility_hooks(view):
    """a11y.js names the slider's handle and says the section by its
    readout (xs-slider); the room's announcements are a live region that
    stays in the page (xs-live)."""
    from widgets.style import LIVE, SLIDER

    assert SLIDER in view.slider._dom_classes and view.slider.description == "Section"
    assert [label for label, _ in view.slider.options] == [TITLES[s] for s in SCREENS]  # the readout says the section
    assert LIVE in view.room.announce._dom_classes and view.room.announce.layout.display is None
