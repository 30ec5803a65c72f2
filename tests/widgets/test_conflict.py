"""No silent overwrite, headless (issue #12 item 4): one participant in two
tabs (two Sessions on one device). A newer answer replaces a box with no
unsaved edits; a save on a stale version shows both texts and the three
choices, and after the choice the store holds the chosen text and the
history holds both. Ratings, comments, dots and actions follow too."""

from __future__ import annotations

import pytest

from widgets.conflict import ConflictChoice, merged
from widgets.session import Session

DEVICE = "t" * 43
TOOL = "engage-potential-partners"
Q = "epp-1"
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def tabs(sqlite_store, workshop, sign_in):
    """Tab A and tab B of one browser, both on the Diagnosis page, signed in
    once (tab B knows the participant from the device)."""
    a = Session(sqlite_store, workshop.slug, poll_seconds=0, autosave_delay=0, device=DEVICE)
    book_a = a.stage_workbook("diagnosis")
    sign_in(a, name="Ana")
    b = Session(sqlite_store, workshop.slug, poll_seconds=0, autosave_delay=1, device=DEVICE)
    book_b = b.stage_workbook("diagnosis")
    assert b.participant.id == a.participant.id
    return a, book_a.panel(TOOL), b, book_b.panel(TOOL)


def current(store, slug, pid, kind="text", tool=TOOL, q=Q):
    return store.current_for(slug, pid).get((kind, tool, q))


def test_a_newer_answer_replaces_a_box_with_no_unsaved_edits(tabs, sqlite_store, workshop):
    a, panel_a, b, panel_b = tabs
    panel_a.form.boxes[Q].value = "tab A's text"
    assert panel_b.form.boxes[Q].value == ""
    b.sync()
    assert panel_b.form.boxes[Q].value == "tab A's text"
    assert panel_b.form.statuses[Q].value == "Saved"
    assert panel_b.form.fields[Q].choice is None  # no conflict, nothing built for one
    # B's next save is on A's version: it goes through.
    panel_b.form.boxes[Q].value = "tab B builds on it"
    b.flush()
    assert current(sqlite_store, workshop.slug, a.participant.id) == "tab B builds on it"
    assert sqlite_store.superseded(workshop.slug) == []


def _stale_conflict(tabs, store, slug):
    """Both tabs show "start"; B types; A saves meanwhile; B's save is refused."""
    a, panel_a, b, panel_b = tabs
    panel_a.form.boxes[Q].value = "start"
    b.sync()
    panel_b.form.boxes[Q].value = "tab B's text " + XSS  # typing: the save is pending
    panel_a.form.boxes[Q].value = "tab A's text"
    b.sync()
    assert panel_b.form.boxes[Q].value.startswith("tab B's text")  # what B typed stays
    b.flush()
    field = panel_b.form.fields[Q]
    assert field.in_conflict
    return field


def test_a_stale_save_shows_both_texts_and_three_choices(tabs, sqlite_store, workshop):
    a, _, b, panel_b = tabs
    field = _stale_conflict(tabs, sqlite_store, workshop.slug)
    choice = field.choice
    assert isinstance(choice, ConflictChoice) and choice in panel_b.form.rows[Q].children
    for hook_ in ("xs-conflict",):
        assert hook_ in choice._dom_classes
    assert "xs-conflict-mine" in choice.keep_mine._dom_classes
    assert "xs-conflict-theirs" in choice.keep_theirs._dom_classes
    assert "xs-conflict-merge" in choice.merge._dom_classes
    assert (choice.mine, choice.theirs) == ("tab B's text " + XSS, "tab A's text")
    assert "tab B&#x27;s text &lt;img src=x onerror=alert(1)&gt;" in choice.texts.value and "<img" not in choice.texts.value
    assert panel_b.form.statuses[Q].value == "Not saved: changed in another tab or on another device; choose below what to keep"
    # Nothing was saved over A's text; B's is in the history.
    assert current(sqlite_store, workshop.slug, a.participant.id) == "tab A's text"
    assert [s.value for s in sqlite_store.superseded(workshop.slug)] == ["tab B's text " + XSS]
    # Typing while the choice is open saves nothing.
    panel_b.form.boxes[Q].value = "tab B's text, more"
    b.flush()
    assert current(sqlite_store, workshop.slug, a.participant.id) == "tab A's text"


def test_keep_mine_saves_mine_over_theirs_and_the_history_has_both(tabs, sqlite_store, workshop):
    a, _, b, panel_b = tabs
    field = _stale_conflict(tabs, sqlite_store, workshop.slug)
    field.choice.keep_mine.click()
    assert not field.in_conflict
    pid = a.participant.id
    assert current(sqlite_store, workshop.slug, pid) == "tab B's text " + XSS
    history = list(sqlite_store.answer_rows(workshop.slug)["value"])
    assert history == ["start", "tab A's text", "tab B's text " + XSS]
    assert panel_b.form.statuses[Q].value.startswith("Saved ")


