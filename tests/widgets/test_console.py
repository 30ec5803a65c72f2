"""The facilitator console (widgets/console.py): the view emits events, the
session turns them into store calls and shows the store's messages."""

from __future__ import annotations

import json

import pytest

from widgets.console import ConsoleSession, FacilitatorConsole, build_console


@pytest.fixture
def session(sqlite_store):
    sqlite_store.create_workshop("Older Workshop")
    ws = sqlite_store.create_workshop("Riverside Partners")
    sqlite_store.add_participant(ws.slug, organization="City Parks", sector="government", table="Table 1")
    return ConsoleSession(sqlite_store)


def test_view_emits_events_without_touching_a_store(kit):
    console = FacilitatorConsole(kit)
    got = []
    console.on_create(lambda title: got.append(("create", title)))
    console.on_anonymous(lambda on: got.append(("anonymous", on)))
    console.on_reveal(lambda on: got.append(("reveal", on)))
    console.on_stage(lambda stage, state: got.append(("stage", stage, state)))
    console.on_new_round(lambda: got.append(("round",)))
    console.on_export(lambda fmt, path: got.append(("export", fmt, path)))
    console.new_title.value = "Harbour Alliance"
    console.create_button.click()
    console.anonymous.value = True
    console.reveal.value = True
    console.stages["design"].value = "locked"
    console.new_round_button.click()  # asks first
    assert ("round",) not in got and console.new_round_button.description == "Click again to confirm"
    console.new_round_button.click()
    console.export_format.value = "json"
    console.export_path.value = "/tmp/x.json"
    console.export_button.click()
    assert got == [
        ("create", "Harbour Alliance"),
        ("anonymous", True),
        ("reveal", True),
        ("stage", "design", "locked"),
        ("round",),
        ("export", "json", "/tmp/x.json"),
    ]
    assert "xs-console-stage-design" in console.stages["design"]._dom_classes


def test_session_shows_the_store_state(session):
    c = session.console
    assert c.value == "riverside-partners"  # newest first
    assert [v for _l, v in c.workshop_picker.options] == ["riverside-partners", "older-workshop"]
    assert "1 participant ·" in c.summary.value  # "1 participants" before the kit had one plural()
    assert "Round 1" in c.round_label.value
    assert c.reveal.value is False and c.anonymous.value is False
    assert all(t.value == "open" for t in c.stages.values())


def test_each_control_changes_the_store(session):
    c, store, slug = session.console, session.store, "riverside-partners"
    c.anonymous.value = True
    assert store.workshop(slug).settings.anonymous is True
    assert "anonymous" in c.message.value
    c.reveal.value = True
    assert store.workshop(slug).settings.ratings_revealed is True
    c.stages["implementation"].value = "locked"
    assert store.workshop(slug).settings.is_locked("implementation")
    assert "Implementation is locked" in c.message.value
    c.stages["implementation"].value = "open"
    assert not store.workshop(slug).settings.is_locked("implementation")
    c.new_round_button.click()
    c.new_round_button.click()
    assert store.workshop(slug).settings.round == 2
    assert "Round 2" in c.round_label.value and "Round 2 started" in c.message.value
    c.workshop_picker.value = "older-workshop"
    assert store.workshop("older-workshop").settings.round == 1
    c.reveal.value = True
    assert store.workshop("older-workshop").settings.ratings_revealed is True


def test_create_shows_the_new_workshop_and_the_store_message_on_error(session):
    c = session.console
    c.new_title.value = "Harbour Alliance"
    c.create_button.click()
    assert c.value == "harbour-alliance" and session.store.workshop("harbour-alliance").title == "Harbour Alliance"
    assert c.new_title.value == ""
    c.create_button.click()  # empty title
    assert "xs-console-error" in c.message.value
    assert "workshop title: must not be empty" in c.message.value
    assert len(session.store.workshops()) == 3


def test_a_refused_change_is_shown_and_the_control_put_back(session, monkeypatch):
    from toolkit.errors import ToolkitError

    def refuse(*_a, **_k):
        raise ToolkitError("the store is read-only right now")

    monkeypatch.setattr(session.store, "update_settings", refuse)
    session.console.reveal.value = True
    assert "the store is read-only right now" in session.console.message.value
    assert session.console.reveal.value is False  # shows what the store holds


