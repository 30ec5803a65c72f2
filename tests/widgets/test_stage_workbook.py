"""The stage workbook: header, navigation in any order, links, states."""

from __future__ import annotations

import html

import pytest
import traitlets

from toolkit.serve.pages import PRIORITIES_PAGE, stage_page
from widgets.stage_workbook import StageWorkbook, stage_links


@pytest.fixture
def book(kit):
    return StageWorkbook(kit, "design")


def test_header_has_the_stage(book, kit):
    stage = kit.stage("design")
    assert f"<h1>{stage.title}</h1>" in book.header.value
    assert html.escape(stage.question) in book.header.value
    assert html.escape(stage.summary) in book.header.value
    assert "Stage 2 of 4" in book.header.value
    assert {"xs-page", "xs-stage", "xs-stage-design"} <= set(book._dom_classes)


def test_tools_can_be_opened_in_any_order(book, kit):
    ids = list(kit.stage("design").tool_ids)
    assert list(book.nav.buttons) == ids
    assert list(book.panels) == [ids[0]]  # the others are built when opened
    assert book.value == ids[0]
    for tool_id in [ids[4], ids[1], ids[6]]:
        book.nav.buttons[tool_id].click()
        assert book.value == tool_id
        shown = [tid for tid, p in book.panels.items() if p.layout.display != "none"]
        assert shown == [tool_id]
        assert "xs-tool-selected" in book.nav.buttons[tool_id]._dom_classes
    assert list(book.panels) == [ids[0], ids[4], ids[1], ids[6]]
    assert list(book.panel_box.children) == list(book.panels.values())
    book.value = ids[2]
    assert book.nav.value == ids[2]
    with pytest.raises(traitlets.TraitError):
        book.nav.value = "tell-the-story"  # not in this stage


def test_unopened_tools_build_no_widgets(kit):
    """Only the selected tool's panel exists when the page is built, so the
    browser has a fraction of the widget models to fetch; opening another
    tool builds its panel once, and a panel built late starts in the page's
    current state (read-only until signed in) and reaches on_panel hooks."""
    from ipywidgets.widgets.widget import (
        _instances,  # every live model, by id (Widget.widgets is deprecated)
    )

    before = len(_instances)
    book = StageWorkbook(kit, "diagnosis")
    lean = len(_instances) - before
    seen = []
    book.on_panel(lambda panel: seen.append(panel.tool.id))
    first = kit.stage("diagnosis").tool_ids[0]
    assert seen == [first]
    per_panel = []
    for tool_id in kit.stage("diagnosis").tool_ids[1:]:
        count = len(_instances)
        book.value = tool_id
        per_panel.append(len(_instances) - count)
        assert book.panels[tool_id].form.disabled  # not signed in
    assert seen == list(kit.stage("diagnosis").tool_ids)
    assert min(per_panel) > 20
    assert lean < 2 * max(per_panel)  # the page is about one panel, not four
    count = len(_instances)
    book.value = first
    assert len(_instances) == count  # built once
    with pytest.raises(KeyError, match="unknown tool 'tell-the-story'"):
        book.panel("tell-the-story")


def test_links_to_the_other_stages_are_plain_relative_links(kit):
    links = stage_links(kit, "design")
    assert '<span aria-current="page">2. Design</span>' in links
    hrefs = [part.split('"')[0] for part in links.split('href="')[1:]]
    assert hrefs == ["stage-1-diagnosis.ipynb", "stage-3-implementation.ipynb", "stage-4-assessment.ipynb", PRIORITIES_PAGE]
    assert hrefs == [stage_page(s) for s in kit.stages if s.id != "design"] + ["priorities.ipynb"]
    on_priorities = stage_links(kit, None)
    assert 'href="priorities.ipynb"' not in on_priorities and '<span aria-current="page">Priorities</span>' in on_priorities


