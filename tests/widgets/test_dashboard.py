"""The live dashboard (widgets/dashboard.py), headless: build it on a
read-only store, change the store, call refresh(), assert the widgets."""

from __future__ import annotations

import asyncio
import html
import re

import ipywidgets as widgets
import pytest
import sqlalchemy as sa

from toolkit.errors import NotFound, ToolkitError
from toolkit.store import AnswerStore
from widgets.dashboard import (
    RATINGS_HIDDEN,
    Dashboard,
    build_dashboard,
    frames_digest,
    refresh_interval,
)

XSS = ['<img src=x onerror=alert(1)>', "<script>alert(1)</script>"]


@pytest.fixture
def rw(sqlite_store):
    """The writable store participants' kernels use, with one workshop and
    three people from three sectors at two tables."""
    ws = sqlite_store.create_workshop("Riverside Partners")
    s = sqlite_store
    people = {
        "gov": s.add_participant(ws.slug, name="Ana Ruiz", organization="City Parks", sector="government", table="Table 1"),
        "biz": s.add_participant(ws.slug, name="Ben Cole", organization="Cole Grocers", sector="business", table="Table 1"),
        "npo": s.add_participant(ws.slug, name=None, organization="Food Bank", sector="nonprofit", table="Table 2"),
    }
    s.slug = ws.slug  # type: ignore[attr-defined]
    s.people = {k: p.id for k, p in people.items()}  # type: ignore[attr-defined]
    s.update_settings(ws.slug, min_group=1)  # one person per sector: every mean shown (see test_small_groups_*)
    return s


@pytest.fixture
def ro(rw):
    store = AnswerStore(rw.url, read_only=True)
    yield store
    store.close()


@pytest.fixture
def dash(ro):
    d = Dashboard(ro, start=False)
    yield d
    d.close()


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def test_refuses_a_writable_store(rw):
    with pytest.raises(ToolkitError, match="read_only=True"):
        Dashboard(rw, start=False)


def test_the_store_it_reads_cannot_write(rw, ro, dash):
    with pytest.raises(ToolkitError, match="read-only"):
        ro.save_answer(rw.slug, rw.people["gov"], "engage-potential-partners", "epp-1", "x")
    # Below our own checks: SQLite itself refuses (mode=ro).
    with pytest.raises(sa.exc.OperationalError, match="readonly"):
        with ro.engine.connect() as conn:
            conn.exec_driver_sql("UPDATE workshops SET title = 'changed'")
    assert rw.workshop(rw.slug).title == "Riverside Partners"


def test_has_no_control_that_writes(dash):
    kinds = {type(w) for w in _walk(dash)}
    assert kinds <= {Dashboard, widgets.VBox, widgets.HBox, widgets.HTML, widgets.Dropdown}
    assert widgets.Dropdown in kinds  # the pickers exist; they only choose what to read


def test_participants_by_sector_and_table_with_names(dash):
    html = dash.participants.value
    assert "xs-dash-participants" in dash.participants._dom_classes
    assert "3 people" in html
    for text in ("Government", "Business", "Non-profit", "Table 1", "Table 2", "Ana Ruiz (City Parks)", "Food Bank"):
        assert text in html
    assert dash.summary.value.count('class="xs-tile"') == 7


def test_anonymous_mode_hides_names_in_participants_and_feed(rw, dash):
    rw.save_answer(rw.slug, rw.people["gov"], "engage-potential-partners", "epp-1", "Residents of Eastside")
    rw.update_settings(rw.slug, anonymous=True)
    assert dash.refresh()
    for section in (dash.participants.value, dash.feed.value):
        assert "Ana Ruiz" not in section and "City Parks" not in section
    assert "Names hidden (anonymous mode)" in dash.participants.value
    assert "Government · Table 1" in dash.feed.value
    rw.update_settings(rw.slug, anonymous=False)
    assert dash.refresh()
    assert "Government · Table 1 · Ana Ruiz (City Parks)" in dash.feed.value


