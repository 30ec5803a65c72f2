"""docs/ui-hooks.md and the code agree: every documented participant hook
is on a built page, on the kind of widget the browser tests expect."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import ipywidgets as widgets
import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "ui-hooks.md"
SAMPLE = {"<tool_id>": "share-discretion", "<question_id>": "sd-1", "<stage_id>": "design"}


def documented(section_title: str, table_index: int = 0) -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split(f"## {section_title}", 1)[1].split("\n## ", 1)[0]
    tables = re.findall(r"((?:^\|.*\|\n)+)", section, flags=re.M)
    classes = []
    for row in tables[table_index].splitlines()[2:]:
        first_cell = row.split("|")[1]
        classes += re.findall(r"`(xs-[^`]+)`", first_cell)
    return classes


def concrete(name: str) -> str:
    for placeholder, value in SAMPLE.items():
        name = name.replace(placeholder, value)
    return name


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


@pytest.fixture
def pages(session, sign_in, sqlite_store, workshop):
    # Today's plan (tools outside it), a timer and a lock with notice running.
    sqlite_store.set_plan(workshop.slug, [("share-discretion", 20), ("engage-potential-partners", 20)])
    sqlite_store.start_timer(workshop.slug, 600)
    sqlite_store.lock_with_notice(workshop.slug, "diagnosis", 120)
    session.check_settings()
    book = session.stage_workbook("design")
    votes = session.priorities()
    diagnosis = session.stage_workbook("diagnosis")
    sign_in(session)
    # A tablemate at Table 3 answered (issue #15): xs-tablemate and its parts.
    mate = sqlite_store.add_participant(workshop.slug, name="Mate", organization="Port", sector="business", table="Table 3")
    sqlite_store.save_answer(workshop.slug, mate.id, "share-discretion", "sd-1", "The mate's answer")
    session.sync()
    panel = book.panel("share-discretion")
    panel.form.boxes["sd-1"].value = "x"
    panel.rating.buttons.value = 1
    panel.actions.what.value = "Draft a charter"
    panel.actions.owner.value = "City"
    panel.actions.add.click()  # xs-message-ok
    book.panel("identify-a-manager").actions.add.click()  # empty: xs-message-error
    panel.form.boxes["sd-2"].value = "\x00"  # xs-status-error
    session.flush()
    # Changed in another tab meanwhile: the conflict choice and the notices.
    who = session.participant.id
    sqlite_store.save_answer(workshop.slug, who, "share-discretion", "sd-1", "from another tab")
    panel.form.boxes["sd-1"].value = "x, edited here"
    sqlite_store.save_rating(workshop.slug, who, "share-discretion", 4)
    panel.rating.buttons.value = 2  # xs-changed-elsewhere on the rating
    sqlite_store.save_dots(workshop.slug, who, {"share-discretion": 2})
    votes.vote.counts["share-discretion"].value = 1  # ... and on the dots
    session.flush()  # xs-conflict under sd-1
    # A save the store cannot take just now waits for its retry: xs-status-retrying.
    broken = sqlite3.connect(sqlite_store.engine.url.database)
    broken.execute("ALTER TABLE answers RENAME TO answers_away")
    # (on a stage that stays open: the lock below would settle a retry on Design)
    diagnosis.panel("engage-potential-partners").form.boxes["epp-2"].value = "typed while the store was broken"
    session.flush()
    broken.execute("ALTER TABLE answers_away RENAME TO answers")
    broken.close()
    panel.form.boxes["sd-3"].value = "typing"  # the lock below catches it: xs-status-error, text kept
    diagnosis.panel("engage-potential-partners").form.boxes["epp-1"].value = "typing"  # xs-status-editing (pending)
    sqlite_store.lock_stage(workshop.slug, "design")
    sqlite_store.set_vote(workshop.slug, open=False)  # xs-vote-closed
    session.check_settings()
    assert panel.form.boxes["sd-3"].value == "typing" and "copy it if you want to keep it" in panel.form.statuses["sd-3"].value
    return book, votes, diagnosis


def test_every_documented_widget_hook_is_on_the_pages(pages):
    classes: dict[str, list] = {}
    for page in pages:
        for w in walk(page):
            for c in getattr(w, "_dom_classes", ()):
                classes.setdefault(c, []).append(w)
    names = [concrete(n) for n in documented("Participant pages", 0)]
    assert len(names) > 40
    missing = [n for n in names if n not in classes]
    assert missing == []


def test_every_documented_html_hook_is_in_the_pages(pages):
    html = " ".join(w.value for page in pages for w in walk(page) if isinstance(w, widgets.HTML))
    names = [concrete(n) for n in documented("Participant pages", 1)]
    missing = [n for n in names if not re.search(rf'class="[^"]*\b{re.escape(n)}\b', html)]
    assert missing == []


@pytest.mark.parametrize(
    "css, kind",
    [
        ("xs-signin-workshop", widgets.Dropdown),
        ("xs-signin-name", widgets.Text),
        ("xs-signin-org", widgets.Text),
        ("xs-signin-sector", widgets.Dropdown),
        ("xs-signin-table", widgets.Text),
        ("xs-signin-submit", widgets.Button),
        ("xs-answer", widgets.Textarea),
        ("xs-q-sd-1", widgets.Textarea),
        ("xs-save-status", widgets.Label),
        ("xs-rating", widgets.RadioButtons),
        ("xs-rating-comment", widgets.Textarea),
        ("xs-action-what", widgets.Textarea),
        ("xs-action-owner", widgets.Text),
        ("xs-action-due", widgets.DatePicker),
        ("xs-action-add", widgets.Button),
        ("xs-dot-add", widgets.Button),
        ("xs-dot", widgets.Button),
        ("xs-tool-picker", widgets.Dropdown),
        ("xs-next-tool", widgets.Button),
        ("xs-about-toggle", widgets.Button),
        ("xs-char-count", widgets.Label),
        ("xs-page-saved", widgets.Label),
        ("xs-tool-nav-share-discretion", widgets.Button),
        ("xs-signin-resume", widgets.Text),
        ("xs-signin-resume-submit", widgets.Button),
        ("xs-resume-code", widgets.Label),
        ("xs-conflict-mine", widgets.Button),
        ("xs-conflict-theirs", widgets.Button),
        ("xs-conflict-merge", widgets.Button),
        ("xs-use-mine", widgets.Button),
    ],
)
def test_hooks_sit_on_the_control_itself(pages, css, kind):
    found = [w for page in pages for w in walk(page) if css in getattr(w, "_dom_classes", ())]
    assert found
    assert all(isinstance(w, kind) for w in found)


def test_every_input_has_a_visible_label(pages):
    inputs = (widgets.Text, widgets.Textarea, widgets.Dropdown, widgets.DatePicker, widgets.BoundedIntText)
    unlabelled = [
        w._dom_classes for page in pages for w in walk(page)
        if isinstance(w, inputs) and not (w.description.strip() and w.style.description_width == "initial")
    ]
    assert unlabelled == []


def test_no_fixed_pixel_widths(pages):
    fixed = [
        (type(w).__name__, w.layout.width) for page in pages for w in walk(page)
        if getattr(w, "layout", None) is not None and w.layout.width and w.layout.width.endswith("px")
    ]
    assert fixed == []