def test_keep_theirs_shows_theirs_and_saves_nothing(tabs, sqlite_store, workshop):
    a, _, b, panel_b = tabs
    field = _stale_conflict(tabs, sqlite_store, workshop.slug)
    field.choice.keep_theirs.click()
    assert panel_b.form.boxes[Q].value == "tab A's text"
    assert not field.in_conflict and not field.dirty
    b.flush()
    assert current(sqlite_store, workshop.slug, a.participant.id) == "tab A's text"
    assert len(sqlite_store.answer_rows(workshop.slug)) == 2
    assert [s.value for s in sqlite_store.superseded(workshop.slug)] == ["tab B's text " + XSS]


def test_merge_puts_both_in_the_box_and_saves_the_edited_text(tabs, sqlite_store, workshop):
    a, _, b, panel_b = tabs
    field = _stale_conflict(tabs, sqlite_store, workshop.slug)
    field.choice.merge.click()
    assert panel_b.form.boxes[Q].value == "tab A's text\n\ntab B's text " + XSS
    panel_b.form.boxes[Q].value = "tab A's and tab B's, merged"
    b.flush()
    assert current(sqlite_store, workshop.slug, a.participant.id) == "tab A's and tab B's, merged"
    # Tab A learns of it on its next look, and has no conflict of its own.
    a.sync()
    assert tabs[1].form.boxes[Q].value == "tab A's and tab B's, merged"


def test_merged_starting_text():
    assert merged("theirs", "mine") == "theirs\n\nmine"
    assert merged("", "mine") == "mine" and merged("theirs", "  ") == "theirs" and merged("same", "same") == "same"


def test_a_rating_changed_elsewhere_shows_theirs_and_use_mine(tabs, sqlite_store, workshop):
    a, panel_a, b, panel_b = tabs
    panel_a.rating.buttons.value = 4
    panel_b.rating.buttons.value = 2  # B had not seen A's rating yet
    notice = panel_b.rating.elsewhere
    assert notice is not None and notice.showing and "xs-changed-elsewhere" in notice._dom_classes
    assert notice.text.value == "Changed in another tab or on another device: showing 4 · Mostly; yours was 2 · A little."
    assert panel_b.rating.value == 4
    pid = a.participant.id
    assert current(sqlite_store, workshop.slug, pid, "rating", q="") == "4"
    assert "xs-use-mine" in notice.use_mine._dom_classes
    notice.use_mine.click()
    assert current(sqlite_store, workshop.slug, pid, "rating", q="") == "2"
    assert panel_b.rating.value == 2 and not notice.showing
    a.sync()
    assert panel_a.rating.value == 2


def test_a_comment_in_conflict_offers_the_same_choice(tabs, sqlite_store, workshop):
    a, panel_a, b, panel_b = tabs
    panel_a.rating.buttons.value = 1
    b.sync()
    assert panel_b.rating.comment_visible
    panel_b.rating.comment.value = "B: no data"
    panel_a.rating.comment.value = "A: no budget"
    panel_a.rating.flush()
    b.flush()
    field = panel_b.rating.comment_field
    assert field.in_conflict and field.choice in panel_b.rating.comment_box.children
    field.choice.keep_theirs.click()
    assert panel_b.rating.comment.value == "A: no budget"
    assert [s.value for s in sqlite_store.superseded(workshop.slug)] == ["B: no data"]


def test_dots_changed_elsewhere_show_theirs_and_use_mine(sqlite_store, workshop, sign_in):
    a = Session(sqlite_store, workshop.slug, poll_seconds=0, device=DEVICE)
    votes_a = a.priorities()
    sign_in(a)
    b = Session(sqlite_store, workshop.slug, poll_seconds=0, device=DEVICE)
    votes_b = b.priorities()
    votes_a.vote.counts[TOOL].value = 3
    b.sync()
    assert votes_b.vote.counts[TOOL].value == 3  # shown without a save
    votes_a.vote.counts[TOOL].value = 1
    votes_b.vote.counts[TOOL].value = 2  # on the stale 3
    notice = votes_b.vote.elsewhere
    assert notice.showing and notice.text.value.startswith("Changed in another tab or on another device: showing 1 on 1. Engage Potential Partners; yours was 2")
    assert votes_b.vote.counts[TOOL].value == 1
    notice.use_mine.click()
    assert sqlite_store.current_for(workshop.slug, a.participant.id)[("dots", TOOL, "")] == "2"


def test_actions_added_elsewhere_appear(tabs, sqlite_store, workshop):
    a, panel_a, b, panel_b = tabs
    b.sync()  # the first look notes the actions as they are
    panel_a.actions.what.value = "Map the partners"
    panel_a.actions.owner.value = "Ana"
    panel_a.actions.add.click()
    assert panel_b.actions.value == []
    b.sync()
    assert [x["what"] for x in panel_b.actions.value] == ["Map the partners"]


def test_sync_reads_only_what_is_new_and_ignores_other_people(tabs, sqlite_store, workshop, sign_in):
    a, panel_a, b, panel_b = tabs
    other = Session(sqlite_store, workshop.slug, poll_seconds=0, autosave_delay=0)
    other_book = other.stage_workbook("diagnosis")
    sign_in(other, name="Ben")
    other_book.panel(TOOL).form.boxes[Q].value = "Ben's answer"
    b.sync()
    assert panel_b.form.boxes[Q].value == ""
    seen = b._seen_id
    panel_a.form.boxes[Q].value = "mine"
    b.sync()
    assert b._seen_id > seen and panel_b.form.boxes[Q].value == "mine"
