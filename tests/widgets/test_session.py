"""The Session: widget events become store calls, and the store's answers
come back into the widgets."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import pytest

from widgets.session import NO_WORKSHOP, Session

ROOT = Path(__file__).resolve().parents[2]
DEVICE = "d" * 43  # a browser's device token, as the room's cookie carries it
OTHER_DEVICE = "e" * 43
XSS = "<img src=x onerror=alert(1)>"


def answers(store, slug, kind=None):
    df = store.answer_rows(slug)
    if kind is not None:
        df = df[df["kind"] == kind]
    return df


# -- sign-in -----------------------------------------------------------------


def test_sign_in_adds_the_participant_and_collapses_the_form(session, sign_in, sqlite_store, workshop):
    book = session.stage_workbook("diagnosis")
    assert book.ready is False
    assert all(b.disabled for b in book.panel("engage-potential-partners").form.boxes.values())
    p = sign_in(session, name="Ana Ruiz")
    assert p is not None
    assert [x.id for x in sqlite_store.participants(workshop.slug)] == [p.id]
    assert (p.name, p.organization, p.sector, p.table) == ("Ana Ruiz", "City Parks", "government", "Table 3")
    assert session.signin.whoami.value == "Signed in as Ana Ruiz · City Parks · Government · Table 3"
    assert session.signin.form.layout.display == "none"
    assert book.ready is True
    assert not any(b.disabled for b in book.panel("engage-potential-partners").form.boxes.values())


def test_a_device_signed_in_once_is_signed_in_on_every_page(sqlite_store, workshop, sign_in):
    first = Session(sqlite_store, workshop.slug, poll_seconds=0, device=DEVICE)
    ana = sign_in(first, name="Ana")
    code = sqlite_store.resume_code(ana.id)
    again = Session(sqlite_store, workshop.slug, poll_seconds=0, device=DEVICE)  # another page, or a reload
    assert again.participant.id == ana.id
    assert again.signin.form.layout.display == "none"
    assert again.signin.whoami.value == "Signed in as Ana · City Parks · Government · Table 3"
    assert again.signin.resume_code.value.startswith(f"Your resume code: {code[:4]}-{code[4:]}.")
    assert "xs-resume-code" in again.signin.resume_code._dom_classes
    # Submitting the form again on the same page or device with the same
    # details (a double click) is the same person ...
    assert sign_in(again, name="ana", organization="CITY PARKS", table="table 3").id == ana.id
    # ... but the same details without the secret are someone else.
    stranger = sign_in(Session(sqlite_store, workshop.slug, poll_seconds=0), name="Ana")
    other = sign_in(Session(sqlite_store, workshop.slug, poll_seconds=0), name="Ana", table="Table 4")
    assert len({ana.id, stranger.id, other.id}) == 3
    assert len(sqlite_store.participants(workshop.slug)) == 3


def test_a_resume_code_continues_as_the_same_person(sqlite_store, workshop, sign_in):
    phone = Session(sqlite_store, workshop.slug, poll_seconds=0, autosave_delay=0, device=DEVICE)
    ana = sign_in(phone, name="Ana")
    phone.stage_workbook("diagnosis").panel("engage-potential-partners").form.boxes["epp-1"].value = "typed on the phone"
    code = sqlite_store.resume_code(ana.id)
    laptop = Session(sqlite_store, workshop.slug, poll_seconds=0, device=OTHER_DEVICE)
    book = laptop.stage_workbook("diagnosis")
    assert laptop.participant is None
    laptop.signin.code.value = "NPE"
    laptop.signin.resume.click()
    assert laptop.signin.message.value == "Not signed in: resume code: a code has 8 characters, this has 3"
    laptop.signin.code.value = f"{code[:4].lower()}-{code[4:]}"
    laptop.signin.resume.click()
    assert laptop.participant.id == ana.id
    assert book.panel("engage-potential-partners").form.boxes["epp-1"].value == "typed on the phone"
    assert laptop.signin.code.value == ""  # the code does not stay in the form
    # The laptop is bound to Ana now: its next page needs no sign-in.
    assert Session(sqlite_store, workshop.slug, poll_seconds=0, device=OTHER_DEVICE).participant.id == ana.id


def test_store_errors_show_in_the_message_line(session, sign_in, sqlite_store, workshop):
    assert sign_in(session, organization="   ") is None
    assert session.signin.message.value == "Not signed in: organization: must not be empty"
    assert "xs-message-error" in session.signin.message._dom_classes
    assert sign_in(session, sector="") is None
    assert session.signin.message.value == "Not signed in: sector: must not be empty"
    assert sqlite_store.participants(workshop.slug) == []


def test_workshop_is_preselected(sqlite_store, monkeypatch):
    monkeypatch.delenv("WORKSHOP_SLUG", raising=False)
    older = sqlite_store.create_workshop("Older")
    newer = sqlite_store.create_workshop("Newer")
    assert Session(sqlite_store, poll_seconds=0).signin.workshop.value == newer.slug
    assert Session(sqlite_store, older.slug, poll_seconds=0).signin.workshop.value == older.slug
    monkeypatch.setenv("WORKSHOP_SLUG", older.slug)
    session = Session(sqlite_store, poll_seconds=0)
    assert session.signin.workshop.value == older.slug
    # $WORKSHOP_SLUG is a served room's workshop: no other is offered (#12).
    assert [slug for _title, slug in session.signin.workshop.options] == [older.slug]
    monkeypatch.delenv("WORKSHOP_SLUG")
    assert [slug for _title, slug in Session(sqlite_store, older.slug, poll_seconds=0).signin.workshop.options] == [newer.slug, older.slug]


def test_the_chosen_workshop_is_the_one_written_to(sqlite_store, sign_in, monkeypatch):
    monkeypatch.delenv("WORKSHOP_SLUG", raising=False)
    older = sqlite_store.create_workshop("Older")
    sqlite_store.create_workshop("Newer")
    session = Session(sqlite_store, poll_seconds=0)
    session.signin.workshop.value = older.slug
    p = sign_in(session)
    assert p.workshop_id == older.id
    assert session.slug == older.slug


def test_no_workshop_tells_the_facilitator_what_to_run(sqlite_store, sign_in, monkeypatch):
    monkeypatch.delenv("WORKSHOP_SLUG", raising=False)
    session = Session(sqlite_store, poll_seconds=0)
    book = session.stage_workbook("diagnosis")
    assert session.problem == NO_WORKSHOP
    assert "workshop new" in NO_WORKSHOP and "workshop demo" in NO_WORKSHOP
    assert book.notice.value == NO_WORKSHOP
    assert session.signin.message.value == NO_WORKSHOP
    assert session.signin.submit.disabled
    assert sign_in(session) is None


def test_unknown_workshop_slug_is_named(sqlite_store, workshop, monkeypatch):
    monkeypatch.setenv("WORKSHOP_SLUG", "nope")
    session = Session(sqlite_store, poll_seconds=0)
    assert "'nope'" in session.problem and workshop.slug in session.problem
    assert session.priorities().notice.value == session.problem


def test_default_store_comes_from_workshop_db(tmp_path, monkeypatch):
    from toolkit.store import AnswerStore

    db = tmp_path / "env.sqlite"
    AnswerStore(str(db)).create_workshop("From the environment")
    monkeypatch.setenv("WORKSHOP_DB", str(db))
    monkeypatch.delenv("WORKSHOP_SLUG", raising=False)
    session = Session(poll_seconds=0)
    assert session.store.url == f"sqlite:///{db.resolve()}"
    assert session.workshop.title == "From the environment"


# -- answers -------------------------------------------------------------------


def test_typing_then_flush_saves_the_answer(session, sign_in, sqlite_store, workshop):
    book = session.stage_workbook("diagnosis")
    p = sign_in(session)
    form = book.panel("engage-potential-partners").form
    form.boxes["epp-1"].value = "The river"
    form.boxes["epp-1"].value = "The river trust"
    assert answers(sqlite_store, workshop.slug).empty  # debounced, not yet
    assert form.statuses["epp-1"].value == "Saving…"
    session.flush()
    df = answers(sqlite_store, workshop.slug)
    assert df[["tool_id", "question_id", "kind", "value"]].values.tolist() == [["engage-potential-partners", "epp-1", "text", "The river trust"]]
    assert sqlite_store.current_for(workshop.slug, p.id) == {("text", "engage-potential-partners", "epp-1"): "The river trust"}
    created = float(df["created"].iloc[0])
    assert form.statuses["epp-1"].value == "Saved " + time.strftime("%H:%M:%S", time.localtime(created))
    session.flush()  # nothing new to save
    assert len(answers(sqlite_store, workshop.slug)) == 1


def test_a_tool_gets_a_tick_once_answered(session, sign_in):
    book = session.stage_workbook("diagnosis")
    sign_in(session)
    nav = book.nav
    assert nav.buttons["account-for-resources"].description == "4. Account for Resources"
    book.panel("account-for-resources").form.boxes["afr-2"].value = "Staff time"
    book.flush()
    assert nav.buttons["account-for-resources"].description == "✓ 4. Account for Resources"
    assert "xs-tool-done" in nav.buttons["account-for-resources"]._dom_classes
    assert nav.progress.value == "1 of 4 tools answered"


def test_a_tool_opened_later_shows_the_saved_answers_and_saves(sqlite_store, workshop, sign_in):
    """Panels are built when their tool is opened: one opened after signing
    in again still shows the participant's answers, its tick was already
    there, and it is wired to the store."""
    first = Session(sqlite_store, workshop.slug, poll_seconds=0, autosave_delay=0, device=DEVICE)
    sign_in(first)
    first.stage_workbook("diagnosis").panel("account-for-resources").form.boxes["afr-2"].value = "Staff time"
    again = Session(sqlite_store, workshop.slug, poll_seconds=0, autosave_delay=0, device=DEVICE)
    book = again.stage_workbook("diagnosis")
    assert "account-for-resources" not in book.panels
    assert book.nav.buttons["account-for-resources"].description == "✓ 4. Account for Resources"
    book.nav.buttons["account-for-resources"].click()
    panel = book.panels["account-for-resources"]
    assert panel.form.boxes["afr-2"].value == "Staff time"
    assert not panel.form.disabled
    panel.form.boxes["afr-3"].value = "Meeting rooms"
    latest = answers(sqlite_store, workshop.slug, "text").sort_values("id")
    assert list(latest["question_id"].tail(2)) == ["afr-2", "afr-3"]
    assert list(latest["value"].tail(2)) == ["Staff time", "Meeting rooms"]


@pytest.mark.parametrize(
    "bad, reason",
    [
        ("before\x00after", "Not saved: contains NUL (U+0000) at position 7"),
        ("x" * 20_001, "Not saved: 20,001 characters is over the limit of 20,000"),
    ],
)
def test_refused_text_shows_the_store_reason_and_writes_nothing(session, sign_in, sqlite_store, workshop, bad, reason):
    book = session.stage_workbook("diagnosis")
    sign_in(session)
    form = book.panel("engage-potential-partners").form
    form.boxes["epp-1"].value = bad
    session.flush()
    assert form.statuses["epp-1"].value.startswith(reason)
    assert "xs-status-error" in form.statuses["epp-1"]._dom_classes
    assert answers(sqlite_store, workshop.slug).empty
    assert form.boxes["epp-1"].value == bad  # the text stays for the participant to fix


def test_pending_saves_go_to_whoever_typed_them(session, sign_in, sqlite_store, workshop):
    book = session.stage_workbook("diagnosis")
    ana = sign_in(session, name="Ana")
    book.panel("engage-potential-partners").form.boxes["epp-1"].value = "Ana's answer"
    ben = sign_in(session, name="Ben")
    assert ben.id != ana.id
    assert sqlite_store.current_for(workshop.slug, ana.id) == {("text", "engage-potential-partners", "epp-1"): "Ana's answer"}
    assert sqlite_store.current_for(workshop.slug, ben.id) == {}
    assert book.panel("engage-potential-partners").form.boxes["epp-1"].value == ""


# -- ratings and comments --------------------------------------------------------


def test_rating_is_saved_at_once(session, sign_in, sqlite_store, workshop):
    book = session.stage_workbook("design")
    p = sign_in(session)
    rating = book.panel("share-discretion").rating
    rating.buttons.value = 4
    assert rating.value == 4
    assert sqlite_store.current_for(workshop.slug, p.id) == {("rating", "share-discretion", ""): "4"}
    assert rating.status.value.startswith("Saved ")
    assert rating.comment_visible is False
    rating.buttons.value = "not-sure"
    assert sqlite_store.current_for(workshop.slug, p.id) == {("rating", "share-discretion", ""): "not-sure"}


def test_scale_labels_and_descriptions_come_from_content(session, kit):
    rating = session.stage_workbook("design").panel("share-discretion").rating
    assert rating.question.value.startswith(f"<h3>{kit.scale.question}</h3>")
    assert [label for label, _v in rating.buttons.options] == [f"{p.value} · {p.label}" for p in kit.scale.points] + [kit.scale.not_sure, kit.scale.not_yet]
    # What each choice means is shown under the question (no hover needed).
    for p in kit.scale.points:
        assert f"<dt>{p.value} · {p.label}</dt><dd>{p.description}</dd>" in rating.question.value
    assert f"<dt>{kit.scale.not_yet}</dt>" in rating.question.value
    assert "xs-rating" in rating.buttons._dom_classes


@pytest.mark.parametrize("low", [1, 2])
def test_a_low_rating_asks_what_is_missing(session, sign_in, sqlite_store, workshop, low):
    book = session.stage_workbook("design")
    p = sign_in(session)
    rating = book.panel("share-discretion").rating
    assert rating.comment_box.layout.display == "none"
    rating.buttons.value = low
    assert rating.comment_visible is True
    assert "xs-rating-comment" in rating.comment._dom_classes
    rating.comment.value = "Nobody has asked the business partners"
    assert ("comment", "share-discretion", "") not in sqlite_store.current_for(workshop.slug, p.id)
    session.flush()
    assert sqlite_store.current_for(workshop.slug, p.id) == {
        ("rating", "share-discretion", ""): str(low),
        ("comment", "share-discretion", ""): "Nobody has asked the business partners",
    }
    assert rating.comment_status.value.startswith("Saved ")
    rating.buttons.value = 3
    assert rating.comment_visible is False


# -- reopening -------------------------------------------------------------------


def test_a_new_session_on_the_same_device_shows_everything_again(sqlite_store, workshop, sign_in):
    first = Session(sqlite_store, workshop.slug, poll_seconds=0, device=DEVICE)
    book = first.stage_workbook("design")
    votes = first.priorities()
    p = sign_in(first, name="Ana")
    panel = book.panel("share-discretion")
    panel.form.boxes["sd-1"].value = "Budget decisions stay with the city"
    panel.rating.buttons.value = 2
    panel.rating.comment.value = "No shared budget yet"
    panel.actions.what.value = "Draft a decision charter"
    panel.actions.owner.value = "Food bank"
    panel.actions.add.click()
    votes.vote.counts["share-discretion"].value = 3
    first.flush()

    # Someone else typing Ana's details on another browser sees nothing of hers.
    stranger = Session(sqlite_store, workshop.slug, poll_seconds=0, device=OTHER_DEVICE)
    strange_book = stranger.stage_workbook("design")
    assert sign_in(stranger, name="Ana").id != p.id
    assert strange_book.panel("share-discretion").form.boxes["sd-1"].value == ""
    assert stranger.priorities().vote.counts["share-discretion"].value == 0

    again = Session(sqlite_store, workshop.slug, poll_seconds=0, device=DEVICE)  # a reload: no form
    book2 = again.stage_workbook("design")
    votes2 = again.priorities()
    panel2 = book2.panel("share-discretion")
    assert again.participant.id == p.id
    assert panel2.form.boxes["sd-1"].value == "Budget decisions stay with the city"
    assert panel2.form.statuses["sd-1"].value == "Saved"
    assert panel2.rating.value == 2
    assert panel2.rating.comment_visible is True
    assert panel2.rating.comment.value == "No shared budget yet"
    assert votes2.vote.counts["share-discretion"].value == 3
    assert votes2.value["share-discretion"] == 3
    assert [a["what"] for a in panel2.actions.value] == ["Draft a decision charter"]
    assert book2.nav.buttons["share-discretion"].description.startswith("✓ ")
    again.flush()
    assert len(answers(sqlite_store, workshop.slug)) == 4  # reopening wrote nothing


# -- locked stages ---------------------------------------------------------------


def test_a_locked_stage_is_read_only_with_a_message(sqlite_store, workshop, sign_in):
    sqlite_store.lock_stage(workshop.slug, "diagnosis")
    session = Session(sqlite_store, workshop.slug, poll_seconds=0)
    book = session.stage_workbook("diagnosis")
    other = session.stage_workbook("design")
    sign_in(session)
    panel = book.panel("engage-potential-partners")
    assert book.locked is True
    assert "xs-locked" in book._dom_classes
    assert book.notice.value == "The facilitator has locked the Diagnosis stage: your answers are shown read-only."
    assert all(b.disabled for b in panel.form.boxes.values())
    assert panel.rating.buttons.disabled and panel.rating.comment.disabled
    assert panel.actions.add.disabled and panel.actions.what.disabled and panel.actions.due.disabled
    assert other.locked is False
    assert not other.panel("share-discretion").form.boxes["sd-1"].disabled


def test_a_write_that_races_the_lock_shows_the_store_message(session, sign_in, sqlite_store, workshop):
    book = session.stage_workbook("diagnosis")
    sign_in(session)
    form = book.panel("engage-potential-partners").form
    form.boxes["epp-1"].value = "typed just before the lock"
    sqlite_store.lock_stage(workshop.slug, "diagnosis")
    session.flush()
    # The refusal re-reads the settings, which finds the lock: the box keeps
    # its text and says it was not saved.
    status = form.statuses["epp-1"].value
    assert status.startswith("Not saved: the facilitator locked the Diagnosis stage at ") and status.endswith("copy it if you want to keep it.")
    assert form.boxes["epp-1"].value == "typed just before the lock"
    assert answers(sqlite_store, workshop.slug).empty
    assert book.locked is True  # the refusal re-read the settings
    assert form.boxes["epp-1"].disabled


@pytest.mark.parametrize("lock", ["at once", "with notice"])
@pytest.mark.parametrize("first", ["poll", "refusal"])
def test_a_lock_that_catches_a_save_says_one_thing_whichever_notices_first(sqlite_store, workshop, sign_in, first, lock):
    # The kernel case: a save is on its way on the writer's thread when the
    # lock falls. Either the settings poll notices the lock first (the box
    # is marked while the save is still out, then the refusal comes back),
    # or the store's refusal comes back first (and re-reads the settings).
    import asyncio

    from widgets.autosave import lock_fell_text

    now = [time.time()]

    async def main():
        session = Session(sqlite_store, workshop.slug, poll_seconds=0, clock=lambda: now[0])
        book = session.stage_workbook("diagnosis")
        sign_in(session)
        form = book.panel("engage-potential-partners").form
        said = []
        form.statuses["epp-1"].observe(lambda change: said.append(change["new"]), "value")
        if lock == "at once":
            sqlite_store.lock_stage(workshop.slug, "diagnosis")
            fell = now[0] + 30  # no time is recorded: when the page first learns of it
        else:
            fell = sqlite_store.lock_with_notice(workshop.slug, "diagnosis", 0.05).settings.lock_at["diagnosis"]
            await asyncio.sleep(0.1)
        now[0] += 30  # the page learns of the lock a while after it fell
        form.boxes["epp-1"].value = "typed as the lock fell"
        session.flush()  # the save is on its way, on the writer's thread
        if first == "poll":
            assert session.writer.pending  # not back yet: the poll comes first
            session.check_settings()
            assert book.locked and form.statuses["epp-1"].value.startswith("Not saved: the facilitator locked")
        for _ in range(1000):
            if not session.writer.pending:
                break
            await asyncio.sleep(0.01)
        return book, form, said, fell

    book, form, said, fell = asyncio.run(main())
    expected = (
        f"Not saved: the facilitator locked the Diagnosis stage at {time.strftime('%H:%M:%S', time.localtime(fell))} "
        "before this was saved. What you entered is still shown here but is not in the workshop: copy it if you want to keep it."
    )
    assert expected == "Not saved: " + lock_fell_text("Diagnosis", fell)
    assert form.statuses["epp-1"].value == expected
    # Whichever came first and whatever came after, the box never said anything else.
    assert [s for s in said if s.startswith("Not saved")] and all(s == expected for s in said if s.startswith("Not saved"))
    assert form.statuses["epp-1"].state == "error" and "xs-live-local" in form.statuses["epp-1"]._dom_classes
    assert form.boxes["epp-1"].value == "typed as the lock fell" and form.boxes["epp-1"].disabled
    assert book.locked and answers(sqlite_store, workshop.slug).empty


def test_unlocking_enables_the_stage_again(session, sign_in, sqlite_store, workshop):
    book = session.stage_workbook("diagnosis")
    sign_in(session)
    sqlite_store.lock_stage(workshop.slug, "diagnosis")
    session.check_settings()
    assert book.locked is True
    sqlite_store.open_stage(workshop.slug, "diagnosis")
    session.check_settings()
    assert book.locked is False
    assert book.notice.value == ""
    assert not book.panel("engage-potential-partners").form.boxes["epp-1"].disabled


def test_a_new_round_starts_with_empty_boxes(session, sign_in, sqlite_store, workshop):
    book = session.stage_workbook("diagnosis")
    p = sign_in(session)
    box = book.panel("engage-potential-partners").form.boxes["epp-1"]
    box.value = "round one"
    session.flush()
    sqlite_store.new_round(workshop.slug)
    session.check_settings()
    assert box.value == ""
    assert sqlite_store.current_for(workshop.slug, p.id, round=1) == {("text", "engage-potential-partners", "epp-1"): "round one"}


# -- actions -----------------------------------------------------------------------


def test_adding_an_action_stores_it_and_lists_it_escaped(session, sign_in, sqlite_store, workshop):
    book = session.stage_workbook("diagnosis")
    p = sign_in(session)
    actions = book.panel("account-for-resources").actions
    assert "xs-action-add" in actions.add._dom_classes
    actions.what.value = f"{XSS} Map assets"
    actions.owner.value = f"Food bank {XSS}"
    actions.owner_sector.value = "nonprofit"
    actions.due.value = dt.date(2026, 9, 30)
    actions.add.click()
    stored = sqlite_store.actions(workshop.slug, "account-for-resources")
    assert [(a.what, a.owner, a.owner_sector, a.due, a.participant_id) for a in stored] == [
        (f"{XSS} Map assets", f"Food bank {XSS}", "nonprofit", "2026-09-30", p.id)
    ]
    html = actions.listing.value
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; Map assets" in html
    assert "Food bank &lt;img src=x onerror=alert(1)&gt; (Non-profit)" in html
    assert "due 2026-09-30" in html
    assert actions.what.value == "" and actions.owner.value == "" and actions.due.value is None
    assert actions.message.value.startswith("Added: ")
    # The other tools of the stage do not list it.
    assert "Map assets" not in book.panel("engage-potential-partners").actions.listing.value


def test_a_refused_action_says_why_and_keeps_the_fields(session, sign_in, sqlite_store, workshop):
    book = session.stage_workbook("diagnosis")
    sign_in(session)
    actions = book.panel("account-for-resources").actions
    actions.owner.value = "Food bank"
    actions.add.click()
    assert actions.message.value == "Not added: action: must not be empty"
    assert actions.owner.value == "Food bank"
    assert sqlite_store.actions(workshop.slug) == []


# -- dots -------------------------------------------------------------------------


def test_dots_are_saved_and_counted(session, sign_in, sqlite_store, workshop):
    page = session.priorities()
    p = sign_in(session)
    vote = page.vote
    assert "xs-dots" in vote._dom_classes
    vote.counts["share-discretion"].value = 3
    vote.counts["tell-the-story"].value = 2
    assert {k: v for k, v in sqlite_store.current_for(workshop.slug, p.id).items()} == {
        ("dots", "share-discretion", ""): "3",
        ("dots", "tell-the-story", ""): "2",
    }
    assert vote.used == 5
    assert "0 of 5 dots left" in vote.remaining.value
    assert vote.status.value.startswith("Saved ")


def test_dots_over_budget_are_refused_and_put_back(session, sign_in, sqlite_store, workshop):
    page = session.priorities()
    p = sign_in(session)
    vote = page.vote
    vote.counts["share-discretion"].value = 4
    vote.counts["tell-the-story"].value = 2
    # Said beside the tool that changed, in plain words.
    assert vote.counts["tell-the-story"].status.value == "Not saved: 6 dots placed but each participant has 5; take some back first"
    assert vote.status.value == "" and page.saved.value == "1 answer on this page is not saved: see the red line below."
    assert vote.counts["tell-the-story"].value == 0
    assert vote.value["tell-the-story"] == 0
    assert "1 of 5 dots left" in vote.remaining.value
    assert sqlite_store.current_for(workshop.slug, p.id) == {("dots", "share-discretion", ""): "4"}


def test_the_dot_budget_follows_the_workshop_settings(session, sign_in, sqlite_store, workshop):
    sqlite_store.update_settings(workshop.slug, dots=8)
    page = session.priorities()
    sign_in(session)
    assert page.vote.budget == 8
    assert page.vote.counts["share-discretion"].max == 8
    assert "8 of 8 dots left" in page.vote.remaining.value


def test_dots_need_a_sign_in(session):
    page = session.priorities()
    assert page.vote.disabled
    assert page.notice.value == "Sign in above to place your dots."


# -- kernel start-up -----------------------------------------------------------------


def test_building_a_workbook_does_not_import_pandas(tmp_path):
    code = (
        "import sys\n"
        "from toolkit.store import AnswerStore\n"
        "from widgets.session import Session\n"
        f"store = AnswerStore({str(tmp_path / 's.sqlite')!r})\n"
        "store.create_workshop('T')\n"
        "s = Session(store, poll_seconds=0)\n"
        "s.stage_workbook('design'); s.priorities()\n"
        "print('pandas' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


def test_a_page_built_before_the_workshop_existed_recovers(sqlite_store, sign_in, monkeypatch):
    # Voila may start (pre-heat) a kernel before the facilitator runs `workshop new`.
    monkeypatch.delenv("WORKSHOP_SLUG", raising=False)
    session = Session(sqlite_store, poll_seconds=0)
    book = session.stage_workbook("diagnosis")
    assert session.problem == NO_WORKSHOP and session.signin.submit.disabled
    ws = sqlite_store.create_workshop("Late start")
    session.check_settings()
    assert session.problem == ""
    assert session.signin.workshop.value == ws.slug
    assert not session.signin.submit.disabled and session.signin.message.value == ""
    assert book.notice.value == "Sign in above to answer. You can already read every tool."
    assert sign_in(session).workshop_id == ws.id


def test_on_a_running_loop_the_lock_shows_without_any_write(sqlite_store, workshop, sign_in):
    # The kernel case: settings are re-read every poll_seconds.
    import asyncio

    async def main():
        session = Session(sqlite_store, workshop.slug, poll_seconds=0.01)
        book = session.stage_workbook("diagnosis")
        sign_in(session)
        assert book.locked is False
        sqlite_store.lock_stage(workshop.slug, "diagnosis")
        for _ in range(1000):
            if book.locked:
                break
            await asyncio.sleep(0.01)
        return book

    book = asyncio.run(main())
    assert book.locked is True
    assert book.panel("engage-potential-partners").form.boxes["epp-1"].disabled


def test_on_a_running_loop_answers_save_by_themselves(sqlite_store, workshop, sign_in):
    import asyncio

    async def main():
        session = Session(sqlite_store, workshop.slug, autosave_delay=0.01, poll_seconds=0)
        book = session.stage_workbook("diagnosis")
        p = sign_in(session)
        status = book.panel("engage-potential-partners").form.statuses["epp-1"]
        book.panel("engage-potential-partners").form.boxes["epp-1"].value = "no flush needed"
        for _ in range(1000):
            if status.value.startswith("Saved "):
                break
            await asyncio.sleep(0.01)
        return p, status

    p, status = asyncio.run(main())
    assert status.value.startswith("Saved ")
    assert sqlite_store.current_for(workshop.slug, p.id) == {("text", "engage-potential-partners", "epp-1"): "no flush needed"}


# -- store outages are shown, not taken for "nothing there" ---------------------------


def rename_table(store, old, new):
    """A real store failure: the table the next read needs is not there."""
    import sqlite3

    with sqlite3.connect(store.engine.url.database) as db:
        db.execute(f"ALTER TABLE {old} RENAME TO {new}")


def test_actions_that_cannot_be_read_say_so(session, sign_in, sqlite_store, workshop):
    book = session.stage_workbook("diagnosis")
    sign_in(session)
    first = book.panel("engage-potential-partners").actions
    assert "No actions for this tool yet." in first.listing.value
    rename_table(sqlite_store, "actions", "actions_away")
    later = book.panel("account-for-resources").actions  # opened during the outage
    assert "No actions" not in later.listing.value
    assert "Actions could not be loaded: the workshop store could not be read (no such table: actions)" in later.listing.value
    assert "xs-message-error" in later.listing.value
    later.what.value = "Map assets"
    later.owner.value = "Food bank"
    later.add.click()  # the write fails too, says so, and is tried again
    assert later.message.value == "Not added yet, retrying… The workshop store had a problem (no such table: actions)."
    assert later.what.value == "Map assets"  # the action waits in the form
    rename_table(sqlite_store, "actions_away", "actions")
    session.check_settings()  # the next poll reads them again
    assert later.problem == ""
    assert "No actions for this tool yet." in later.listing.value
    session.flush()  # the retry, without waiting for its timer
    assert later.message.value == "Added: Map assets"
    assert [a.what for a in sqlite_store.actions(workshop.slug)] == ["Map assets"]
    assert "Map assets" in later.listing.value


def test_an_action_added_while_the_list_cannot_be_read(session, sign_in, sqlite_store, workshop, monkeypatch):
    from sqlalchemy.exc import OperationalError

    book = session.stage_workbook("diagnosis")
    sign_in(session)
    actions = book.panel("account-for-resources").actions

    def unreadable(*_args, **_kwargs):
        raise OperationalError("SELECT", {}, Exception("database is locked"))

    actions.what.value = "Map assets"
    actions.owner.value = "Food bank"
    monkeypatch.setattr(sqlite_store, "actions", unreadable)  # only the read after the write fails
    actions.add.click()
    assert actions.message.value == "Added: Map assets"
    assert "Actions could not be loaded: the workshop store could not be read (database is locked)" in actions.listing.value
    monkeypatch.undo()
    assert [a.what for a in sqlite_store.actions(workshop.slug)] == ["Map assets"]


def test_a_failed_settings_check_is_shown_until_one_succeeds(session, sign_in, sqlite_store, workshop):
    book = session.stage_workbook("diagnosis")
    votes = session.priorities()
    sign_in(session)
    rename_table(sqlite_store, "workshops", "workshops_away")
    session.check_settings()
    for page in (book, votes):
        assert page.notice.value == (
            "The workshop could not be checked just now: the workshop store could not be read (no such table: workshops). "
            "Stage locks may be out of date; what you type stays here."
        )
        assert page.notice.layout.display is None
    assert not book.disabled and not votes.vote.disabled
    rename_table(sqlite_store, "workshops_away", "workshops")
    session.check_settings()
    assert book.notice.value == "" and votes.notice.value == ""


def test_a_sign_in_whose_answers_cannot_be_read_keeps_the_form_open(session, sign_in, sqlite_store, workshop):
    book = session.stage_workbook("diagnosis")
    rename_table(sqlite_store, "answers", "answers_away")
    assert sign_in(session) is None
    assert session.signin.form.layout.display != "none"
    assert session.signin.message.value.startswith("Not signed in: the workshop store could not be reached (no such table: answers)")
    assert book.ready is False
    rename_table(sqlite_store, "answers_away", "answers")
    p = sign_in(session)
    assert p is not None and book.ready is True
    assert [x.id for x in sqlite_store.participants(workshop.slug)] == [p.id]  # the same participant


# -- closing ----------------------------------------------------------------------------


def test_the_poll_stops_when_the_last_page_closes(sqlite_store, workshop, sign_in, timers):
    session = Session(sqlite_store, workshop.slug, poll_seconds=15, autosave_delay=0, call_later=timers.call_later)
    book = session.stage_workbook("diagnosis")
    votes = session.priorities()
    sign_in(session)
    # One settings poll and one sync of the participant's rows for the session, not one per page.
    assert sorted(t.delay for t in timers.live) == [2.5, 15]
    sqlite_store.lock_stage(workshop.slug, "diagnosis")
    timers.run_due()
    assert book.locked is True  # the poll ran ...
    assert sorted(t.delay for t in timers.live) == [2.5, 15]  # ... and comes back
    book.close()
    assert session.workbooks == [] and session.polling
    votes.close()
    assert not session.polling
    assert timers.live == []
    sqlite_store.update_settings(workshop.slug, dots=9)
    timers.run_due()
    assert timers.timers == [] and votes.vote.budget == 5  # no poll ran after the close


def test_a_page_built_after_closing_polls_again(sqlite_store, workshop, timers):
    session = Session(sqlite_store, workshop.slug, poll_seconds=15, call_later=timers.call_later)
    session.stage_workbook("diagnosis").close()
    assert timers.live == []
    book = session.stage_workbook("design")
    assert len(timers.live) == 1
    session.close()
    assert book.comm is None and timers.live == [] and not session.polling


def test_closing_a_page_saves_what_was_still_pending(sqlite_store, workshop, sign_in, timers):
    session = Session(sqlite_store, workshop.slug, poll_seconds=0, call_later=timers.call_later)
    book = session.stage_workbook("diagnosis")
    p = sign_in(session)
    book.panel("engage-potential-partners").form.boxes["epp-1"].value = "typed, then the tab closed"
    book.comm.handle_close({"content": {"comm_id": book.comm.comm_id, "data": {}}})  # the browser closed it
    assert sqlite_store.current_for(workshop.slug, p.id) == {("text", "engage-potential-partners", "epp-1"): "typed, then the tab closed"}
    assert timers.live == []


def test_a_device_known_only_after_signing_in_is_bound_to_that_participant(sqlite_store, workshop, sign_in):
    """A preheated kernel learns the visitor's device token from the request
    a moment after the page is built; if they signed in meanwhile, the
    device is theirs from then on."""
    page = Session(sqlite_store, workshop.slug, poll_seconds=0)
    ana = sign_in(page, name="Ana")
    assert page.use_device(DEVICE).id == ana.id
    assert Session(sqlite_store, workshop.slug, poll_seconds=0, device=DEVICE).participant.id == ana.id


def test_a_served_kernel_reads_the_device_from_the_request(sqlite_store, workshop, sign_in, monkeypatch):
    monkeypatch.setenv("VOILA_PREHEAT", "False")  # a kernel started for this request: its environment has the cookie
    monkeypatch.setenv("HTTP_COOKIE", f"_xsrf=2|ab|cd; xs_device={DEVICE}")
    ana = sign_in(Session(sqlite_store, workshop.slug, poll_seconds=0), name="Ana")
    assert Session(sqlite_store, workshop.slug, poll_seconds=0).participant.id == ana.id
    monkeypatch.setenv("HTTP_COOKIE", f"xs_device={OTHER_DEVICE}")
    assert Session(sqlite_store, workshop.slug, poll_seconds=0).participant is None


def test_a_page_built_for_a_known_device_syncs(sqlite_store, workshop, sign_in, timers):
    """A kernel that knew its visitor before building the page (a kernel
    started for the request) still follows the participant's other tabs."""
    sign_in(Session(sqlite_store, workshop.slug, poll_seconds=0, device=DEVICE))
    session = Session(sqlite_store, workshop.slug, poll_seconds=0, device=DEVICE, call_later=timers.call_later)
    assert timers.live == []  # no page yet: nothing to keep up to date
    book = session.stage_workbook("diagnosis")
    assert [t.delay for t in timers.live] == [2.5]
    sqlite_store.save_answer(workshop.slug, session.participant.id, "engage-potential-partners", "epp-1", "from another tab")
    timers.run_due()
    assert book.panel("engage-potential-partners").form.boxes["epp-1"].value == "from another tab"
    session.close()
    assert timers.live == []


