"""The facilitator console: run the room from JupyterLab on your own machine.

    >>> console = build_console()      # $WORKSHOP_DB; notebooks/00_facilitator.ipynb does only this

Create or pick a workshop, set today's plan (an agenda template or tools
by hand), hide names (anonymous mode), set the minimum group size, open or
lock each stage (at once or with notice), open or close the dot vote,
start a discussion timer, reveal or hide ratings, move the presenter view,
hide an answer from the projected views and the guide (and show it again),
start a new round and export the results;
beside each tool, its facilitator's notes and worksheet
(:mod:`widgets.facilitator_notes`).

Two parts, as everywhere in the kit:

- :class:`FacilitatorConsole` is the view. It only emits events
  (``on_create``, ``on_select``, ``on_anonymous``, ``on_reveal``,
  ``on_stage``, ``on_new_round``, ``on_export``, ``on_plan``,
  ``on_timer``, ``on_notice``, ``on_vote``, ``on_screen``, ``on_hide``,
  ``on_show``, ``on_min_group``) and shows what it is told
  (:meth:`FacilitatorConsole.show`, :meth:`FacilitatorConsole.show_message`).
- :class:`ConsoleSession` connects those events to the store and shows the
  store's own message when it refuses something.

The console is never served to participants: ``workshop serve`` copies only
the participant notebooks and the dashboard.
"""

from __future__ import annotations

import html
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import traitlets

from toolkit.exports import FORMATS, export_workshop
from toolkit.frames import LiveFrames, View, summary
from toolkit.frames.views import plural
from widgets.facilitator_notes import FacilitatorNotes, connect_notes
from toolkit.room import clock
from toolkit.store.values import SCREENS, VOTE
from widgets.style import shared_style, style_block

if TYPE_CHECKING:
    import pandas as pd

    from toolkit.content import Toolkit
    from toolkit.store import AnswerStore
    from toolkit.store.values import Answer, Workshop

FORMAT_LABELS = {
    "html": "Planning guide (HTML)",
    "md": "Planning guide (Markdown)",
    "pdf": "Planning guide (PDF)",
    "xlsx": "Spreadsheet (Excel)",
    "csv": "Answers (CSV)",
    "json": "Full backup (JSON)",
}
#: Where exports go when the path box is left empty.
DEFAULT_EXPORT_DIR = Path.home() / "intersector-exports"
#: How many of the newest answers the moderation list offers to hide.
RECENT_ANSWERS = 8
#: The presenter sections as the console names them.
SCREEN_LABELS = {"here": "Who is here", "progress": "Progress", "heatmap": "Heatmap", "divergence": "Divergence", "priorities": "Priorities", "feed": "Answer feed"}

_esc = html.escape


