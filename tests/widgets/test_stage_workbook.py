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
    assert book.notice.value == "" and book.notice.layout.display == "none"
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
