"""A table working together on its pages (issue #15), headless: two or three
Sessions on one store, each a member's page (or a table's shared laptop);
``session.sync()`` is the poll the kernel runs every few seconds."""

from __future__ import annotations

import pytest

from toolkit.frames.tables import NO_RATINGS, rating_spread
from toolkit.frames.views import TABLE_DEVICE
from widgets.session import Session
from widgets.table_view import Mate, TableQuestion, TableView

TOOL = "engage-potential-partners"  # stage 1's first tool: its panel is built with the page
Q, Q2 = "epp-1", "epp-2"


def member(store, workshop, name, sector="government", table="Table 1", **kwargs):
    """A member's page: signed in, the diagnosis workbook open."""
    session = Session(store, workshop.slug, poll_seconds=0, sync_seconds=0, **kwargs)
    book = session.stage_workbook("diagnosis")
    session.signin.name.value = name
    session.signin.organization.value = f"{name}'s org"
    session.signin.sector.value = sector
    session.signin.table.value = table
    session.signin.submit.click()
    assert session.participant is not None, session.signin.message.value
    return session, book.panel(TOOL)


def table_part(session, panel, qid=Q):
    return session._table_view(panel).questions[qid]


def mates_text(part):
    return part.mates.value


# -- the widget alone ---------------------------------------------------------


def test_a_table_question_lists_tablemates_as_text_and_starts_from_one(kit):
    view = TableView(kit.tool(TOOL), delay=0)
    saves = []
    view.on_save(lambda qid, text: saves.append((qid, text)))
    part = view.questions[Q]
    part.show_mates([Mate(7, "Ana <b>Ruiz</b>", "<img src=x onerror=alert(1)>"), Mate(8, "Ben", "  ")])
    assert "&lt;img src=x onerror=alert(1)&gt;" in part.mates.value and "<img" not in part.mates.value
    assert "Ana &lt;b&gt;Ruiz&lt;/b&gt;" in part.mates.value and "Ben" not in part.mates.value  # an empty answer is left out
    assert [b.description for b in part.starts.children] == ["Start from Ana <b>Ruiz</b>'s"]  # a button's text is never HTML
    part.mine = "My own words"
    assert [b.description for b in part.starts.children] == ["Start from my answer", "Start from Ana <b>Ruiz</b>'s"]
    part.starts.children[1].click()
    assert part.box.value == "<img src=x onerror=alert(1)>" and saves == [(Q, "<img src=x onerror=alert(1)>")]
    # With text in the table answer, a start adds below it: nothing is replaced.
    assert [b.description for b in part.starts.children] == ["Add my answer", "Add Ana <b>Ruiz</b>'s"]
    part.starts.children[0].click()
    assert part.box.value == "<img src=x onerror=alert(1)>\n\nMy own words"


def test_a_disabled_table_question_cannot_be_edited_or_started(kit):
    view = TableView(kit.tool(TOOL), delay=0)
    part = view.questions[Q]
    part.show_mates([Mate(7, "Ana", "hers")])
    view.disabled = True
    assert part.box.disabled and all(b.disabled for b in part.starts.children)


def test_the_spread_of_a_tables_ratings():
    assert rating_spread(["5", "2", "not-sure", "3", "3"], min_group=3) == "Ratings at your table: 2, 3, 3, 5 · 1 not sure"
    assert rating_spread(["not-sure"]) == "Ratings at your table: none yet · 1 not sure"
    assert rating_spread([]) == NO_RATINGS == rating_spread([], min_group=3)
    # Fewer than the minimum group size: how many, never what.
    assert rating_spread(["5", "2"], min_group=3) == "Ratings at your table are shown once 3 have rated (2 so far)."
    assert rating_spread(["not-sure", "not-sure"], min_group=3) == "Ratings at your table are shown once 3 have rated (2 so far)."
    assert rating_spread(["5", "2", "1"], min_group=3) == "Ratings at your table: 1, 2, 5"