def test_export_writes_through_toolkit_export(session, tmp_path):
    c = session.console
    c.export_format.value = "json"
    c.export_path.value = str(tmp_path) + "/"
    c.export_button.click()
    written = tmp_path / "riverside-partners.json"
    assert written.exists(), c.message.value
    assert f"Saved {written}" in c.message.value
    assert json.loads(written.read_text())["workshop"]["slug"] == "riverside-partners"


def test_build_console_on_an_empty_store(tmp_path):
    c = build_console(str(tmp_path / "new.sqlite"))
    assert c.value == ""
    assert c.reveal.disabled and c.export_button.disabled
    assert "No workshop yet" in c.summary.value
    c.new_title.value = "First"
    c.create_button.click()
    assert c.value == "first" and not c.reveal.disabled
    assert c.session.slug == "first"


def test_documented_hooks_are_on_the_console(session):
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "ui-hooks.md").read_text(encoding="utf-8")
    section = doc.split("### Facilitator console", 1)[1].split("\n### ", 1)[0]
    table = re.findall(r"((?:^\|.*\|\n)+)", section, flags=re.M)[0]
    # An answer to hide and one hidden: their buttons carry their ids.
    store, slug = session.store, session.slug
    who = store.participants(slug)[0].id
    shown = store.save_answer(slug, who, "engage-potential-partners", "epp-1", "Shown")
    hidden = store.save_answer(slug, who, "engage-potential-partners", "epp-2", "Hidden")
    store.hide_answer(slug, hidden.id)
    session.update()
    hooks = [
        c.replace("<stage_id>", "design").replace("hide-<answer_id>", f"hide-{shown.id}").replace("show-<answer_id>", f"show-{hidden.id}")
        for row in table.splitlines()[2:] for c in re.findall(r"`(xs-[^`]+)`", row.split("|")[1])
    ]

    def walk(w):
        yield w
        for child in getattr(w, "children", ()):
            yield from walk(child)

    session.console.anonymous.value = True  # a message, so xs-console-ok is shown
    classes = {c for w in walk(session.console) for c in getattr(w, "_dom_classes", ())}
    html = " ".join(w.value for w in walk(session.console) if hasattr(w, "value") and isinstance(w.value, str))
    missing = [c for c in hooks if c not in classes and f'class="{c}"' not in html]
    assert missing == []
    assert len(hooks) >= 15