# -- saves that heal themselves ------------------------------------------------------
#
# A page's store waits only a moment for another program's lock, and a save
# that fails for such a passing reason is retried with backoff until it goes
# through (or the page closes). Here the lock is a real SQLite write lock on
# the store's file, held by another connection (another program, at the end
# of this section: a real second process for 40 seconds).

BUSY = "Not saved yet, retrying… The workshop store is busy with another save."


@pytest.fixture
def page_store(sqlite_store):
    """The store file as a participant's page opens it: a short lock wait."""
    from toolkit.store import AnswerStore

    store = AnswerStore(sqlite_store.url, busy_seconds=0.05)
    yield store
    store.close()


class WriteLock:
    """Another program's write transaction on the store's file."""

    def __init__(self, store):
        import sqlite3

        self.db = sqlite3.connect(store.engine.url.database, timeout=30, isolation_level=None, check_same_thread=False)

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, *_exc):
        self.db.execute("ROLLBACK")
        self.db.close()

    def release(self):
        self.__exit__()


def texts(store, slug, question="epp-1"):
    """Every text saved for ``question``, oldest first (the history)."""
    df = answers(store, slug, "text")
    return list(df[df["question_id"] == question]["value"])


def page_session(store, slug, timers, **kwargs):
    return Session(store, slug, poll_seconds=0, sync_seconds=0, call_later=timers.call_later, **kwargs)