def test_every_table_question_is_labelled(kit):
    view = TableView(kit.tool(TOOL))
    assert [p.box.description for p in view.questions.values()] == [f"Our table's answer to question {n}" for n in range(1, len(view.questions) + 1)]
    assert isinstance(view.questions[Q], TableQuestion)


# -- members' pages -----------------------------------------------------------


def test_a_member_sees_what_the_others_at_the_table_write_and_no_other_table(sqlite_store, workshop):
    ana, ana_panel = member(sqlite_store, workshop, "Ana")
    ben, ben_panel = member(sqlite_store, workshop, "Ben", sector="business")
    cy, cy_panel = member(sqlite_store, workshop, "Cy", table="Table 2")
    ana_panel.form.boxes[Q].value = "The river trust"
    ana.flush()
    ben.sync()
    cy.sync()
    assert "Ana" in mates_text(table_part(ben, ben_panel)) and "The river trust" in mates_text(table_part(ben, ben_panel))
    assert "The river trust" not in mates_text(table_part(cy, cy_panel))
    assert "The river trust" not in mates_text(table_part(ana, ana_panel))  # one's own answer is in one's own box
    # Ratings stay individual: the table sees its spread, once as many
    # rated as the minimum group size (3 by default): two ratings are two
    # people's own, and a spread of two would tell each the other's.
    ana_panel.rating.buttons.value = 2
    ben_panel.rating.buttons.value = 4
    ana.sync()
    ben.sync()
    withheld = "Ratings at your table are shown once 3 have rated (2 so far)."
    assert ana._table_view(ana_panel).ratings.value == withheld == ben._table_view(ben_panel).ratings.value
    assert "4" not in ana._table_view(ana_panel).ratings.value
    dee, dee_panel = member(sqlite_store, workshop, "Dee", sector="nonprofit")
    assert dee._table_view(dee_panel).ratings.value == withheld
    dee_panel.rating.buttons.value = "not-sure"
    ana.sync()
    assert ana._table_view(ana_panel).ratings.value == "Ratings at your table: 2, 4 · 1 not sure"
    assert dee._table_view(dee_panel).ratings.value == "Ratings at your table: 2, 4 · 1 not sure"
    assert cy._table_view(cy_panel).ratings.value == NO_RATINGS
    # The facilitator's minimum group size is the rule: at 4, three ratings are withheld again.
    sqlite_store.update_settings(workshop.slug, min_group=4)
    ana.check_settings()
    assert ana._table_view(ana_panel).ratings.value == "Ratings at your table are shown once 4 have rated (3 so far)."


def test_names_are_hidden_in_an_anonymous_workshop_tablemates_show_by_sector(sqlite_store, workshop):
    sqlite_store.update_settings(workshop.slug, anonymous=True)
    ana, ana_panel = member(sqlite_store, workshop, "Ana Secret")
    ben, ben_panel = member(sqlite_store, workshop, "Ben", sector="business")
    ana_panel.form.boxes[Q].value = "Only my sector shows"
    ana.flush()
    ben.sync()
    shown = mates_text(table_part(ben, ben_panel))
    assert "Only my sector shows" in shown and "Government" in shown and "Ana Secret" not in shown
    table_part(ana, ana_panel).box.value = "Agreed text"
    ana.flush()
    ben.sync()
    assert table_part(ben, ben_panel).changed.value.startswith("Last changed by Government at ")