@pytest.mark.slow
def test_console_notebook_is_thin_and_runs_against_a_store(session, monkeypatch):
    import ast
    from pathlib import Path

    import nbformat
    from nbclient import NotebookClient

    path = Path(__file__).resolve().parents[2] / "notebooks" / "00_facilitator.ipynb"
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.source for c in code] == ["from widgets.console import build_console\n\nbuild_console()"]
    assert not [n for c in code for n in ast.walk(ast.parse(c.source)) if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda))]
    monkeypatch.setenv("WORKSHOP_DB", session.store.url)
    monkeypatch.delenv("WORKSHOP_SLUG", raising=False)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}, store_widget_state=True).execute()
    assert [o.output_type for o in code[-1].outputs] == ["execute_result"]
    states = [m["state"] for m in nb.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"].values()]
    by_class = {css: s for s in states for css in s.get("_dom_classes", [])}
    assert by_class["xs-console"]["value"] == "riverside-partners"
    assert "1 participant ·" in by_class["xs-console-summary"]["value"]


def test_a_database_error_is_one_line_naming_the_store(session, monkeypatch):
    """Not SQLAlchemy's text with its SQL and a link: where the store is,
    the cause and what to do."""
    store = session.store

    def broken(*_args, **_kwargs):
        with store.engine.connect() as conn:
            conn.exec_driver_sql("SELECT nonsense FROM workshops")

    monkeypatch.setattr(store, "update_settings", broken)
    session.console.reveal.value = True
    shown = session.console.message.value
    assert f"cannot use the store {store.location} (no such column: nonsense)" in shown
    assert "SELECT" not in shown and "sqlalche.me" not in shown and "<AnswerStore" not in shown


def test_resume_codes_are_looked_up_for_the_selected_workshop(sqlite_store):
    from toolkit.store.identity import format_resume_code

    ws = sqlite_store.create_workshop("Harbour")
    ana = sqlite_store.add_participant(ws.slug, name="Ana <b>", organization="Food Bank", sector="nonprofit", table="T1")
    sqlite_store.add_participant(ws.slug, organization="Port", sector="business", table="T2")
    sqlite_store.update_settings(ws.slug, anonymous=True)  # the facilitator's own screen still shows names
    session = ConsoleSession(sqlite_store, slug=ws.slug)
    people = session.console.people
    people.find.value = "food"
    people.look_up.click()
    listing = people.listing.value
    assert "Ana &lt;b&gt;" in listing and "Ana <b>" not in listing
    assert format_resume_code(sqlite_store.resume_code(ana.id)) in listing
    assert "Non-profit" in listing and "Port" not in listing
    assert "xs-console-people" in people.look_up._dom_classes and "xs-console-people-list" in people.listing._dom_classes
    people.find.value = "nobody here"
    people.look_up.click()
    assert people.listing.value == "<p>Nobody matches.</p>"


def test_the_room_controls_emit_their_events(kit):
    console = FacilitatorConsole(kit)
    got = []
    for name in ("plan", "timer", "notice", "vote", "screen", "hide", "show", "min_group"):
        getattr(console, f"on_{name}")(lambda *args, name=name: got.append((name, *args)))
    console.plan_template.value = "first-meeting"
    console.plan_use.click()
    console.plan_tools.value = "1,2:30"
    console.plan_set.click()
    console.plan_clear.click()
    console.timer_length.value = "5m"
    console.timer_start.click()
    console.timer_stop.click()
    console.notice_target.value = "priorities"
    console.notice_length.value = "90s"
    console.notice_button.click()
    console.vote.value = "closed"
    console.screen_next.click()
    console.screen_auto.click()
    console.hide_id.value = 42
    console.hide_button.click()
    console.min_group.value = 4
    assert got == [
        ("plan", "template", "first-meeting"), ("plan", "tools", "1,2:30"), ("plan", "clear", ""),
        ("timer", "5m"), ("timer", ""), ("notice", "priorities", "90s"), ("vote", False),
        ("screen", "next"), ("screen", "auto"), ("hide", 42), ("min_group", 4),
    ]


def test_the_session_runs_the_room(session):
    store, slug, c = session.store, session.slug, session.console
    who = store.participants(slug)[0].id
    c.plan_tools.value = "3,1:15"
    c.plan_set.click()
    assert store.workshop(slug).settings.planned == ("assess-the-history-of-addressing-the-issue", "engage-potential-partners")
    assert "3. Assess the History" in c.plan_summary.value and "15 min" in c.plan_summary.value
    c.plan_tools.value = "3,x:y"
    c.plan_set.click()
    assert "xs-console-error" in c.message.value and "minutes after ':' must be a whole number" in __import__("html").unescape(c.message.value)
    assert 'role="alert"' in c.message.value  # said at once by a screen reader (#17); JupyterLab has no a11y.js
    c.timer_length.value = "10m"
    c.timer_start.click()
    assert "left" in c.timer_label.value and store.workshop(slug).settings.timer_seconds == 600
    c.notice_target.value = "design"
    c.notice_length.value = "2m"
    c.notice_button.click()
    assert "Design locks in 2m" in c.message.value and "Design locks in " in c.screen_label.value
    assert 'role="status"' in c.message.value
    c.vote.value = "closed"
    assert store.workshop(slug).settings.vote_closed and "The dot vote is closed" in c.message.value
    c.screen_next.click()
    c.screen_next.click()
    assert store.workshop(slug).settings.screen == "progress" and "Progress" in c.screen_label.value
    c.screen_prev.click()
    c.screen_prev.click()
    assert store.workshop(slug).settings.screen == "report"  # round the end
    c.min_group.value = 5
    assert store.workshop(slug).settings.min_group == 5
    a = store.save_answer(slug, who, "engage-potential-partners", "epp-1", "Hide me, please")
    session.update()
    hide = [w for w in _walk(c.recent) if f"xs-console-hide-{a.id}" in getattr(w, "_dom_classes", ())]
    assert len(hide) == 1 and "Hide me, please" in c.recent.children[0].children[0].value
    hide[0].click()
    assert store.workshop(slug).settings.hidden == (a.id,)
    assert "No answers yet." in c.recent.children[0].value  # the console's frames leave it out too
    show = [w for w in _walk(c.hidden) if f"xs-console-show-{a.id}" in getattr(w, "_dom_classes", ())]
    show[0].click()
    assert store.workshop(slug).settings.hidden == () and "None hidden." in c.hidden.children[0].value
    c.hide_id.value = 999_999
    c.hide_button.click()
    assert "has no answer 999999" in c.message.value


def _walk(w):
    yield w
    for child in getattr(w, "children", ()):
        yield from _walk(child)
