"""The readiness rating of one tool: "How well does our collaboration do
this today?" on the content's scale, plus "Not sure" and, when the scale
names it, "Not yet relevant at our stage" (counted apart from both).

    >>> rating = Rating(kit.scale, "share-discretion")
    >>> rating.on_rate(lambda value: ...)        # 1..5, "not-sure" or "not-yet"
    >>> rating.on_comment(lambda text: ...)      # autosaved like answers
    >>> rating.buttons.value = 2                 # the comment box appears

A low rating (at or below the scale's ``low_at``: 1 or 2 of 5 in the
packaged content) opens a comment box asking the scale's ``low_prompt``
("What is missing?"); it is autosaved like an answer (see
:mod:`widgets.autosave`). The rating itself is saved at once, on the click.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import traitlets

from toolkit.store.checks import MAX_ANSWER_CHARS
from toolkit.store.values import NOT_SURE, NOT_YET
from widgets.autosave import (
    DEFAULT_DELAY,
    AutosaveField,
    CallLater,
    Debouncer,
    SaveStatus,
)
from widgets.style import GROUP, GROUP_LABEL, LABEL_STYLE, RADIOGROUP, esc, hook, max_length, shared_style

if TYPE_CHECKING:
    from toolkit.content import Scale


class Rating(widgets.VBox):
    """``value`` is ``None`` (not rated yet), a scale point (``1``..``5``),
    ``"not-sure"`` or ``"not-yet"``. ``scale`` is the content's
    :class:`~toolkit.content.Scale`: its points, labels and low ratings.
    ``value`` is linked to the buttons: clicking sets it, and setting it
    from outside presses the button (and is saved like a click;
    :meth:`load` shows the store's rating without saving it).
    ``disabled`` makes the buttons and the comment read-only.

    Children: ``question`` (HTML heading, and what each point means),
    ``buttons`` (RadioButtons, class ``xs-rating``: native radios, one
    group labelled by the question, styled as pills), ``status``
    (``xs-save-status``), ``comment`` (Textarea, ``xs-rating-comment``),
    ``comment_status``, ``comment_box`` (shown only for a low rating).
    """

    value = traitlets.Any(None, allow_none=True, help="1..n, 'not-sure', 'not-yet' or None")
    disabled = traitlets.Bool(False, help="buttons and comment read-only")

    def __init__(self, scale: Scale, tool_id: str, *, delay: float = DEFAULT_DELAY, call_later: CallLater | None = None, **kwargs: Any):
        # Children first, super().__init__ last: the observers (also of
        # traits given as kwargs) always find the buttons built.
        self.scale = scale
        self.tool_id = tool_id
        self._rate_handlers = widgets.CallbackDispatcher()
        self._comment_handlers = widgets.CallbackDispatcher()
        self._loading = False
        self.saved_value: Any = None
        options = [(f"{p.value} · {p.label}", p.value) for p in scale.points] + [(scale.not_sure, NOT_SURE)]
        if scale.not_yet:
            options.append((scale.not_yet, NOT_YET))
        self.question = hook(widgets.HTML(f"<h3>{esc(scale.question)}</h3>{_points(scale)}", style=shared_style(widgets.HTML)), "xs-rating-question", GROUP_LABEL)
        # Native radios, one group named by the question (the served page's
        # a11y.js gives them one name and role=radiogroup): arrow keys move
        # the choice and a screen reader says which is checked. ToggleButtons
        # are buttons whose choice is only a CSS class.
        self.buttons = widgets.RadioButtons(
            options=options,
            value=None,
            orientation="horizontal",
            style=shared_style(widgets.RadioButtons, **LABEL_STYLE),
            layout=widgets.Layout(width="100%"),
        )
        hook(self.buttons, "xs-rating", f"xs-rating-{tool_id}", RADIOGROUP)
        self.status = SaveStatus()
        self.debouncer = Debouncer(self._fire_comment, delay=delay, call_later=call_later)
        self.comment = widgets.Textarea(
            value="",
            description=scale.low_prompt,
            placeholder="For example: no shared data yet, the business partners were not asked, …",
            continuous_update=True,
            rows=3,
            style=shared_style(widgets.Textarea, **LABEL_STYLE),
            layout=widgets.Layout(width="100%"),
        )
        hook(self.comment, "xs-rating-comment", "xs-stacked")
        max_length(self.comment, MAX_ANSWER_CHARS)  # the store's limit for a comment
        self.comment_status = SaveStatus()
        self.comment_box = hook(widgets.VBox([self.comment, self.comment_status], layout=widgets.Layout(width="100%", display="none")), "xs-rating-comment-box")
        self.comment_field = AutosaveField("comment", self.comment, self.comment_status, self.debouncer, row=self.comment_box)
        self.elsewhere: Any = None  # the ElsewhereNotice, built when first needed
        self._mine: Any = None  # the rating "Use mine" saves
        # The link first: value is current when the rate callbacks run.
        traitlets.link((self.buttons, "value"), (self, "value"))
        self.buttons.observe(self._clicked, "value")
        for part in (self.buttons, self.comment):
            traitlets.dlink((self, "disabled"), (part, "disabled"))
        super().__init__([self.question, self.buttons, self.status, self.comment_box], **kwargs)
        hook(self, "xs-rating-block", GROUP)

    @traitlets.validate("value")
    def _valid_value(self, proposal: dict[str, Any]) -> Any:
        allowed = [p.value for p in self.scale.points] + [NOT_SURE] + ([NOT_YET] if self.scale.not_yet else [])
        try:
            value = _parse(proposal["value"])
        except (TypeError, ValueError):
            value = proposal["value"]
        if value is not None and value not in allowed:
            raise traitlets.TraitError(f"rating {proposal['value']!r}: expected one of {', '.join(map(str, allowed))} or None")
        return value

    # -- events -----------------------------------------------------------

    def on_rate(self, callback: Callable[[Any], Any], remove: bool = False) -> None:
        """Register ``callback(value)``: ``1``..``5``, ``"not-sure"`` or ``"not-yet"``."""
        self._rate_handlers.register_callback(callback, remove=remove)

    def on_comment(self, callback: Callable[[str], Any], remove: bool = False) -> None:
        """Register ``callback(text)``, called when the comment has settled."""
        self._comment_handlers.register_callback(callback, remove=remove)

    def flush(self) -> None:
        """Emit a pending comment save now."""
        self.debouncer.flush()

    def _clicked(self, change: dict[str, Any]) -> None:
        self._show_comment()
        if self._loading or change["new"] is None:
            return
        self.status.editing()
        self._rate_handlers(change["new"])

    def _fire_comment(self, _key: Any) -> None:
        if self.comment_field.in_conflict:
            return  # saved once the participant has chosen
        if not self.comment_field.unsettled:
            self.comment_field.settled()
            return
        self._comment_handlers(self.comment.value)

    def _show_comment(self) -> None:
        low = self.scale.is_low(self.buttons.value)
        self.comment_box.layout.display = None if low else "none"

    @property
    def comment_visible(self) -> bool:
        return self.comment_box.layout.display != "none"

    # -- state from whoever saved -----------------------------------------

    def mark_rating_saved(self, value: Any, when: float) -> None:
        self.saved_value = value
        self.status.saved(when)

    def mark_rating_failed(self, reason: str) -> None:
        """Show why, and put the buttons back to what the store holds."""
        self._set_buttons(self.saved_value)
        self.status.failed(reason)

    def mark_rating_retrying(self, reason: str) -> None:
        """The click failed for a passing ``reason`` and is saved again by
        itself: the buttons keep it, the status says so."""
        self.status.retrying(reason)

    def mark_comment_retrying(self, reason: str) -> None:
        self.comment_field.mark_retrying(reason)

    def mark_comment_saved(self, text: str, when: float) -> None:
        self.comment_field.mark_saved(text, when)

    def mark_comment_failed(self, reason: str) -> None:
        self.comment_field.mark_failed(reason)

    def rating_changed_elsewhere(self, theirs: Any, mine: Any) -> None:
        """The click on ``mine`` was refused: the store holds ``theirs``,
        chosen in another tab or on another device. Show theirs, say so, and
        offer "Use mine" (hooks ``xs-changed-elsewhere``, ``xs-use-mine``)."""
        from widgets.conflict import ElsewhereNotice

        theirs, mine = _parse(theirs), _parse(mine)
        self.saved_value = theirs
        self._set_buttons(theirs)
        self.status.saved(None)
        if self.elsewhere is None:
            self.elsewhere = ElsewhereNotice()
            self.elsewhere.on_use_mine(self._use_mine)
            children = list(self.children)
            self.children = [*children[: children.index(self.status) + 1], self.elsewhere, *children[children.index(self.status) + 1 :]]
        self._mine = mine
        self.elsewhere.show(theirs=self.label_for(theirs), mine=self.label_for(mine))

    def _use_mine(self) -> None:
        if self.elsewhere is not None:
            self.elsewhere.hide()
        self.buttons.value = self._mine  # a click: saved over theirs

    def label_for(self, value: Any) -> str:
        """A rating as the buttons show it (``4 · Mostly``, ``Not sure``)."""
        value = _parse(value)
        if value is None:
            return "no rating"
        return next((label for label, v in self.buttons.options if v == value), str(value))

    def comment_conflict(self, *, mine: str, theirs: str, when: float) -> None:
        """The comment ``mine`` was refused: the store holds ``theirs``."""
        self.comment_field.conflict(mine=mine, theirs=theirs, when=when)

    def load_rating(self, rating: Any) -> None:
        """Show a rating the store holds (a newer one from elsewhere)."""
        value = _parse(rating)
        self.saved_value = value
        self._set_buttons(value)
        if value is None:
            self.status.clear()
        else:
            self.status.saved(None)
        if self.elsewhere is not None:
            self.elsewhere.hide()

    def load(self, rating: Any, comment: str = "") -> None:
        """Show the stored rating (``"3"``, ``3``, ``"not-sure"`` or ``None``)
        and comment without saving them again."""
        self.load_rating(rating)
        self.comment_field.load(comment or "")

    def _set_buttons(self, value: Any) -> None:
        self._loading = True
        try:
            self.buttons.value = value
        finally:
            self._loading = False


#: What the choices beside the scale's points mean.
NOT_SURE_MEANS = "We do not know enough to say yet."
NOT_YET_MEANS = "This tool matters later in our work, not at the stage we are at now."


def _points(scale: Scale) -> str:
    """What each choice means, folded under the question (where the
    buttons' hover texts used to say it: a hover reaches neither a
    keyboard nor a phone)."""
    meanings = [(f"{p.value} · {p.label}", p.description) for p in scale.points if p.description]
    meanings.append((scale.not_sure, NOT_SURE_MEANS))
    if scale.not_yet:
        meanings.append((scale.not_yet, NOT_YET_MEANS))
    items = "".join(f"<dt>{esc(choice)}</dt><dd>{esc(means)}</dd>" for choice, means in meanings)
    return f'<details class="xs-scale-help"><summary>What the points mean</summary><dl>{items}</dl></details>'


def _parse(value: Any) -> Any:
    if value is None or value == "":
        return None
    if value in (NOT_SURE, NOT_YET):
        return value
    return int(value)