def test_the_table_answer_is_shared_started_from_a_mate_and_never_overwritten(sqlite_store, workshop):
    ana, ana_panel = member(sqlite_store, workshop, "Ana")
    ben, ben_panel = member(sqlite_store, workshop, "Ben", sector="business")
    cy, cy_panel = member(sqlite_store, workshop, "Cy", sector="nonprofit")
    ana_panel.form.boxes[Q].value = "Ana's idea"
    ana.flush()
    for s in (ben, cy):
        s.sync()
    # Ben starts the table answer from Ana's, one click.
    [start] = [b for b in table_part(ben, ben_panel).starts.children if b.description == "Start from Ana's"]
    start.click()
    ben.flush()
    [row] = sqlite_store.current_table_answers(workshop.slug)
    assert (row.value, row.participant_id, row.table) == ("Ana's idea", ben.participant.id, "Table 1")
    assert table_part(ben, ben_panel).changed.value.startswith("Last changed by you at ")
    # Cy sees it and edits it.
    cy.sync()
    assert table_part(cy, cy_panel).box.value == "Ana's idea"
    assert table_part(cy, cy_panel).changed.value.startswith("Last changed by Ben at ")
    table_part(cy, cy_panel).box.value = "Ana's idea, with Cy's edit"
    cy.flush()
    # Ben, before his page polled again, edits the text he saw: refused, both shown.
    ben_part = table_part(ben, ben_panel)
    ben_part.box.value = "Ana's idea, with Ben's edit"
    ben.flush()
    assert ben_part.field.in_conflict
    texts = ben_part.field.choice.texts.value
    assert "Ana&#x27;s idea, with Ben&#x27;s edit" in texts and "Ana&#x27;s idea, with Cy&#x27;s edit" in texts
    assert sqlite_store.current_table_answers(workshop.slug)[0].value == "Ana's idea, with Cy's edit"
    assert [s.value for s in sqlite_store.table_superseded(workshop.slug)] == ["Ana's idea, with Ben's edit"]
    # While Ben chooses, polling does not replace his text; "edit both" merges and saves.
    ben.sync()
    assert ben_part.box.value == "Ana's idea, with Ben's edit"
    ben_part.field.choice.merge.click()
    ben.flush()
    assert sqlite_store.current_table_answers(workshop.slug)[0].value == "Ana's idea, with Cy's edit\n\nAna's idea, with Ben's edit"
    cy.sync()
    assert table_part(cy, cy_panel).box.value == "Ana's idea, with Cy's edit\n\nAna's idea, with Ben's edit"


def test_an_answer_given_without_a_name_or_hidden_is_not_shown_to_tablemates(sqlite_store, workshop):
    """The one privacy rule (toolkit.frames.views.for_tablemates): at a
    table of four, "a tablemate wrote" names the writer, so an answer given
    without a name never reaches the table's pages; an answer the
    facilitator hid leaves them and comes back when shown again."""
    ana, _ = member(sqlite_store, workshop, "Ana")
    ben, _ = member(sqlite_store, workshop, "Ben", sector="business")
    sensitive, open_q = "svs-6", "svs-1"
    tool = "share-a-vision-of-success"
    ana_panel, ben_panel = ana.workbooks[0].panel(tool), ben.workbooks[0].panel(tool)
    ana_panel.form.boxes[sensitive].value = "The county pulls us its way"
    ana_panel.form.anonymous_boxes[sensitive].value = True
    ana_panel.form.boxes[open_q].value = "A clean river"
    ana.flush()
    ben.sync()
    assert "The county pulls us its way" not in mates_text(table_part(ben, ben_panel, sensitive))
    assert "A clean river" in mates_text(table_part(ben, ben_panel, open_q))
    assert [b.description for b in table_part(ben, ben_panel, sensitive).starts.children] == []
    # Opened afresh (the first read, not the poll), the same.
    late, _ = member(sqlite_store, workshop, "Cy", sector="nonprofit")
    late_panel = late.workbooks[0].panel(tool)
    assert "The county pulls us its way" not in mates_text(table_part(late, late_panel, sensitive))
    # Ana changes her mind: with her name, it shows.
    ana_panel.form.anonymous_boxes[sensitive].value = False
    ana.flush()
    ben.sync()
    assert "The county pulls us its way" in mates_text(table_part(ben, ben_panel, sensitive))
    # Her own page still ticks the box for what she gives without a name.
    ana_panel.form.anonymous_boxes[sensitive].value = True
    ana.flush()
    ben.sync()
    assert "The county pulls us its way" not in mates_text(table_part(ben, ben_panel, sensitive))
    # Hidden by the facilitator: gone from the table's pages, back when shown again.
    [river] = [a for a in sqlite_store.answer_rows(workshop.slug).itertuples() if a.value == "A clean river"]
    sqlite_store.hide_answer(workshop.slug, int(river.id))
    ben.check_settings()
    assert "A clean river" not in mates_text(table_part(ben, ben_panel, open_q))
    sqlite_store.show_answer(workshop.slug, int(river.id))
    ben.check_settings()
    assert "A clean river" in mates_text(table_part(ben, ben_panel, open_q))


