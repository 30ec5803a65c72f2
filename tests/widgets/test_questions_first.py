"""Issue #19 without a browser: "About this tool" collapsed and shared by
the page's tools, "Next tool", the tool picker, the page's saved line, the
counter near the limit, dots as buttons, and messages that name tools and
questions by number."""

from __future__ import annotations

import pytest

from toolkit.store import checks
from toolkit.store.checks import MAX_ANSWER_CHARS
from widgets.autosave import CharCount, SavedSummary, SaveStatus
from widgets.dot_vote import NO_DOTS_LEFT, DotVote
from widgets.stage_workbook import StageWorkbook
from widgets.tool_card import ToolCard


def test_about_this_tool_is_collapsed_and_opens_with_its_button(kit):
    card = ToolCard(kit, kit.tool("engage-potential-partners"))
    assert not card.expanded and card.details.layout.display == "none"
    assert card.toggle.description == "About this tool" and "xs-expander" in card.toggle._dom_classes
    assert card.children == (card.header, card.toggle, card.details)
    card.toggle.click()
    assert card.expanded and card.details.layout.display is None and "xs-expanded" in card.toggle._dom_classes
    card.toggle.click()
    assert not card.expanded and card.details.layout.display == "none" and "xs-expanded" not in card.toggle._dom_classes


def test_the_page_keeps_about_open_for_every_tool(kit):
    book = StageWorkbook(kit, "design")
    first, second = (t.id for t in kit.tools_in("design")[:2])
    book.panel(first).card.toggle.click()
    assert book.about_open
    book.value = second
    assert book.panels[second].card.expanded  # built after: opens as left
    book.panels[second].card.toggle.click()
    assert not book.about_open and not book.panels[first].card.expanded


def test_next_tool_follows_the_list_and_the_last_links_the_next_page(kit):
    book = StageWorkbook(kit, "design", order=(["share-discretion", "build-a-common-fact-base"], [t.id for t in kit.tools_in("design") if t.id not in ("share-discretion", "build-a-common-fact-base")]))
    book.ready = True
    panel = book.panel("share-discretion")
    assert panel.next_tool.description == "Next tool: 6. Build a Common Fact Base"
    focused = []
    for p in [panel, book.panel("build-a-common-fact-base")]:
        for box in p.form.boxes.values():
            box.focus = lambda box=box: focused.append(box)
    panel.next_tool.click()
    assert book.value == "build-a-common-fact-base"
    assert focused == [next(iter(book.panels["build-a-common-fact-base"].form.boxes.values()))]
    last = book.panel(book.nav.order[-1])
    assert last.next_tool.layout.display == "none" and last.next_page.layout.display is None
    assert 'href="stage-3-implementation.ipynb"' in last.next_page.value and "Next: Stage 3, Implementation" in last.next_page.value
    assert book.next_tool(last.tool.id) is None


def test_the_last_stage_leads_to_the_priorities_page(kit):
    book = StageWorkbook(kit, "assessment")
    last = book.panel(book.nav.order[-1])
    assert 'href="priorities.ipynb"' in last.next_page.value


def test_the_picker_is_the_same_choice_with_ticks_and_the_plan_order(kit):
    book = StageWorkbook(kit, "design")
    nav = book.nav
    ids = [t.id for t in kit.tools_in("design")]
    assert [v for _label, v in nav.picker.options] == ids and nav.picker.value == ids[0]
    nav.picker.value = ids[2]
    assert book.value == ids[2]
    nav.set_done(ids[1], True)
    assert nav.picker.options[1][0].startswith("✓ ") and nav.picker.value == ids[2]
    book.set_order([ids[3]], [i for i in ids if i != ids[3]])
    assert nav.picker.options[0] == (nav.buttons[ids[3]].description, ids[3])
    assert nav.picker.options[1][0].endswith("(not in today's plan)")
    assert nav.picker.value == book.value


def test_the_saved_line_says_the_worst_of_the_page(kit):
    line = SavedSummary()
    a, b = SaveStatus(), SaveStatus()
    line.watch(a, b)
    assert line.value == ""  # nobody signed in
    line.active = True
    assert line.value == "All your answers here are saved." and "xs-page-saved-saved" in line._dom_classes and "xs-quiet" in line._dom_classes
    a.editing()
    assert line.value == "Saving…"
    b.retrying("the workshop store is busy")
    assert line.state == "retrying" and line.value.startswith("Not everything is saved yet")
    assert "xs-quiet" not in line._dom_classes  # trouble is read out; "saved" and "saving" are not
    a.failed("x")
    b.failed("y")
    assert line.value == "2 answers on this page are not saved: see the red lines below."
    assert {"xs-page-saved-error", "xs-live-alert"} <= set(line._dom_classes)
    a.saved(0)
    b.saved(0)
    assert line.value == "All your answers here are saved." and "xs-live-alert" not in line._dom_classes


