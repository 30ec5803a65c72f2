"""One tool's guiding questions, each with an autosaved answer box.

    >>> form = QuestionForm(kit.tool("engage-potential-partners"))
    >>> form.on_save(lambda question_id, text: ...)   # the Session saves
    >>> form.boxes["epp-1"].value = "The river trust"
    >>> form.flush()                                    # save now (tests)

Every box has its question as a visible ``<label>`` (the Textarea's
``description``) and a status line under it. The form never writes: about a
second after the last keystroke it emits ``save(question_id, text)``, and
whoever saved calls :meth:`mark_saved`, :meth:`mark_failed` or, while the
save is retried, :meth:`mark_retrying`.

Every box takes at most the store's limit for an answer
(:data:`toolkit.store.checks.MAX_ANSWER_CHARS`, the browser's
``maxlength``), and a counter under it (``counters``, hook
``xs-char-count``) shows how much is used once the text is near the limit.

A question the content flags as sensitive gets an "Answer without my name"
checkbox under its box (``anonymous_boxes``, hook ``xs-q-anonymous``);
whoever saves asks :meth:`is_anonymous`. Ticking or unticking it saves the
answer again, like typing does.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import traitlets

from toolkit.store.checks import MAX_ANSWER_CHARS, named
from widgets.autosave import (
    DEFAULT_DELAY,
    AutosaveField,
    CallLater,
    CharCount,
    Debouncer,
    SaveStatus,
)
from widgets.keyed import KeyedBox
from widgets.style import LABEL_STYLE, hook, max_length, shared_style

if TYPE_CHECKING:
    from toolkit.content import Tool


class QuestionForm(KeyedBox):
    """Answer boxes for ``tool.questions``.

    ``value`` is ``{question_id: text}`` as shown. Typing in a box updates
    it; setting it from outside fills the boxes it names (the others keep
    their text) and counts as typing: it is autosaved. :meth:`load` shows
    the store's answers without saving them. ``disabled`` makes every box
    read-only; ``individual=False`` makes them read-only and folds them
    away, leaving each question's text (a table's shared device writes only
    the table's answers). Children: ``boxes``, ``counters`` and
    ``statuses`` (dicts by question id), ``rows`` (one VBox per question,
    class ``xs-question``; :meth:`attach` adds a part after a question).
    CSS: each box ``xs-answer xs-q-<question_id>`` (and
    ``xs-maxlength-<limit>``), each counter ``xs-char-count``, each status
    ``xs-save-status``.
    """

    value = traitlets.Dict(help="{question_id: text} as shown")
    noun = "question"
    disabled = traitlets.Bool(False, help="every box read-only")
    individual = traitlets.Bool(True, help="each person's own boxes are shown (hidden on a table's shared device)")

    def __init__(self, tool: Tool, *, delay: float = DEFAULT_DELAY, call_later: CallLater | None = None, **kwargs: Any):
        # Children first, super().__init__ last: the observers (also of
        # traits given as kwargs) always find the boxes built.
        self.tool = tool
        self.debouncer = Debouncer(self._fire, delay=delay, call_later=call_later)
        self._save_handlers = widgets.CallbackDispatcher()
        self.boxes: dict[str, widgets.Textarea] = {}
        self.statuses: dict[str, SaveStatus] = {}
        self.counters: dict[str, CharCount] = {}
        self.fields: dict[str, AutosaveField] = {}
        self.rows: dict[str, widgets.VBox] = {}
        self.anonymous_boxes: dict[str, widgets.Checkbox] = {}
        self._saved_anonymous: dict[str, bool] = {}
        self._loading_flags = False
        for n, question in enumerate(tool.questions, start=1):
            box = widgets.Textarea(
                value="",
                description=f"{n}. {question.text}",
                placeholder="Type your answer; it saves by itself",
                continuous_update=True,
                rows=4,
                style=shared_style(widgets.Textarea, **LABEL_STYLE),
                layout=widgets.Layout(width="100%"),
            )
            hook(box, "xs-answer", f"xs-q-{question.id}", "xs-stacked")
            max_length(box, MAX_ANSWER_CHARS)
            counter = CharCount(MAX_ANSWER_CHARS)
            counter.follow(box)
            status = SaveStatus()
            self.boxes[question.id] = box
            self.counters[question.id] = counter
            self.statuses[question.id] = status
            parts: list[widgets.Widget] = [box]
            if question.sensitive is not None:
                parts.append(self._anonymous_box(question.id))
            row = hook(widgets.VBox([*parts, counter, status], layout=widgets.Layout(width="100%")), "xs-question", f"xs-question-{question.id}")
            self.rows[question.id] = row
            self.fields[question.id] = AutosaveField(question.id, box, status, self.debouncer, row=row)
        self._keep_in_step(self.boxes)
        super().__init__(list(self.rows.values()), **kwargs)
        hook(self, "xs-question-form")

    def _anonymous_box(self, question_id: str) -> widgets.Checkbox:
        check = widgets.Checkbox(
            value=False,
            description="Answer without my name",
            indent=False,
            tooltip="Your answer is shown to the room and in the reports with no name, organization or table",
            layout=widgets.Layout(width="auto"), style=shared_style(widgets.Checkbox),
        )
        hook(check, "xs-q-anonymous")
        self.anonymous_boxes[question_id] = check
        self._saved_anonymous[question_id] = False
        check.observe(lambda change: self._anonymous_changed(question_id), "value")
        return check

    def _anonymous_changed(self, question_id: str) -> None:
        field = self.fields[question_id]
        if self._loading_flags or not (field.value or field.saved_value):
            return  # nothing written yet: the choice goes with the first save
        field.status.editing()
        self.debouncer.touch(question_id)

    def is_anonymous(self, question_id: str) -> bool:
        """Whether the participant chose to answer ``question_id`` without
        their name (always False for a question not flagged sensitive)."""
        check = self.anonymous_boxes.get(question_id)
        return bool(check is not None and check.value)

    def attach(self, question_id: str | None, part: widgets.Widget) -> None:
        """Show ``part`` right after a question's row (the table's part of
        it, :mod:`widgets.table_view`), or at the end of the form
        (``None``). Beside the row, not in it: ``.xs-question-<id>`` holds
        the participant's own box, status and conflict, and nothing else."""
        children = list(self.children)
        if part in children:
            return
        children.insert(len(children) if question_id is None else children.index(self.rows[question_id]) + 1, part)
        self.children = children

    @traitlets.observe("individual", "disabled")
    def _boxes_state(self, _change: dict[str, Any]) -> None:
        # Without its own box a question keeps its label (the question's
        # text): the box is read-only, and the CSS folds its textarea away.
        for qid, box in self.boxes.items():
            box.disabled = self.disabled or not self.individual
            (box.remove_class if self.individual else box.add_class)("xs-answer-off")
            self.statuses[qid].layout.display = None if self.individual else "none"
        for check in self.anonymous_boxes.values():
            check.disabled = self.disabled or not self.individual
            check.layout.display = None if self.individual else "none"

    # -- events -----------------------------------------------------------

    def on_save(self, callback: Callable[[str, str], Any], remove: bool = False) -> None:
        """Register ``callback(question_id, text)``, called when a changed
        answer has settled (or on :meth:`flush`)."""
        self._save_handlers.register_callback(callback, remove=remove)

    def flush(self) -> None:
        """Emit every pending save now instead of after the delay."""
        self.debouncer.flush()

    @property
    def pending(self) -> tuple[str, ...]:
        """Question ids with a change not saved yet."""
        return tuple(str(k) for k in self.debouncer.pending)

    def _fire(self, question_id: Any) -> None:
        field = self.fields[question_id]
        if field.in_conflict:
            return  # saved once the participant has chosen
        if not field.unsettled and self.is_anonymous(question_id) == self._saved_anonymous.get(question_id, False):
            field.settled()
            return
        self._save_handlers(question_id, field.value)

    # -- state from whoever saved -----------------------------------------

    def mark_saved(self, question_id: str, text: str, when: float) -> None:
        if question_id in self._saved_anonymous:
            self._saved_anonymous[question_id] = self.is_anonymous(question_id)
        self.fields[question_id].mark_saved(text, when)

    def mark_failed(self, question_id: str, reason: str) -> None:
        self.fields[question_id].mark_failed(reason)

    def mark_retrying(self, question_id: str, reason: str) -> None:
        """The save failed for a passing ``reason``: ``Not saved yet,
        retrying… <Reason>.``; the text stays in the box."""
        self.fields[question_id].mark_retrying(reason)

    def conflict(self, question_id: str, *, mine: str, theirs: str, when: float) -> None:
        """The save of ``mine`` was refused: the store holds ``theirs``,
        written elsewhere. Show both and the three choices (hooks
        ``xs-conflict``, ``xs-conflict-mine``, ``xs-conflict-theirs``,
        ``xs-conflict-merge``) under the box."""
        self.fields[question_id].conflict(mine=mine, theirs=theirs, when=when)

    def load_answer(self, question_id: str, text: str, *, anonymous: bool = False) -> None:
        """Show one answer the store holds (a newer one from elsewhere),
        and whether it was given without a name, without saving it."""
        self.fields[question_id].load(text)
        if question_id in self.anonymous_boxes:
            self._load_anonymous(question_id, anonymous)

    def busy(self, question_id: str) -> bool:
        """The participant has something in this box the store does not hold."""
        return self.fields[question_id].busy

    def load(self, answers: Mapping[str, str], anonymous: Collection[str] = ()) -> None:
        """Show the store's answers (``{question_id: text}``) without saving;
        boxes not named are emptied. ``anonymous``: the questions whose
        answer was given without a name (their checkbox is ticked)."""
        with self.hold_trait_notifications():  # one change of value, not one per box
            for qid, field in self.fields.items():
                field.load(answers.get(qid, ""))
            for qid in self.anonymous_boxes:
                self._load_anonymous(qid, qid in anonymous)

    def _load_anonymous(self, question_id: str, anonymous: bool) -> None:
        self._saved_anonymous[question_id] = anonymous
        self._loading_flags = True
        try:
            self.anonymous_boxes[question_id].value = anonymous
        finally:
            self._loading_flags = False

    def _check_part(self, question_id: str, text: Any) -> str:
        if not isinstance(text, str):
            raise traitlets.TraitError(f"answer to {self._name(question_id)}: expected text, got {type(text).__name__}")
        return text

    def _name(self, question_id: str) -> str:
        return named(self.tool, question_id) if question_id in {q.id for q in self.tool.questions} else repr(question_id)
