"""Every view of the same workshop obeys the kit's one rule for who may see
what (toolkit.frames.views), and a bad row written around the store breaks
none of them (toolkit.frames.rows): the dashboard, the console, the
planning guide (HTML, Markdown, PDF) and the spreadsheets (xlsx, csv)."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import warnings

import ipywidgets as widgets
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from toolkit.exports.workshop import export_workshop
from toolkit.frames import FRAME_NAMES, BadRow
from toolkit.store import AnswerStore
from toolkit.store import schema
from widgets.console import ConsoleSession
from widgets.dashboard import Dashboard
from widgets.presenter import Presenter

T1 = "engage-potential-partners"
T7 = "agree-on-measures-of-success"
#: Distinctive, so a hit is a leak and never a coincidence.
NAMES = ("Zephyrine Quastelbury", "Okonkwo Vantablack", "Ysolde Frimpong-Hale")
ORGANIZATIONS = ("Quillfeather Cooperative", "Brannigan Haulage Ltd", "Marrowby Tenants Union")


#: An action owner typed as an organization that is also a participant's:
#: it stays in the register (a plan needs owners), in this exact spelling.
ORG_OWNER = ORGANIZATIONS[1].upper()


def build(store, *, anonymous: bool, min_group: int = 1) -> str:
    """A workshop whose every section has something to show: answers,
    ratings (revealed; groups of one, shown with ``min_group=1``), notes,
    dots, and actions owned by a participant's name, an organization
    (:data:`ORG_OWNER`) and an outside body."""
    ws = store.create_workshop("Marrowby Food Compact")
    s = ws.slug
    people = [
        store.add_participant(s, name=NAMES[0], organization=ORGANIZATIONS[0], sector="government", table="Table 1"),
        store.add_participant(s, name=NAMES[1], organization=ORGANIZATIONS[1], sector="business", table="Table 1"),
        store.add_participant(s, name=NAMES[2], organization=ORGANIZATIONS[2], sector="community", table="Table 2"),
    ]
    for i, p in enumerate(people):
        store.save_answer(s, p.id, T1, "epp-1", f"Answer {i} about the east side")
        store.save_rating(s, p.id, T1, 1 + 2 * i)
        store.save_comment(s, p.id, T1, f"Note {i}: no shared map yet")
        store.save_dots(s, p.id, {T7: 2, T1: 1})
    store.add_action(s, T7, what="Draft three measures", owner=NAMES[0], owner_sector="government", due="2026-06-30")
    store.add_action(s, T1, what="Map who holds influence", owner=ORG_OWNER, owner_sector="business")
    store.add_action(s, T1, what="Ask the county", owner="Regional Transit Office")
    store.update_settings(s, anonymous=anonymous, ratings_revealed=True, min_group=min_group)
    return s


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def shown_text(widget) -> str:
    """Everything a widget tree puts on the page: HTML values, labels,
    options and descriptions."""
    parts = []
    for w in walk(widget):
        for attr in ("value", "description", "placeholder", "tooltip"):
            v = getattr(w, attr, None)
            if isinstance(v, str):
                parts.append(v)
        parts.extend(str(o) for o in getattr(w, "options", ()) or ())
    return "\n".join(parts)


def dashboard_text(url: str, slug: str) -> str:
    store = AnswerStore(url, read_only=True)
    dash = Dashboard(store, slug=slug, start=False)
    try:
        texts = [shown_text(dash)]
        for tool in (T1, T7):  # the feed of one tool shows the notes too
            dash.feed_picker.value = tool
            texts.append(dash.feed.value)
        return "\n".join(texts)
    finally:
        dash.close()
        store.close()


def presenter_text(url: str, slug: str) -> str:
    """Every section of the presenter view, as it puts them on the wall."""
    store = AnswerStore(url, read_only=True)
    view = Presenter(store, slug=slug, start=False, join_url="http://10.0.0.5:8866/join/K7QM4P", join_code="K7QM4P")
    try:
        texts = []
        for section in ("here", "progress", "heatmap", "divergence", "priorities", "feed"):
            view.value = section
            texts.append(shown_text(view))
        return "\n".join(texts)
    finally:
        view.close()
        store.close()


def every_view(store, slug: str, tmp_path, *, pdf: bool = False) -> dict[str, str]:
    """Each view of the workshop as the text it shows (the PDF too when
    asked: Chromium takes a few seconds)."""
    out = {"dashboard": dashboard_text(store.url, slug), "presenter": presenter_text(store.url, slug)}
    console = ConsoleSession(store, slug=slug).console
    console.export_format.value = "csv"
    out["console"] = shown_text(console)
    for fmt in ("html", "md"):
        out[fmt] = export_workshop(store, slug, fmt, tmp_path / f"guide.{fmt}").read_text(encoding="utf-8")
    wb = load_workbook(export_workshop(store, slug, "xlsx", tmp_path / "all.xlsx"))
    out["xlsx"] = "\n".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None)
    for frame in FRAME_NAMES:
        out[f"csv {frame}"] = export_workshop(store, slug, "csv", tmp_path / f"{frame}.csv", frame=frame).read_text(encoding="utf-8-sig")
    if pdf:
        pdf = export_workshop(store, slug, "pdf", tmp_path / "guide.pdf")
        out["pdf"] = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return out


def leaks(text: str) -> list[str]:
    """Names anywhere, and organizations as who a participant is (an
    action owner typed as one, :data:`ORG_OWNER`, is not a leak)."""
    folded = re.sub(r"\s+", " ", text).replace(ORG_OWNER, "").casefold()  # (a PDF cell may wrap the owner)
    return [w for w in (*NAMES, *ORGANIZATIONS) if w.casefold() in folded]


def test_no_view_of_an_anonymous_workshop_names_anyone(sqlite_store, tmp_path):
    slug = build(sqlite_store, anonymous=True)
    views = every_view(sqlite_store, slug, tmp_path, pdf=True)
    assert {"dashboard", "console", "html", "md", "pdf", "xlsx", "csv answers", "csv participants", "csv actions"} <= set(views)
    assert {name: leaks(text) for name, text in views.items() if leaks(text)} == {}
    # ... while they still show the workshop: answers, notes, owners.
    for name in ("dashboard", "html", "md", "xlsx", "csv current_answers"):
        assert "Answer 2 about the east side" in views[name], name
    for name in ("dashboard", "html", "md", "xlsx", "csv actions"):
        text = views[name]
        assert "A participant" in text and ORG_OWNER in text and "Regional Transit Office" in text, name
    assert "Note 1: no shared map yet" in views["dashboard"]
    assert "Names hidden (anonymous mode)" in views["dashboard"]
    assert "3 participants" in views["console"]
    assert "A participant" in views["pdf"] and "Answer 2 about the east side" in views["pdf"]
    # The JSON backup keeps every name on purpose (it is for re-import).
    doc = json.loads(export_workshop(sqlite_store, slug, "json", tmp_path / "backup.json").read_text(encoding="utf-8"))
    assert [p["name"] for p in doc["participants"]] == list(NAMES)
    assert {a["owner"] for a in doc["actions"]} == {NAMES[0], ORG_OWNER, "Regional Transit Office"}


def test_the_same_workshop_with_names_shows_them_everywhere(sqlite_store, tmp_path):
    """The other side of the rule (so the test above cannot pass by
    showing nothing): named, every view that lists people names them."""
    slug = build(sqlite_store, anonymous=False)
    views = every_view(sqlite_store, slug, tmp_path)
    for name in ("dashboard", "html", "md", "xlsx", "csv participants"):
        assert set(leaks(views[name])) == {*NAMES, *ORGANIZATIONS}, name
    assert leaks(views["console"]) == []  # the console lists no one either way
    assert NAMES[0] in views["csv actions"] and "A participant" not in views["csv actions"]


# --------------------------------------------------------------------------
# Small groups and hidden answers, in every view


#: Business's mean in small_group(): two raters, 2 and 5. Matched as the
#: views print a mean, not inside a longer number or a time.
SMALL_MEAN = re.compile(r"(?<![\d.:])3\.50?(?![\d])")


def small_group(store) -> str:
    """Government: three raters (4, 4, 5: a mean of 4.3); business: two
    (2 and 5: 3.5, which no view may show); revealed, named."""
    s = store.create_workshop("Small Group Compact").slug
    for i, (sector, score) in enumerate([("government", 4), ("government", 4), ("government", 5), ("business", 2), ("business", 5)]):
        p = store.add_participant(s, name=NAMES[i % 3] + f" {i}", organization=f"Org {i}", sector=sector, table=f"Table {i % 2 + 1}")
        store.save_rating(s, p.id, T1, score)
        store.save_answer(s, p.id, T1, "epp-1", f"Answer {i}")
    store.update_settings(s, ratings_revealed=True)
    return s


def test_a_sector_of_two_shows_no_mean_in_any_view_or_export(sqlite_store, tmp_path):
    slug = small_group(sqlite_store)
    assert sqlite_store.workshop(slug).settings.min_group == 3  # the default
    views = every_view(sqlite_store, slug, tmp_path, pdf=True)
    assert {name: SMALL_MEAN.findall(text) for name, text in views.items() if SMALL_MEAN.search(text)} == {}
    for name in ("dashboard", "presenter", "html", "md", "pdf"):
        assert "4.3" in views[name] and "fewer than 3" in views[name].casefold(), name
    assert "4.3" in views["xlsx"] and "fewer than 3" in views["xlsx"]  # the partners' spreadsheet rounds to one decimal
    assert "4.333" in views["csv ratings"]
    # No divergence either: government 4.3 against business 3.5 is not compared.
    for name in ("dashboard", "presenter"):
        assert "No tool is flagged" in views[name], name
    # The same workshop with groups of two allowed shows it: the test can fail.
    sqlite_store.update_settings(slug, min_group=2)
    assert SMALL_MEAN.search(dashboard_text(sqlite_store.url, slug))


def test_a_hidden_answer_is_in_no_view_but_the_backup(sqlite_store, tmp_path):
    slug = build(sqlite_store, anonymous=False)
    p = sqlite_store.participants(slug)[0]
    offensive = sqlite_store.save_answer(slug, p.id, T7, sqlite_store.kit.tool(T7).questions[0].id, "Zorblax insult nobody should project")
    sqlite_store.hide_answer(slug, offensive.id)
    views = every_view(sqlite_store, slug, tmp_path)
    assert [name for name, text in views.items() if "Zorblax" in text] == ["console"]  # the console lists it, to show it again
    assert "Answer 0 about the east side" in views["presenter"] + views["dashboard"]
    doc = json.loads(export_workshop(sqlite_store, slug, "json", tmp_path / "backup.json").read_text(encoding="utf-8"))
    assert any(a["value"].startswith("Zorblax") for a in doc["answers"])
    sqlite_store.show_answer(slug, offensive.id)
    assert "Zorblax" in every_view(sqlite_store, slug, tmp_path)["html"]


# --------------------------------------------------------------------------
# Bad rows written around the store


def poison(store, slug: str) -> None:
    """Rows no check of the store would let through, written with
    SQLAlchemy directly: times out of range, a rating off the scale, dots
    over the budget, a huge round, a participant and an action with a time
    of 1e300."""
    ws = store.workshop(slug)
    pid = store.participants(slug)[0].id
    with store.engine.begin() as conn:
        def answer(**values):
            row = {"workshop_id": ws.id, "participant_id": pid, "round": 1, "tool_id": T1, "question_id": "", "kind": "text", "value": "poison", "created": 1.78e9}
            conn.execute(sa.insert(schema.answers).values({**row, **values}))

        answer(question_id="epp-3", created=1e300)
        answer(question_id="epp-4", created=253402300800.0)  # 9999-12-31
        answer(question_id="epp-5", created=float("inf"))
        answer(kind="rating", tool_id=T7, value="11")
        answer(kind="dots", tool_id="tell-the-story", value="150")
        answer(question_id="epp-6", round=2**62)
        answer(kind="frobnicate", value="x")
        conn.execute(sa.text(
            "INSERT INTO answers (workshop_id, participant_id, round, tool_id, question_id, kind, value, created) "
            f"VALUES ({ws.id}, {pid}, 1e30, '{T1}', 'epp-2', 'text', 'poison', 1.78e9)"
        ))
        conn.execute(sa.insert(schema.participants).values(
            workshop_id=ws.id, name="Poisoned Person", organization="Nowhere", sector="business", table_name="Table 9", participant_key="poison", created=1e300
        ))
        bad = conn.execute(sa.select(sa.func.max(schema.participants.c.id))).scalar_one()
        conn.execute(sa.insert(schema.answers).values(
            workshop_id=ws.id, participant_id=bad, round=1, tool_id=T1, question_id="epp-1", kind="text", value="poison", created=1.78e9
        ))
        now = store.actions(slug)[0].created
        conn.execute(sa.insert(schema.actions).values(
            workshop_id=ws.id, tool_id=T1, what="poison", owner="x", status="open", created=1e300, updated=now
        ))


def test_bad_rows_are_left_out_of_the_dashboard_and_every_export(sqlite_store, tmp_path):
    slug = build(sqlite_store, anonymous=False)
    poison(sqlite_store, slug)
    with pytest.warns(BadRow) as caught:
        views = every_view(sqlite_store, slug, tmp_path, pdf=True)
        doc = json.loads(export_workshop(sqlite_store, slug, "json", tmp_path / "backup.json").read_text(encoding="utf-8"))
    problems = {re.sub(r"\(ids? [^)]*\)", "", str(w.message)) for w in caught}
    for expected in ("created is not a time", "round is not one the workshop has had", "a rating is not on the scale",
                     "a dot count is not a whole number", "the kind is not one of", "participant row", "action row"):
        assert any(expected in p for p in problems), (expected, problems)
    for name, text in views.items():
        assert "poison" not in text.casefold(), name
        assert "Cannot read the store" not in text, name
    # The good rows are all there.
    dash = views["dashboard"]
    assert "Answer 2 about the east side" in dash and "Draft three measures" in dash and NAMES[2] in dash
    assert re.search(r'xs-tile-n">3</div><div class="xs-tile-label">Participants', dash)
    for name in ("html", "md", "pdf", "xlsx", "csv current_answers"):
        assert "Answer 0 about the east side" in re.sub(r"\s+", " ", views[name]), name  # (a PDF line may wrap)
    rows = list(csv.DictReader(io.StringIO(views["csv answers"])))
    assert len(rows) == 3 * 5  # each person's answer, rating, note and two dot counts
    assert {r["value"] for r in rows} >= {"Answer 0 about the east side", "1", "3", "5"}
    assert len(doc["answers"]) == len(rows) and "poison" not in json.dumps(doc)
    assert len(doc["participants"]) == 3 and len(doc["actions"]) == 3


def test_a_bad_row_written_while_the_dashboard_is_up_is_skipped_once(sqlite_store):
    slug = build(sqlite_store, anonymous=False)
    store = AnswerStore(sqlite_store.url, read_only=True)
    dash = Dashboard(store, slug=slug, start=False)
    try:
        before = dash.heatmap.value
        poison(sqlite_store, slug)
        with pytest.warns(BadRow):
            dash.refresh()
        assert "xs-dash-error" not in dash.status.value and "poison" not in shown_text(dash)
        assert dash.heatmap.value == before  # the rating of 11 changed nothing
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            dash.refresh()  # read once: no second warning for the same rows
        sqlite_store.save_answer(slug, sqlite_store.participants(slug)[0].id, T7, store.kit.tool(T7).questions[0].id, "Still live")
        dash.feed_picker.value = T7
        dash.refresh()
        assert "Still live" in dash.feed.value
    finally:
        dash.close()
        store.close()


def test_console_and_widgets_have_one_style_module():
    """The dashboard, the console and the workbook load their CSS from
    files after the kit's palette; no palette of their own."""
    from toolkit import palette
    from widgets import style

    for sheet in style.SHEETS:
        css = style.stylesheet(sheet)
        assert css.startswith(palette.css())
        body = css[len(palette.css()) :]
        assert re.findall(r"#[0-9a-fA-F]{3,8}\b", body) == [], sheet  # every colour from the palette
        assert "var(--xs-" in body
    block = style.style_block("dashboard")
    assert isinstance(block, widgets.HTML) and "xs-style" in block._dom_classes