class FacilitatorConsole(widgets.VBox):
    """The console's widgets. ``value`` is the selected workshop's slug.

    Public children: ``workshop_picker``, ``new_title``, ``create_button``,
    ``anonymous``, ``reveal``, ``stages`` (stage id -> ToggleButtons),
    ``round_label``, ``new_round_button``, ``export_format``,
    ``export_path``, ``export_button``, ``summary``, ``message``; today's
    plan: ``plan_template``, ``plan_use``, ``plan_tools``, ``plan_set``,
    ``plan_clear``, ``plan_summary``; the room: ``min_group``,
    ``timer_length``, ``timer_start``, ``timer_stop``, ``timer_label``,
    ``notice_target``, ``notice_length``, ``notice_button``, ``vote``
    (ToggleButtons ``open`` / ``closed``); the presenter: ``screen_prev``,
    ``screen_next``, ``screen_auto``, ``screen_label``; moderation:
    ``recent`` and ``hidden`` (VBoxes rebuilt by :meth:`show`, a Hide or
    Show button per answer), ``hide_id``, ``hide_button``; ``notes``
    (:class:`~widgets.facilitator_notes.FacilitatorNotes`).
    """

    value = traitlets.Unicode("", help="slug of the selected workshop").tag(sync=True)

    def __init__(self, kit: Toolkit, **kwargs: Any):
        self.kit = kit
        self._quiet = False
        self._confirm_round = False
        self._handlers: dict[str, list[Callable[..., Any]]] = {
            name: [] for name in (
                "create", "select", "anonymous", "reveal", "stage", "new_round", "export",
                "plan", "timer", "notice", "vote", "screen", "hide", "show", "min_group",
            )
        }
        self.style_html = style_block("console")
        self.title = widgets.HTML('<h2 class="xs-console-title">Facilitator console</h2>', style=shared_style(widgets.HTML))
        self.workshop_picker = _tag(widgets.Dropdown(description="Workshop", options=[], layout=widgets.Layout(width="460px"), style=shared_style(widgets.Dropdown)), "xs-console-workshop")
        self.new_title = _tag(widgets.Text(placeholder="Title of a new workshop", layout=widgets.Layout(width="320px"), style=shared_style(widgets.Text)), "xs-console-new-title")
        self.create_button = _tag(widgets.Button(description="Create workshop", icon="plus", button_style="primary", style=shared_style(widgets.Button)), "xs-console-create")
        self.summary = _tag(widgets.HTML(style=shared_style(widgets.HTML)), "xs-console-summary")

        self.anonymous = _tag(widgets.ToggleButton(description="Anonymous mode", icon="user-secret", tooltip="Hide names on the dashboard and in exports", style=shared_style(widgets.ToggleButton)), "xs-console-anonymous")
        self.reveal = _tag(widgets.ToggleButton(description="Reveal ratings", icon="eye", tooltip="Show the readiness heatmap on the dashboard", style=shared_style(widgets.ToggleButton)), "xs-console-reveal")
        self.stages: dict[str, widgets.ToggleButtons] = {}
        stage_rows = []
        for stage in kit.stages:
            toggle = widgets.ToggleButtons(options=[("Open", "open"), ("Locked", "locked")], value="open", style=shared_style(widgets.ToggleButtons, button_width='90px'))
            toggle.add_class("xs-console-stage")
            toggle.add_class(f"xs-console-stage-{stage.id}")
            toggle.observe(self._stage_changed(stage.id), "value")
            self.stages[stage.id] = toggle
            label = widgets.HTML(f'<span class="xs-console-stage-name">Stage {stage.number}: {_esc(stage.title)}</span>', layout=widgets.Layout(width="220px"), style=shared_style(widgets.HTML))
            stage_rows.append(widgets.HBox([label, toggle]))
        self.round_label = _tag(widgets.HTML(style=shared_style(widgets.HTML)), "xs-console-round")
        self.new_round_button = _tag(widgets.Button(description="Start a new round", icon="redo", tooltip="Earlier answers are kept; the next round starts empty", style=shared_style(widgets.Button)), "xs-console-new-round")

        self.export_format = _tag(
            widgets.Dropdown(options=[(FORMAT_LABELS.get(f, f), f) for f in FORMATS], value=FORMATS[0], description="Export", layout=widgets.Layout(width="360px"), style=shared_style(widgets.Dropdown)),
            "xs-console-export-format",
        )
        self.export_path = _tag(
            widgets.Text(value="", placeholder=f"{DEFAULT_EXPORT_DIR}{os.sep}  (a folder or a file name)", layout=widgets.Layout(width="440px"), style=shared_style(widgets.Text)),
            "xs-console-export-path",
        )
        self.export_button = _tag(widgets.Button(description="Export", icon="download", style=shared_style(widgets.Button)), "xs-console-export")
        self.message = _tag(widgets.HTML(style=shared_style(widgets.HTML)), "xs-console-message")
        self.people = ResumeCodes()
        self.notes = FacilitatorNotes(kit)

        # Today's plan
        self.plan_template = _tag(
            widgets.Dropdown(options=[(p.title, p.id) for p in kit.plans], description="Template", layout=widgets.Layout(width="440px"), style=shared_style(widgets.Dropdown)),
            "xs-console-plan-template",
        )
        self.plan_use = _tag(widgets.Button(description="Use template", icon="list-ol", style=shared_style(widgets.Button)), "xs-console-plan-use")
        self.plan_tools = _tag(widgets.Text(placeholder="or tools by hand: 1,2,4:30,5", layout=widgets.Layout(width="320px"), style=shared_style(widgets.Text)), "xs-console-plan-tools")
        self.plan_set = _tag(widgets.Button(description="Set these tools", style=shared_style(widgets.Button)), "xs-console-plan-set")
        self.plan_clear = _tag(widgets.Button(description="No plan (every tool)", style=shared_style(widgets.Button)), "xs-console-plan-clear")
        self.plan_summary = _tag(widgets.HTML(style=shared_style(widgets.HTML)), "xs-console-plan-summary")
        # The room: group size, timer, locks with notice, the dot vote
        self.min_group = _tag(widgets.BoundedIntText(value=3, min=1, max=50, description="Show a sector's mean from", style=shared_style(widgets.BoundedIntText, description_width='initial'), layout=widgets.Layout(width="280px")), "xs-console-min-group")
        self.timer_length = _tag(widgets.Text(value="10m", description="Timer", layout=widgets.Layout(width="200px"), style=shared_style(widgets.Text)), "xs-console-timer-length")
        self.timer_start = _tag(widgets.Button(description="Start timer", icon="clock", style=shared_style(widgets.Button)), "xs-console-timer-start")
        self.timer_stop = _tag(widgets.Button(description="Stop timer", style=shared_style(widgets.Button)), "xs-console-timer-stop")
        self.timer_label = _tag(widgets.HTML(style=shared_style(widgets.HTML)), "xs-console-timer")
        self.notice_target = _tag(
            widgets.Dropdown(options=[(f"Stage {st.number}: {st.title}", st.id) for st in kit.stages] + [("The dot vote", VOTE)], description="Lock", layout=widgets.Layout(width="320px"), style=shared_style(widgets.Dropdown)),
            "xs-console-notice-target",
        )
        self.notice_length = _tag(widgets.Text(value="2m", description="in", layout=widgets.Layout(width="160px"), style=shared_style(widgets.Text)), "xs-console-notice-length")
        self.notice_button = _tag(widgets.Button(description="Lock with notice", icon="hourglass-half", style=shared_style(widgets.Button)), "xs-console-notice")
        self.vote = _tag(widgets.ToggleButtons(options=[("Open", "open"), ("Closed", "closed")], value="open", style=shared_style(widgets.ToggleButtons, button_width='90px')), "xs-console-vote")
        # The presenter view
        self.screen_prev = _tag(widgets.Button(description="Previous", icon="arrow-left", style=shared_style(widgets.Button)), "xs-console-screen-prev")
        self.screen_next = _tag(widgets.Button(description="Next", icon="arrow-right", style=shared_style(widgets.Button)), "xs-console-screen-next")
        self.screen_auto = _tag(widgets.Button(description="Let it cycle", style=shared_style(widgets.Button)), "xs-console-screen-auto")
        self.screen_label = _tag(widgets.HTML(style=shared_style(widgets.HTML)), "xs-console-screen")
        # Moderation
        self.recent = _tag(widgets.VBox(), "xs-console-recent")
        self.hidden = _tag(widgets.VBox(), "xs-console-hidden")
        self.hide_id = _tag(widgets.IntText(value=0, description="Answer id", layout=widgets.Layout(width="220px"), style=shared_style(widgets.IntText)), "xs-console-hide-id")
        self.hide_button = _tag(widgets.Button(description="Hide this answer", icon="eye-slash", style=shared_style(widgets.Button)), "xs-console-hide")

        def section(title: str, *rows: widgets.Widget) -> widgets.VBox:
            box = widgets.VBox([widgets.HTML(f'<h3 class="xs-console-h3">{_esc(title)}</h3>', style=shared_style(widgets.HTML)), *rows])
            box.add_class("xs-console-section")
            return box

        super().__init__(
            [
                self.style_html,
                self.title,
                section("Workshop", widgets.HBox([self.workshop_picker]), widgets.HBox([self.new_title, self.create_button]), self.summary),
                section("Today's plan", widgets.HBox([self.plan_template, self.plan_use]), widgets.HBox([self.plan_tools, self.plan_set, self.plan_clear]), self.plan_summary),
                section("The room", widgets.HBox([self.anonymous, self.reveal, self.min_group], layout=widgets.Layout(flex_flow="row wrap", align_items="center")),
                        widgets.HBox([self.timer_length, self.timer_start, self.timer_stop, self.timer_label], layout=widgets.Layout(align_items="center"))),
                section("Stages", *stage_rows, widgets.HBox([widgets.HTML('<span class="xs-console-stage-name">Dot vote</span>', layout=widgets.Layout(width="220px"), style=shared_style(widgets.HTML)), self.vote]),
                        widgets.HBox([self.notice_target, self.notice_length, self.notice_button])),
                section("Presenter view", widgets.HBox([self.screen_prev, self.screen_next, self.screen_auto, self.screen_label], layout=widgets.Layout(align_items="center"))),
                section("Moderation", widgets.HTML('<p class="xs-console-note">Newest answers: hide one from the dashboard, the presenter view, the guide and the spreadsheets. It stays in the store.</p>', style=shared_style(widgets.HTML)),
                        self.recent, widgets.HBox([self.hide_id, self.hide_button]), widgets.HTML('<p class="xs-console-note">Hidden answers</p>', style=shared_style(widgets.HTML)), self.hidden),
                section("Rounds", widgets.HBox([self.round_label, self.new_round_button], layout=widgets.Layout(align_items="center"))),
                section("Export", widgets.HBox([self.export_format, self.export_path, self.export_button])),
                section("People and resume codes", self.people),
                section("Facilitator notes", self.notes),
                self.message,
            ],
            **kwargs,
        )
        self.add_class("xs-console")

        self.workshop_picker.observe(self._picked, "value")
        self.create_button.on_click(lambda _b: self._emit("create", self.new_title.value))
        self.anonymous.observe(lambda c: self._emit("anonymous", bool(c["new"])), "value")
        self.reveal.observe(lambda c: self._emit("reveal", bool(c["new"])), "value")
        self.new_round_button.on_click(self._round_clicked)
        self.export_button.on_click(lambda _b: self._emit("export", self.export_format.value, self.export_path.value))
        self.plan_use.on_click(lambda _b: self._emit("plan", "template", self.plan_template.value or ""))
        self.plan_set.on_click(lambda _b: self._emit("plan", "tools", self.plan_tools.value))
        self.plan_clear.on_click(lambda _b: self._emit("plan", "clear", ""))
        self.min_group.observe(lambda c: self._emit("min_group", int(c["new"])), "value")
        self.timer_start.on_click(lambda _b: self._emit("timer", self.timer_length.value))
        self.timer_stop.on_click(lambda _b: self._emit("timer", ""))
        self.notice_button.on_click(lambda _b: self._emit("notice", self.notice_target.value, self.notice_length.value))
        self.vote.observe(lambda c: self._emit("vote", c["new"] == "open"), "value")
        self.screen_prev.on_click(lambda _b: self._emit("screen", "prev"))
        self.screen_next.on_click(lambda _b: self._emit("screen", "next"))
        self.screen_auto.on_click(lambda _b: self._emit("screen", "auto"))
        self.hide_button.on_click(lambda _b: self._emit("hide", int(self.hide_id.value)))

    # ------------------------------------------------------------------
    # Events

    def on_create(self, callback: Callable[[str], Any]) -> None:
        """``callback(title)`` when the facilitator asks for a new workshop."""
        self._handlers["create"].append(callback)

    def on_select(self, callback: Callable[[str], Any]) -> None:
        """``callback(slug)`` when another workshop is picked."""
        self._handlers["select"].append(callback)

    def on_anonymous(self, callback: Callable[[bool], Any]) -> None:
        """``callback(on)`` when anonymous mode is switched."""
        self._handlers["anonymous"].append(callback)

    def on_reveal(self, callback: Callable[[bool], Any]) -> None:
        """``callback(revealed)`` when ratings are revealed or hidden."""
        self._handlers["reveal"].append(callback)

    def on_stage(self, callback: Callable[[str, str], Any]) -> None:
        """``callback(stage_id, "open" | "locked")``."""
        self._handlers["stage"].append(callback)

    def on_new_round(self, callback: Callable[[], Any]) -> None:
        """``callback()`` once the facilitator confirmed a new round."""
        self._handlers["new_round"].append(callback)

    def on_export(self, callback: Callable[[str, str], Any]) -> None:
        """``callback(format, path)``; an empty path means the default folder."""
        self._handlers["export"].append(callback)

    def on_plan(self, callback: Callable[[str, str], Any]) -> None:
        """``callback(how, what)``: ``("template", plan id)``, ``("tools", "1,2,4:30")`` or ``("clear", "")``."""
        self._handlers["plan"].append(callback)

    def on_timer(self, callback: Callable[[str], Any]) -> None:
        """``callback(length)``: ``"10m"`` starts a timer, ``""`` stops it."""
        self._handlers["timer"].append(callback)

    def on_notice(self, callback: Callable[[str, str], Any]) -> None:
        """``callback(stage id or "priorities", length)``: lock with notice."""
        self._handlers["notice"].append(callback)

    def on_vote(self, callback: Callable[[bool], Any]) -> None:
        """``callback(open)`` when the dot vote is opened or closed."""
        self._handlers["vote"].append(callback)

    def on_screen(self, callback: Callable[[str], Any]) -> None:
        """``callback("prev" | "next" | "auto")``: move the presenter view."""
        self._handlers["screen"].append(callback)

    def on_hide(self, callback: Callable[[int], Any]) -> None:
        """``callback(answer_id)``: hide an answer."""
        self._handlers["hide"].append(callback)

    def on_show(self, callback: Callable[[int], Any]) -> None:
        """``callback(answer_id)``: show a hidden answer again."""
        self._handlers["show"].append(callback)

    def on_min_group(self, callback: Callable[[int], Any]) -> None:
        """``callback(n)``: a sector's mean is shown from ``n`` raters."""
        self._handlers["min_group"].append(callback)

    def _emit(self, name: str, *args: Any) -> None:
        if self._quiet:
            return
        for callback in self._handlers[name]:
            callback(*args)

    def _picked(self, change: Mapping[str, Any]) -> None:
        if change["new"]:
            self._emit("select", change["new"])

    def _stage_changed(self, stage_id: str) -> Callable[[Mapping[str, Any]], None]:
        return lambda change: self._emit("stage", stage_id, change["new"])

    def _round_clicked(self, _button: Any) -> None:
        # A new round is consequential: the first click asks, the second starts it.
        if not self._confirm_round:
            self._confirm_round = True
            self.new_round_button.description = "Click again to confirm"
            self.new_round_button.button_style = "warning"
            return
        self._reset_round_button()
        self._emit("new_round")

    def _reset_round_button(self) -> None:
        self._confirm_round = False
        self.new_round_button.description = "Start a new round"
        self.new_round_button.button_style = ""

    # ------------------------------------------------------------------
    # What it is told

    def show(
        self, workshops: list[Workshop], selected: Workshop | None, summary: Mapping[str, int] | None = None,
        recent: pd.DataFrame | None = None, hidden: list[Answer] | None = None, now: float | None = None,
    ) -> None:
        """Show the workshops and the selected one's settings, without
        emitting any event: with ``recent`` (current answers, newest last)
        and ``hidden`` (the hidden answers), the moderation lists."""
        self._quiet = True
        try:
            options = [(f"{w.title} ({w.slug})", w.slug) for w in workshops]
            if list(self.workshop_picker.options) != options:
                self.workshop_picker.options = options
            self.workshop_picker.value = selected.slug if selected else None
            self.value = selected.slug if selected else ""
            enabled = selected is not None
            controls = (
                self.anonymous, self.reveal, self.new_round_button, self.export_button, *self.stages.values(), self.plan_use, self.plan_set,
                self.plan_clear, self.min_group, self.timer_start, self.timer_stop, self.notice_button, self.vote, self.screen_prev,
                self.screen_next, self.screen_auto, self.hide_button,
            )
            for w in controls:
                w.disabled = not enabled
            if selected is None:
                self.summary.value = '<p class="xs-console-note">No workshop yet: type a title and create one.</p>'
                self.round_label.value = ""
                return
            s = selected.settings
            now = time.time() if now is None else now
            self.anonymous.value = s.anonymous
            self.reveal.value = s.ratings_revealed
            for stage_id, toggle in self.stages.items():
                toggle.value = s.stage_state(stage_id, now)
            self.vote.value = "closed" if s.vote_is_closed(now) else "open"
            self.min_group.value = s.min_group
            self._show_plan(s)
            self._show_room(s, now)
            self._show_moderation(recent, hidden or [])
            self.round_label.value = f'<span class="xs-console-round-now">Round {s.round}</span>'
            self._reset_round_button()
            counts = summary or {}
            shown = " · ".join(plural(counts.get(key, 0), word) for key, word in (("participants", "participant"), ("answers", "answer"), ("ratings", "rating"), ("actions", "action")))
            self.summary.value = f'<p class="xs-console-note">Slug <code>{_esc(selected.slug)}</code> · {_esc(shown)}</p>'
        finally:
            self._quiet = False

    def _show_plan(self, s: Any) -> None:
        if not s.plan:
            self.plan_summary.value = '<p class="xs-console-note">No plan: every tool is in scope.</p>'
            return
        names = {t.id: f"{t.number}. {t.name}" for t in self.kit.tools}
        template = next((p.title for p in self.kit.plans if p.id == s.plan_template), "")
        items = "".join(f"<li>{_esc(names.get(slot.tool_id, slot.tool_id))} <span class=\"xs-console-note\">{slot.minutes} min</span></li>" for slot in s.plan)
        head = f"Today's plan{': ' + _esc(template) if template else ' (by hand)'}, {sum(slot.minutes for slot in s.plan)} minutes"
        self.plan_summary.value = f'<p class="xs-console-note">{head}</p><ol class="xs-console-plan">{items}</ol>'

    def _show_room(self, s: Any, now: float) -> None:
        left = s.timer_left(now)
        self.timer_label.value = "" if left is None else (
            f'<span class="xs-console-note">{clock(left)} left</span>' if left > 0 else '<span class="xs-console-note">Time is up</span>'
        )
        pending = [(key, s.locks_in(key, now)) for key in [*self.stages, VOTE]]
        notes = [f"{'The dot vote closes' if key == VOTE else self.kit.stage(key).title + ' locks'} in {clock(left)}" for key, left in pending if left is not None]
        screen = SCREEN_LABELS.get(s.screen, "its own choice (arrows, or cycling)")
        self.screen_label.value = f'<span class="xs-console-note">Showing: {_esc(screen)}{" · " + _esc("; ".join(notes)) if notes else ""}</span>'

    def _show_moderation(self, recent: pd.DataFrame | None, hidden: list[Answer]) -> None:
        rows = []
        if recent is not None and len(recent):
            listed = recent[recent["kind"].isin(["text", "comment"])].tail(RECENT_ANSWERS).iloc[::-1]
            for r in listed.itertuples(index=False):
                rows.append(self._answer_row(int(r.answer_id), f"{r.tool_number}. {r.tool}", str(r.value), "hide"))
        self.recent.children = rows or [widgets.HTML('<p class="xs-console-note">No answers yet.</p>', style=shared_style(widgets.HTML))]
        names = {t.id: f"{t.number}. {t.name}" for t in self.kit.tools}
        shown = [self._answer_row(a.id, names.get(a.tool_id, a.tool_id), a.value, "show") for a in hidden]
        self.hidden.children = shown or [widgets.HTML('<p class="xs-console-note">None hidden.</p>', style=shared_style(widgets.HTML))]

    def _answer_row(self, answer_id: int, tool: str, text: str, action: str) -> widgets.HBox:
        """One answer with its Hide (or Show) button (``xs-console-hide-<id>``, ``xs-console-show-<id>``)."""
        short = " ".join(text.split())
        label = widgets.HTML(f'<span class="xs-console-answer"><b>#{answer_id}</b> {_esc(tool)}: {_esc(short[:140])}{"…" if len(short) > 140 else ""}</span>',
                             layout=widgets.Layout(flex="1 1 auto"), style=shared_style(widgets.HTML))
        button = _tag(widgets.Button(description="Hide" if action == "hide" else "Show again", layout=widgets.Layout(width="120px"), style=shared_style(widgets.Button)), f"xs-console-{action}-{answer_id}")
        button.on_click(lambda _b: self._emit(action, answer_id))
        return widgets.HBox([label, button], layout=widgets.Layout(align_items="center"))

    def show_message(self, text: str, *, error: bool = False) -> None:
        """A line under the console: what happened, or why it did not."""
        kind = "xs-console-error" if error else "xs-console-ok"
        # The console runs in JupyterLab, without the served pages' a11y.js:
        # an element with role=alert or status that appears is announced.
        role = "alert" if error else "status"
        self.message.value = f'<div class="{kind}" role="{role}">{_esc(text)}</div>'