def test_a_table_answer_on_a_locked_store_is_retried_until_it_goes_through(sqlite_store, workshop, timers):
    """The table answer saves through the session's retrying writer: a
    store another program holds says 'retrying' and heals by itself."""
    from toolkit.store import AnswerStore
    from tests.widgets.test_session import BUSY, WriteLock

    page_store = AnswerStore(sqlite_store.url, busy_seconds=0.05)
    try:
        ana, ana_panel = member(page_store, workshop, "Ana", call_later=timers.call_later)
        part = table_part(ana, ana_panel)
        lock = WriteLock(sqlite_store).__enter__()
        part.box.value = "Typed while the store was busy"
        timers.run_due()  # the debounce: the save meets the lock
        assert part.status.value == BUSY and "xs-status-retrying" in part.status._dom_classes
        assert sqlite_store.current_table_answers(workshop.slug) == []
        lock.release()
        timers.run_due()
        assert part.status.value.startswith("Saved ")
        assert [r.value for r in sqlite_store.current_table_answers(workshop.slug)] == ["Typed while the store was busy"]
        assert ana.writer.pending == ()
    finally:
        page_store.close()


def test_a_lock_that_falls_keeps_an_unsaved_table_answer(sqlite_store, workshop, timers):
    ana, ana_panel = member(sqlite_store, workshop, "Ana", call_later=timers.call_later)
    part = table_part(ana, ana_panel)
    part.box.value = "Not saved when the lock fell"  # the debounce has not run
    sqlite_store.lock_stage(workshop.slug, "diagnosis")
    ana.check_settings()
    assert part.box.disabled and part.box.value == "Not saved when the lock fell"
    assert part.status.value.startswith("Not saved: the facilitator locked the Diagnosis stage at ")
    timers.run_due()
    assert sqlite_store.current_table_answers(workshop.slug) == []


def test_the_table_parts_carry_their_accessibility_hooks(sqlite_store, workshop):
    from widgets.style import LIVE_LOCAL

    ana, ana_panel = member(sqlite_store, workshop, "Ana")
    part = table_part(ana, ana_panel)
    assert LIVE_LOCAL in part.status._dom_classes  # "Saved 14:03" beside the table answer
    assert LIVE_LOCAL in part.changed._dom_classes  # "Last changed by Ben" while in the box
    assert LIVE_LOCAL in ana._table_view(ana_panel).ratings._dom_classes
    assert part.box.description == "Our table's answer to question 1"  # its visible label


def test_a_poll_keeps_a_members_unsaved_table_edit(sqlite_store, workshop):
    ana, ana_panel = member(sqlite_store, workshop, "Ana")
    ben, ben_panel = member(sqlite_store, workshop, "Ben")
    ben_part = table_part(ben, ben_panel)
    ben_part.box.value = "Ben typing"  # pending, not saved yet
    table_part(ana, ana_panel).box.value = "Ana saved first"
    ana.flush()
    ben.sync()
    assert ben_part.box.value == "Ben typing"
    assert ben_part.changed.value.startswith("Last changed by Ana at ")
    ben.flush()
    assert ben_part.field.in_conflict  # refused: Ana's is newer
    ben_part.field.choice.keep_theirs.click()
    assert ben_part.box.value == "Ana saved first"


def test_a_locked_stage_makes_the_table_answer_read_only(sqlite_store, workshop):
    ana, ana_panel = member(sqlite_store, workshop, "Ana")
    sqlite_store.lock_stage(workshop.slug, "diagnosis")
    ana.check_settings()
    assert table_part(ana, ana_panel).box.disabled


