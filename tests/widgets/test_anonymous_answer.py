"""'Answer without my name' in the workbook: offered under a question the
content flags as sensitive only, saved with the answer (ticking it saves
again), ticked again when the participant comes back, and the answer shows
unattributed in the dashboard's feed."""

from __future__ import annotations

import pytest

from widgets.question_form import QuestionForm

TOOL = "account-for-resources"
SENSITIVE = "afr-1"
PLAIN = "afr-2"


@pytest.fixture
def form(kit):
    return QuestionForm(kit.tool(TOOL))


def test_the_checkbox_is_under_each_sensitive_question_only(form, kit):
    tool = kit.tool(TOOL)
    flagged = [q.id for q in tool.questions if q.sensitive]
    assert flagged == ["afr-1", "afr-5"] and list(form.anonymous_boxes) == flagged
    check = form.anonymous_boxes[SENSITIVE]
    assert check.description == "Answer without my name" and "xs-q-anonymous" in check._dom_classes
    assert form.rows[SENSITIVE].children == (form.boxes[SENSITIVE], check, form.counters[SENSITIVE], form.statuses[SENSITIVE])
    assert form.rows[PLAIN].children == (form.boxes[PLAIN], form.counters[PLAIN], form.statuses[PLAIN])
    assert not form.is_anonymous(SENSITIVE) and not form.is_anonymous(PLAIN)
    form.disabled = True
    assert check.disabled


def test_ticking_saves_the_answer_again_and_ticking_back_too(form):
    saves = []
    form.on_save(lambda qid, text: saves.append((qid, text, form.is_anonymous(qid))))
    form.anonymous_boxes[SENSITIVE].value = True  # nothing typed yet: nothing to save
    assert form.pending == ()
    form.boxes[SENSITIVE].value = "We owe the bank"
    form.flush()
    assert saves == [(SENSITIVE, "We owe the bank", True)]
    form.mark_saved(SENSITIVE, "We owe the bank", 0.0)
    form.anonymous_boxes[SENSITIVE].value = False
    assert form.pending == (SENSITIVE,) and form.statuses[SENSITIVE].value == "Saving…"
    form.flush()
    assert saves[-1] == (SENSITIVE, "We owe the bank", False)
    form.mark_saved(SENSITIVE, "We owe the bank", 0.0)
    # Ticked and unticked again before the save: nothing changed, nothing sent.
    form.anonymous_boxes[SENSITIVE].value = True
    form.anonymous_boxes[SENSITIVE].value = False
    form.flush()
    assert len(saves) == 2


def test_load_ticks_without_saving(form):
    saves = []
    form.on_save(lambda qid, text: saves.append(qid))
    form.load({SENSITIVE: "We owe the bank", PLAIN: "x"}, anonymous={SENSITIVE})
    assert form.is_anonymous(SENSITIVE) and form.pending == ()
    form.flush()
    assert saves == []


def test_the_session_saves_the_choice_and_shows_it_again(sqlite_store, workshop, sign_in):
    from widgets.session import Session

    device = "w" * 43  # the browser's device token, as the room's cookie carries it
    session = Session(sqlite_store, workshop.slug, poll_seconds=0, device=device)
    book = session.stage_workbook("diagnosis")
    person = sign_in(session, name="Wanda", organization="Credit Union", table="Table 7", sector="business")
    panel = book.panel(TOOL)
    panel.form.boxes[SENSITIVE].value = "We lost a grant"
    panel.form.anonymous_boxes[SENSITIVE].value = True
    panel.form.boxes[PLAIN].value = "Staff time"
    session.flush()
    assert sqlite_store.anonymous_questions(workshop.slug, person.id) == {SENSITIVE}
    assert panel.form.statuses[SENSITIVE].value.startswith("Saved")

    # The same browser reloads (a new kernel): the box comes back ticked.
    again = Session(sqlite_store, workshop.slug, poll_seconds=0, device=device)
    assert again.participant.id == person.id
    form2 = again.stage_workbook("diagnosis").panel(TOOL).form
    assert form2.boxes[SENSITIVE].value == "We lost a grant" and form2.is_anonymous(SENSITIVE)
    # Unticking saves the same text with the name.
    form2.anonymous_boxes[SENSITIVE].value = False
    again.flush()
    assert sqlite_store.anonymous_questions(workshop.slug, person.id) == set()
    assert sqlite_store.current_for(workshop.slug, person.id)[("text", TOOL, SENSITIVE)] == "We lost a grant"

    # The first tab learns it from its poll: the box is unticked there too.
    session.sync()
    assert panel.form.boxes[SENSITIVE].value == "We lost a grant" and not panel.form.is_anonymous(SENSITIVE)


def test_the_dashboard_feed_shows_the_answer_without_anyone(sqlite_store, workshop):
    from toolkit.store import AnswerStore
    from widgets.dashboard import ALL_TOOLS, Dashboard

    slug = workshop.slug
    wanda = sqlite_store.add_participant(slug, name="Wanda Wren", organization="Credit Union", sector="business", table="Table 7")
    sqlite_store.save_answer(slug, wanda.id, TOOL, SENSITIVE, "We lost a grant", anonymous=True)
    sqlite_store.save_answer(slug, wanda.id, TOOL, PLAIN, "Staff time")
    dash = Dashboard(AnswerStore(sqlite_store.url, read_only=True), slug=slug, start=False)
    dash.refresh()
    for tool_id in (ALL_TOOLS, TOOL):
        dash.feed_picker.value = tool_id
        feed = dash.feed.value
        item = feed[feed.index("We lost a grant") :]
        item = item[: item.index("</div></div>") + 12]
        assert "Answered without a name" in item
        assert not any(w in item for w in ("Wanda", "Credit Union", "Table 7", "Business"))
        assert "Wanda Wren (Credit Union)" in feed  # her other answer is hers