class ConsoleSession:
    """Connects a :class:`FacilitatorConsole` to the store: every event
    becomes one store call, and the store's message is shown when it
    refuses. Usable without widgets too (the methods are the actions)."""

    def __init__(self, store: AnswerStore, console: FacilitatorConsole | None = None, *, slug: str | None = None):
        self.store = store
        self.console = console if console is not None else FacilitatorConsole(store.kit)
        self.slug: str | None = None
        self._live: LiveFrames | None = None  # the selected workshop's frames, masked for the console
        c = self.console
        c.on_create(self.create)
        c.on_select(self.select)
        c.on_anonymous(lambda on: self._act(lambda: self.store.update_settings(self._need(), anonymous=on), "Names hidden (anonymous mode)" if on else "Names shown"))
        c.on_reveal(lambda on: self._act(lambda: self.store.update_settings(self._need(), ratings_revealed=on), "Ratings revealed on the dashboard" if on else "Ratings hidden on the dashboard"))
        c.on_stage(self.set_stage)
        c.on_new_round(self.new_round)
        c.on_export(self.export)
        c.people.on_look_up(self.look_up)
        connect_notes(c.notes, DEFAULT_EXPORT_DIR)
        c.on_plan(self.set_plan)
        c.on_timer(self.timer)
        c.on_notice(self.lock_with_notice)
        c.on_vote(lambda on: self._act(lambda: self.store.set_vote(self._need(), open=on), "The dot vote is open" if on else "The dot vote is closed"))
        c.on_screen(self.move_screen)
        c.on_hide(lambda answer_id: self._act(lambda: self.store.hide_answer(self._need(), answer_id), f"Answer {answer_id} hidden from the projected views and the guide (kept in the store)"))
        c.on_show(lambda answer_id: self._act(lambda: self.store.show_answer(self._need(), answer_id), f"Answer {answer_id} shown again"))
        c.on_min_group(lambda n: self._act(lambda: self.store.update_settings(self._need(), min_group=n), f"A sector's mean is shown from {plural(n, 'rater')}"))
        workshops = store.workshops()
        chosen = slug or os.environ.get("WORKSHOP_SLUG") or (workshops[0].slug if workshops else None)
        if chosen and chosen not in {w.slug for w in workshops}:
            chosen = workshops[0].slug if workshops else None
        self.slug = chosen
        self.update()

    # The actions ---------------------------------------------------------

    def create(self, title: str) -> Workshop | None:
        ws = self._act(lambda: self.store.create_workshop(title), None)
        if ws is not None:
            self.slug = ws.slug
            self.console.new_title.value = ""
            self.update()
            self.console.show_message(f"Created {ws.title!r} (slug {ws.slug}). Serve it with: workshop serve --workshop {ws.slug}")
        return ws

    def select(self, slug: str) -> None:
        self.slug = slug
        self.update()
        self.console.show_message(f"Selected {slug}")

    def set_stage(self, stage_id: str, state: str) -> Workshop | None:
        title = self.store.kit.stage(stage_id).title
        return self._act(lambda: self.store.set_stage_state(self._need(), stage_id, state), f"{title} is {state}" + (": its answers are read-only" if state == "locked" else ""))

    def new_round(self) -> Workshop | None:
        ws = self._act(lambda: self.store.new_round(self._need()), None)
        if ws is not None:
            self.console.show_message(f"Round {ws.settings.round} started; answers of earlier rounds are kept")
        return ws

    def set_plan(self, how: str, what: str = "") -> Workshop | None:
        """Today's plan from a template (``how="template"``), from tools by
        hand (``"tools"``, ``"1,2,4:30"``) or none (``"clear"``)."""
        from toolkit.store import checks

        if how == "template":
            return self._act(lambda: self.store.use_plan(self._need(), what), "Today's plan is set from the template; pages list its tools first")
        if how == "tools":
            return self._act(lambda: self.store.set_plan(self._need(), checks.tool_list(what)), "Today's plan is set; pages list its tools first")
        return self._act(lambda: self.store.clear_plan(self._need()), "No plan: every tool is in scope")

    def timer(self, length: str) -> Workshop | None:
        """Start a discussion timer (``"10m"``) or stop it (``""``)."""
        from toolkit.store import checks

        if not length.strip():
            return self._act(lambda: self.store.stop_timer(self._need()), "Timer stopped")
        return self._act(lambda: self.store.start_timer(self._need(), checks.duration(length, field="timer")), f"Timer started: {length.strip()} on every page")

    def lock_with_notice(self, key: str, length: str) -> Workshop | None:
        """Lock a stage or close the dot vote after ``length`` (``"2m"``)."""
        from toolkit.store import checks

        what = "The dot vote closes" if key == VOTE else f"{self.store.kit.stage(key).title} locks"
        return self._act(lambda: self.store.lock_with_notice(self._need(), key, checks.duration(length, field="notice")), f"{what} in {length.strip()}; every page counts down")

    def move_screen(self, step: str) -> Workshop | None:
        """The presenter view's section: ``"next"``, ``"prev"`` or ``"auto"`` (its own)."""
        if step == "auto":
            return self._act(lambda: self.store.show_screen(self._need(), ""), "The presenter view chooses its own section again")

        def move() -> Workshop:
            current = self.store.workshop(self._need()).settings.screen
            at = SCREENS.index(current) if current in SCREENS else -1
            target = SCREENS[(at + (1 if step == "next" else -1)) % len(SCREENS)] if at >= 0 else SCREENS[0 if step == "next" else -1]
            return self.store.show_screen(self._need(), target)

        return self._act(move, None)

    def export(self, fmt: str, path: str = "") -> Path | None:
        """Write the export with :func:`toolkit.exports.workshop.export_workshop`;
        an empty path writes into ``~/intersector-exports/``."""
        target = Path(path).expanduser() if path and path.strip() else DEFAULT_EXPORT_DIR
        if not path or path.endswith(("/", os.sep)) or target == DEFAULT_EXPORT_DIR:
            target.mkdir(parents=True, exist_ok=True)
        self.console.show_message(f"Exporting {fmt} ...")
        written = self._act(lambda: export_workshop(self.store, self._need(), fmt, target), None)
        if written is not None:
            self.console.show_message(f"Saved {written}")
        return written

    def look_up(self, find: str = "") -> list[Any]:
        """Show the selected workshop's participants (those matching
        ``find``) with their resume codes; returns them."""
        people = self._act(lambda: self.store.people(self._need(), find=find or None), None)
        if people is not None:
            self.console.people.show(people, {s.id: s.name for s in self.store.kit.sectors})
        return people or []

    # Plumbing -------------------------------------------------------------

    def _need(self) -> str:
        if not self.slug:
            from toolkit.errors import ToolkitError

            raise ToolkitError("pick or create a workshop first")
        return self.slug

    def _act(self, action: Callable[[], Any], success: str | None) -> Any:
        from sqlalchemy.exc import SQLAlchemyError

        from toolkit.errors import ToolkitError
        from toolkit.store.schema import store_error

        try:
            result = action()
        except ToolkitError as exc:
            self.console.show_message(str(exc), error=True)
            self.update()  # put the controls back to what the store holds
            return None
        except SQLAlchemyError as exc:  # one line naming the store, not SQLAlchemy's text with its SQL
            self.console.show_message(str(store_error(exc, self.store.url)), error=True)
            return None
        except Exception as exc:  # noqa: BLE001 - the facilitator sees every failure
            self.console.show_message(f"{type(exc).__name__}: {exc}", error=True)
            self.update()
            return None
        if success:
            self.console.show_message(success)
        self.update()
        return result

    def update(self) -> None:
        """Show what the store holds now."""
        workshops = self.store.workshops()
        selected = next((w for w in workshops if w.slug == self.slug), None)
        counts, recent, hidden = None, None, []
        if selected is not None:
            # The counts the dashboard shows, from frames masked for the
            # console (toolkit.frames.views), read incrementally.
            if self._live is None or self._live.slug != selected.slug:
                self._live = LiveFrames(self.store, selected.slug, view=View.CONSOLE)
            frames = self._live.refresh(settings=selected.settings)
            counts, recent = summary(frames), frames["current_answers"]
            hidden = self.store.hidden_answers(selected.slug)
        self.console.show(workshops, selected, counts, recent, hidden)


