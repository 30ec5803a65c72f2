"""The facilitator's notes in the console: beside each tool its purpose,
core questions, minutes, method with its worksheet, pitfalls, sensitive
questions and provisional note; the worksheet buttons write the sheet."""

from __future__ import annotations

from markupsafe import escape

from widgets.console import ConsoleSession, FacilitatorConsole
from widgets.facilitator_notes import FacilitatorNotes, connect_notes


def h(text: str) -> str:
    return str(escape(text))


def test_picking_a_tool_shows_its_notes(kit):
    notes = FacilitatorNotes(kit)
    assert notes.value == kit.tools[0].id and "xs-notes" in notes.notes._dom_classes
    tool = kit.tool("share-discretion")
    notes.tool_picker.value = tool.id
    assert notes.value == tool.id
    html = notes.notes.value
    note = tool.facilitation
    sheet = kit.worksheet(note.method)
    assert h(note.purpose) in html
    assert f"{note.minutes} min suggested" in html
    assert h(sheet.title) in html and f"<code>{sheet.id}</code>" in html
    for text in (*note.materials, *note.pitfalls, *(q.text for q in tool.core_questions)):
        assert h(text) in html, text
    [flagged] = tool.sensitive_questions
    assert f"sensitive: {flagged.sensitive.kind}" in html and h(flagged.sensitive.reason) in html
    assert html.count('class="tag core"') == len(note.core)
    assert "provisional" not in html


def test_a_provisional_tool_shows_its_note_to_the_facilitator(kit):
    notes = FacilitatorNotes(kit)
    notes.value = kit.tool(14).id
    assert h(kit.tool(14).note) in notes.notes.value and 'class="badge">provisional' in notes.notes.value


def test_the_worksheet_buttons_write_the_tools_sheet_and_say_where(kit, tmp_path):
    notes = FacilitatorNotes(kit)
    asked = []
    notes.on_worksheet(lambda sheet, fmt: asked.append((sheet, fmt)))
    connect_notes(notes, tmp_path / "out")
    notes.value = "account-for-resources"
    notes.worksheet_html.click()
    assert asked == [("resource-inventory", "html")]
    written = tmp_path / "out" / "worksheet-resource-inventory.html"
    assert written.exists() and "Resource inventory" in written.read_text(encoding="utf-8")
    assert f"Saved {written}" in notes.message.value and 'role="status"' in notes.message.value


def test_a_failed_write_says_why(kit, tmp_path, monkeypatch):
    notes = FacilitatorNotes(kit)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    connect_notes(notes, blocker)
    notes.worksheet_pdf.click()
    assert "xs-console-error" in notes.message.value and "Worksheet not written" in notes.message.value


def test_the_console_has_a_notes_section_and_writes_worksheets_to_its_folder(sqlite_store, tmp_path, monkeypatch):
    import widgets.console as console_mod

    monkeypatch.setattr(console_mod, "DEFAULT_EXPORT_DIR", tmp_path / "exports")
    session = ConsoleSession(sqlite_store)
    console = session.console
    assert isinstance(console, FacilitatorConsole) and isinstance(console.notes, FacilitatorNotes)
    assert any(console.notes in section.children for section in console.children if hasattr(section, "children"))
    console.notes.value = "tell-the-story"
    console.notes.worksheet_html.click()
    assert (tmp_path / "exports" / "worksheet-story-canvas.html").exists()
