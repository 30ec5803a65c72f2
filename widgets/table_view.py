"""A table working together (issue #15): under each guiding question, what
the others at the participant's table wrote, and the table's one shared
answer, which any member edits.

    >>> view = TableView(tool)                         # one per tool panel
    >>> view.on_save(lambda question_id, text: ...)    # the Session saves
    >>> view.questions["epp-1"].show_mates([Mate(7, "Ana Ruiz", "The river trust")])
    >>> view.questions["epp-1"].starts.children[0].click()   # "Start from Ana Ruiz's"

:class:`TableQuestion` sits under one question's own answer box: a plain
list of the tablemates' answers, attributed as the Session says (a name,
or a sector in an anonymous workshop: :func:`toolkit.frames.views.attribution`),
the table answer box, its save status, who changed it last and when, and
one button per text to start from ("Start from my answer", "Start from Ana
Ruiz's"; "Add ..." once the table answer has text, so nothing is replaced).
The table answer autosaves like every box, with the same rule: a save the
store refuses because another member changed the table answer meanwhile
shows both texts and the three choices (:class:`~widgets.conflict.ConflictChoice`),
never writes over the newer one. :class:`TableView` holds a tool's
questions and the line with the spread of the table's ratings.

The view never writes and never reads the store; everything it shows is
text (escaped), never HTML from a participant.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import traitlets

from widgets.autosave import DEFAULT_DELAY, AutosaveField, CallLater, Debouncer, SaveStatus
from widgets.conflict import merged
from widgets.style import LABEL_STYLE, LIVE_LOCAL, esc, hook, shared_style

if TYPE_CHECKING:
    from toolkit.content import Tool

#: The start button for the reader's own answer is keyed by this.
MINE = "mine"
NOBODY_YET = "Nobody else at your table has answered this yet."


@dataclass(frozen=True)
class Mate:
    """One tablemate's answer as the page shows it: ``key`` (their
    participant id), ``who`` (as the privacy rule attributes them) and the text."""

    key: int
    who: str
    text: str


class TableQuestion(widgets.VBox):
    """The table part of one guiding question.

    Children: ``mates`` (HTML: the tablemates' answers, escaped), ``box``
    (Textarea: the table answer), ``status`` (:class:`SaveStatus`),
    ``changed`` (Label: who changed it last and when), ``starts`` (HBox of
    start buttons, one per text). ``mine`` is the reader's own answer as
    typed (the Session links it to their box; empty on a table's shared
    device). CSS: ``xs-table-question xs-table-question-<question_id>``;
    ``xs-tablemates``; ``xs-table-answer xs-table-answer-<question_id>``;
    ``xs-table-changed`` (a live region while the focus is in this part,
    like the status); ``xs-table-starts``; each button
    ``xs-table-start`` (and ``xs-table-start-mine``).
    """

    mine = traitlets.Unicode("", help="the reader's own answer to this question, as typed")
    disabled = traitlets.Bool(False, help="the table answer is read-only")

    def __init__(self, question_id: str, number: int, *, debouncer: Debouncer, **kwargs: Any):
        self.question_id = question_id
        self._mates: tuple[Mate, ...] = ()
        self._buttons: dict[Any, widgets.Button] = {}
        self._sources: dict[Any, Callable[[], str]] = {}  # start button key -> its text now
        self.mates = hook(widgets.HTML(_mates_html(()), layout=widgets.Layout(width="100%"), style=shared_style(widgets.HTML)), "xs-tablemates")
        self.box = hook(
            widgets.Textarea(
                description=f"Our table's answer to question {number}",
                placeholder="One answer for the whole table: any member can edit it, and it saves by itself",
                continuous_update=True, rows=3, style=shared_style(widgets.Textarea, **LABEL_STYLE), layout=widgets.Layout(width="100%"),
            ),
            "xs-table-answer", f"xs-table-answer-{question_id}", "xs-stacked",
        )
        self.status = SaveStatus()
        # Said while the focus is in this question's table answer: another
        # member's change reaches whoever is editing it (LIVE_LOCAL).
        self.changed = hook(widgets.Label("", layout=widgets.Layout(width="100%"), style=shared_style(widgets.Label)), "xs-table-changed", "xs-wrap", LIVE_LOCAL)
        self.starts = hook(widgets.HBox([], layout=widgets.Layout(width="100%", flex_flow="row wrap")), "xs-table-starts")
        super().__init__([self.mates, self.box, self.status, self.changed, self.starts], layout=widgets.Layout(width="100%"), **kwargs)
        hook(self, "xs-table-question", f"xs-table-question-{question_id}")
        self.field = AutosaveField(question_id, self.box, self.status, debouncer, row=self)
        traitlets.dlink((self, "disabled"), (self.box, "disabled"))
        self.box.observe(self._emptiness, "value")

    # -- what the Session shows -------------------------------------------

    def show_mates(self, mates: Sequence[Mate]) -> None:
        """Show the tablemates' current answers (empty ones left out)."""
        shown = tuple(m for m in mates if m.text.strip())
        if shown == self._mates:
            return
        self._mates = shown
        html = _mates_html(shown)
        if self.mates.value != html:
            self.mates.value = html
        self._render_starts()

    def show_table_answer(self, text: str, who: str, when: float) -> None:
        """The store's current table answer (a newer one from another
        member): shown unless the reader is editing it here (their save
        will meet it and offer the choice)."""
        if not self.field.busy:
            self.field.load(text)
        self.show_changed(who, when)

    def show_changed(self, who: str, when: float) -> None:
        """"Last changed by Ana Ruiz at 14:03:12" (empty when never)."""
        self.changed.value = f"Last changed by {who} at {time.strftime('%H:%M:%S', time.localtime(when))}" if who else ""

    def mark_saved(self, text: str, when: float, who: str) -> None:
        self.field.mark_saved(text, when)
        self.show_changed(who, when)

    def conflict(self, *, mine: str, theirs: str, when: float, who: str) -> None:
        """The save of ``mine`` was refused: another member saved ``theirs``."""
        self.field.conflict(mine=mine, theirs=theirs, when=when)
        self.show_changed(who, when)

    # -- start from -------------------------------------------------------

    def start_from(self, text: str) -> None:
        """Put ``text`` in the table answer (autosaved as typing): the whole
        answer while it is empty, else added below what is there."""
        self.box.value = merged(self.box.value, text)

    @traitlets.observe("mine", "disabled")
    def _mine_changed(self, change: dict[str, Any]) -> None:
        if change["name"] == "disabled" or bool(change["old"].strip()) != bool(change["new"].strip()):
            self._render_starts()

    def _emptiness(self, change: dict[str, Any]) -> None:
        if bool(change["old"].strip()) != bool(change["new"].strip()):
            self._render_starts()

    def _render_starts(self) -> None:
        verb = "Add" if self.box.value.strip() else "Start from"
        wanted: list[tuple[Any, str, Callable[[], str]]] = []
        if self.mine.strip():
            wanted.append((MINE, f"{verb} my answer", lambda: self.mine))
        for m in self._mates:
            wanted.append((m.key, f"{verb} {m.who}'s", lambda m=m: m.text))
        children = []
        self._sources = {key: text for key, _label, text in wanted}
        for key, label, _text in wanted:
            button = self._buttons.get(key)
            if button is None:
                button = hook(widgets.Button(layout=widgets.Layout(width="auto"), style=shared_style(widgets.Button)), "xs-table-start", *(["xs-table-start-mine"] if key == MINE else []))
                button.on_click(lambda _b, key=key: key in self._sources and self.start_from(self._sources[key]()))
                self._buttons[key] = button
            if button.description != label:
                button.description = label
                button.tooltip = f"{label}: put it in the table's answer to edit together" if verb == "Start from" else f"{label} below the table's answer"
            button.disabled = self.disabled
            children.append(button)
        if list(self.starts.children) != children:
            self.starts.children = children


def _mates_html(mates: Sequence[Mate]) -> str:
    if not mates:
        return f'<div class="xs-tablemates-list"><p class="xs-tablemates-heading">At your table</p><p class="xs-muted">{NOBODY_YET}</p></div>'
    items = "".join(
        f'<li class="xs-tablemate"><span class="xs-tablemate-who">{esc(m.who)}:</span> <span class="xs-tablemate-text">{esc(m.text)}</span></li>'
        for m in mates
    )
    return f'<div class="xs-tablemates-list"><p class="xs-tablemates-heading">At your table</p><ul>{items}</ul></div>'


class TableView(traitlets.HasTraits):
    """The table parts of one tool's panel: ``questions`` (a
    :class:`TableQuestion` per question id) and ``ratings`` (Label: the
    spread of the table's ratings for the tool, CSS ``xs-table-ratings``).
    Not a widget itself: the Session places each part under its question
    (:meth:`widgets.question_form.QuestionForm.attach`). ``disabled`` makes
    the table answers read-only."""

    disabled = traitlets.Bool(False, help="the table answers are read-only")

    def __init__(self, tool: Tool, *, delay: float = DEFAULT_DELAY, call_later: CallLater | None = None):
        super().__init__()
        self.tool = tool
        self._save_handlers = widgets.CallbackDispatcher()
        self.debouncer = Debouncer(self._fire, delay=delay, call_later=call_later)
        self.questions = {q.id: TableQuestion(q.id, n, debouncer=self.debouncer) for n, q in enumerate(tool.questions, start=1)}
        for part in self.questions.values():
            traitlets.dlink((self, "disabled"), (part, "disabled"))
        self.ratings = hook(widgets.Label("", layout=widgets.Layout(width="100%"), style=shared_style(widgets.Label)), "xs-table-ratings", "xs-wrap", LIVE_LOCAL)

    def on_save(self, callback: Callable[[str, str], Any], remove: bool = False) -> None:
        """Register ``callback(question_id, text)``, called when a changed
        table answer has settled (or on :meth:`flush`)."""
        self._save_handlers.register_callback(callback, remove=remove)

    def flush(self) -> None:
        """Emit every pending save now (tests, closing the page)."""
        self.debouncer.flush()

    def _fire(self, question_id: Any) -> None:
        field = self.questions[question_id].field
        if field.in_conflict:
            return  # saved once the member has chosen
        if not field.dirty:
            field.settled()
            return
        self._save_handlers(question_id, field.value)
