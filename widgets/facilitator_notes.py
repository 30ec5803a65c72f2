"""The facilitator's notes beside each tool, in the facilitator console.

    >>> notes = FacilitatorNotes(kit)          # the console includes one
    >>> notes.value = "share-discretion"       # or pick the tool
    >>> connect_notes(notes, folder)           # its worksheet button writes files

Pick a tool and the panel shows what the facilitator's guide prints for it
(the same macro renders both, :func:`toolkit.exports.facilitator.render_tool_notes_html`):
purpose, suggested minutes, the method and its worksheet, materials, core
questions, pitfalls, every question with the sensitive ones flagged and
why, and the provisional note. The worksheet buttons write the method's
one-page worksheet (HTML or PDF) through the same print path as
``workshop worksheet`` and say where.

As everywhere in the kit, :class:`FacilitatorNotes` only shows and emits
(``on_worksheet``); :func:`connect_notes` does the writing. The console
is never served to participants, so nothing here reaches them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import traitlets

from widgets.style import esc, hook, shared_style

if TYPE_CHECKING:
    from toolkit.content import Toolkit


class FacilitatorNotes(widgets.VBox):
    """``value`` is the id of the tool shown. Children: ``tool_picker``
    (Dropdown, ``xs-notes-tool``), ``notes`` (HTML, ``xs-notes``),
    ``worksheet_html`` and ``worksheet_pdf`` (Buttons,
    ``xs-notes-worksheet``), ``message`` (a live region, ``xs-notes-message``)."""

    value = traitlets.Unicode("", help="id of the tool whose notes are shown")

    def __init__(self, kit: Toolkit, **kwargs: Any):
        self.kit = kit
        self._handlers: list[Callable[[str, str], Any]] = []
        options = [(f"{kit.stage(t.stage_id).title} · {t.number}. {t.name}", t.id) for t in kit.tools]
        self.tool_picker = hook(widgets.Dropdown(options=options, description="Tool", layout=widgets.Layout(width="520px", max_width="100%"), style=shared_style(widgets.Dropdown)), "xs-notes-tool")
        self.notes = hook(widgets.HTML(style=shared_style(widgets.HTML)), "xs-notes")
        self.worksheet_html = hook(widgets.Button(description="Worksheet (HTML)", icon="file", style=shared_style(widgets.Button)), "xs-notes-worksheet")
        self.worksheet_pdf = hook(widgets.Button(description="Worksheet (PDF)", icon="print", style=shared_style(widgets.Button)), "xs-notes-worksheet")
        self.message = hook(widgets.HTML(style=shared_style(widgets.HTML)), "xs-notes-message")
        self.buttons = widgets.HBox([self.worksheet_html, self.worksheet_pdf])
        traitlets.link((self.tool_picker, "value"), (self, "value"))
        self.worksheet_html.on_click(lambda _b: self._emit("html"))
        self.worksheet_pdf.on_click(lambda _b: self._emit("pdf"))
        super().__init__([self.tool_picker, self.notes, self.buttons, self.message], **kwargs)
        hook(self, "xs-facilitator-notes")
        self._show(self.value)

    @traitlets.observe("value")
    def _changed(self, change: dict[str, Any]) -> None:
        self._show(change["new"])

    def _show(self, tool_id: str) -> None:
        from toolkit.exports.facilitator import render_tool_notes_html

        if not tool_id:
            self.notes.value = ""
            return
        tool = self.kit.tool(tool_id)
        self.notes.value = render_tool_notes_html(self.kit, tool.id)
        sheet = self.kit.worksheet(tool.facilitation.method) if tool.facilitation else None
        for button in (self.worksheet_html, self.worksheet_pdf):
            button.disabled = sheet is None
            button.tooltip = f"Write the worksheet '{sheet.title}' to print" if sheet else "This tool's note names no method"
        self.message.value = ""

    @property
    def worksheet_id(self) -> str | None:
        """The worksheet of the tool shown (``None`` without a note)."""
        tool = self.kit.tool(self.value) if self.value else None
        return tool.facilitation.method if tool is not None and tool.facilitation else None

    def on_worksheet(self, callback: Callable[[str, str], Any]) -> None:
        """``callback(worksheet_id, "html" | "pdf")`` when a worksheet button is pressed."""
        self._handlers.append(callback)

    def _emit(self, fmt: str) -> None:
        sheet = self.worksheet_id
        if sheet is None:
            return
        for callback in self._handlers:
            callback(sheet, fmt)

    def show_message(self, text: str, *, error: bool = False) -> None:
        """What happened to the last worksheet (a path, or why not)."""
        kind = "xs-console-error" if error else "xs-console-ok"
        self.message.value = f'<div class="{kind}" role="status">{esc(text)}</div>'


def connect_notes(notes: FacilitatorNotes, folder: str | os.PathLike[str]) -> None:
    """Write the worksheet a button asks for into ``folder`` (made if
    needed) with :func:`toolkit.exports.facilitator.export_worksheets`,
    and show the path, or the reason it could not be written."""

    def write(sheet_id: str, fmt: str) -> Path | None:
        from toolkit.errors import ToolkitError
        from toolkit.exports.facilitator import export_worksheets

        target = Path(folder).expanduser()
        try:
            target.mkdir(parents=True, exist_ok=True)
            path = export_worksheets(notes.kit, [sheet_id], fmt, target)
        except (ToolkitError, OSError) as exc:
            notes.show_message(f"Worksheet not written: {exc}", error=True)
            return None
        notes.show_message(f"Saved {path}")
        return path

    notes.on_worksheet(write)