def test_a_save_on_a_locked_store_is_retried_until_it_goes_through_newest_text_first(page_store, sqlite_store, workshop, sign_in, timers):
    session = page_session(page_store, workshop.slug, timers)
    book = session.stage_workbook("diagnosis")
    sign_in(session)
    form = book.panel("engage-potential-partners").form
    lock = WriteLock(sqlite_store).__enter__()
    form.boxes["epp-1"].value = "first"
    timers.run_due()  # the debounce: the save meets the lock
    assert form.statuses["epp-1"].value == BUSY
    assert "xs-status-retrying" in form.statuses["epp-1"]._dom_classes
    assert [t.delay for t in timers.live] == [1.0]  # the first retry
    timers.run_due()
    assert [t.delay for t in timers.live] == [2.0]  # backoff
    form.boxes["epp-1"].value = "first, then more"  # typed while it waits
    assert form.statuses["epp-1"].value == "Saving…"
    timers.run_due()  # the retry and the newer text's debounce: the newer text is tried
    assert form.statuses["epp-1"].value == BUSY
    assert len(timers.live) == 1
    lock.release()
    assert texts(sqlite_store, workshop.slug) == []  # nothing got through the lock
    timers.run_due()  # no typing: the retry saves it
    assert form.statuses["epp-1"].value.startswith("Saved ")
    assert texts(sqlite_store, workshop.slug) == ["first, then more"]  # never the stale text
    assert timers.live == [] and session.writer.pending == ()
    form.boxes["epp-1"].value = "and the next save builds on it"
    timers.run_due()
    assert texts(sqlite_store, workshop.slug) == ["first, then more", "and the next save builds on it"]
    assert form.fields["epp-1"].choice is None  # its own saves never conflict