def build_console(url: str | None = None, *, slug: str | None = None) -> FacilitatorConsole:
    """Open the store (``url``, else $WORKSHOP_DB, else the default file)
    and return a connected console (its session is ``console.session``)."""
    from toolkit.store import AnswerStore

    session = ConsoleSession(AnswerStore(url), slug=slug)
    session.console.session = session  # type: ignore[attr-defined]
    return session.console


class ResumeCodes(widgets.VBox):
    """Look up participants and their resume codes (for a participant who
    lost theirs): ``find`` (Text), ``look_up`` (Button), ``listing`` (HTML,
    escaped). Emits ``on_look_up(text)``; shows what it is told
    (:meth:`show`). Names show even in anonymous mode: the console is the
    facilitator's own screen. CSS: ``xs-console-people-find``,
    ``xs-console-people``, ``xs-console-people-list``."""

    def __init__(self, **kwargs: Any):
        self._handlers = widgets.CallbackDispatcher()
        self.find = _tag(widgets.Text(placeholder="Name, organization, sector or table (empty: everyone)", layout=widgets.Layout(width="360px"), style=shared_style(widgets.Text)), "xs-console-people-find")
        self.look_up = _tag(widgets.Button(description="Show resume codes", icon="key", style=shared_style(widgets.Button)), "xs-console-people")
        self.listing = _tag(widgets.HTML(style=shared_style(widgets.HTML)), "xs-console-people-list")
        self.look_up.on_click(lambda _b: self._handlers(self.find.value))
        super().__init__([widgets.HBox([self.find, self.look_up]), self.listing], **kwargs)

    def on_look_up(self, callback: Callable[[str], Any], remove: bool = False) -> None:
        self._handlers.register_callback(callback, remove=remove)

    def show(self, people: list[Any], sector_names: Mapping[str, str]) -> None:
        from toolkit.store.identity import format_resume_code

        if not people:
            self.listing.value = "<p>Nobody matches.</p>"
            return
        rows = "".join(
            f"<tr><td>{_esc(p.participant.name or '(no name)')}</td><td>{_esc(p.participant.organization)}</td>"
            f"<td>{_esc(sector_names.get(p.participant.sector, p.participant.sector))}</td><td>{_esc(p.participant.table)}</td>"
            f"<td><code>{_esc(format_resume_code(p.resume_code))}</code></td></tr>"
            for p in people
        )
        self.listing.value = (
            "<table><thead><tr><th>Name</th><th>Organization</th><th>Sector</th><th>Table</th><th>Resume code</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )


def _tag(widget: widgets.Widget, css_class: str) -> Any:
    widget.add_class(css_class)
    return widget
