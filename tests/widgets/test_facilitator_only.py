"""What is for facilitators stays with them: the provisional note on tools
14 and 16, the facilitation notes (purposes, pitfalls) and the reasons a
question is sensitive appear on no participant page (every stage's
workbook with every tool open, the priorities page) and in no export for
partners (the planning guide as HTML and Markdown, the handout, the
spreadsheet and every CSV). The facilitator's own guide and console show
them (tests/toolkit/exports/test_facilitator.py, test_facilitator_notes.py)."""

from __future__ import annotations

import html

import pandas as pd
import pytest

from toolkit.exports import guide
from toolkit.exports.workshop import export_workshop
from toolkit.frames import FRAME_NAMES


def secrets(kit) -> list[str]:
    found = [t.note for t in kit.tools if t.note]
    found += [line for t in kit.tools if t.facilitation for line in (t.facilitation.purpose, *t.facilitation.pitfalls)]
    found += [q.sensitive.reason for t in kit.tools for q in t.sensitive_questions]
    return found


def leaked(text: str, kit) -> list[str]:
    plain = html.unescape(text)
    return [s for s in secrets(kit) if s in plain or guide.md_escape(s) in text]


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in strings(v)]
    return []


def widget_text(page) -> str:
    """Every string in the state of every widget on the page, as its comm
    sends it to the participant's browser (text, labels, options, tooltips)."""
    return "\n".join(s for w in walk(page) for s in strings(w.get_state()))


def test_the_content_has_facilitator_secrets_to_keep(kit):
    assert [t.number for t in kit.tools if t.note] == [14, 16]
    assert len(secrets(kit)) > 60


def test_no_participant_page_shows_them(session, sign_in, sqlite_store, workshop, kit):
    pages = []
    for stage in kit.stages:
        book = session.stage_workbook(stage.id)
        for tool in kit.tools_in(stage.id):
            book.panel(tool.id)  # every tool opened
        pages.append(book)
    pages.append(session.priorities())
    sign_in(session)
    text = "\n".join(widget_text(p) for p in pages)
    assert "Answer without my name" in text and kit.tool(14).name in text  # the pages were built
    assert leaked(text, kit) == []


@pytest.fixture
def answered(sqlite_store, workshop, kit):
    slug = workshop.slug
    p = sqlite_store.add_participant(slug, name="Ana", organization="Town Hall", sector="government", table="Table 1")
    for number in (14, 16):
        tool = kit.tool(number)
        sqlite_store.save_answer(slug, p.id, tool.id, tool.questions[0].id, f"An answer to tool {number}")
        sqlite_store.save_rating(slug, p.id, tool.id, 2)
    sqlite_store.save_answer(slug, p.id, "account-for-resources", "afr-1", "Money talk", anonymous=True)
    return slug


def test_no_partner_export_carries_them(sqlite_store, answered, kit, tmp_path):
    slug = answered
    data = guide.guide_data(sqlite_store, slug)
    texts = {"guide.html": guide.render_html(data), "guide.md": guide.render_markdown(data), "handout.html": guide.render_handout_html(kit)}
    assert all("An answer to tool 14" in t for name, t in texts.items() if name.startswith("guide"))
    export_workshop(sqlite_store, slug, "xlsx", tmp_path / "w.xlsx")
    sheets = pd.read_excel(tmp_path / "w.xlsx", sheet_name=None)
    texts["xlsx"] = "\n".join(df.astype(str).to_csv(index=False) for df in sheets.values())
    for frame in FRAME_NAMES:
        path = export_workshop(sqlite_store, slug, "csv", tmp_path / f"{frame}.csv", frame=frame)
        texts[f"{frame}.csv"] = path.read_text(encoding="utf-8-sig")
    assert "An answer to tool 14" in texts["xlsx"] and "Money talk" in texts["answers.csv"]
    assert {name: leaked(text, kit) for name, text in texts.items()} == {name: [] for name in texts}