def test_a_retry_that_meets_a_newer_answer_offers_the_choice(page_store, sqlite_store, workshop, sign_in, timers):
    session = page_session(page_store, workshop.slug, timers)
    book = session.stage_workbook("diagnosis")
    p = sign_in(session)
    form = book.panel("engage-potential-partners").form
    with WriteLock(sqlite_store):
        form.boxes["epp-1"].value = "mine, typed during the lock"
        timers.run_due()
        assert form.statuses["epp-1"].value == BUSY
    # Meanwhile the same participant saved this answer on another device.
    sqlite_store.save_answer(workshop.slug, p.id, "engage-potential-partners", "epp-1", "theirs, from the phone", base=0)
    timers.run_due()  # the retry meets the newer answer
    field = form.fields["epp-1"]
    assert field.in_conflict
    assert form.statuses["epp-1"].value == "Not saved: changed in another tab or on another device; choose below what to keep"
    assert "mine, typed during the lock" in field.choice.texts.value and "theirs, from the phone" in field.choice.texts.value
    assert texts(sqlite_store, workshop.slug) == ["theirs, from the phone"]
    assert [s.value for s in sqlite_store.superseded(workshop.slug)] == ["mine, typed during the lock"]  # kept, not lost
    assert timers.live == []  # no retry saves over theirs
    field.choice.keep_mine.click()
    assert texts(sqlite_store, workshop.slug) == ["theirs, from the phone", "mine, typed during the lock"]


