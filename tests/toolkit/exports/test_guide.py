"""The planning guide (HTML and Markdown) and the toolkit handout: what they
show, that participant text is escaped, that an anonymous workshop shows no
names, and that the HTML is self-contained and prints with a page per stage."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from markupsafe import escape

from toolkit import cli
from toolkit.exports import guide
from toolkit.exports.workshop import export_workshop

T1 = "engage-potential-partners"  # tool 1, stage Diagnosis
T7 = "agree-on-measures-of-success"  # tool 7, stage Design
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
NAMES = ("Ana Gomez-Ruiz", "Ben Odeyemi", "Cora Lindqvist", "Dev Patelson")
TODAY = dt.date(2026, 5, 4)


def h(text: str) -> str:
    """Text as the templates escape it (Jinja2's autoescape: ``'`` as ``&#39;``)."""
    return str(escape(text))


def build(store, *, anonymous: bool = False, revealed: bool = False) -> str:
    """A small workshop with known numbers: tool 1 is rated 5 and 4 by
    government (4.5, strength) and 1 and 2 by business (1.5, concern), so
    all sectors average 3.0 (discuss) and the gap of 3.0 is flagged."""
    ws = store.create_workshop("Harbor Food Partners 2026")
    s = ws.slug
    gov1 = store.add_participant(s, name=NAMES[0], organization="City Planning Office", sector="government", table="Table 1")
    gov2 = store.add_participant(s, name=NAMES[1], organization="County Health", sector="government", table="Table 2")
    biz1 = store.add_participant(s, name=NAMES[2], organization="Harbor Grocers", sector="business", table="Table 1")
    biz2 = store.add_participant(s, name=NAMES[3], organization="Dockside Foods", sector="business", table="Table 2")
    npo = store.add_participant(s, name=None, organization="Harbor Food Bank", sector="nonprofit", table="Table 10")
    store.save_answer(s, gov1.id, T1, "epp-1", "Residents of the east side\nand the corner shops")
    store.save_answer(s, biz1.id, T1, "epp-1", SCRIPT)
    store.save_answer(s, npo.id, T1, "epp-2", IMG)
    store.save_answer(s, biz2.id, T1, "epp-2", "We supply **most** of the [corner] stores | all of them")
    store.save_answer(s, gov2.id, T7, store.kit.tool(T7).questions[0].id, "Fewer families travel over 2 km for fresh food")
    for p, value in ((gov1, 5), (gov2, 4), (biz1, 1), (biz2, 2), (npo, None)):
        store.save_rating(s, p.id, T1, value)
    for p in (gov1, biz1):
        store.save_rating(s, p.id, T7, 3)
    store.save_comment(s, biz1.id, T1, "No shared map of who holds influence yet")
    store.save_dots(s, gov1.id, {T7: 3, T1: 2})
    store.save_dots(s, biz1.id, {T7: 2})
    store.add_action(s, T7, what="Draft three measures of success", owner=NAMES[0], owner_sector="government", due="2026-06-30", status="in progress")
    store.add_action(s, T1, what="Map who holds influence", owner="Harbor Grocers", owner_sector="business", due="2026-07-15")
    # Groups of two: every mean shown (test_small_groups_* covers the rule).
    store.update_settings(s, anonymous=anonymous, ratings_revealed=revealed, min_group=1)
    return s


@pytest.fixture
def workshop(sqlite_store):
    return sqlite_store, build(sqlite_store)


def _tool_article(text: str, number: int) -> str:
    start = text.index(f'<article class="tool" id="tool-{number}">')
    return text[start : text.index("</article>", start)]


def test_html_has_title_date_credit_stages_tools_and_questions(workshop, kit):
    store, slug = workshop
    text = guide.render_html(guide.guide_data(store, slug, today=TODAY))
    assert "<title>Planning guide: Harbor Food Partners 2026</title>" in text
    assert "<h1>Harbor Food Partners 2026</h1>" in text
    assert "Prepared 4 May 2026" in text
    assert h(kit.source.title) in text and h(kit.source.credit) in text
    for stage in kit.stages:
        assert f"<h2>{h(stage.title)}</h2>" in text
        assert h(stage.question) in text
    for tool in kit.tools:
        assert h(tool.definition) in text
        for q in tool.questions:
            assert h(q.text) in text
    # Stages in order, each on a new page when printed.
    positions = [text.index(f'id="stage-{s.id}"') for s in kit.stages]
    assert positions == sorted(positions)
    assert ".stage { break-before: page; }" in text
    assert ".tool-head { break-inside: avoid; break-after: avoid; }" in text
    assert "@page { size: A4;" in text
    # Provisional tools are marked.
    for tool in kit.tools:
        article = _tool_article(text, tool.number)
        assert ('<span class="badge">provisional</span>' in article) == tool.provisional


def test_answers_are_grouped_by_table_and_sector_under_their_question(workshop):
    store, slug = workshop
    text = guide.render_html(guide.guide_data(store, slug, today=TODAY))
    tool1 = _tool_article(text, 1)
    q1 = tool1[tool1.index("1. Who has a stake") : tool1.index("<h5>2.")]
    labels = re.findall(r'<p class="group-label">(.*?)</p>', q1)
    assert labels == ["Table 1 &middot; Government", "Table 1 &middot; Business"]
    assert "Residents of the east side<br>and the corner shops" in q1
    assert "&mdash; Ana Gomez-Ruiz, City Planning Office" in q1
    q2 = tool1[tool1.index("<h5>2.") : tool1.index("<h5>3.")]
    # Natural table order: Table 2 before Table 10.
    assert re.findall(r'<p class="group-label">(.*?)</p>', q2) == ["Table 2 &middot; Business", "Table 10 &middot; Non-profit"]
    assert "&mdash; Harbor Food Bank" in q2  # no name given: the organization
    assert tool1.count('<p class="empty">No answers yet.</p>') == 4  # questions 3-6
    assert "No shared map of who holds influence yet" in tool1


def test_readiness_bands_divergence_and_dots(workshop):
    store, slug = workshop
    text = guide.render_html(guide.guide_data(store, slug, today=TODAY))
    tool1 = _tool_article(text, 1)
    cells = re.findall(r'<td class="b-(\w+)">([\d.]+|&ndash;)<small>(.*?)</small></td>', tool1)
    assert cells == [
        ("strength", "4.5", "strength &middot; 2 rated"),
        ("concern", "1.5", "concern &middot; 2 rated"),
        ("none", "&ndash;", "no rating &middot; 0 rated, 1 not sure"),
        ("discuss", "3.0", "discuss &middot; 4 rated, 1 not sure"),
    ]
    assert "Partners see this differently: Business 1.5 (low) vs Government 4.5 (high), gap 3.0." in tool1
    assert "Dot vote: 2 dots from 1 participant &middot; priority rank 2 of 17." in tool1
    tool7 = _tool_article(text, 7)
    assert "Partners see this differently" not in tool7
    assert "Dot vote: 5 dots from 2 participants &middot; priority rank 1 of 17." in tool7
    # The heatmap: tool rows with a cell per sector and "All", coloured by band.
    row1 = re.search(r'<tr><td class="tool"[^>]*>1\. Engage Potential Partners</td>(.*?)</tr>', text).group(1)
    assert re.findall(r'class="cell b-(\w+)[^"]*">([\d.]+|&ndash;)', row1) == [
        ("strength", "4.5"), ("concern", "1.5"), ("none", "&ndash;"), ("discuss", "3.0"),
    ]
    assert '<td class="flag">&#9873;</td>' in row1
    row7 = re.search(r'<tr><td class="tool"[^>]*>7\. Agree on Measures of Success</td>(.*?)</tr>', text).group(1)
    assert re.findall(r'class="cell b-(\w+)[^"]*">([\d.]+|&ndash;)', row7) == [
        ("discuss", "3.0"), ("discuss", "3.0"), ("none", "&ndash;"), ("discuss", "3.0"),
    ]


def test_ratings_appear_even_when_the_dashboard_hides_them(sqlite_store):
    slug = build(sqlite_store, revealed=False)
    assert sqlite_store.workshop(slug).settings.ratings_revealed is False
    text = guide.render_html(guide.guide_data(sqlite_store, slug))
    assert '<td class="b-strength">4.5<small>' in text


def test_priorities_actions_and_participants(workshop):
    store, slug = workshop
    text = guide.render_html(guide.guide_data(store, slug, today=TODAY))
    end = text[text.index('<div class="end">') :]
    pri = end[end.index('id="priorities"') : end.index('id="actions"')]
    ranks = re.findall(r'<tr><td class="num">(\d+)</td><td>(.*?)</td>.*?<td class="num">(\d+)</td><td class="num">(\d+)</td>', pri)
    assert ranks == [("1", "7. Agree on Measures of Success", "5", "2"), ("2", "1. Engage Potential Partners", "2", "1")]
    acts = end[end.index('id="actions"') : end.index('id="participants"')]
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td><td[^>]*>(.*?)</td><td><span[^>]*>(.*?)</span>", acts)
    assert rows == [
        ("1. Engage Potential Partners", "Map who holds influence", "Harbor Grocers", "Business", "2026-07-15", "open"),
        ("7. Agree on Measures of Success", "Draft three measures of success", "Ana Gomez-Ruiz", "Government", "2026-06-30", "in progress"),
    ]
    people = end[end.index('id="participants"') :]
    assert re.findall(r"<tr><td>([^<]*)</td><td>", people) == ["Ana Gomez-Ruiz", "Cora Lindqvist", "Ben Odeyemi", "Dev Patelson"]
    assert "5 participants: Government 2, Business 2, Non-profit 1." in people


@pytest.mark.parametrize("render", [guide.render_html, guide.render_markdown], ids=["html", "md"])
def test_script_looking_answers_are_escaped(workshop, render):
    store, slug = workshop
    text = render(guide.guide_data(store, slug, today=TODAY))
    assert "<script>alert" not in text and "<img src=x" not in text
    assert "<script" not in text.lower() and "onerror=alert(1)>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text


def test_markdown_escapes_formatting_characters(workshop):
    store, slug = workshop
    text = guide.render_markdown(guide.guide_data(store, slug, today=TODAY))
    assert r"We supply \*\*most\*\* of the \[corner\] stores \| all of them" in text
    # A backslash escapes punctuation only: "1\\." (a "\\1." showed its backslash).
    assert guide.md_escape("# not a heading\n- not a list\n1. nor this") == "\\# not a heading\n\\- not a list\n1\\. nor this"


@pytest.mark.parametrize("render", [guide.render_html, guide.render_markdown], ids=["html", "md"])
def test_anonymous_guide_shows_no_names_only_counts(sqlite_store, render):
    slug = build(sqlite_store, anonymous=True)
    text = render(guide.guide_data(sqlite_store, slug, today=TODAY))
    for name in NAMES:
        assert name not in text
    for org in ("City Planning Office", "County Health", "Dockside Foods", "Harbor Food Bank"):
        assert org not in text  # no attribution either
    assert "participants are counted per sector, and no names are shown" in text
    counts = re.findall(r"(Government|Business|Non-profit|Total)\D+?(\d+)", text[text.rindex("Participants") :])
    assert counts == [("Government", "2"), ("Business", "2"), ("Non-profit", "1"), ("Total", "5")]
    # The action owned by a participant shows no name either.
    assert "A participant" in text
    # The answers themselves are still there.
    assert "Residents of the east side" in text


def test_html_is_self_contained(workshop):
    store, slug = workshop
    text = guide.render_html(guide.guide_data(store, slug, today=TODAY))
    lowered = text.lower()
    for fetch in ("<script", "<link", "<img", "<iframe", "<object", "@import", "url(", "@font-face"):
        assert fetch not in lowered
    assert re.search(r"<[^>]+\s(src|srcset)\s*=", lowered) is None
    assert "default-src 'none'" in text  # and the page forbids fetching anything
    assert "-webkit-print-color-adjust: exact" in text


def test_workshop_title_cannot_break_out_of_the_page_footer(sqlite_store):
    ws = sqlite_store.create_workshop('Evil "</style><script>alert(1)</script>')
    text = guide.render_html(guide.guide_data(sqlite_store, ws.slug))
    assert "<script>" not in text
    assert text.count("</style>") == 1
    # The footer is a CSS string (entities would print as they are inside <style>).
    assert '@bottom-left { content: "Evil \\000022 \\00003c \\00002f style\\00003e \\00003c script\\00003e alert(1)' in text
    assert guide.css_string('a"b\\c</style>') == '"a\\000022 b\\00005c c\\00003c \\00002f style\\00003e "'


def test_empty_workshop_renders_with_placeholders(sqlite_store):
    ws = sqlite_store.create_workshop("Nothing yet")
    data = guide.guide_data(sqlite_store, ws.slug)
    text = guide.render_html(data)
    assert "No ratings yet." in text and "No dots placed yet." in text
    assert "No actions recorded yet." in text and "Nobody has signed in yet." in text
    assert "Nobody has signed in yet." in guide.render_markdown(data)


def test_markdown_has_the_same_structure(workshop, kit):
    store, slug = workshop
    text = guide.render_markdown(guide.guide_data(store, slug, today=TODAY))
    headings = re.findall(r"^## (.+)$", text, flags=re.M)
    # "of 4" as the HTML's "Stage 1 of 4" says it (the two used to differ).
    assert headings == ["Readiness at a glance", *[f"Stage {s.number} of 4: {s.title}" for s in kit.stages], "Priorities", "Action register", "Participants"]
    assert len(re.findall(r"^### \d+\. ", text, flags=re.M)) == 17
    assert "| 1. Engage Potential Partners | 4.5 (2) strength | 1.5 (2) concern | – | 3.0 (4) discuss | ⚑ |" in text
    assert "⚑ **Partners see this differently:** Business 1.5 (low) vs Government 4.5 (high), gap 3.0." in text
    assert "| 7. Agree on Measures of Success | Draft three measures of success | Ana Gomez\\-Ruiz | Government | 2026\\-06\\-30 | in progress |" not in text
    assert "| 7. Agree on Measures of Success | Draft three measures of success | Ana Gomez-Ruiz | Government | 2026-06-30 | in progress |" in text


def test_export_writes_html_and_md_files(workshop, tmp_path):
    store, slug = workshop
    out = tmp_path / "out"
    out.mkdir()
    html_path = export_workshop(store, slug, "html", out, today=TODAY)
    md_path = export_workshop(store, slug, "md", out / "guide.md", today=TODAY)
    assert html_path == out / f"{slug}-planning-guide.html"
    assert html_path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert md_path.read_text(encoding="utf-8").startswith("# Planning guide: Harbor Food Partners 2026")
    assert sorted(p.name for p in out.iterdir()) == ["guide.md", f"{slug}-planning-guide.html"]  # no temporary files left


# --------------------------------------------------------------------------
# Handout


def test_handout_has_every_stage_tool_question_with_space_and_the_glossary(kit):
    text = guide.render_handout_html(kit, today=TODAY, rule_lines=4)
    assert h(kit.source.credit) in text and h(kit.source.title) in text
    for stage in kit.stages:
        assert f"<h2>{h(stage.title)}</h2>" in text
        assert h(stage.question) in text and h(stage.summary) in text
    for tool in kit.tools:
        article = _tool_article(text, tool.number)
        assert h(tool.name) in article and h(tool.definition) in article
        assert "<h4>Why it matters</h4>" in article and h(tool.why) in article
        blocks = re.findall(r'<div class="q"><h5>(\d+)\. (.*?)<span class="qid">(.*?)</span></h5>((?:<div class="rule"></div>)*)</div>', article)
        assert [(int(n), qid) for n, _, qid, _ in blocks] == [(i, q.id) for i, q in enumerate(tool.questions, 1)]
        assert all(rules.count('class="rule"') == 4 for *_, rules in blocks)
        assert ('<span class="badge">provisional</span>' in article) == tool.provisional
        if tool.provisional:
            assert h(tool.note) not in article  # the note is for facilitators only
        if tool.example:
            assert h(tool.example.title) in article
        for r in tool.resources:
            assert h(r.name) in article
    glossary = text[text.index('id="glossary"') :]
    assert len(re.findall("<dt>", glossary)) == len(kit.glossary)
    for term in kit.glossary:
        assert f"<dt>{h(term.term)}</dt>" in glossary
    assert "<script" not in text.lower()


def test_handout_cli_writes_html(capsys, tmp_path):
    out = tmp_path / "handout.html"
    assert cli.main(["handout", "--output", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert "Workshop handout" in out.read_text(encoding="utf-8")



def test_the_handout_labels_a_related_case_with_its_source_and_says_what_each_case_shows(kit):
    text = guide.render_handout_html(kit, today=TODAY)
    related = _tool_article(text, 1)
    assert "<h4>A related case</h4>" in related and "Source: The Intersector Project case library" in related
    own = _tool_article(text, 8)
    assert "<h4>A case example</h4>" in own and "Marion County, Indiana" in own and "Source:" not in own
    for tool in kit.tools:
        if tool.example:
            assert h(tool.example.shows) in _tool_article(text, tool.number)


def test_no_partner_export_carries_the_facilitators_notes(workshop, kit):
    """The provisional note, facilitator notes and sensitive-question reasons
    are for facilitators: the planning guide (HTML, Markdown) and the handout
    show the provisional badge only."""
    store, slug = workshop
    data = guide.guide_data(store, slug, today=TODAY)
    secrets = [t.note for t in kit.tools if t.note] + [p for t in kit.tools for p in t.facilitation.pitfalls]
    secrets += [q.sensitive.reason for t in kit.tools for q in t.sensitive_questions]
    assert len(secrets) > 40
    for text in (guide.render_html(data), guide.render_markdown(data), guide.render_handout_html(kit, today=TODAY)):
        leaked = [s for s in secrets if s in text or h(s) in text or guide.md_escape(s) in text]
        assert leaked == []

# --------------------------------------------------------------------------
# HTML and Markdown: one model, the same facts in the same order


def html_words(text: str) -> list[str]:
    """The words and numbers a reader of the HTML sees, in order: the page
    head left out, tags dropped (a band's word for screen readers kept)."""
    import html as html_mod

    body = text[text.index("<body>") :]
    body = re.sub(r"<[^>]+>", " ", body)
    return words(html_mod.unescape(body))


def markdown_words(text: str, lists: bool = True) -> list[str]:
    """The same for the Markdown: ordered-list markers dropped (the HTML's
    <ol> numbers its items without text), escapes undone."""
    import html as html_mod

    if lists:
        text = re.sub(r"^\d+\. ", "", text, flags=re.M)
    text = re.sub(r"\\([\\`*_\[\]|~#>+\-=.)])", r"\1", text)
    return words(html_mod.unescape(text))


def words(text: str) -> list[str]:
    return re.findall(r"\d+(?:\.\d+)?|[^\W\d_]+", text.casefold())


def headings(html_text: str, md_text: str) -> tuple[list[tuple[int, list[str]]], list[tuple[int, list[str]]]]:
    """(level, words) of every heading; in the HTML a kicker joins the
    heading it stands over ("Stage 1 of 4" + "Diagnosis")."""
    joined = re.sub(r'<p class="kicker">(.*?)</p>\s*<h([1-5])>', r"<h\2>\1: ", html_text)
    in_html = [(int(level), html_words(f"<body>{inner}")) for level, inner in re.findall(r"<h([1-5])>(.*?)</h\1>", joined[joined.index("<body>") :], flags=re.S)]
    in_md = [(len(marks), markdown_words(title, lists=False)) for marks, title in re.findall(r"^(#{1,5}) (.+)$", md_text, flags=re.M)]
    return in_html, in_md


@pytest.mark.parametrize("anonymous", [False, True], ids=["named", "anonymous"])
def test_html_and_markdown_show_the_same_facts_in_the_same_order(sqlite_store, anonymous):
    slug = build(sqlite_store, anonymous=anonymous, revealed=True)
    data = guide.guide_data(sqlite_store, slug, today=TODAY)
    html_text, md_text = guide.render_html(data), guide.render_markdown(data)
    in_html, in_md = headings(html_text, md_text)
    assert in_html == in_md and len(in_html) > 17 * 8  # every tool's questions too
    assert in_html[0] == (1, ["planning", "guide", "harbor", "food", "partners", "2026"])
    # Every word and figure, answers and counts included, in the same order.
    seen_html, seen_md = html_words(html_text), markdown_words(md_text)
    assert seen_html == seen_md
    figures = [w for w in seen_html if w[0].isdigit()]
    assert ["4.5", "2", "strength", "1.5", "2", "concern"] == seen_html[seen_html.index("4.5") :][:6]
    assert len(figures) > 200
    # The answers are there, in the same place in both.
    assert seen_html.index("residents") == seen_md.index("residents")


def test_the_markdown_and_html_agree_on_plurals_and_thresholds(workshop):
    store, slug = workshop
    data = guide.guide_data(store, slug, today=TODAY)
    md_text = guide.render_markdown(data)
    assert "Dot vote: 2 dots from 1 participant · priority rank 2 of 17." in md_text
    assert "Strength: mean 4 or more · Discuss: mean 3 to under 4 · Concern: mean under 3" in md_text
    assert "5 participants: Government 2, Business 2, Non-profit 1." in md_text
    # Participants in the same order as the HTML: table, then sector, then name.
    names = re.findall(r"^\| ([^|]+?) \| [^|]+ \| [^|]+ \| Table", md_text, flags=re.M)
    assert names == ["Name", "Ana Gomez-Ruiz", "Cora Lindqvist", "Ben Odeyemi", "Dev Patelson", "(no name given)"]


def test_every_value_a_markdown_template_prints_is_escaped():
    env = guide._environment("md")
    text = env.from_string("{{ value }} | {{ value | cell }} | {{ value | block }}").render(value="<b>*x*</b>\n# h")
    assert "<b>" not in text and "*x*" not in text
    assert text.count("&lt;b&gt;\\*x\\*&lt;/b&gt;") == 3


@pytest.mark.slow
def test_the_wheel_carries_the_templates_and_the_css(tmp_path):
    """Templates and stylesheets are read from the installed package, so
    a plain `pip install .` must ship them (pyproject package-data)."""
    import subprocess
    import sys
    import zipfile
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(root)],
        capture_output=True, text=True, timeout=300,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("intersector_workshop-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = [p.relative_to(root).as_posix() for pattern in ("toolkit/exports/templates/*.j2", "toolkit/exports/css/*.css", "toolkit/palette/*.css", "widgets/css/*.css") for p in root.glob(pattern)]
    assert len(wanted) >= 10
    assert [w for w in wanted if w not in names] == []


def test_not_yet_relevant_is_shown_apart_in_the_guide_and_carried_by_the_spreadsheets(sqlite_store, tmp_path):
    import pandas as pd

    slug = build(sqlite_store)
    people = {p.name: p.id for p in sqlite_store.participants(slug)}
    sqlite_store.save_rating(slug, people[NAMES[1]], T1, "not-yet")  # was 4: government is 5 alone now
    data = guide.guide_data(sqlite_store, slug, today=TODAY)
    tool = data.stages[0].tools[0]
    by = {r.sector: r for r in tool.ratings}
    assert (by["Government"].mean, by["Government"].count, by["Government"].not_yet, by["Government"].not_sure) == ("5.0", 1, 1, 0)
    assert (by["All sectors"].not_yet, by["All sectors"].not_sure) == (1, 1)
    html_text, md_text = guide.render_html(data), guide.render_markdown(data)
    article = _tool_article(html_text, 1)
    assert "1 rated, 1 not yet relevant</small>" in article
    assert "3 rated, 1 not sure, 1 not yet relevant</small>" in article
    assert "1 rated, 1 not yet relevant |" in md_text
    assert "&ldquo;not yet relevant at our stage&rdquo; (counted as &ldquo;not yet&rdquo;) are not averaged" in html_text
    assert '<small class="not-yet">1 not yet</small>' in html_text  # in the heatmap
    export_workshop(sqlite_store, slug, "csv", tmp_path / "r.csv", frame="ratings")
    csv = pd.read_csv(tmp_path / "r.csv", encoding="utf-8-sig").query("tool_id == @T1").set_index("sector")
    assert (csv.loc["government", "not_yet"], csv.loc["all", "not_yet"], csv.loc["all", "not_sure"]) == (1, 1, 1)
    export_workshop(sqlite_store, slug, "xlsx", tmp_path / "w.xlsx")
    sheet = pd.read_excel(tmp_path / "w.xlsx", sheet_name="Ratings")
    assert "Not yet relevant" in sheet.columns
    assert sheet.query("`Tool id` == @T1 and Sector == 'All sectors'")["Not yet relevant"].tolist() == [1]
