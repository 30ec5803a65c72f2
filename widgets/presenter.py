"""The presenter view: the dashboard made for a projector, one section per
screen, readable from the back of the room.

    >>> view = build_presenter()          # $WORKSHOP_DB, $WORKSHOP_SLUG, $WORKSHOP_JOIN_URL, $WORKSHOP_JOIN_CODE
    >>> view = Presenter(AnswerStore(url, read_only=True), slug="demo", start=False)
    >>> view.value = "heatmap"            # or view.step(1): the next section
    >>> view.cycling = True               # move on by itself every cycle_seconds

Sections (:data:`toolkit.store.values.SCREENS`): who is here, progress by
table, the current stage's heatmap, divergence, priorities, the newest
answers, and what the tables said (each table's shared answers to the
tool written about last, side by side: the report-back, issue #15). The facilitator moves them with the arrow keys (the section
slider under the screen takes them once clicked or tabbed to; a
presentation clicker's arrow keys too), the Previous and Next buttons, the
console's buttons (``workshop present SLUG heatmap``: the ``screen``
setting, followed within a refresh), or lets it cycle. The join link, its
join code and a QR code of the link stay at the side of every screen: the
link and code come from ``workshop serve`` (``$WORKSHOP_JOIN_URL``,
``$WORKSHOP_JOIN_CODE``; a code made new while serving is read from the
store), the QR code is drawn here (:mod:`segno`), nothing is fetched.

Like the dashboard it only reads (a read-only store), shows what the kit's
one rule allows the dashboard (:mod:`toolkit.frames.views`: names only
outside anonymous mode, and never as a list of who is here; small groups
"fewer than 3"; hidden answers left out; today's scope), and shows
the facilitator's timer and a lock's countdown. Body text is at least 28
px at 1920 x 1080 (``widgets/css/presenter.css``), headline figures far
larger. The laptop dashboard (:mod:`widgets.dashboard`) stays as it is.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import traitlets

from toolkit.frames.views import natural_key, plural
from toolkit.store.values import SCREENS, VOTE
from widgets.dashboard import (
    ALL_TOOLS,
    LATEST_TOOL,
    OwnLoop,
    Reader,
    Snapshot,
    refresh_interval,
    render_divergence,
    render_dots,
    render_feed,
    render_report_back,
    render_heatmap,
    render_participants,
    scope_tools,
)
from widgets.room import RoomStatus
from widgets.style import LABEL_STYLE, SLIDER, esc, hook, shared_style, style_block

if TYPE_CHECKING:
    import pandas as pd

    from toolkit.content import Stage, Toolkit
    from toolkit.store import AnswerStore

JOIN_URL_ENV = "WORKSHOP_JOIN_URL"
JOIN_CODE_ENV = "WORKSHOP_JOIN_CODE"
#: Seconds a section stays up while cycling, unless ``cycle_seconds`` says otherwise.
DEFAULT_CYCLE_SECONDS = 20.0
#: The sections' titles, in :data:`SCREENS` order.
TITLES = {
    "here": "Who is here",
    "progress": "Progress by table",
    "heatmap": "Readiness",
    "divergence": "Partners see this differently",
    "priorities": "Priorities",
    "feed": "Newest answers",
    "report": "What the tables said",
}
#: How many answers the feed screen shows, and tools the priorities screen.
FEED_ON_SCREEN, PRIORITIES_ON_SCREEN = 6, 7


def qr_data_uri(text: str) -> str:
    """A QR code of ``text`` as a PNG ``data:`` URI, drawn here (segno,
    pure Python), dark on white with a quiet zone, for an ``<img>``."""
    import segno

    return segno.make(text, error="m").png_data_uri(scale=10, border=4, dark="#1f2430", light="#ffffff")


def render_join(url: str, code: str) -> str:
    """The join box: a QR code of the link, the link and the code."""
    if not url:
        return '<div class="xs-presenter-join-box"><p class="xs-presenter-join-hint">Ask the facilitator for the link to join.</p></div>'
    qr = f'<img class="xs-presenter-qr" src="{qr_data_uri(url)}" alt="QR code of the join link {esc(url)}">'
    shown_code = f'<p class="xs-presenter-code-label">Join code</p><p class="xs-presenter-code">{esc(code)}</p>' if code else ""
    return (
        f'<div class="xs-presenter-join-box"><p class="xs-presenter-join-hint">Join on your phone or laptop</p>{qr}'
        f'<p class="xs-presenter-link">{esc(url).replace("/", "/<wbr>")}</p>{shown_code}</div>'
    )


def current_stage(kit: Toolkit, frames: dict[str, Any]) -> Stage:
    """The stage the room is on: that of the newest answer to a tool in
    scope, else the first stage with a tool in scope."""
    tools = scope_tools(kit, frames["scope"]) or list(kit.tools)
    in_scope = {t.id for t in tools}
    current = frames["current_answers"]
    if len(current):
        newest = current.sort_values("answer_id")
        for tool_id in reversed(newest["tool_id"].tolist()):
            if tool_id in in_scope:
                return kit.stage(kit.tool(tool_id).stage_id)
    return kit.stage(tools[0].stage_id)


def render_here(people: pd.DataFrame, kit: Toolkit, shown: Any) -> str:
    """Big numbers (people, sectors, tables), then counts by sector and table; no names."""
    counts = (("People", len(people)), ("Sectors", people["sector"].nunique()), ("Tables", people["table"].nunique()))
    tiles = "".join(f'<div class="xs-tile"><div class="xs-tile-n">{n}</div><div class="xs-tile-label">{label}</div></div>' for label, n in counts)
    return f'<div class="xs-tiles xs-presenter-tiles">{tiles}</div>' + render_participants(people, kit, shown, names=False)


def render_table_progress(progress: pd.DataFrame) -> str:
    """One bar per table: the share of today's questions it answered, and
    how many tools it rated."""
    if progress.empty:
        return '<section class="xs-dash-card"><p class="xs-dash-empty">No table has signed in yet.</p></section>'
    rows = []
    by_table = progress.groupby("table", sort=False).agg(answered=("answered", "sum"), questions=("questions", "sum"), rated=("rated", "sum"))
    for table in sorted(by_table.index, key=natural_key):
        r = by_table.loc[table]
        share = int(r["answered"]) / max(int(r["questions"]), 1)
        rows.append(
            f'<li class="xs-presenter-table"><span class="xs-presenter-table-name">{esc(table)}</span>'
            f'<span class="xs-presenter-bar"><span style="width:{100 * share:.0f}%"></span></span>'
            f'<span class="xs-presenter-share">{round(100 * share)}%</span>'
            f'<span class="xs-presenter-table-detail">{int(r["answered"])} of {plural(int(r["questions"]), "question")} · {plural(int(r["rated"]), "tool")} rated</span></li>'
        )
    return f'<section class="xs-dash-card"><ul class="xs-presenter-tables">{"".join(rows)}</ul></section>'


class Presenter(OwnLoop, widgets.VBox):
    """The presenter view. ``value`` is the section shown (one of
    :data:`SCREENS`); ``cycling`` moves it on every ``cycle_seconds``.

    Children: ``title`` (workshop, section and its place, ``xs-presenter-title``),
    ``screen`` (the section, ``xs-presenter-screen``), and at the side
    (``xs-presenter-side``) ``join`` (QR code, link, code:
    ``xs-presenter-join``) over ``room`` (:class:`~widgets.room.RoomStatus`:
    the timer and the current stage's lock notice); ``previous`` and
    ``next`` (Buttons), ``slider`` (SelectionSlider of the sections: the
    arrow keys move it once it has the focus), ``cycle`` (ToggleButton).
    """

    value = traitlets.Unicode(SCREENS[0], help="the section shown").tag(sync=True)
    cycling = traitlets.Bool(False, help="move to the next section every cycle_seconds")

    def __init__(
        self,
        store: AnswerStore,
        *,
        slug: str | None = None,
        refresh_seconds: float | None = None,
        cycle_seconds: float = DEFAULT_CYCLE_SECONDS,
        join_url: str | None = None,
        join_code: str | None = None,
        start: bool = True,
        clock: Callable[[], float] = time.time,
        **kwargs: Any,
    ):
        self._task: asyncio.Task[None] | None = None
        if not getattr(store, "read_only", False):
            from toolkit.errors import ToolkitError

            raise ToolkitError("the presenter view only reads: open the store with AnswerStore(url, read_only=True)")
        self.store, self.kit = store, store.kit
        self.reader = Reader(store)
        self.refresh_seconds = refresh_interval(refresh_seconds)
        self.cycle_seconds = max(float(cycle_seconds), 3.0)
        self.clock = clock
        self.join_url = join_url if join_url is not None else os.environ.get(JOIN_URL_ENV, "")
        self.join_code = join_code if join_code is not None else os.environ.get(JOIN_CODE_ENV, "")
        self.snapshot: Snapshot | None = None
        self._slug = slug or os.environ.get("WORKSHOP_SLUG") or None
        self._screen_seen: str | None = None  # the console's last section, followed once
        self._shown_at = clock()  # when the section went up (for cycling)
        self._drawn: tuple[Any, ...] = ()
        self._stage: Stage | None = None  # the current stage of the snapshot shown

        self.title = hook(widgets.HTML("", style=shared_style(widgets.HTML)), "xs-presenter-title")
        self.room = RoomStatus()
        self.screen = hook(widgets.HTML("", style=shared_style(widgets.HTML)), "xs-presenter-screen")
        self.join = hook(widgets.HTML("", style=shared_style(widgets.HTML)), "xs-presenter-join")
        # Widths from their text (24 px on the wall): ipywidgets' fixed
        # widths cut "Cycle every 20 s" and "Section" short.
        auto = {"width": "auto"}
        self.previous = hook(widgets.Button(description="Previous", icon="arrow-left", tooltip="Previous section (Left arrow on the slider)", layout=auto, style=shared_style(widgets.Button)), "xs-presenter-prev")
        self.next = hook(widgets.Button(description="Next", icon="arrow-right", tooltip="Next section (Right arrow on the slider)", layout=auto, style=shared_style(widgets.Button)), "xs-presenter-next")
        self.slider = hook(
            widgets.SelectionSlider(options=[(TITLES[s], s) for s in SCREENS], value=SCREENS[0], description="Section",
                                    continuous_update=True, style=shared_style(widgets.SelectionSlider, **LABEL_STYLE), layout=widgets.Layout(width="60%")),
            "xs-presenter-slider", SLIDER,
        )
        self.cycle = hook(widgets.ToggleButton(description=f"Cycle every {self.cycle_seconds:g} s", icon="sync", layout=auto, style=shared_style(widgets.ToggleButton)), "xs-presenter-cycle")
        nav = hook(widgets.HBox([self.previous, self.slider, self.next, self.cycle], layout=widgets.Layout(align_items="center", flex_flow="row wrap")), "xs-presenter-nav")
        main = hook(widgets.VBox([self.title, self.screen], layout=widgets.Layout(flex="1 1 auto", min_width="0")), "xs-presenter-main")
        # The countdowns go under the join box, where every section leaves
        # room: above the section they pushed a full heatmap off the screen.
        side = hook(widgets.VBox([self.join, self.room]), "xs-presenter-side")
        body = hook(widgets.HBox([main, side], layout=widgets.Layout(width="100%", align_items="flex-start")), "xs-presenter-body")
        traitlets.link((self, "value"), (self.slider, "value"))
        traitlets.link((self, "cycling"), (self.cycle, "value"))
        self.previous.on_click(lambda _b: self.step(-1))
        self.next.on_click(lambda _b: self.step(1))
        super().__init__([style_block("dashboard"), style_block("presenter"), body, nav], layout=widgets.Layout(width="100%"), **kwargs)
        hook(self, "xs-presenter", "xs-dashboard")
        self.refresh()
        if start:
            self.start()

    # -- moving between sections ---------------------------------------------

    def step(self, by: int) -> None:
        """Show the section ``by`` places on (wrapping round)."""
        self.value = SCREENS[(SCREENS.index(self.value) + by) % len(SCREENS)]

    @traitlets.observe("value")
    def _section_changed(self, _change: dict[str, Any]) -> None:
        self._shown_at = self.clock()
        self.draw()

    # -- reading and drawing ------------------------------------------------------

    def refresh(self) -> bool:
        """Read the store and draw what changed; a failed read keeps the
        screen and says so in the title's corner."""
        try:
            snap = self.reader.load(self._slug)
        except Exception as exc:  # noqa: BLE001 - the screen stays up
            from sqlalchemy.exc import SQLAlchemyError

            from toolkit.store.schema import store_error

            reason = str(store_error(exc, self.store.url)) if isinstance(exc, SQLAlchemyError) else str(exc)
            self.title.value = self._title_html(problem=f"Cannot read the store: {reason}")
            return False
        self.apply(snap)
        return True

    def apply(self, snap: Snapshot) -> None:
        """Show a snapshot: follow the console's section, read a join code
        made new while serving, draw the section if its data changed."""
        self.snapshot = snap
        ws = snap.workshop
        if ws is not None:
            self._stage = current_stage(self.kit, snap.frames)
            screen = ws.settings.screen
            if screen != self._screen_seen:
                self._screen_seen = screen
                if screen:
                    self.cycling = False
                    self.value = screen
            self._follow_join_code(ws.slug)
        self.join.value = render_join(self.join_url, self.join_code)
        self.draw()
        self.tick()

    def _follow_join_code(self, slug: str) -> None:
        """The join code as stored now (``workshop code SLUG --new`` while
        serving): the link that carried the old code carries the new one."""
        from toolkit.store import room_keys

        try:
            stored, _key = room_keys.read_secrets(self.store, slug)
        except Exception:  # noqa: BLE001 - keep showing what serve passed
            return
        if stored and self.join_code and stored != self.join_code:
            if self.join_url.endswith(self.join_code):
                self.join_url = self.join_url[: -len(self.join_code)] + stored
            self.join_code = stored

    def draw(self) -> None:
        """Draw the section shown, unless it was drawn from the same data."""
        snap = self.snapshot
        if snap is None or snap.workshop is None:
            self.title.value = self._title_html()
            self.screen.value = '<section class="xs-dash-card"><p class="xs-dash-empty">The store has no workshop yet.</p></section>'
            return
        key = (self.value, snap.digest)
        self.title.value = self._title_html()
        if key == self._drawn:
            return
        self._drawn = key
        self.screen.value = self.render(self.value, snap)

    def render(self, section: str, snap: Snapshot) -> str:
        """One section's HTML from a snapshot (escaped, as the dashboard's)."""
        f, shown, kit = snap.frames, snap.shown, self.kit
        if section == "here":
            return render_here(f["participants"], kit, shown)
        if section == "progress":
            return render_table_progress(f["progress"])
        if section == "heatmap":
            stage = self._stage or current_stage(kit, f)
            tools = [t for t in scope_tools(kit, f["scope"]) if t.stage_id == stage.id]
            # Bands read as words in every cell: no legend; a short flag.
            return render_heatmap(f["ratings"], kit, shown, f["divergence"], tools, title=f"Stage {stage.number}: {stage.title}", flag_text="Differ", legend=False)
        if section == "divergence":
            return render_divergence(f["divergence"], kit, shown)
        if section == "priorities":
            return render_dots(f["priorities"], limit=PRIORITIES_ON_SCREEN)
        if section == "report":
            # The report-back moment (issue #15): each table's answers to
            # the tool the tables wrote about last, side by side.
            return f'<section class="xs-dash-card xs-presenter-report">{render_report_back(f["table_answers"], f["participants"], kit, LATEST_TOOL, snap.seats)}</section>'
        return f'<section class="xs-dash-card">{render_feed(f["current_answers"], kit, shown, ALL_TOOLS, latest=FEED_ON_SCREEN)}</section>'

    def _title_html(self, problem: str = "") -> str:
        ws = self.snapshot.workshop if self.snapshot is not None else None
        where = f"{SCREENS.index(self.value) + 1} / {len(SCREENS)}"
        error = f'<p class="xs-presenter-error" role="alert">{esc(problem)}</p>' if problem else ""
        return (
            f'<div class="xs-presenter-head"><p class="xs-presenter-workshop">{esc(ws.title if ws else "")}</p>'
            f'<h1>{esc(TITLES[self.value])} <span class="xs-presenter-place">{where}</span></h1>{error}</div>'
        )

    def tick(self) -> None:
        """Move the countdowns on, and the section when cycling."""
        snap, now = self.snapshot, self.clock()
        ws = snap.workshop if snap is not None else None
        if ws is not None and self._stage is not None:
            self.room.lock_key = VOTE if self.value == "priorities" else self._stage.id
            self.room.lock_title = "The dot vote" if self.room.lock_key == VOTE else f"The {self.kit.stage(self.room.lock_key).title} stage"
            self.room.lock_verb = "closes" if self.room.lock_key == VOTE else "locks"
            self.room.show(ws.settings, now)
        if self.cycling and now - self._shown_at >= self.cycle_seconds:
            self.step(1)

    # -- running by itself (start, stop: OwnLoop): a tick each second, a read every refresh_seconds

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        last_read = time.monotonic()
        while True:
            await asyncio.sleep(1.0)
            if time.monotonic() - last_read >= self.refresh_seconds:
                last_read = time.monotonic()
                try:
                    # The store is read off the loop so widget messages keep flowing.
                    snap = await loop.run_in_executor(None, self.reader.load, self._slug)
                except Exception:  # noqa: BLE001 - refresh() shows it; try again next time
                    self.refresh()
                    continue
                self.apply(snap)
            else:
                self.tick()

    def close(self) -> None:
        """Stop, close the store when :func:`build_presenter` opened it, close the widget."""
        self.stop()
        if getattr(self, "closes_store", False):
            self.store.close()
        super().close()


def build_presenter(url: str | None = None, *, slug: str | None = None, refresh_seconds: float | None = None) -> Presenter:
    """Open the store read-only (``url``, else $WORKSHOP_DB, else the
    default file) and return a running presenter view. This is all
    ``presenter.ipynb`` does."""
    from toolkit.store import AnswerStore

    store = AnswerStore(url, read_only=True)
    try:
        view = Presenter(store, slug=slug, refresh_seconds=refresh_seconds)
    except BaseException:
        store.close()
        raise
    view.closes_store = True  # type: ignore[attr-defined]
    return view