def test_retries_stop_when_the_page_closes(page_store, sqlite_store, workshop, sign_in, timers):
    session = page_session(page_store, workshop.slug, timers)
    book = session.stage_workbook("diagnosis")
    sign_in(session)
    form = book.panel("engage-potential-partners").form
    with WriteLock(sqlite_store):
        form.boxes["epp-1"].value = "typed, then the tab closed during the lock"
        timers.run_due()
        assert [t.delay for t in timers.live] == [1.0]
        book.close()
        assert timers.live == [] and session.writer.pending == ()
    timers.run_due()
    session.flush()
    assert texts(sqlite_store, workshop.slug) == []  # nobody is left to retry for
    again = session.stage_workbook("diagnosis")  # a page opened later retries again
    again.panel("engage-potential-partners").form.boxes["epp-2"].value = "typed on the next page"
    with WriteLock(sqlite_store):
        timers.run_due()
    timers.run_due()
    assert texts(sqlite_store, workshop.slug, "epp-2") == ["typed on the next page"]


def test_ratings_comments_dots_and_actions_are_retried_too(page_store, sqlite_store, workshop, sign_in, timers):
    session = page_session(page_store, workshop.slug, timers, autosave_delay=0)
    book = session.stage_workbook("diagnosis")
    votes = session.priorities()
    p = sign_in(session)
    panel = book.panel("engage-potential-partners")
    with WriteLock(sqlite_store):
        panel.rating.buttons.value = 2
        panel.rating.comment.value = "no shared calendar"
        votes.vote.counts["engage-potential-partners"].value = 3
        panel.actions.what.value = "Book a room"
        panel.actions.owner.value = "Library"
        panel.actions.add.click()
    assert panel.rating.status.value == BUSY and panel.rating.buttons.value == 2  # the click stays
    assert panel.rating.comment_status.value == BUSY
    assert votes.vote.status.value == BUSY and votes.vote.counts["engage-potential-partners"].value == 3
    assert panel.actions.message.value == "Not added yet, retrying… The workshop store is busy with another save."
    assert panel.actions.what.value == "Book a room"
    timers.run_due()
    assert panel.rating.status.value.startswith("Saved ") and panel.rating.comment_status.value.startswith("Saved ")
    assert votes.vote.status.value.startswith("Saved ") and panel.actions.message.value == "Added: Book a room"
    assert sqlite_store.current_for(workshop.slug, p.id) == {
        ("rating", "engage-potential-partners", ""): "2",
        ("comment", "engage-potential-partners", ""): "no shared calendar",
        ("dots", "engage-potential-partners", ""): "3",
    }
    assert [a.what for a in sqlite_store.actions(workshop.slug)] == ["Book a room"]


