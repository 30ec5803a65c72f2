"""The facilitator console: run the room from JupyterLab on your own machine.

    >>> console = build_console()      # $WORKSHOP_DB; notebooks/00_facilitator.ipynb does only this

Create or pick a workshop, hide names (anonymous mode), open or lock each
stage, reveal or hide ratings, start a new round and export the results;
beside each tool, its facilitator's notes and worksheet
(:mod:`widgets.facilitator_notes`).

Two parts, as everywhere in the kit:

- :class:`FacilitatorConsole` is the view. It only emits events
  (``on_create``, ``on_select``, ``on_anonymous``, ``on_reveal``,
  ``on_stage``, ``on_new_round``, ``on_export``) and shows what it is told
  (:meth:`FacilitatorConsole.show`, :meth:`FacilitatorConsole.show_message`).
- :class:`ConsoleSession` connects those events to the store and shows the
  store's own message when it refuses something.

The console is never served to participants: ``workshop serve`` copies only
the participant notebooks and the dashboard.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import traitlets

from toolkit.exports import FORMATS, export_workshop
from toolkit.frames import LiveFrames, View, summary
from toolkit.frames.views import plural
from widgets.facilitator_notes import FacilitatorNotes, connect_notes
from widgets.style import style_block

if TYPE_CHECKING:
    from toolkit.content import Toolkit
    from toolkit.store import AnswerStore
    from toolkit.store.values import Workshop

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

_esc = html.escape


class FacilitatorConsole(widgets.VBox):
    """The console's widgets. ``value`` is the selected workshop's slug.

    Public children: ``workshop_picker``, ``new_title``, ``create_button``,
    ``anonymous``, ``reveal``, ``stages`` (stage id -> ToggleButtons),
    ``round_label``, ``new_round_button``, ``export_format``,
    ``export_path``, ``export_button``, ``summary``, ``message``, ``notes``
    (:class:`~widgets.facilitator_notes.FacilitatorNotes`).
    """

    value = traitlets.Unicode("", help="slug of the selected workshop").tag(sync=True)

    def __init__(self, kit: Toolkit, **kwargs: Any):
        self.kit = kit
        self._quiet = False
        self._confirm_round = False
        self._handlers: dict[str, list[Callable[..., Any]]] = {
            name: [] for name in ("create", "select", "anonymous", "reveal", "stage", "new_round", "export")
        }
        self.style_html = style_block("console")
        self.title = widgets.HTML('<h2 class="xs-console-title">Facilitator console</h2>')
        self.workshop_picker = _tag(widgets.Dropdown(description="Workshop", options=[], layout=widgets.Layout(width="460px")), "xs-console-workshop")
        self.new_title = _tag(widgets.Text(placeholder="Title of a new workshop", layout=widgets.Layout(width="320px")), "xs-console-new-title")
        self.create_button = _tag(widgets.Button(description="Create workshop", icon="plus", button_style="primary"), "xs-console-create")
        self.summary = _tag(widgets.HTML(), "xs-console-summary")

        self.anonymous = _tag(widgets.ToggleButton(description="Anonymous mode", icon="user-secret", tooltip="Hide names on the dashboard and in exports"), "xs-console-anonymous")
        self.reveal = _tag(widgets.ToggleButton(description="Reveal ratings", icon="eye", tooltip="Show the readiness heatmap on the dashboard"), "xs-console-reveal")
        self.stages: dict[str, widgets.ToggleButtons] = {}
        stage_rows = []
        for stage in kit.stages:
            toggle = widgets.ToggleButtons(options=[("Open", "open"), ("Locked", "locked")], value="open", style={"button_width": "90px"})
            toggle.add_class("xs-console-stage")
            toggle.add_class(f"xs-console-stage-{stage.id}")
            toggle.observe(self._stage_changed(stage.id), "value")
            self.stages[stage.id] = toggle
            label = widgets.HTML(f'<span class="xs-console-stage-name">Stage {stage.number}: {_esc(stage.title)}</span>', layout=widgets.Layout(width="220px"))
            stage_rows.append(widgets.HBox([label, toggle]))
        self.round_label = _tag(widgets.HTML(), "xs-console-round")
        self.new_round_button = _tag(widgets.Button(description="Start a new round", icon="redo", tooltip="Earlier answers are kept; the next round starts empty"), "xs-console-new-round")

        self.export_format = _tag(
            widgets.Dropdown(options=[(FORMAT_LABELS.get(f, f), f) for f in FORMATS], value=FORMATS[0], description="Export", layout=widgets.Layout(width="360px")),
            "xs-console-export-format",
        )
        self.export_path = _tag(
            widgets.Text(value="", placeholder=f"{DEFAULT_EXPORT_DIR}{os.sep}  (a folder or a file name)", layout=widgets.Layout(width="440px")),
            "xs-console-export-path",
        )
        self.export_button = _tag(widgets.Button(description="Export", icon="download"), "xs-console-export")
        self.message = _tag(widgets.HTML(), "xs-console-message")
        self.people = ResumeCodes()
        self.notes = FacilitatorNotes(kit)

        def section(title: str, *rows: widgets.Widget) -> widgets.VBox:
            box = widgets.VBox([widgets.HTML(f'<h3 class="xs-console-h3">{_esc(title)}</h3>'), *rows])
            box.add_class("xs-console-section")
            return box

        super().__init__(
            [
                self.style_html,
                self.title,
                section("Workshop", widgets.HBox([self.workshop_picker]), widgets.HBox([self.new_title, self.create_button]), self.summary),
                section("The room", widgets.HBox([self.anonymous, self.reveal])),
                section("Stages", *stage_rows),
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

    def show(self, workshops: list[Workshop], selected: Workshop | None, summary: Mapping[str, int] | None = None) -> None:
        """Show the workshops and the selected one's settings, without
        emitting any event."""
        self._quiet = True
        try:
            options = [(f"{w.title} ({w.slug})", w.slug) for w in workshops]
            if list(self.workshop_picker.options) != options:
                self.workshop_picker.options = options
            self.workshop_picker.value = selected.slug if selected else None
            self.value = selected.slug if selected else ""
            enabled = selected is not None
            for w in (self.anonymous, self.reveal, self.new_round_button, self.export_button, *self.stages.values()):
                w.disabled = not enabled
            if selected is None:
                self.summary.value = '<p class="xs-console-note">No workshop yet: type a title and create one.</p>'
                self.round_label.value = ""
                return
            s = selected.settings
            self.anonymous.value = s.anonymous
            self.reveal.value = s.ratings_revealed
            for stage_id, toggle in self.stages.items():
                toggle.value = s.stage_state(stage_id)
            self.round_label.value = f'<span class="xs-console-round-now">Round {s.round}</span>'
            self._reset_round_button()
            counts = summary or {}
            shown = " · ".join(plural(counts.get(key, 0), word) for key, word in (("participants", "participant"), ("answers", "answer"), ("ratings", "rating"), ("actions", "action")))
            self.summary.value = f'<p class="xs-console-note">Slug <code>{_esc(selected.slug)}</code> · {_esc(shown)}</p>'
        finally:
            self._quiet = False

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
        counts = None
        if selected is not None:
            # The counts the dashboard shows, from frames masked for the
            # console (toolkit.frames.views), read incrementally.
            if self._live is None or self._live.slug != selected.slug:
                self._live = LiveFrames(self.store, selected.slug, view=View.CONSOLE)
            counts = summary(self._live.refresh(settings=selected.settings))
        self.console.show(workshops, selected, counts)


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
        self.find = _tag(widgets.Text(placeholder="Name, organization, sector or table (empty: everyone)", layout=widgets.Layout(width="360px")), "xs-console-people-find")
        self.look_up = _tag(widgets.Button(description="Show resume codes", icon="key"), "xs-console-people")
        self.listing = _tag(widgets.HTML(), "xs-console-people-list")
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