def test_the_workbook_counts_every_box_of_its_tools(kit):
    book = StageWorkbook(kit, "design")
    book.ready = True
    panel = book.panel("share-discretion")
    assert book.saved.value == "All your answers here are saved."
    panel.form.boxes["sd-1"].value = "typing"
    assert book.saved.value == "Saving…"
    panel.form.mark_failed("sd-1", "no")
    assert book.saved.value == "1 answer on this page is not saved: see the red line below."


def test_the_counter_shows_near_the_limit_and_the_box_carries_it(kit):
    book = StageWorkbook(kit, "design")
    form = book.panel("share-discretion").form
    box, counter = form.boxes["sd-1"], form.counters["sd-1"]
    assert f"xs-maxlength-{MAX_ANSWER_CHARS}" in box._dom_classes
    box.value = "x" * 100
    assert counter.layout.display == "none" and counter.value == ""
    box.value = "x" * 18_250
    assert counter.layout.display is None and counter.value == "18,250 of 20,000 characters"
    box.value = "x" * MAX_ANSWER_CHARS
    assert counter.value == "20,000 of 20,000 characters: the most an answer can hold."
    assert "xs-char-count-full" in counter._dom_classes
    small = CharCount(10)
    small.count("x" * 9)
    assert small.value == "9 of 10 characters" and "xs-char-count-full" not in small._dom_classes


@pytest.fixture
def vote(kit):
    return DotVote(kit, budget=3)


def test_a_tool_places_a_dot_and_a_dot_is_taken_back(vote):
    seen = []
    vote.on_change(seen.append)
    row = vote.counts["share-discretion"]
    row.add.click()
    row.add.click()
    assert row.value == 2 and vote.value["share-discretion"] == 2 and seen == [{"share-discretion": 1}, {"share-discretion": 2}]
    assert [d.layout.display for d in row.dots] == [None, None] and row.placed.value == "2 dots"
    assert row.dots[0].tooltip == "Take back a dot from 9. Share Discretion" and row.dots[0].description == ""
    assert vote.remaining.value.count("xs-budget-dot-used") == 2 and "1 of 3 dots left" in vote.remaining.value
    row.dots[0].click()
    assert row.value == 1 and seen[-1] == {"share-discretion": 1}
    assert [d.layout.display for d in row.dots] == [None, "none"]


def test_no_dot_left_is_said_beside_the_tool_and_places_nothing(vote):
    vote.counts["share-discretion"].value = 3
    other = vote.counts["tell-the-story"]
    assert vote.place("tell-the-story") is False
    assert other.value == 0 and other.status.value == NO_DOTS_LEFT and other.status.state == "error"
    vote.counts["share-discretion"].dots[0].click()  # one back: the next change starts afresh
    assert other.status.value == ""
    assert vote.place("tell-the-story") and other.value == 1


def test_a_refusal_is_shown_beside_its_tool_and_the_count_put_back(vote):
    vote.counts["share-discretion"].add.click()
    vote.mark_failed("6 dots placed but each participant has 5; take some back first", "share-discretion")
    assert vote.counts["share-discretion"].value == 0
    assert vote.counts["share-discretion"].status.value.startswith("Not saved: 6 dots placed")
    assert vote.status.value == ""


def test_disabled_dots_cannot_be_placed_or_taken_back(vote):
    row = vote.counts["share-discretion"]
    row.value = 1
    vote.disabled = True
    assert row.add.disabled and row.dots[0].disabled
    row.add.click()
    row.take_back()
    assert row.value == 1


def test_messages_name_tools_and_questions_by_number(kit, sqlite_store, workshop):
    tool = kit.tool("engage-potential-partners")
    assert checks.named(tool, "epp-2") == "question 2 of tool 1" and checks.named(tool) == "tool 1"
    who = sqlite_store.add_participant(workshop.slug, organization="City", sector="government", table="1")
    with pytest.raises(Exception) as info:
        sqlite_store.save_answer(workshop.slug, who.id, tool.id, "epp-2", "x" * (MAX_ANSWER_CHARS + 1))
    assert str(info.value).startswith("answer to question 2 of tool 1: 20,001 characters is over the limit")
    with pytest.raises(Exception) as info:
        sqlite_store.save_dots(workshop.slug, who.id, {"share-discretion": -1})
    assert str(info.value).startswith("dots for tool 9: expected a whole number")