def test_a_store_failure_that_clears_heals_the_same_way(page_store, sqlite_store, workshop, sign_in, timers):
    session = page_session(page_store, workshop.slug, timers)
    book = session.stage_workbook("diagnosis")
    sign_in(session)
    form = book.panel("engage-potential-partners").form
    rename_table(sqlite_store, "answers", "answers_away")  # the store breaks under the page
    form.boxes["epp-1"].value = "typed while the store was broken"
    timers.run_due()
    assert form.statuses["epp-1"].value == "Not saved yet, retrying… The workshop store had a problem (no such table: answers)."
    rename_table(sqlite_store, "answers_away", "answers")  # ... and is mended
    timers.run_due()
    assert form.statuses["epp-1"].value.startswith("Saved ")
    assert texts(sqlite_store, workshop.slug) == ["typed while the store was broken"]


def test_a_refused_save_is_not_retried(page_store, sqlite_store, workshop, sign_in, timers):
    session = page_session(page_store, workshop.slug, timers)
    book = session.stage_workbook("diagnosis")
    sign_in(session)
    form = book.panel("engage-potential-partners").form
    form.boxes["epp-1"].value = "\x00"  # a control character: refused by the store
    timers.run_due()
    assert form.statuses["epp-1"].value.startswith("Not saved: contains NUL")
    assert timers.live == [] and session.writer.pending == ()