# -- a table sharing one laptop -----------------------------------------------


def test_a_table_signs_in_on_one_shared_device_and_writes_the_table_answer(sqlite_store, workshop):
    ana, ana_panel = member(sqlite_store, workshop, "Ana")
    ana_panel.form.boxes[Q].value = "Ana on her phone"
    ana.flush()
    laptop = Session(sqlite_store, workshop.slug, poll_seconds=0, sync_seconds=0, device="L" * 43)
    book = laptop.stage_workbook("diagnosis")
    form = laptop.signin
    form.uses.value = "table"
    assert set(form.members) == {s.id for s in sqlite_store.kit.sectors}
    assert form.name.layout.display == "none" and form.submit.description == "Sign in as the table"
    form.table.value = "table 1"
    form.members["business"].value = 2
    form.members["community"].value = 1
    form.submit.click()
    assert laptop.participant is None and laptop.seat is not None, form.message.value
    assert laptop.seat.table == "Table 1" and form.whoami.value == "Signed in as Table 1 · the table's shared device · Business 2, Community 1"
    panel = book.panel(TOOL)
    assert not panel.form.individual and panel.form.boxes[Q].disabled and panel.rating.layout.display == "none"
    part = table_part(laptop, panel)
    assert "Ana on her phone" in part.mates.value
    assert [b.description for b in part.starts.children] == ["Start from Ana's"]
    part.box.value = "Written on the table's laptop"
    laptop.flush()
    [row] = sqlite_store.current_table_answers(workshop.slug)
    assert (row.value, row.participant_id) == ("Written on the table's laptop", None)
    ana.sync()
    assert table_part(ana, ana_panel).box.value == "Written on the table's laptop"
    assert table_part(ana, ana_panel).changed.value.startswith(f"Last changed by {TABLE_DEVICE} at ")
    # The laptop knows it is the table's on every page and reload.
    again = Session(sqlite_store, workshop.slug, poll_seconds=0, sync_seconds=0, device="L" * 43)
    again_book = again.stage_workbook("diagnosis")
    assert again.seat == laptop.seat and again_book.ready
    assert table_part(again, again_book.panel(TOOL)).box.value == "Written on the table's laptop"
    # Its own answers and ratings are each person's: the laptop has none.
    assert book.nav.done == {TOOL}


def test_a_table_device_with_nobody_listed_is_refused_in_one_line(sqlite_store, workshop):
    laptop = Session(sqlite_store, workshop.slug, poll_seconds=0, sync_seconds=0)
    laptop.stage_workbook("diagnosis")
    laptop.signin.uses.value = "table"
    laptop.signin.table.value = "Table 1"
    laptop.signin.submit.click()
    assert laptop.seat is None
    assert laptop.signin.message.value == "Not signed in: table members: say how many people from each sector sit at the table (at least one)"


@pytest.mark.postgres
def test_on_postgresql_a_poll_reads_the_last_seconds_again(_pg_databases, kit):
    """Ids commit out of order on PostgreSQL: a poll reads after the ids it
    had seen a few seconds ago, and a row read twice changes nothing."""
    from toolkit.store import AnswerStore

    name, url = _pg_databases.acquire()
    store = AnswerStore(url, kit=kit)
    try:
        workshop = store.create_workshop("Riverside Partners")
        ana, ana_panel = member(store, workshop, "Ana")
        ben, ben_panel = member(store, workshop, "Ben")
        ana_panel.form.boxes[Q].value = "first"
        ana.flush()
        ben.sync()
        seen = ben._seen_id
        ana_panel.form.boxes[Q2].value = "second"
        ana.flush()
        ben.sync()
        assert ben._seen_id > seen and ben._cursor()[0] <= seen  # still reading the last seconds again
        assert mates_text(table_part(ben, ben_panel)).count("first") == 1
        assert "second" in mates_text(table_part(ben, ben_panel, Q2))
    finally:
        store.close()
        _pg_databases.release(name, url)
