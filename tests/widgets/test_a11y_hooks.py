"""The accessibility hooks on the built widgets (issue #17): which widgets
are live regions, the rating as one radio group labelled by its question,
the tool shown marked current and announced, and where the keyboard focus
goes after a sign-in. The served page's a11y.js turns the hooks into ARIA;
tests/browser/test_a11y.py checks that in Chromium."""

from __future__ import annotations

import ipywidgets as widgets
import pytest

from widgets.style import CURRENT, GROUP, GROUP_LABEL, LIVE, LIVE_LOCAL, RADIOGROUP


@pytest.fixture
def focused(monkeypatch):
    """The widgets sent a ``focus`` message, in order (ipywidgets 8's
    ``widget.focus()`` is that message to the widget's view)."""
    sent: list[widgets.Widget] = []
    real = widgets.DOMWidget.send

    def send(self, content, buffers=None):
        if content == {"do": "focus"}:
            sent.append(self)
        return real(self, content, buffers)

    monkeypatch.setattr(widgets.DOMWidget, "send", send)
    return sent


def test_status_lines_and_messages_are_live_regions(session, sign_in):
    book = session.stage_workbook("design")
    votes = session.priorities()
    sign_in(session)
    panel = book.panel("share-discretion")
    assert LIVE in book.notice._dom_classes and LIVE in votes.notice._dom_classes
    assert LIVE in session.signin.message._dom_classes
    assert LIVE in panel.actions.message._dom_classes
    assert LIVE in votes.vote.remaining._dom_classes
    statuses = [panel.form.statuses["sd-1"], panel.rating.status, panel.rating.comment_status, votes.vote.status]
    assert all(LIVE_LOCAL in s._dom_classes and LIVE not in s._dom_classes for s in statuses)
    # A box's status sits beside its box, in the same parent: a11y.js
    # announces it while the focus is in that parent.
    question = next(w for w in panel.form.children if panel.form.statuses["sd-1"] in getattr(w, "children", ()))
    assert panel.form.boxes["sd-1"] in question.children


def test_the_notice_stays_in_the_page_while_empty(session, sign_in):
    book = session.stage_workbook("design")
    assert book.notice.value.startswith("Sign in above")
    sign_in(session)
    assert book.notice.value == "" and book.notice.layout.display is None


def test_the_rating_is_one_radio_group_labelled_by_its_question(session, kit):
    rating = session.stage_workbook("design").panel("share-discretion").rating
    assert isinstance(rating.buttons, widgets.RadioButtons)
    assert RADIOGROUP in rating.buttons._dom_classes and GROUP in rating._dom_classes
    assert GROUP_LABEL in rating.question._dom_classes
    assert rating.question.value.startswith(f"<h3>{kit.scale.question}</h3>")
    assert rating.children.index(rating.question) < rating.children.index(rating.buttons)


def test_the_tool_shown_is_current_and_announced(session, kit):
    book = session.stage_workbook("design")
    first, second = kit.tools_in("design")[:2]
    assert [t for t, b in book.nav.buttons.items() if CURRENT in b._dom_classes] == [first.id]
    book.value = second.id
    assert [t for t, b in book.nav.buttons.items() if CURRENT in b._dom_classes] == [second.id]
    assert book.nav.announce.value == f"Showing tool {second.number}: {second.name}"
    assert LIVE in book.nav.announce._dom_classes and "xs-sr-only" in book.nav.announce._dom_classes


def test_after_sign_in_the_focus_goes_to_the_first_answer_box(session, sign_in, focused, kit):
    book = session.stage_workbook("design")
    first = kit.tools_in("design")[0]
    sign_in(session)
    assert focused == [book.panel(first.id).form.boxes[first.questions[0].id]]


def test_after_sign_in_on_the_priorities_page_the_focus_goes_to_the_first_tool(session, sign_in, focused, kit):
    votes = session.priorities()
    sign_in(session)
    assert focused == [votes.vote.counts[kit.tools[0].id].add]


def test_on_a_locked_stage_the_focus_goes_to_the_tool_shown(session, sign_in, focused, sqlite_store, workshop, kit):
    sqlite_store.lock_stage(workshop.slug, "design")
    book = session.stage_workbook("design")
    sign_in(session)
    # The picker (shown on a phone) and the button (on a wide screen): the
    # one hidden by the CSS takes no focus.
    assert book.locked and focused == [book.nav.picker, book.nav.buttons[kit.tools_in("design")[0].id]]


@pytest.mark.parametrize(
    "fields, wanted",
    [
        ({"organization": ""}, "organization"),
        ({"table": "  "}, "table"),
        ({"sector": ""}, "sector"),
    ],
)
def test_a_refused_sign_in_focuses_the_field_it_names(session, sign_in, focused, fields, wanted):
    sign_in(session, **fields)
    assert session.participant is None
    assert session.signin.message.value.startswith("Not signed in:") and "xs-message-error" in session.signin.message._dom_classes
    assert focused == [session.signin.inputs[wanted]]