def test_feed_escapes_script_payloads(rw, dash):
    for payload in XSS:
        rw.save_answer(rw.slug, rw.people["npo"], "engage-potential-partners", "epp-2", payload)
        assert dash.refresh()
        assert payload not in dash.feed.value
        assert payload.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in dash.feed.value
    assert "<script" not in dash.feed.value and "<img" not in dash.feed.value
    assert dash.feed.value.count('class="xs-feed-item"') == 1  # the current answer only


def test_feed_shows_one_tool_by_question_and_keeps_the_choice(rw, dash):
    tool = rw.kit.tool("share-a-vision-of-success")
    q1, q2 = tool.questions[0], tool.questions[1]
    rw.save_answer(rw.slug, rw.people["gov"], tool.id, q1.id, "Fresh food within a 10-minute walk")
    dash.refresh()
    dash.feed_picker.value = tool.id
    assert html.escape(q1.text) in dash.feed.value and html.escape(q2.text) in dash.feed.value
    assert "Fresh food within a 10-minute walk" in dash.feed.value
    rw.save_answer(rw.slug, rw.people["biz"], tool.id, q2.id, "A store that pays its way")
    rw.save_answer(rw.slug, rw.people["biz"], "engage-potential-partners", "epp-1", "Elsewhere")
    assert dash.refresh()
    assert dash.feed_picker.value == tool.id
    assert "A store that pays its way" in dash.feed.value
    assert "Elsewhere" not in dash.feed.value
    dash.feed_picker.value = ""
    assert "Elsewhere" in dash.feed.value  # all tools, newest first
    assert dash.feed.value.index("Elsewhere") < dash.feed.value.index("A store that pays its way")


def _rate(rw, tool_id, gov, biz, npo):
    for key, value in (("gov", gov), ("biz", biz), ("npo", npo)):
        rw.save_rating(rw.slug, rw.people[key], tool_id, value)


def test_ratings_hidden_until_revealed_then_banded_with_labels(rw, dash):
    _rate(rw, "engage-potential-partners", 5, 4, 4)  # strength, agreed
    _rate(rw, "share-a-vision-of-success", 1, 5, 3)  # gap 4: divergence
    _rate(rw, "account-for-resources", 2, 2, 3)  # concern
    rw.save_comment(rw.slug, rw.people["gov"], "share-a-vision-of-success", "No shared map <b>yet</b>")
    assert dash.refresh()
    heat = dash.heatmap.value
    assert RATINGS_HIDDEN in heat
    assert "xs-band-strength" not in heat and "Strength" not in heat and "Concern" not in heat
    assert "Ratings received" in heat  # counts only
    assert "Partners see this differently" not in heat
    assert RATINGS_HIDDEN in dash.divergence.value
    assert "No shared map" not in dash.feed.value  # comments go with ratings

    rw.update_settings(rw.slug, ratings_revealed=True)
    assert dash.refresh()
    heat = dash.heatmap.value
    assert RATINGS_HIDDEN not in heat
    assert 'xs-band xs-band-strength' in heat and ">Strength<" in heat
    assert 'xs-band xs-band-concern' in heat and ">Concern<" in heat
    assert 'xs-band xs-band-discuss' in heat and ">Discuss<" in heat  # the "all" column of the divergent tool: 3.0
    assert heat.count('class="xs-divergence-flag"') == 1
    assert "Partners see this differently" in heat
    div = dash.divergence.value
    assert "2. Share a Vision of Success" in div and "Government <b>1.0</b> vs Business <b>5.0</b> (gap 4.0)" in div
    dash.feed_picker.value = "share-a-vision-of-success"
    assert "No shared map &lt;b&gt;yet&lt;/b&gt;" in dash.feed.value


