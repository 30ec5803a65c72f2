"""The live, read-only dashboard the facilitator projects.

    >>> dash = build_dashboard()                    # $WORKSHOP_DB, $WORKSHOP_SLUG
    >>> dash = Dashboard(AnswerStore(url, read_only=True), slug="demo", refresh_seconds=5)
    >>> dash.refresh()                              # True when the data changed

For the chosen workshop and round it shows who is here (by sector and
table), progress by stage, tool and table, the readiness heatmap (tools by
sector, banded strength / discuss / concern, with divergence flags), the
answer feed of one tool, the report-back (each table's shared answers
for one tool, side by side, issue #15), the dot-vote ranking and the
action register; the tools covered are those of today's plan and any
answered (the frames' ``scope``), stages with none are left out. Small
groups' means read "fewer than 3", answers the facilitator hid are left
out, and a long answer is clamped to a few lines with the rest one click
away. :mod:`widgets.presenter` draws the same sections, one per screen,
for a projector.

It only ever reads: it refuses a store that was not opened with
``read_only=True``, and it has no control that writes. Everything a
participant typed is shown escaped (:func:`html.escape`), never as HTML.
What it may show is the kit's one rule (:mod:`toolkit.frames.views`): its
frames come masked for :attr:`~toolkit.frames.View.DASHBOARD` (no names or
organizations in an anonymous workshop, in any section, the action
register included), and ratings wait for the facilitator's reveal. A
stored row no view can show is left out with a warning
(:mod:`toolkit.frames.rows`), so it never blanks the dashboard. Colours
come from the kit's palette and ``widgets/css/dashboard.css``.

Refreshing does not flicker or lose the viewer's place: every few seconds
it asks a :class:`toolkit.frames.LiveFrames` for the frames, which hands
back the very same objects for what did not change; only the sections
drawn from a frame or setting that changed are drawn again, and a widget's
``value`` is set only when its HTML differs. Children are never rebuilt, so
the selected workshop, round and feed tool stay where the viewer put them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import html
import json
import os
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import traitlets

from toolkit.frames import BAND_LABELS, BANDS, View, audience, band_range, summary
from toolkit.frames.views import (
    SUMMARY_LABELS,
    TABLE_DEVICE,
    attributed,
    fewer_than,
    natural_key,
    plural,
    sector_name,
    sector_order,
)
from toolkit.serve.plan import PUBLIC_DASHBOARD_ENV
from widgets.style import shared_style, style_block

if TYPE_CHECKING:
    import pandas as pd

    from toolkit.content import Tool, Toolkit
    from toolkit.frames import Audience
    from toolkit.store import AnswerStore
    from toolkit.store.values import Workshop

#: Seconds between refreshes unless ``refresh_seconds`` or $WORKSHOP_REFRESH say otherwise.
DEFAULT_REFRESH_SECONDS = 5.0
REFRESH_ENV = "WORKSHOP_REFRESH"
SLUG_ENV = "WORKSHOP_SLUG"
#: The feed option that shows the newest answers of every tool.
ALL_TOOLS = ""
#: The report-back option that follows the tool the tables wrote about last.
LATEST_TOOL = ""
#: How many answers the "all tools" feed shows.
FEED_LATEST = 24
#: An answer longer than this (characters) or with more lines is clamped
#: in the feed, the rest one click away (a ``<details>``).
FEED_CLAMP_CHARS, FEED_CLAMP_LINES = 280, 5
RATINGS_HIDDEN = "Ratings hidden until the facilitator reveals them"

_esc = html.escape


def refresh_interval(value: float | str | None = None) -> float:
    """The refresh interval in seconds: the argument, else $WORKSHOP_REFRESH,
    else 5. Anything under one second is raised to one."""
    raw: Any = value if value is not None else os.environ.get(REFRESH_ENV) or DEFAULT_REFRESH_SECONDS
    try:
        seconds = float(raw)
    except (TypeError, ValueError):
        raise ValueError(f"refresh interval: expected a number of seconds, got {raw!r}") from None
    return max(seconds, 1.0)


@dataclass(frozen=True)
class Snapshot:
    """One read of the store: what the dashboard shows, and a digest that
    is equal when nothing shown changed."""

    workshops: tuple[tuple[str, str], ...]
    workshop: Workshop | None
    round: int
    frames: Mapping[str, Any]
    digest: str
    #: What the dashboard may show of this workshop (None: no workshop).
    shown: Audience | None = None
    #: Each table that signed in a shared device, by name (the report-back
    #: lists who sits at it; :meth:`AnswerStore.table_seats`).
    seats: Mapping[str, Any] = field(default_factory=dict)


def frames_digest(frames: Mapping[str, pd.DataFrame], *extra: object) -> str:
    """A hash of frames (and any JSON-able extras): equal when nothing the
    dashboard shows has changed."""
    import pandas as pd

    h = hashlib.sha1()
    for name in sorted(frames):
        df = frames[name]
        h.update(name.encode())
        h.update(",".join(map(str, df.columns)).encode())
        h.update(str(len(df)).encode())
        if len(df):
            h.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    h.update(json.dumps(extra, sort_keys=True, default=str).encode())
    return h.hexdigest()


class Reader:
    """Reads what a projected view shows, off the widgets: the served
    workshop (or the one asked for), its frames kept by a
    :class:`toolkit.frames.LiveFrames` masked for the dashboard (the public
    view with ``workshop serve --public-dashboard``), and a digest equal
    when nothing shown changed. The dashboard and the presenter view each
    keep one."""

    def __init__(self, store: AnswerStore):
        self.store = store
        self._live: Any = None  # toolkit.frames.LiveFrames of the workshop shown
        self._frames: Any = None  # the frames dict last read ...
        self._frames_version = 0  # ... and how many different ones were read: the change token
        self._lock = threading.Lock()  # load() runs on the timer's thread and on the viewer's clicks

    def load(self, slug: str | None = None, round: int | None = None) -> Snapshot:
        """Read the workshop ``slug`` (default: the served one, else the
        newest) in ``round`` (default: its current round). Between reads
        only new answer rows are read (:class:`toolkit.frames.LiveFrames`)."""
        from toolkit.frames import LiveFrames

        with self._lock:
            listed = self.store.workshops()
            served = os.environ.get(SLUG_ENV)
            if served:  # a served room shows its own workshop and names no other
                listed = [w for w in listed if w.slug == served]
            workshops = tuple((w.slug, w.title) for w in listed)
            known = {w.slug: w for w in listed}
            # A workshop that disappeared (or none chosen yet): show the newest.
            workshop = known.get(slug or "") or (listed[0] if listed else None)
            if workshop is None:
                return Snapshot(workshops, None, 1, {}, frames_digest({}, "empty"))
            # workshop serve --public-dashboard: the public view, never a name.
            view = View.PUBLIC if os.environ.get(PUBLIC_DASHBOARD_ENV) else View.DASHBOARD
            current = workshop.settings.round
            rnd = round if round is not None and 1 <= round <= current else current
            if self._live is None or self._live.slug != workshop.slug:
                self._live = LiveFrames(self.store, workshop.slug, view=view)
            frames = self._live.refresh(rnd, settings=workshop.settings)
            if frames is not self._frames:
                # LiveFrames returns the same dict when nothing changed, so
                # counting new dicts replaces hashing every frame (~30 ms over
                # 50,000 answers, on every change).
                self._frames, self._frames_version = frames, self._frames_version + 1
            digest = frames_digest({}, self._frames_version, workshops, workshop.title, workshop.settings.to_dict(), rnd)
            return Snapshot(workshops, workshop, rnd, frames, digest, audience(workshop.settings, view), dict(self._live.seats))


class OwnLoop:
    """``start()``, ``stop()`` and ``running`` for a view that refreshes by
    itself: its coroutine ``_run`` as a task on the running event loop (the
    kernel's, in Voila and JupyterLab)."""

    _task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        raise NotImplementedError

    def start(self) -> bool:
        """Run by itself on the running event loop. Returns ``False`` when
        no loop is running (plain Python, tests): call ``refresh()``
        yourself then."""
        if self._task is not None and not self._task.done():
            return True
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return False
        self._task = loop.create_task(self._run())
        return True

    def stop(self) -> None:
        """Stop running by itself."""
        if self._task is not None:
            self._task.cancel()
            self._task = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()


class Dashboard(OwnLoop, widgets.VBox):
    """The live dashboard. ``value`` is the slug of the workshop shown.

    Children are public: ``workshop_picker``, ``round_picker``, ``status``,
    ``summary``, ``participants``, ``progress``, ``heatmap``,
    ``divergence``, ``feed_picker``, ``feed``, ``report_picker``,
    ``report``, ``dots``, ``actions`` (each
    section an HTML widget with a stable CSS class, see docs/ui-hooks.md).

    ``refresh()`` reads the store once and updates what changed; with
    ``start=True`` (the default) it also runs every ``refresh_seconds`` on
    the kernel's event loop when one is running (Voila, JupyterLab).
    """

    value = traitlets.Unicode("", help="slug of the workshop shown").tag(sync=True)
    closes_store = traitlets.Bool(False, help="close() also closes the store (build_dashboard opened it)")

    def __init__(self, store: AnswerStore, *, slug: str | None = None, refresh_seconds: float | None = None, start: bool = True, **kwargs: Any):
        self._task: asyncio.Task[None] | None = None
        if not getattr(store, "read_only", False):
            from toolkit.errors import ToolkitError

            raise ToolkitError("the dashboard only reads: open the store with AnswerStore(url, read_only=True)")
        self.store = store
        self.kit: Toolkit = store.kit
        self.refresh_seconds = refresh_interval(refresh_seconds)
        self.snapshot: Snapshot | None = None
        self.refresh_count = 0  # how many reads changed what is shown (tests, diagnostics)
        self._round_pinned = False  # the viewer chose an earlier round: do not follow new rounds
        self._quiet = False  # set while the dashboard itself changes a picker
        self.reader = Reader(store)
        self._drawn: dict[widgets.HTML, tuple[Any, ...]] = {}  # section -> what it was last drawn from

        self.style_html = style_block("dashboard")
        self.title = _html("xs-dash-title", "<h1>Live dashboard</h1>")
        self.workshop_picker = widgets.Dropdown(description="Workshop", options=[], layout=widgets.Layout(width="100%", max_width="26rem"), style=shared_style(widgets.Dropdown))
        self.workshop_picker.add_class("xs-dash-workshop")
        self.round_picker = widgets.Dropdown(description="Round", options=[], layout=widgets.Layout(width="100%", max_width="14rem"), style=shared_style(widgets.Dropdown))
        self.round_picker.add_class("xs-dash-round")
        self.status = _html("xs-dash-status")
        self.summary = _html("xs-dash-summary")
        self.participants = _html("xs-dash-participants")
        self.progress = _html("xs-dash-progress")
        self.heatmap = _html("xs-heatmap")
        self.divergence = _html("xs-divergence")
        self.feed_picker = widgets.Dropdown(
            description="Tool",
            options=[("All tools, newest first", ALL_TOOLS)] + [(f"{t.number}. {t.name}", t.id) for t in self.kit.tools],
            value=ALL_TOOLS,
            layout=widgets.Layout(width="100%", max_width="32rem"), style=shared_style(widgets.Dropdown),
        )
        self.feed_picker.add_class("xs-dash-feed-tool")
        self.feed = _html("xs-dash-feed")
        self.report_picker = widgets.Dropdown(
            description="Tool",
            options=[("The tool the tables wrote about last", LATEST_TOOL)] + [(f"{t.number}. {t.name}", t.id) for t in self.kit.tools],
            value=LATEST_TOOL,
            layout=widgets.Layout(width="520px"), style=shared_style(widgets.Dropdown),
        )
        self.report_picker.add_class("xs-dash-report-tool")
        self.report = _html("xs-dash-report")
        self.dots = _html("xs-dots-ranking")
        self.actions = _html("xs-actions")

        controls = widgets.HBox([self.workshop_picker, self.round_picker], layout=widgets.Layout(flex_flow="row wrap", align_items="center"))
        controls.add_class("xs-dash-controls")
        feed_box = widgets.VBox([_html("xs-dash-heading", _heading("Answer feed", "What tables are writing, as they write it")), self.feed_picker, self.feed])
        feed_box.add_class("xs-dash-card")
        report_box = widgets.VBox([_html("xs-dash-heading", _heading("Report-back", "Each table's answers, side by side")), self.report_picker, self.report])
        report_box.add_class("xs-dash-card")
        report_box.add_class("xs-dash-report-card")
        side = widgets.HBox([self.participants, self.dots], layout=widgets.Layout(width="100%"))
        side.add_class("xs-dash-row")
        super().__init__(
            [self.style_html, self.title, controls, self.status, self.summary, side, self.heatmap, self.divergence, self.progress, report_box, feed_box, self.actions],
            layout=widgets.Layout(width="100%"),
            **kwargs,
        )
        self.add_class("xs-dashboard")

        self.workshop_picker.observe(self._on_workshop, "value")
        self.round_picker.observe(self._on_round, "value")
        self.feed_picker.observe(self._on_feed_tool, "value")
        self.report_picker.observe(lambda _change: self._render_report(), "value")

        self._initial_slug = slug or os.environ.get(SLUG_ENV) or None
        if self._initial_slug:
            store.workshop(self._initial_slug)  # NotFound names the slug and the known ones
        self.refresh()
        if start:
            self.start()

    # ------------------------------------------------------------------
    # Reading

    def _selected(self) -> tuple[str | None, int | None]:
        slug = self.workshop_picker.value or self._initial_slug
        rnd = self.round_picker.value if self._round_pinned else None
        return slug, rnd

    def load(self, slug: str | None = None, round: int | None = None) -> Snapshot:
        """Read what the dashboard shows from the store (no widget is
        touched, so this can run off the kernel's event loop); see
        :meth:`Reader.load`."""
        return self.reader.load(slug, round)

    def refresh(self, force: bool = False) -> bool:
        """Read the store and update what changed. Returns ``True`` when the
        data differed from the last read (or ``force``), ``False`` when
        nothing was touched. A store error is shown in the status line and
        the last good view stays."""
        slug, rnd = self._selected()
        try:
            snap = self.load(slug, rnd)
        except Exception as exc:  # noqa: BLE001 - shown to the facilitator, view kept
            self._show_error(exc)
            return False
        return self.apply(snap, force=force)

    def _show_error(self, exc: BaseException) -> None:
        from sqlalchemy.exc import SQLAlchemyError

        from toolkit.store.schema import store_error

        # A database error as one line naming the store, not SQLAlchemy's text with its SQL.
        reason = str(store_error(exc, self.store.url)) if isinstance(exc, SQLAlchemyError) else str(exc)
        _set(self.status, f'<div class="xs-dash-error">Cannot read the store: {_esc(reason)}. Showing the last view; trying again in {self.refresh_seconds:g} s.</div>')

    # ------------------------------------------------------------------
    # Rendering

    def apply(self, snap: Snapshot, force: bool = False) -> bool:
        """Show a snapshot; untouched when its hash equals the last one."""
        if not force and self.snapshot is not None and snap.digest == self.snapshot.digest:
            if "xs-dash-error" in self.status.value:
                self._render_status(snap)
            return False
        self.snapshot = snap
        self.refresh_count += 1
        if force:
            self._drawn.clear()
        self._sync_pickers(snap)
        self._render(snap)
        return True

    def _sync_pickers(self, snap: Snapshot) -> None:
        self._quiet = True
        try:
            options = [(f"{title} · {slug}", slug) for slug, title in snap.workshops]
            if list(self.workshop_picker.options) != options:
                self.workshop_picker.options = options
            if snap.workshop is not None and self.workshop_picker.value != snap.workshop.slug:
                self.workshop_picker.value = snap.workshop.slug
            self.value = snap.workshop.slug if snap.workshop is not None else ""
            current = snap.workshop.settings.round if snap.workshop is not None else 1
            rounds = [(f"Round {n}" + (" (current)" if n == current else ""), n) for n in range(1, current + 1)]
            if list(self.round_picker.options) != rounds:
                self.round_picker.options = rounds
            if self.round_picker.value != snap.round:
                self.round_picker.value = snap.round
        finally:
            self._quiet = False

    def _render(self, snap: Snapshot) -> None:
        ws = snap.workshop
        if ws is None:
            _set(self.title, "<h1>Live dashboard</h1>")
            _set(self.status, '<div class="xs-dash-empty">The store has no workshop yet. Create one from the facilitator console or with <code>workshop new "Title"</code>.</div>')
            for section in (self.summary, self.participants, self.progress, self.heatmap, self.divergence, self.feed, self.report, self.dots, self.actions):
                _set(section, "")
            self._drawn.clear()
            return
        f = snap.frames
        shown = snap.shown
        kit = self.kit
        _set(self.title, f'<h1><span class="xs-dash-kicker">Live dashboard</span>{_esc(ws.title)}</h1>')
        self._render_status(snap)
        counts = summary(f)
        self._draw(self.summary, (json.dumps(counts),), lambda: render_summary(counts))
        self._draw(self.participants, (f["participants"], shown.names), lambda: render_participants(f["participants"], kit, shown))
        tools = scope_tools(kit, f["scope"])
        self._draw(self.progress, (f["progress"],), lambda: render_progress(f["progress"], kit))
        self._draw(self.heatmap, (f["ratings"], f["divergence"], f["scope"], shown.ratings, shown.min_group),
                   lambda: render_heatmap(f["ratings"], kit, shown, f["divergence"], tools))
        self._draw(self.divergence, (f["divergence"], shown.ratings), lambda: render_divergence(f["divergence"], kit, shown))
        self._draw(self.dots, (f["priorities"],), lambda: render_dots(f["priorities"]))
        self._draw(self.actions, (f["actions"],), lambda: render_actions(f["actions"], kit))
        self._render_feed()
        self._render_report()

    def _draw(self, section: widgets.HTML, inputs: tuple[Any, ...], render: Callable[[], str]) -> None:
        """Draw a section unless it was last drawn from the same inputs:
        frames compared by identity (LiveFrames keeps a frame that did not
        change the same object), settings by value."""
        last = self._drawn.get(section)
        if last is not None and len(last) == len(inputs) and all(a is b or (_plain(a) and a == b) for a, b in zip(last, inputs)):
            return
        _set(section, render())
        self._drawn[section] = inputs

    def _render_status(self, snap: Snapshot) -> None:
        ws = snap.workshop
        if ws is None:
            return
        s = ws.settings
        stages = "".join(
            f'<span class="xs-pill xs-dash-stage-{_esc(s.stage_state(st.id))}">{_esc(st.title)}: {"locked" if s.is_locked(st.id) else "open"}</span>'
            for st in self.kit.stages
        )
        when = dt.datetime.now().strftime("%H:%M:%S")
        earlier = "" if snap.round == s.round else f' <span class="xs-pill xs-pill-warn">showing round {snap.round} of {s.round}</span>'
        _set(
            self.status,
            f'<div class="xs-dash-statusline"><span class="xs-pill">Round {s.round}</span>{earlier}'
            f'<span class="xs-pill">{"Ratings revealed" if s.ratings_revealed else "Ratings hidden"}</span>'
            f'<span class="xs-pill">{"Names hidden (anonymous)" if s.anonymous else "Names shown"}</span>{stages}'
            f'<span class="xs-dash-updated">Updated {when} · refreshes every {self.refresh_seconds:g} s</span></div>',
        )

    def _render_feed(self) -> None:
        snap = self.snapshot
        if snap is None or snap.workshop is None:
            _set(self.feed, "")
            self._drawn.pop(self.feed, None)
            return
        shown = snap.shown
        current, tool_id = snap.frames["current_answers"], self.feed_picker.value
        self._draw(self.feed, (current, shown.ratings, tool_id), lambda: render_feed(current, self.kit, shown, tool_id, ids=True))

    def _render_report(self) -> None:
        snap = self.snapshot
        if snap is None or snap.workshop is None:
            _set(self.report, "")
            self._drawn.pop(self.report, None)
            return
        f, tool_id = snap.frames, self.report_picker.value
        seats = snap.seats
        inputs = (f["table_answers"], f["participants"], tool_id, json.dumps({k: dict(v.members) for k, v in seats.items()}, sort_keys=True))
        self._draw(self.report, inputs, lambda: render_report_back(f["table_answers"], f["participants"], self.kit, tool_id, seats))

    # ------------------------------------------------------------------
    # Viewer's choices

    def _on_workshop(self, change: Mapping[str, Any]) -> None:
        if self._quiet or not change["new"]:
            return
        self._round_pinned = False
        self.refresh()

    def _on_round(self, change: Mapping[str, Any]) -> None:
        if self._quiet or change["new"] is None:
            return
        current = self.snapshot.workshop.settings.round if self.snapshot and self.snapshot.workshop else change["new"]
        self._round_pinned = change["new"] != current
        self.refresh()

    def _on_feed_tool(self, _change: Mapping[str, Any]) -> None:
        self._render_feed()

    # ------------------------------------------------------------------
    # The timer (start, stop, running: :class:`OwnLoop`)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.refresh_seconds)
            slug, rnd = self._selected()
            try:
                # The store is read off the loop so widget messages keep flowing.
                snap = await loop.run_in_executor(None, self.load, slug, rnd)
            except Exception as exc:  # noqa: BLE001 - shown, and tried again next tick
                self._show_error(exc)
                continue
            if self._selected() == (slug, rnd):  # the viewer did not move meanwhile
                self.apply(snap)

    def close(self) -> None:
        """Stop refreshing, close the store when the dashboard opened it
        (``closes_store``), and close the widget."""
        self.stop()
        if self.closes_store:
            self.store.close()
        super().close()


def build_dashboard(url: str | None = None, *, slug: str | None = None, refresh_seconds: float | None = None) -> Dashboard:
    """Open the store read-only (``url``, else $WORKSHOP_DB, else the
    default file) and return a running dashboard. This is all
    ``notebooks/dashboard.ipynb`` does."""
    from toolkit.store import AnswerStore

    store = AnswerStore(url, read_only=True)
    try:
        return Dashboard(store, slug=slug, refresh_seconds=refresh_seconds, closes_store=True)
    except BaseException:
        store.close()
        raise


# ----------------------------------------------------------------------
# Sections: pure functions from frames to escaped HTML, testable alone.


def _html(css_class: str, value: str = "") -> widgets.HTML:
    w = widgets.HTML(value, layout=widgets.Layout(width="100%"), style=shared_style(widgets.HTML))
    w.add_class(css_class)
    return w


def _set(widget: widgets.HTML, value: str) -> None:
    if widget.value != value:
        widget.value = value


def _plain(value: object) -> bool:
    """A value compared by ``==`` when deciding whether to draw again
    (frames are compared by identity)."""
    return isinstance(value, (str, int, float, bool, type(None)))


def _text(value: object) -> str:
    """A text cell as ``str``: ``""`` where it is missing (``pd.NA``)."""
    return value if isinstance(value, str) else ""


def _columns(df: pd.DataFrame, names: tuple[str, ...]) -> dict[str, Any]:
    """Columns as numpy object arrays: indexing them per row costs far less
    than pandas' ``iterrows``."""
    return {c: df[c].to_numpy(dtype=object) for c in names}


def _heading(title: str, subtitle: str = "") -> str:
    sub = f'<p class="xs-dash-sub">{_esc(subtitle)}</p>' if subtitle else ""
    return f'<h2 class="xs-dash-h2">{_esc(title)}</h2>{sub}'


def _card(css: str, title: str, subtitle: str, body: str) -> str:
    return f'<section class="xs-dash-card {css}">{_heading(title, subtitle)}{body}</section>'


def _scroll(table: str, label: str) -> str:
    """A data table in its own region that scrolls sideways when the screen
    is narrower than the table (nothing else on the page does); a Tab stop,
    so a keyboard can scroll it, named ``label``."""
    return f'<div class="xs-scroll" tabindex="0" role="region" aria-label="{_esc(label)}">{table}</div>'


def _who(row: Mapping[str, Any], kit: Toolkit) -> str:
    """Sector · table, and the person as far as the (masked) frame names them;
    an answer given without a name says so (the frame names nobody for it)."""
    if row.get("anonymous"):
        return "Answered without a name"
    sector = _text(row["sector"])
    name, org = _text(row["name"]), _text(row["organization"])
    parts = [sector_name(kit, sector) if sector else "", _text(row["table"]), f"{name} ({org})" if name and org else name or org]
    return " · ".join(_esc(p) for p in parts if p)


def render_summary(counts: Mapping[str, int]) -> str:
    """Big numbers (:func:`toolkit.frames.summary`): people, sectors,
    tables, answers, ratings, dots, actions."""
    body = "".join(
        f'<div class="xs-tile"><div class="xs-tile-n">{counts[key]}</div><div class="xs-tile-label">{_esc(label)}</div></div>'
        for key, label in SUMMARY_LABELS.items()
    )
    return f'<div class="xs-tiles">{body}</div>'


def render_participants(people: pd.DataFrame, kit: Toolkit, shown: Audience, *, names: bool = True) -> str:
    """Counts by sector and table; names listed when ``shown`` allows (and
    ``names``: the presenter view lists none)."""
    if people.empty:
        return _card("xs-dash-participants-card", "Who is here", "By sector and table", '<p class="xs-dash-empty">Nobody has signed in yet.</p>')
    cols = _columns(people, ("name", "organization", "sector", "table"))
    sectors, at_table = cols["sector"].tolist(), cols["table"].tolist()
    tables = sorted(set(at_table), key=natural_key)
    sector_ids = sector_order(kit, set(sectors))
    counts, per_sector, per_table = Counter(zip(sectors, at_table)), Counter(sectors), Counter(at_table)
    head = "".join(f"<th>{_esc(t)}</th>" for t in tables)
    rows = []
    for sid in sector_ids:
        cells = "".join(f'<td class="xs-num">{counts[sid, t] or ""}</td>' for t in tables)
        rows.append(f'<tr><th class="xs-rowhead">{_esc(sector_name(kit, sid))}</th>{cells}<td class="xs-num xs-total">{per_sector[sid]}</td></tr>')
    col_totals = "".join(f'<td class="xs-num xs-total">{per_table[t]}</td>' for t in tables)
    rows.append(f'<tr class="xs-totalrow"><th class="xs-rowhead">All sectors</th>{col_totals}<td class="xs-num xs-total">{len(people)}</td></tr>')
    table = _scroll(f'<table class="xs-grid"><thead><tr><th><span class="xs-sr-only">Sector</span></th>{head}<th>Total</th></tr></thead><tbody>{"".join(rows)}</tbody></table>', "Who is here, by sector and table")
    if not names:
        listed = ""
    elif not shown.names:
        listed = '<p class="xs-dash-note">Names hidden (anonymous mode).</p>'
    else:
        names_at: dict[str, list[str]] = {t: [] for t in tables}
        for name, org, at in zip(cols["name"].tolist(), cols["organization"].tolist(), at_table):
            names_at[at].append(_esc(f"{name} ({org})" if name else str(org)))
        lines = [f'<li><strong>{_esc(t)}:</strong> {", ".join(names_at[t])}</li>' for t in tables]
        listed = f'<ul class="xs-names">{"".join(lines)}</ul>'
    return _card("xs-dash-participants-card", "Who is here", f"{plural(len(people), 'person', 'people')} by sector and table", table + listed)


def render_progress(progress: pd.DataFrame, kit: Toolkit) -> str:
    """A tool x table grid: share of each tool's questions a table answered,
    grouped by stage, with a stage summary row."""
    if progress.empty:
        return _card("xs-dash-progress-card", "Progress", "By stage, tool and table", '<p class="xs-dash-empty">No table has signed in yet.</p>')
    tables = sorted(progress["table"].unique(), key=natural_key)
    head = "".join(f"<th>{_esc(t)}</th>" for t in tables)
    by = {(r.tool_id, r.table): r for r in progress.itertuples(index=False)}
    covered = set(progress["tool_id"].tolist())  # the tools in scope
    rows = []
    for stage in kit.stages:
        tools = [t for t in kit.tools_in(stage.id) if t.id in covered]
        if not tools:
            continue
        stage_cells = []
        for t in tables:
            got = [by[(tool.id, t)] for tool in tools if (tool.id, t) in by]
            share = sum(r.answered for r in got) / max(sum(r.questions for r in got), 1)
            stage_cells.append(f'<td class="xs-num">{_pct(share)}</td>')
        rows.append(f'<tr class="xs-stagerow"><th class="xs-rowhead">Stage {stage.number}: {_esc(stage.title)}</th>{"".join(stage_cells)}</tr>')
        for tool in tools:
            cells = []
            for t in tables:
                r = by.get((tool.id, t))
                if r is None:
                    cells.append("<td></td>")
                    continue
                rated = '<span class="xs-rated" title="the table rated this tool">&#10003;</span>' if r.rated else ""
                cells.append(
                    f'<td class="xs-share" style="--share:{r.share:.3f}" title="{r.answered} of {r.questions} questions answered">'
                    f'<span class="xs-share-bar"></span><span class="xs-share-text">{r.answered}/{r.questions}</span>{rated}</td>'
                )
            rows.append(f'<tr><th class="xs-rowhead xs-tool">{tool.number}. {_esc(tool.name)}</th>{"".join(cells)}</tr>')
    table = _scroll(f'<table class="xs-grid xs-progress-grid"><thead><tr><th><span class="xs-sr-only">Stage and tool</span></th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>', "Progress by tool and table")
    note = '<p class="xs-dash-note">Each cell: questions answered of the tool\'s questions; <span class="xs-rated">&#10003;</span> the table also rated the tool. Stage rows give the share of the stage\'s questions answered.</p>'
    return _card("xs-dash-progress-card", "Progress", "Questions answered by each table, by stage and tool", table + note)


def scope_tools(kit: Toolkit, scope: pd.DataFrame) -> list[Tool]:
    """The tools of the frames' ``scope`` (today's plan and what was
    answered), in the content's order."""
    ids = set(scope["tool_id"].tolist())
    return [t for t in kit.tools if t.id in ids]


def render_heatmap(
    ratings: pd.DataFrame, kit: Toolkit, shown: Audience, divergence: pd.DataFrame, tools: list[Tool] | None = None,
    title: str = "Readiness heatmap", flag_text: str = "Partners see this differently", legend: bool = True,
) -> str:
    """``tools`` (default: every tool) by sector, grouped by stage. Hidden:
    counts only. Revealed: mean, a coloured band with its label (never
    colour alone) and the divergence flag; a small group's mean reads
    "fewer than 3"."""
    from toolkit.frames import ALL_SECTORS

    tools = list(kit.tools) if tools is None else tools

    if not shown.ratings:
        # Ratings received: the numbers, the "not sure"s and the "not yet"s of each sector.
        by_sector = ratings[ratings["sector"] != ALL_SECTORS] if len(ratings) else ratings
        if by_sector.empty:
            body = '<p class="xs-dash-empty">No ratings yet.</p>'
        else:
            names = ("tool_id", "sector", "count", "not_sure", "not_yet")
            cols = _columns(by_sector, names)
            counts = Counter({(t, sec): n + u + y for t, sec, n, u, y in zip(*(cols[c].tolist() for c in names))})
            sectors = sector_order(kit, set(cols["sector"].tolist()))
            head = "".join(f"<th>{_esc(sector_name(kit, s))}</th>" for s in sectors)
            rows = []
            for tool in tools:
                cells = "".join(f'<td class="xs-num">{int(counts.get((tool.id, s), 0)) or ""}</td>' for s in sectors)
                total = int(sum(counts.get((tool.id, s), 0) for s in sectors))
                rows.append(f'<tr><th class="xs-rowhead xs-tool">{tool.number}. {_esc(tool.name)}</th>{cells}<td class="xs-num xs-total">{total or ""}</td></tr>')
            body = _scroll(f'<table class="xs-grid"><thead><tr><th>Ratings received</th>{head}<th>All</th></tr></thead><tbody>{"".join(rows)}</tbody></table>', "Ratings received by tool and sector")
        return _card("xs-heatmap-card", title, "How well does our collaboration do this today?", f'<div class="xs-hidden-note">{RATINGS_HIDDEN}</div>{body}')

    if ratings.empty:
        return _card("xs-heatmap-card", title, "How well does our collaboration do this today?", '<p class="xs-dash-empty">No ratings yet.</p>')
    sectors = sector_order(kit, set(ratings["sector"]) - {ALL_SECTORS})
    cell = {(r.tool_id, r.sector): r for r in ratings.itertuples(index=False)}
    flagged = {r.tool_id: r for r in divergence.itertuples(index=False) if r.flagged} if len(divergence) else {}
    head = "".join(f"<th>{_esc(sector_name(kit, s))}</th>" for s in sectors)
    rows = []
    fewer = fewer_than(shown)
    for stage in kit.stages:
        in_stage = [t for t in tools if t.stage_id == stage.id]
        if not in_stage:
            continue
        rows.append(f'<tr class="xs-stagerow"><th class="xs-rowhead" colspan="{len(sectors) + 3}">Stage {stage.number}: {_esc(stage.title)}</th></tr>')
        for tool in in_stage:
            cells = "".join(_band_cell(cell.get((tool.id, s)), fewer=fewer) for s in sectors) + _band_cell(cell.get((tool.id, ALL_SECTORS)), overall=True, fewer=fewer)
            flag = ""
            if tool.id in flagged:
                d = flagged[tool.id]
                flag = (
                    f'<span class="xs-divergence-flag" title="{_esc(sector_name(kit, d.low_sector))} {d.low_mean:.1f} vs '
                    f'{_esc(sector_name(kit, d.high_sector))} {d.high_mean:.1f}">{_esc(flag_text)}</span>'
                )
            rows.append(f'<tr><th class="xs-rowhead xs-tool">{tool.number}. {_esc(tool.name)}</th>{cells}<td class="xs-flagcell">{flag}</td></tr>')
    legend_html = (
        '<div class="xs-legend">'
        + "".join(f'<span class="xs-band xs-band-{b}"><b>{BAND_LABELS[b]}</b> {_esc(band_range(b))}</span>' for b in BANDS)
        + '<span class="xs-band xs-band-none"><b>Not rated</b></span>'
        + (f'<span class="xs-legend-apart">Not averaged: {_esc(kit.scale.not_sure.lower())}; <b>not yet</b>: {_esc(kit.scale.not_yet.lower())}</span>' if kit.scale.not_yet else "")
        + f'<span class="xs-band xs-band-withheld"><b>{_esc(fewer[:1].upper() + fewer[1:])}</b> too few rated to show a mean</span>'
        + "</div>"
    )
    table = _scroll(f'<table class="xs-grid xs-heatmap-grid"><thead><tr><th><span class="xs-sr-only">Tool</span></th>{head}<th>All sectors</th><th><span class="xs-sr-only">Partners see this differently</span></th></tr></thead><tbody>{"".join(rows)}</tbody></table>', "Readiness heatmap by tool and sector")
    low, high = kit.scale.points[0], kit.scale.points[-1]
    scale = f"Mean rating by sector, on a scale of {low.value} ({low.label.lower()}) to {high.value} ({high.label.lower()})"
    return _card("xs-heatmap-card", title, scale, (legend_html if legend else "") + table)


def _band_cell(r: Any, overall: bool = False, fewer: str = "") -> str:
    extra = " xs-band-all" if overall else ""
    if r is not None and r.withheld:
        return f'<td class="xs-band xs-band-withheld{extra}" title="{r.count} rated: too few to show a mean"><span class="xs-band-label">{_esc(fewer)}</span></td>'
    apart = [(f"{n} {word}", css) for n, word, css in ((r.not_sure, "not sure", ""), (r.not_yet, "not yet", " xs-not-yet")) if n] if r is not None else []
    if r is None or r.count == 0:
        unsure = "".join(f'<span class="xs-n{css}">{a}</span>' for a, css in apart)
        return f'<td class="xs-band xs-band-none{extra}"><span class="xs-band-label">not rated</span>{unsure}</td>'
    label = BAND_LABELS.get(r.band, r.band)
    unsure = "".join(f", {a}" for a, _css in apart)
    # "Not yet relevant" is shown in the cell, not only in its title: it
    # says the tool is for later, which a mean of the others hides.
    later = f' <span class="xs-n xs-not-yet">{r.not_yet} not yet</span>' if r.not_yet else ""
    return (
        f'<td class="xs-band xs-band-{_esc(r.band)}{extra}" title="{label}: mean {r.mean:.2f} from {r.count} ratings{unsure}">'
        f'<span class="xs-mean">{r.mean:.1f}</span> <span class="xs-band-label">{label}</span> <span class="xs-n">n={r.count}</span>{later}</td>'
    )


def render_divergence(divergence: pd.DataFrame, kit: Toolkit, shown: Audience) -> str:
    """The tools where sectors' means are far apart: what to talk about."""
    from toolkit.frames import DIVERGENCE_GAP

    sub = f"Tools where two sectors' mean ratings differ by {DIVERGENCE_GAP:g} points or more"
    if not shown.ratings:
        return _card("xs-divergence-card", "Partners see this differently", sub, f'<p class="xs-dash-note">{RATINGS_HIDDEN}.</p>')
    flagged = divergence[divergence["flagged"]] if len(divergence) else divergence
    if flagged.empty:
        return _card("xs-divergence-card", "Partners see this differently", sub, '<p class="xs-dash-empty">No tool is flagged: sectors broadly agree so far.</p>')
    items = []
    for r in flagged.sort_values("gap", ascending=False).itertuples(index=False):
        items.append(
            f'<li class="xs-divergence-item"><span class="xs-divergence-tool">{r.tool_number}. {_esc(r.tool)}</span>'
            f'<span class="xs-divergence-detail">{_esc(sector_name(kit, r.low_sector))} <b>{r.low_mean:.1f}</b> vs '
            f'{_esc(sector_name(kit, r.high_sector))} <b>{r.high_mean:.1f}</b> (gap {r.gap:.1f})</span></li>'
        )
    return _card("xs-divergence-card", "Partners see this differently", sub, f'<ul class="xs-divergence-list">{"".join(items)}</ul>')


def feed_text(text: str) -> str:
    """An answer as a feed card shows it: escaped, and when long, clamped
    to a few lines inside a ``<details>`` whose summary is the text itself,
    so a click (or Enter) shows the rest on a laptop."""
    body = f'<span class="xs-feed-text">{_esc(text)}</span>'
    if len(text) <= FEED_CLAMP_CHARS and text.count("\n") < FEED_CLAMP_LINES:
        return body
    return (f'<details class="xs-feed-long"><summary>{body.replace("xs-feed-text", "xs-feed-text xs-clamp")}'
            f'<span class="xs-feed-more">{len(text):,} characters: show all</span></summary></details>')


def render_feed(current: pd.DataFrame, kit: Toolkit, shown: Audience, tool_id: str = ALL_TOOLS, *, ids: bool = False, latest: int = FEED_LATEST) -> str:
    """Current answers of one tool, by question (or the ``latest`` newest
    answers of every tool), each with sector and table and who, as far as
    the masked frame names them, and its answer id with ``ids`` (for
    ``workshop hide-answer``). Comments that go with ratings are shown
    once ratings are (``shown.ratings``). Long answers are clamped
    (:func:`feed_text`)."""
    import numpy as np

    kind = current["kind"].to_numpy(dtype=object)
    listed = (kind == "text") | ((kind == "comment") if shown.ratings else False)
    if tool_id != ALL_TOOLS:
        listed &= current["tool_id"].to_numpy(dtype=object) == tool_id
    # Only the rows shown, oldest first (answer ids grow with time); for
    # every tool, the newest few, newest first.
    at = np.flatnonzero(listed)
    at = at[np.argsort(current["answer_id"].to_numpy()[at], kind="stable")]
    if tool_id == ALL_TOOLS:
        at = at[::-1][:latest]
    rows = _columns(current.take(at), ("answer_id", "tool_number", "tool", "question_id", "question", "kind", "value", "name", "organization", "sector", "table", "anonymous"))

    def item(i: int, with_tool: bool = False) -> str:
        where = ""
        if with_tool:
            question = _text(rows["question"][i]) or "What is missing (comment with a rating)"
            where = f'<div class="xs-feed-q">{rows["tool_number"][i]}. {_esc(_text(rows["tool"][i]))} · {_esc(question)}</div>'
        who = _who({c: rows[c][i] for c in ("name", "organization", "sector", "table", "anonymous")}, kit)
        number = f' <span class="xs-feed-id">#{rows["answer_id"][i]}</span>' if ids else ""
        return f'<div class="xs-feed-item">{where}<div class="xs-feed-body">{feed_text(_text(rows["value"][i]))}</div><div class="xs-feed-who">{who}{number}</div></div>'

    if tool_id == ALL_TOOLS:
        if not len(at):
            return '<p class="xs-dash-empty">No answers yet.</p>'
        return f'<div class="xs-feed">{"".join(item(i, True) for i in range(len(at)))}</div>'
    tool = kit.tool(tool_id)
    texts = rows["kind"] == "text"
    parts = []
    for q in tool.questions:
        answers = np.flatnonzero(texts & (rows["question_id"] == q.id))
        body = "".join(item(i) for i in answers) if len(answers) else '<p class="xs-dash-empty">No answers yet.</p>'
        parts.append(f'<div class="xs-feed-question"><h3>{_esc(q.text)}</h3><div class="xs-feed">{body}</div></div>')
    if shown.ratings:
        comments = np.flatnonzero(rows["kind"] == "comment")
        if len(comments):
            parts.append(f'<div class="xs-feed-question"><h3>What is missing (comments with ratings)</h3><div class="xs-feed">{"".join(item(i) for i in comments)}</div></div>')
    return "".join(parts)


def report_tool(table_answers: pd.DataFrame, tool_id: str = LATEST_TOOL) -> str:
    """The tool a report-back shows: ``tool_id``, or for
    :data:`LATEST_TOOL` the one a table answered last (``""`` when none has)."""
    if tool_id != LATEST_TOOL or table_answers.empty:
        return tool_id
    newest = int(table_answers["table_answer_id"].to_numpy().argmax())
    return str(table_answers["tool_id"].iloc[newest])


def render_report_back(table_answers: pd.DataFrame, people: pd.DataFrame, kit: Toolkit, tool_id: str = LATEST_TOOL, seats: Mapping[str, Any] | None = None) -> str:
    """Each table's shared answers to one tool's questions, side by side,
    table by table: who sits at the table (sectors), the answer (as text),
    and who changed it last and when, as far as the masked frame names them."""
    tool_id = report_tool(table_answers, tool_id)
    if not tool_id:
        return '<p class="xs-dash-empty">No table has written a table answer yet.</p>'
    tool = kit.tool(tool_id)
    rows = table_answers[table_answers["tool_id"] == tool_id] if len(table_answers) else table_answers
    seats = seats or {}
    tables = sorted(set(rows["table"].tolist()) | set(people["table"].tolist()) | set(seats), key=natural_key)
    if not tables:
        return f'<p class="xs-dash-empty">No table for {_esc(tool.name)} yet.</p>'
    cols = _columns(rows, ("table", "question_id", "value", "participant_id", "name", "organization", "sector", "created"))
    by = {(t, q): i for i, (t, q) in enumerate(zip(cols["table"].tolist(), cols["question_id"].tolist()))}
    at: dict[str, Counter[str]] = {}
    for table, sector in zip(people["table"].tolist(), people["sector"].tolist()):
        at.setdefault(table, Counter())[sector] += 1
    columns = []
    for table in tables:
        sectors = at.get(table, Counter())
        who = ", ".join(f"{sector_name(kit, s)}{f' ×{sectors[s]}' if sectors[s] > 1 else ''}" for s in sector_order(kit, sectors))
        seat = seats.get(table)
        if seat is not None:
            shared = ", ".join(f"{sector_name(kit, s)} {n}" for s, n in seat.members.items())
            who = f"{who} · " if who else ""
            who += f"shared device: {shared}"
        parts = []
        for n, q in enumerate(tool.questions, 1):
            i = by.get((table, q.id))
            if i is None:
                answer = '<p class="xs-dash-empty">No table answer yet.</p>'
            else:
                author = TABLE_DEVICE if int(cols["participant_id"][i]) == 0 else attributed(kit, _text(cols["name"][i]), _text(cols["organization"][i]), _text(cols["sector"][i]))
                when = _clock(cols["created"][i])
                answer = (
                    f'<div class="xs-report-text">{_esc(_text(cols["value"][i]))}</div>'
                    f'<div class="xs-report-who">Last changed by {_esc(author)}{f" at {when}" if when else ""}</div>'
                )
            parts.append(f'<div class="xs-report-question"><h4>{n}. {_esc(q.text)}</h4>{answer}</div>')
        columns.append(
            f'<section class="xs-report-table"><h3>{_esc(table)}</h3><p class="xs-dash-muted xs-report-sectors">{_esc(who)}</p>{"".join(parts)}</section>'
        )
    return f'<div class="xs-report"><p class="xs-report-tool">{tool.number}. {_esc(tool.name)}</p><div class="xs-report-grid">{"".join(columns)}</div></div>'


def _clock(value: Any) -> str:
    """A frame's time as the room's clock shows it (HH:MM)."""
    try:
        return value.tz_convert(dt.datetime.now().astimezone().tzinfo).strftime("%H:%M")
    except (AttributeError, TypeError, ValueError):
        return ""


def render_dots(priorities: pd.DataFrame, limit: int | None = None) -> str:
    """Tools ranked by dots, with bars (the first ``limit``, else all);
    tools without dots are summed up."""
    voted = priorities[priorities["dots"] > 0] if len(priorities) else priorities
    more = max(len(voted) - limit, 0) if limit is not None else 0
    voted = voted.head(limit) if limit is not None else voted
    if voted.empty:
        return _card("xs-dots-card", "Priorities", "Dot vote", '<p class="xs-dash-empty">No dots placed yet.</p>')
    top = int(voted["dots"].max())
    rows = []
    for r in voted.itertuples(index=False):
        width = 100 * r.dots / top
        rows.append(
            f'<li class="xs-dots-item{" xs-dots-top" if r.rank <= 3 else ""}"><span class="xs-dots-rank">{r.rank}</span>'
            f'<span class="xs-dots-name">{r.tool_number}. {_esc(r.tool)}<span class="xs-dots-stage">{_esc(r.stage)}</span></span>'
            f'<span class="xs-dots-bar"><span style="width:{width:.0f}%"></span></span>'
            f'<span class="xs-dots-n">{plural(r.dots, "dot")} · {plural(r.voters, "voter")}</span></li>'
        )
    rest = len(priorities) - len(voted) - more
    note = f'<p class="xs-dash-note">{plural(rest, "other tool")} {"has" if rest == 1 else "have"} no dots.</p>' if rest else ""
    if more:
        note = f'<p class="xs-dash-note">{plural(more, "more tool")} with dots below these.</p>' + note
    return _card("xs-dots-card", "Priorities", "Dot vote: where to focus first", f'<ol class="xs-dots-list">{"".join(rows)}</ol>{note}')


def render_actions(actions: pd.DataFrame, kit: Toolkit) -> str:
    """The action register: tool, what, owner and sector, due date, status."""
    if actions.empty:
        return _card("xs-actions-card", "Action register", "Who does what, by when", '<p class="xs-dash-empty">No actions recorded yet.</p>')
    rows = []
    for r in actions.itertuples(index=False):
        sector = f' <span class="xs-dash-muted">({_esc(sector_name(kit, r.owner_sector))})</span>' if r.owner_sector else ""
        status = str(r.status)
        rows.append(
            f'<tr><td class="xs-tool">{r.tool_number}. {_esc(r.tool)}</td><td class="xs-dash-action-what">{_esc(r.what)}</td>'
            f'<td>{_esc(r.owner)}{sector}</td><td class="xs-nowrap">{_esc(r.due) or "-"}</td>'
            f'<td><span class="xs-dash-action-status xs-dash-action-status-{_esc(status.replace(" ", "-"))}">{_esc(status)}</span></td></tr>'
        )
    table = _scroll(f'<table class="xs-list"><thead><tr><th>Tool</th><th>Action</th><th>Owner</th><th>Due</th><th>Status</th></tr></thead><tbody>{"".join(rows)}</tbody></table>', "Action register")
    return _card("xs-actions-card", "Action register", f"{plural(len(actions), 'action')}: who does what, by when", table)


def _pct(share: float) -> str:
    return f"{round(100 * share)}%"