def test_not_signed_in_and_locked_states(book):
    panel = book.panel("share-discretion")
    assert book.notice.value == "Sign in above to answer. You can already read every tool."
    assert panel.form.disabled and panel.rating.disabled and panel.actions.disabled
    book.ready = True
    assert not panel.form.disabled and not panel.rating.disabled and not panel.actions.disabled
    # The notice is a live region: it stays in the page, empty (CSS folds it).
    assert book.notice.value == "" and book.notice.layout.display is None and "xs-live" in book.notice._dom_classes
    book.locked = True
    assert panel.form.disabled and panel.rating.disabled and panel.actions.disabled
    assert "locked" in book.notice.value and "xs-locked" in book._dom_classes
    book.locked = False
    assert "xs-locked" not in book._dom_classes and not panel.form.disabled


def test_the_notebooks_exist_for_every_stage(kit):
    from pathlib import Path

    notebooks = Path(__file__).resolve().parents[2] / "notebooks"
    for stage in kit.stages:
        assert (notebooks / stage_page(stage)).is_file()
    assert (notebooks / PRIORITIES_PAGE).is_file()


def test_state_given_at_construction_is_applied(kit):
    book = StageWorkbook(kit, "design", ready=True, locked=True)
    panel = book.panel("share-discretion")
    assert book.disabled is True and panel.disabled is True and panel.form.boxes["sd-1"].disabled
    assert "locked" in book.notice.value and "xs-locked" in book._dom_classes
    book.locked = False
    assert book.disabled is False and not panel.form.boxes["sd-1"].disabled
    assert book.notice.value == ""


def test_disabled_is_derived_and_passed_to_every_panel(book):
    first = book.panel("share-discretion")
    book.ready = True
    later = book.panel("identify-a-manager")
    assert not first.disabled and not later.disabled
    book.locked = True
    assert first.disabled and later.disabled and later.actions.add.disabled


def test_the_notice_shows_a_store_error_until_cleared(book):
    book.ready = True
    book.store_error = "The workshop could not be checked just now: the workshop store could not be read (x)."
    assert book.notice.value.startswith("The workshop could not be checked")
    assert book.notice.layout.display is None
    assert not book.disabled  # typing goes on; the saves say what happened
    book.store_error = ""
    assert book.notice.value == ""


def test_nav_done_is_a_trait(book, kit):
    ids = list(kit.stage("design").tool_ids)
    seen = []
    book.nav.observe(lambda change: seen.append(set(change["new"])), "done")
    book.set_done(ids[1], True)
    book.set_done(ids[1], True)  # no change, no event
    assert seen == [{ids[1]}]
    assert book.nav.buttons[ids[1]].description.startswith("✓ ")
    book.nav.done = set()
    assert not book.nav.buttons[ids[1]].description.startswith("✓ ")
    assert book.nav.progress.value == f"0 of {len(ids)} tools answered"
    with pytest.raises(traitlets.TraitError, match="unknown tool 'tell-the-story'"):
        book.nav.done = {"tell-the-story"}


def test_a_panel_is_for_one_tool(book):
    panel = book.panel("share-discretion")
    assert panel.value == "share-discretion"
    with pytest.raises(traitlets.TraitError, match="read-only"):
        panel.value = "identify-a-manager"


def test_closing_emits_pending_saves_runs_hooks_once_and_closes(kit, timers):
    book = StageWorkbook(kit, "design", ready=True, call_later=timers.call_later)
    saves, closed = [], []
    book.panel("share-discretion").form.on_save(lambda qid, text: saves.append((qid, text)))
    book.on_close(lambda: closed.append(True))
    book.panel("share-discretion").form.boxes["sd-1"].value = "typed just before closing"
    assert len(timers.live) == 1  # the autosave's timer
    book.close()
    assert saves == [("sd-1", "typed just before closing")]
    assert timers.live == []  # flushed: its timer is cancelled
    assert closed == [True] and book.comm is None
    book.close()
    assert closed == [True]


def test_the_browser_closing_the_comm_closes_the_page(book):
    closed = []
    book.on_close(lambda: closed.append(True))
    book.comm.handle_close({"content": {"comm_id": book.comm.comm_id, "data": {}}})
    assert closed == [True]
    assert book.comm is None