def test_not_yet_relevant_shows_in_the_heatmap_apart_from_the_mean(rw, dash):
    _rate(rw, "account-for-resources", 4, "not-yet", 2)
    _rate(rw, "tell-the-story", "not-yet", "not-yet", None)
    assert dash.refresh()
    hidden = dash.heatmap.value
    row = re.search(r"4\. Account for Resources</th>(.*?)</tr>", hidden).group(1)
    assert re.findall(r">(\d*)</td>", row) == ["1", "1", "1", "3"]  # ratings received, "not yet" included
    rw.update_settings(rw.slug, ratings_revealed=True)
    assert dash.refresh()
    heat = dash.heatmap.value
    row = re.search(r"4\. Account for Resources</th>(.*?)</tr>", heat).group(1)
    assert '<span class="xs-mean">3.0</span>' in row  # (4 + 2) / 2: "not yet" is not averaged
    assert row.count('<span class="xs-n xs-not-yet">1 not yet</span>') == 2  # business, and all sectors
    story = re.search(r"17\. Tell the Story</th>(.*?)</tr>", heat).group(1)
    assert "not rated" in story and "2 not yet" in story and "1 not sure" in story
    assert "Not yet relevant at our stage".lower() in heat.lower()  # the legend says what "not yet" is


def test_progress_grid_shares_by_table(rw, dash):
    tool = rw.kit.tool("engage-potential-partners")
    rw.save_answer(rw.slug, rw.people["gov"], tool.id, tool.questions[0].id, "a")
    rw.save_answer(rw.slug, rw.people["biz"], tool.id, tool.questions[1].id, "b")
    rw.save_rating(rw.slug, rw.people["npo"], tool.id, 3)
    assert dash.refresh()
    html = dash.progress.value
    n = len(tool.questions)
    assert f"<span class=\"xs-share-text\">2/{n}</span>" in html  # Table 1 answered two questions
    assert f"<span class=\"xs-share-text\">0/{n}</span><span class=\"xs-rated\"" in html  # Table 2 only rated
    assert "Stage 1: Diagnosis" in html and "Stage 4: Assessment" in html


def test_dots_ranking_and_action_register(rw, dash):
    rw.save_dots(rw.slug, rw.people["gov"], {"tell-the-story": 3, "identify-a-manager": 1})
    rw.save_dots(rw.slug, rw.people["biz"], {"identify-a-manager": 1})
    rw.add_action(rw.slug, "identify-a-manager", what="Ask <the> council", owner="Ana & co", owner_sector="government", due="2030-01-31")
    assert dash.refresh()
    dots = dash.dots.value
    assert dots.index("Tell the Story") < dots.index("Identify a Manager")
    assert "3 dots · 1 voter" in dots and "2 dots · 2 voters" in dots
    assert "15 other tools have no dots." in dots
    actions = dash.actions.value
    assert "Ask &lt;the&gt; council" in actions and "Ana &amp; co" in actions and "2030-01-31" in actions
    assert "(Government)" in actions and "xs-dash-action-status-open" in actions


def test_refresh_touches_nothing_when_the_data_did_not_change(rw, dash):
    sent = []
    sections = [dash.summary, dash.participants, dash.progress, dash.heatmap, dash.divergence, dash.feed, dash.dots, dash.actions, dash.status]
    for w in sections:
        w.observe(lambda change, w=w: sent.append(w._dom_classes[0]), "value")
    assert dash.refresh() is False
    assert dash.refresh() is False
    assert sent == []
    rw.add_action(rw.slug, "tell-the-story", what="Write it up", owner="Ben")
    assert dash.refresh() is True
    # Only sections whose HTML differs are sent again; who is here did not change.
    assert "xs-actions" in sent and "xs-dash-participants" not in sent and "xs-heatmap" not in sent


