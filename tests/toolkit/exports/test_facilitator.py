"""The facilitator's guide (HTML, Markdown, PDF) and the worksheets (HTML,
PDF): one model, the agenda of a plan or of every tool, per tool the
notes, the method linking to its worksheet, sensitive questions flagged and
the provisional note; everything escaped; PDFs printed by Chromium."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import subprocess

import pytest
from markupsafe import escape

from toolkit import cli
from toolkit.errors import InvalidAnswer, UnknownTool
from toolkit.exports import facilitator as fac
from toolkit.exports.guide import md_escape

TODAY = dt.date(2026, 5, 4)
needs_chromium = pytest.mark.skipif(shutil.which("chromium") is None and shutil.which("chromium-browser") is None, reason="needs Chromium")


def h(text: str) -> str:
    return str(escape(text))


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


def pdf_pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, flags=re.M).group(1))


def test_a_plan_gives_the_agenda_with_clock_times_and_its_tools_in_order(kit):
    fg = fac.facilitator_guide(kit, "first-meeting", today=TODAY)
    plan = kit.plan("first-meeting")
    assert (fg.title, fg.plan_id, fg.total, fg.prepared) == (plan.title, "first-meeting", "1 h 30 min", "4 May 2026")
    [session] = fg.sessions
    assert [(s.start, s.end, s.minutes) for s in session.slots] == [("0:00", "0:10", 10), ("0:10", "0:30", 20), ("0:30", "0:55", 25), ("0:55", "1:15", 20), ("1:15", "1:30", 15)]
    assert [s.label for s in session.slots][1] == "1. Engage Potential Partners" and session.slots[0].tool_number is None
    assert [t.id for t in fg.tools] == list(plan.tool_ids)
    epp = fg.tools[0]
    assert (epp.suggested, epp.planned) == (40, 20)
    assert epp.method.id == "stakeholder-map" and [q.id for q in epp.core] == ["epp-1", "epp-4"]
    # The worksheets its tools use follow, each once, in order of use.
    assert [w.sheet.id for w in fg.worksheets] == ["stakeholder-map", "one-two-four-all", "resource-inventory"]


def test_without_a_plan_every_tool_stage_by_stage_at_its_suggested_minutes(kit):
    fg = fac.facilitator_guide(kit, today=TODAY)
    assert fg.title == fac.ALL_TOOLS_TITLE and fg.plan_id == "" and len(fg.tools) == 17
    assert [s.title for s in fg.sessions] == [f"Stage {s.number}: {s.title}" for s in kit.stages]
    assert [t.planned for t in fg.tools] == [t.facilitation.minutes for t in kit.tools]
    assert len(fg.worksheets) == len(kit.worksheets)


def test_an_unknown_plan_names_the_known_ones(kit):
    with pytest.raises(UnknownTool, match="unknown plan 'nope' \\(known: first-meeting, "):
        fac.facilitator_guide(kit, "nope")


def test_the_html_shows_every_note_links_each_method_to_its_sheet_and_flags_sensitive_questions(kit):
    fg = fac.facilitator_guide(kit, today=TODAY)
    text = fac.render_facilitator_html(fg)
    for tool in kit.tools:
        start = text.index(f'<article class="fnotes" id="tool-{tool.number}">')
        part = text[start : text.index("</article>", start)]
        note = tool.facilitation
        assert h(note.purpose) in part and f"{note.minutes} min suggested" in part
        assert f'<a href="#sheet-{note.method}">' in part and f'id="sheet-{note.method}"' in text
        for line in (*note.pitfalls, *note.materials):
            assert h(line) in part
        for q in tool.sensitive_questions:
            assert f"sensitive: {q.sensitive.kind}" in part and h(q.sensitive.reason) in part
        assert (h(tool.note) in part) is tool.provisional  # the provisional note: here, for facilitators
    # The agenda links each tool to its notes; each sheet names its tools.
    assert '<a href="#tool-9">9. Share Discretion</a>' in text
    assert "Used with: 2. Share a Vision of Success, 5. Establish Transparency of Viewpoints, 13. Manage Expectations of Process and Results" in text
    assert "not for partners" in text


def test_markdown_says_the_same_in_the_same_order(kit):
    fg = fac.facilitator_guide(kit, "stalled-check-up", today=TODAY)
    html_text, md_text = fac.render_facilitator_html(fg), fac.render_facilitator_markdown(fg)
    heads_html = [re.sub(r"<[^>]+>", "", m) for m in re.findall(r"<h[1-3][^>]*>(.*?)</h[1-3]>", html_text, flags=re.S)]
    heads_md = re.findall(r"^#{1,3} (.+)$", md_text, flags=re.M)

    def norm(s: str) -> str:
        import html

        return re.sub(r"\W+", " ", html.unescape(s).replace("\\", "")).strip().casefold()

    # The HTML's tool number sits in its own bubble: "5Establish ..." vs "5. Establish ...".
    assert [norm(x).replace(" ", "") for x in heads_html] == [norm(x).replace(" ", "") for x in heads_md]
    for t in fg.tools:
        assert md_escape(t.purpose) in md_text
        assert f"`workshop worksheet {t.method.id}`" in md_text


def test_text_from_the_content_is_escaped(kit):
    tool = kit.tool(9)
    evil = "<script>alert(1)</script> **bold** | pipe"
    note = dataclasses.replace(tool.facilitation, purpose=evil, pitfalls=(evil, "Fine."))
    tools = tuple(dataclasses.replace(t, facilitation=note, note=evil) if t.id == tool.id else t for t in kit.tools)
    edited = dataclasses.replace(kit, tools=tools)
    fg = fac.facilitator_guide(edited, today=TODAY)
    html_text, md_text = fac.render_facilitator_html(fg), fac.render_facilitator_markdown(fg)
    assert "<script>" not in html_text and h(evil) in html_text
    assert "<script>" not in md_text and "\\*\\*bold\\*\\* \\| pipe" in md_text
    assert "<script>" not in fac.render_tool_notes_html(edited, 9)


def test_a_worksheet_page_has_steps_columns_blank_rows_and_its_tools(kit):
    text = fac.render_worksheets_html(kit, ["resource-inventory"])
    sheet = kit.worksheet("resource-inventory")
    assert text.count('class="sheet"') == 1
    assert all(h(step) in text for step in sheet.steps)
    assert re.findall(r"<th>(.*?)</th>", text) == [h(c) for c in sheet.columns]
    assert text.count('<tr style="height: 13.5mm">') == sheet.rows == 10
    assert "Used with: 4. Account for Resources" in text
    with pytest.raises(UnknownTool, match="unknown worksheet 'nope'"):
        fac.render_worksheets_html(kit, ["nope"])


def test_formats_are_checked_before_anything_is_written(kit, tmp_path):
    with pytest.raises(InvalidAnswer, match="worksheet format: expected html or pdf, got 'md'"):
        fac.export_worksheets(kit, ["fact-sort"], "md", tmp_path)
    with pytest.raises(UnknownTool):
        fac.export_facilitator_guide(kit, "html", tmp_path, plan_id="nope")
    assert list(tmp_path.iterdir()) == []


def test_cli_facilitator_guide_html_and_markdown(tmp_path, capsys):
    assert cli.main(["handout", "--facilitator", "--plan", "first-meeting", "-o", str(tmp_path) + "/"]) == 0
    html_path = tmp_path / "facilitator-guide-first-meeting.html"
    assert capsys.readouterr().out.strip() == str(html_path)
    assert "<h1>First meeting</h1>" in html_path.read_text(encoding="utf-8")
    assert cli.main(["handout", "--facilitator", "-o", str(tmp_path / "guide.md")]) == 0
    assert (tmp_path / "guide.md").read_text(encoding="utf-8").startswith("*Facilitator's guide")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["handout", "--plan", "first-meeting"], "--plan chooses the agenda of the facilitator's guide: add --facilitator"),
        (["handout", "--format", "md"], "Markdown is for the facilitator's guide (--facilitator)"),
        (["handout", "--facilitator", "--plan", "nope"], "unknown plan 'nope' (known: first-meeting,"),
        (["worksheet", "nope"], "unknown worksheet 'nope' (known: one-two-four-all,"),
        (["worksheet", "fact-sort", "--all"], "give a worksheet id or --all, not both"),
    ],
)
def test_cli_refusals_are_one_line(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_cli_lists_the_worksheets_with_their_tools(capsys, kit):
    assert cli.main(["worksheet"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^one-two-four-all\s+1-2-4-All\s+tools 2, 5, 13$", out, flags=re.M)
    assert f"{len(kit.worksheets)} worksheets." in out


@needs_chromium
def test_the_facilitator_guide_pdf_has_the_agenda_notes_and_sheets(tmp_path, kit):
    assert cli.main(["handout", "--facilitator", "--plan", "first-meeting", "--format", "pdf", "-o", str(tmp_path / "fg.pdf")]) == 0
    path = tmp_path / "fg.pdf"
    assert path.read_bytes()[:5] == b"%PDF-"
    text = pdf_text(path)
    pages = pdf_pages(path)
    # Cover and agenda, a page or so per tool, a page per worksheet.
    assert 6 <= pages <= 10 and f"Page {pages} of {pages}" in text
    for words in ("Facilitator's guide · First meeting · not for partners", "Agenda", "0:10–0:30", "1. Engage Potential Partners", "Core questions when time is short", "Pitfalls",
                  "sensitive: power", "Stakeholder and power-interest map", "Used with: 4. Account for Resources"):
        # Headings and tags are set in capitals with letter spacing: compare without case or spaces.
        assert squeeze(words) in squeeze(text), words
    assert "Ending without owners" in text  # a pitfall of tool 1


@needs_chromium
def test_a_worksheet_pdf_is_one_page_and_all_of_them_one_each(tmp_path, kit):
    assert cli.main(["worksheet", "indicator-criteria-grid", "--format", "pdf", "-o", str(tmp_path)]) == 0
    one = tmp_path / "worksheet-indicator-criteria-grid.pdf"
    assert pdf_pages(one) == 1
    text = pdf_text(one)
    sheet = kit.worksheet("indicator-criteria-grid")
    assert "Indicator criteria grid" in text and "Used with: 7. Agree on Measures of Success" in text
    assert all(c.split()[0] in text for c in sheet.columns)
    assert cli.main(["worksheet", "--all", "--format", "pdf", "-o", str(tmp_path)]) == 0
    every = tmp_path / "worksheets.pdf"
    assert pdf_pages(every) == len(kit.worksheets)
    text = pdf_text(every)
    positions = [text.index(w.title) for w in kit.worksheets]
    assert positions == sorted(positions)