@pytest.mark.parametrize(
    "message, reason",
    [
        ("database is locked", "the workshop store is busy with another save"),
        ("canceling statement due to lock timeout", "the workshop store is busy with another save"),
        ("disk I/O error", "the workshop computer could not write to its disk"),
        ("database or disk is full", "the workshop computer's disk is full"),
        ("attempt to write a readonly database", "the workshop store cannot be written just now"),
        ("connection refused", "the workshop store had a problem (connection refused)"),
    ],
)
def test_passing_failures_are_said_in_plain_words(message, reason):
    from sqlalchemy.exc import OperationalError

    from widgets.session import passing_reason

    assert passing_reason(OperationalError("INSERT", {}, Exception(message))) == reason


def test_refusals_are_not_passing_failures():
    from sqlalchemy.exc import IntegrityError

    from toolkit.errors import ChangedElsewhere, InvalidAnswer, StageLocked
    from widgets.session import passing_reason

    for exc in (InvalidAnswer("too long"), StageLocked("locked"), ChangedElsewhere("newer", newer=None, mine="x"),
                IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed")), KeyError("bug")):
        assert passing_reason(exc) is None


def test_a_page_opens_its_own_store_with_a_short_lock_wait(tmp_path, monkeypatch):
    """A page's writes wait PAGE_BUSY_SECONDS for a lock (then retry);
    opening the store still waits the long wait: a page whose kernel
    started during a moment's lock must not stay broken."""
    import threading

    from toolkit.store import AnswerStore
    from toolkit.store.schema import BUSY_SECONDS, PAGE_BUSY_SECONDS

    db = tmp_path / "w.sqlite"
    AnswerStore(str(db)).create_workshop("W")
    monkeypatch.setenv("WORKSHOP_DB", str(db))
    monkeypatch.setattr("widgets.session.PAGE_BUSY_SECONDS", 0.05)
    lock = WriteLock(AnswerStore(str(db))).__enter__()
    threading.Timer(1.0, lock.release).start()  # a moment longer than the page's wait
    session = Session(poll_seconds=0)
    assert session.problem == "" and session.workshop.title == "W"
    for use, expected in ((session.store.engine.begin, 50), (lambda: AnswerStore(str(db)).engine.begin(), BUSY_SECONDS * 1000)):
        with use() as conn:
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == expected
    assert PAGE_BUSY_SECONDS < BUSY_SECONDS
    session.store.close()


HOLDER = ROOT / "tests" / "lock_holder.py"  # another program: holds the write lock, then lets go

READER = """
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(json.dumps(db.execute("SELECT participant_id, question_id, value FROM answers WHERE kind = 'text' ORDER BY id").fetchall()))
"""


@pytest.mark.slow
def test_a_write_lock_held_40_seconds_by_another_process_loses_nothing_and_freezes_nothing(sqlite_store, workshop, sign_in):
    """Issue #13: another program holds the store's write lock for 40 s.
    On the kernel's real event loop, two participants' pages (two sessions,
    as two kernels would be) type during the lock: each box says it is
    retrying while the lock is still held (nothing froze), and afterwards
    both texts are in the store, read by another process, with no typing."""
    import asyncio
    import json
    import threading

    from toolkit.store import AnswerStore
    from toolkit.store.schema import PAGE_BUSY_SECONDS

    path = sqlite_store.engine.url.database
    stores = [AnswerStore(sqlite_store.url, busy_seconds=PAGE_BUSY_SECONDS) for _ in range(2)]
    writers = []  # the thread of every attempt to save an answer
    for store in stores:
        def save_answer(*args, _save=store.save_answer, **kwargs):
            writers.append(threading.get_ident())
            return _save(*args, **kwargs)
        store.save_answer = save_answer

    async def main():
        pages = []
        for store, name in zip(stores, ("Ana", "Ben")):
            session = Session(store, workshop.slug, poll_seconds=0, autosave_delay=0.2)
            book = session.stage_workbook("diagnosis")
            sign_in(session, name=name)
            pages.append((session, book.panel("engage-potential-partners").form))
        holder = await asyncio.create_subprocess_exec(sys.executable, str(HOLDER), path, "40", stdout=asyncio.subprocess.PIPE)
        assert (await holder.stdout.readline()).strip() == b"locked"
        (ana, ana_form), (ben, ben_form) = pages
        ana_form.boxes["epp-1"].value = "Ana typed this during the lock"
        ana_form.boxes["epp-2"].value = "and this, in her second box"
        ben_form.boxes["epp-1"].value = "Ben typed this during the lock"
        statuses = [ana_form.statuses["epp-1"], ana_form.statuses["epp-2"], ben_form.statuses["epp-1"]]
        deadline = time.monotonic() + 120
        while not all(s.value == BUSY for s in statuses) and holder.returncode is None and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        retrying_during_lock = [s.value for s in statuses]
        still_locked = holder.returncode is None
        await holder.wait()
        while not all(s.value.startswith("Saved ") for s in statuses) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        saved = [s.value for s in statuses]
        for session, _form in pages:
            session.close()
        return retrying_during_lock, still_locked, saved, threading.get_ident()

    try:
        retrying_during_lock, still_locked, saved, loop_thread = asyncio.run(main())
    finally:
        for store in stores:
            store.close()
    assert retrying_during_lock == [BUSY] * 3 and still_locked
    assert len(writers) > 3 and loop_thread not in writers  # retried, and never on the event loop
    assert all(s.startswith("Saved ") for s in saved)
    read = subprocess.run([sys.executable, "-c", READER, path], capture_output=True, text=True, check=True, timeout=60)
    rows = {(pid, q): v for pid, q, v in json.loads(read.stdout)}
    ana, ben = sorted({pid for pid, _q in rows})
    assert rows == {
        (ana, "epp-1"): "Ana typed this during the lock",
        (ana, "epp-2"): "and this, in her second box",
        (ben, "epp-1"): "Ben typed this during the lock",
    }


def test_saved_means_durable_on_a_running_loop(sqlite_store, workshop, sign_in):
    """Once a box says Saved (its write ran off the loop), another process
    reads the text from the store's file."""
    import asyncio
    import json

    async def main():
        session = Session(sqlite_store, workshop.slug, autosave_delay=0.01, poll_seconds=0)
        form = session.stage_workbook("diagnosis").panel("engage-potential-partners").form
        sign_in(session)
        form.boxes["epp-1"].value = "durable once it says Saved"
        while not form.statuses["epp-1"].value.startswith("Saved "):
            await asyncio.sleep(0.01)
        read = await asyncio.create_subprocess_exec(sys.executable, "-c", READER, sqlite_store.engine.url.database, stdout=asyncio.subprocess.PIPE)
        out, _ = await read.communicate()
        session.close()
        return json.loads(out)

    assert [v for _p, _q, v in asyncio.run(main())] == ["durable once it says Saved"]


def test_a_save_that_hits_a_bug_says_so_in_one_line(session, sign_in, sqlite_store, workshop, monkeypatch, caplog):
    book = session.stage_workbook("diagnosis")
    sign_in(session)

    def broken(*_args, **_kwargs):
        raise KeyError("tool")

    monkeypatch.setattr(sqlite_store, "save_answer", broken)
    form = book.panel("engage-potential-partners").form
    form.boxes["epp-1"].value = "kept in the box"
    session.flush()
    assert form.statuses["epp-1"].value == "Not saved: something went wrong (KeyError); your text is still here"
    assert form.boxes["epp-1"].value == "kept in the box" and session.writer.pending == ()
    assert [r.getMessage() for r in caplog.records if r.name == "widgets.session"] == ["a save failed: KeyError: 'tool'"]


def test_the_dot_vote_on_a_tables_shared_device_says_why_it_has_no_dots(sqlite_store, workshop):
    from widgets.priorities import SIGN_IN_FIRST, TABLE_DEVICE

    session = Session(sqlite_store, workshop.slug, poll_seconds=0, device=DEVICE)
    votes = session.priorities()
    assert votes.notice.value == SIGN_IN_FIRST  # nobody yet
    session.sign_in_table(table="Table 5", members={"business": 2, "community": 1})
    assert votes.disabled and not votes.ready and votes.shared
    assert votes.notice.value == TABLE_DEVICE  # signed in, as a table: not "sign in above"