def test_refresh_draws_again_only_the_sections_whose_frames_changed(rw, dash, monkeypatch):
    import widgets.dashboard as module

    drawn = []
    for name in ("render_summary", "render_participants", "render_progress", "render_heatmap", "render_divergence", "render_feed", "render_dots", "render_actions"):
        render = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _name=name, _render=render, **k: drawn.append(_name) or _render(*a, **k))
    rw.save_answer(rw.slug, rw.people["gov"], "engage-potential-partners", "epp-1", "Residents of Eastside")
    assert dash.refresh()
    assert sorted(drawn) == ["render_feed", "render_progress", "render_summary"]
    assert "Residents of Eastside" in dash.feed.value
    drawn.clear()
    rw.save_rating(rw.slug, rw.people["biz"], "engage-potential-partners", 4)
    assert dash.refresh()
    assert sorted(drawn) == ["render_divergence", "render_feed", "render_heatmap", "render_progress", "render_summary"]
    drawn.clear()
    rw.update_settings(rw.slug, anonymous=True)
    assert dash.refresh()
    assert sorted(drawn) == ["render_feed", "render_participants"]
    assert "Ana Ruiz" not in dash.feed.value + dash.participants.value
    drawn.clear()
    assert dash.refresh(force=True) is True and len(drawn) == 8  # force draws everything


def test_digest_changes_with_frames_and_settings():
    import pandas as pd

    a = {"x": pd.DataFrame({"v": ["1", "2"]})}
    b = {"x": pd.DataFrame({"v": ["1", "3"]})}
    assert frames_digest(a) == frames_digest({"x": pd.DataFrame({"v": ["1", "2"]})})
    assert frames_digest(a) != frames_digest(b)
    assert frames_digest(a, {"ratings_revealed": False}) != frames_digest(a, {"ratings_revealed": True})


def test_rounds_follow_the_current_one_unless_the_viewer_chose(rw, dash):
    rw.save_answer(rw.slug, rw.people["gov"], "engage-potential-partners", "epp-1", "Round one answer")
    dash.refresh()
    rw.new_round(rw.slug)
    assert dash.refresh()
    assert dash.round_picker.value == 2
    assert [v for _l, v in dash.round_picker.options] == [1, 2]
    assert "Round one answer" not in dash.feed.value
    dash.round_picker.value = 1  # the viewer looks back
    assert "Round one answer" in dash.feed.value
    assert "showing round 1 of 2" in dash.status.value
    rw.new_round(rw.slug)
    dash.refresh()
    assert dash.round_picker.value == 1  # their place is kept
    dash.round_picker.value = 3
    rw.new_round(rw.slug)
    dash.refresh()
    assert dash.round_picker.value == 4  # following the current round again


def test_workshop_picker_and_env_preselect(rw, ro, monkeypatch):
    other = rw.create_workshop("Harbour Alliance")
    d = Dashboard(ro, start=False)
    assert d.value == other.slug  # newest first
    assert [v for _l, v in d.workshop_picker.options] == [other.slug, rw.slug]
    d.workshop_picker.value = rw.slug
    assert d.value == rw.slug and "3 people" in d.participants.value
    monkeypatch.setenv("WORKSHOP_SLUG", rw.slug)
    assert Dashboard(ro, start=False).value == rw.slug
    monkeypatch.setenv("WORKSHOP_SLUG", "nope")
    with pytest.raises(NotFound, match="nope"):
        Dashboard(ro, start=False)


def test_a_store_error_is_shown_and_the_view_kept(rw, ro, dash, monkeypatch):
    before = dash.participants.value

    def broken():
        raise ToolkitError("database is locked")

    monkeypatch.setattr(ro, "workshops", broken)
    assert dash.refresh() is False
    assert "Cannot read the store: database is locked" in dash.status.value
    assert dash.participants.value == before
    monkeypatch.undo()
    dash.refresh()
    assert "Cannot read the store" not in dash.status.value


def test_empty_store(tmp_path):
    AnswerStore(tmp_path / "empty.sqlite").close()
    d = build_dashboard(str(tmp_path / "empty.sqlite"), refresh_seconds=2)
    assert "no workshop yet" in d.status.value
    assert d.refresh_seconds == 2
    d.close()


def test_refresh_interval(monkeypatch):
    monkeypatch.delenv("WORKSHOP_REFRESH", raising=False)
    assert refresh_interval() == 5
    monkeypatch.setenv("WORKSHOP_REFRESH", "2.5")
    assert refresh_interval() == 2.5
    assert refresh_interval(10) == 10
    assert refresh_interval(0.01) == 1  # never a busy loop
    with pytest.raises(ValueError, match="seconds"):
        refresh_interval("soon")


def test_timer_refreshes_on_the_running_loop(rw, ro):
    d = Dashboard(ro, refresh_seconds=1, start=False)
    assert d.start() is False  # no loop outside a kernel: call refresh() yourself

    async def scenario():
        assert d.start() is True and d.running
        rw.save_answer(rw.slug, rw.people["gov"], "engage-potential-partners", "epp-1", "Written while projected")
        for _ in range(100):  # the timer, not us, must pick it up
            if "Written while projected" in d.feed.value:
                break
            await asyncio.sleep(0.1)
        d.stop()

    asyncio.run(scenario())
    assert "Written while projected" in d.feed.value
    assert not d.running
    d.close()


def _documented(title: str) -> list[list[str]]:
    """Classes in the first cell of each table of a docs/ui-hooks.md section."""
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "ui-hooks.md").read_text(encoding="utf-8")
    section = doc.split(f"### {title}", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    tables = re.findall(r"((?:^\|.*\|\n)+)", section, flags=re.M)
    return [[c for row in t.splitlines()[2:] for c in re.findall(r"`(xs-[^`<]+)`", row.split("|")[1])] for t in tables]


def test_documented_hooks_are_on_the_dashboard(rw, dash, monkeypatch):
    import re

    widget_hooks, html_hooks = _documented("Dashboard (")
    on_widgets = {c for w in _walk(dash) for c in getattr(w, "_dom_classes", ())}
    assert [c for c in widget_hooks if c not in on_widgets] == []
    assert {"xs-dash-participants", "xs-dash-progress", "xs-heatmap", "xs-divergence", "xs-dots-ranking", "xs-actions"} <= set(widget_hooks)

    seen = []

    def collect():
        seen.extend(w.value for w in _walk(dash) if isinstance(w, widgets.HTML))

    collect()  # empty sections
    _rate(rw, "engage-potential-partners", 5, 1, 3)
    _rate(rw, "share-a-vision-of-success", None, None, None)  # not sure: a "not rated" cell
    _rate(rw, "account-for-resources", 4, "not-yet", 3)  # not yet relevant: counted in the cell
    rw.save_answer(rw.slug, rw.people["gov"], "engage-potential-partners", "epp-1", "An answer")
    rw.save_answer(rw.slug, rw.people["biz"], "engage-potential-partners", "epp-2", "A long answer. " * 40)  # clamped: xs-feed-long
    rw.save_dots(rw.slug, rw.people["gov"], {"tell-the-story": 2})
    rw.add_action(rw.slug, "tell-the-story", what="Write it", owner="Ana")
    rw.save_table_answer(rw.slug, "Table 1", "engage-potential-partners", "epp-1", "The table's answer", participant_id=rw.people["gov"])
    dash.refresh()
    collect()  # ratings hidden
    rw.update_settings(rw.slug, ratings_revealed=True)
    dash.refresh()
    collect()
    dash.feed_picker.value = "engage-potential-partners"
    collect()
    rw.update_settings(rw.slug, min_group=3)  # groups of one: xs-band-withheld
    dash.refresh()
    collect()
    monkeypatch.setattr(dash.store, "workshops", lambda: (_ for _ in ()).throw(ToolkitError("down")))
    dash.refresh()
    collect()
    html = " ".join(seen)
    missing = [c for c in html_hooks if not re.search(rf'class="[^"]*(?<![\w-]){re.escape(c)}(?![\w-])', html)]
    assert missing == []


@pytest.mark.slow
def test_dashboard_notebook_is_thin_and_runs_against_a_store(rw, monkeypatch):
    """notebooks/dashboard.ipynb: import, build, show; executed in a fresh
    kernel, its one output is the dashboard of the store in $WORKSHOP_DB."""
    import ast
    from pathlib import Path

    import nbformat
    from nbclient import NotebookClient

    path = Path(__file__).resolve().parents[2] / "notebooks" / "dashboard.ipynb"
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.source for c in code] == ["from widgets.dashboard import build_dashboard\n\nbuild_dashboard()"]
    assert not [n for c in code for n in ast.walk(ast.parse(c.source)) if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda))]
    monkeypatch.setenv("WORKSHOP_DB", rw.url)
    monkeypatch.setenv("WORKSHOP_SLUG", rw.slug)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}, store_widget_state=True).execute()
    assert [o.output_type for o in code[-1].outputs] == ["execute_result"]
    states = [m["state"] for m in nb.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"].values()]
    by_class = {css: s for s in states for css in s.get("_dom_classes", [])}
    assert "3 people" in by_class["xs-dash-participants"]["value"]
    assert by_class["xs-dashboard"]["value"] == rw.slug


def test_closing_stops_the_timer_and_closes_a_store_it_opened(rw, ro):
    async def scenario():
        mine = build_dashboard(rw.url, refresh_seconds=1)
        theirs = Dashboard(ro, refresh_seconds=1)
        assert mine.running and theirs.running
        pools = mine.store.engine.pool, ro.engine.pool
        mine.close()
        theirs.close()
        await asyncio.sleep(0)  # let the cancelled timers finish
        return mine, theirs, pools

    mine, theirs, (mine_pool, their_pool) = asyncio.run(scenario())
    assert not mine.running and not theirs.running
    assert mine.closes_store and mine.store.engine.pool is not mine_pool  # disposed: its connections are closed
    assert not theirs.closes_store and ro.engine.pool is their_pool  # the caller's store is the caller's to close


def test_a_database_error_is_one_line_naming_the_store(ro, dash, monkeypatch):
    def broken():
        with ro.engine.connect() as conn:
            conn.exec_driver_sql("SELECT nonsense FROM workshops")

    monkeypatch.setattr(ro, "workshops", broken)
    assert dash.refresh() is False
    assert f"Cannot read the store: cannot use the store {ro.location} (no such column: nonsense)" in dash.status.value
    assert "SELECT" not in dash.status.value and "sqlalche.me" not in dash.status.value


def test_the_report_back_shows_each_tables_answers_side_by_side_as_text(rw, dash):
    """Issue #15: the report-back moment. Each table's shared answers to
    one tool's questions, table by table, escaped; who changed it last as
    the dashboard may name them; a table's shared device with its sectors."""
    tool = "engage-potential-partners"
    assert "No table has written a table answer yet." in dash.report.value
    rw.save_table_answer(rw.slug, "Table 1", tool, "epp-1", "<img src=x onerror=alert(1)> our plan", participant_id=rw.people["gov"])
    rw.sign_in_table(rw.slug, "Table 2", {"nonprofit": 2, "community": 1})
    rw.save_table_answer(rw.slug, "Table 2", tool, "epp-2", "Written on the laptop", participant_id=None)
    dash.refresh()
    html = dash.report.value
    assert "&lt;img src=x onerror=alert(1)&gt; our plan" in html and "<img" not in html
    tables = re.findall(r'<section class="xs-report-table"><h3>([^<]+)</h3>', html)
    assert tables == ["Table 1", "Table 2"]
    assert "Last changed by Ana Ruiz at " in html and "Last changed by the table&#x27;s shared device at " in html
    assert "shared device: Non-profit 2, Community 1" in html
    # Anonymous: the writer is named by sector.
    rw.update_settings(rw.slug, anonymous=True)
    dash.refresh()
    assert "Ana Ruiz" not in dash.report.value and "Last changed by Government at " in dash.report.value
    # Another tool picked: its own (empty) answers.
    dash.report_picker.value = "share-a-vision-of-success"
    assert dash.report.value.count("No table answer yet.") == 2 * len(rw.kit.tool("share-a-vision-of-success").questions)
