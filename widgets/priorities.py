"""The priorities page: sign in, then spread your dots over the 17 tools.

    >>> page = PrioritiesPage(kit, signin=SignIn(kit), budget=5)
    >>> page.vote.counts["share-discretion"].value = 2

The Session builds it (``session.priorities()``) and saves each change with
``store.save_dots``; the page itself never writes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import traitlets

from toolkit.store.values import VOTE
from widgets.dot_vote import DotVote
from widgets.autosave import SavedSummary
from widgets.page import Page, notice_line
from widgets.room import RoomStatus
from widgets.stage_workbook import stage_links
from widgets.style import esc, focus, hook, shared_style, style_block

if TYPE_CHECKING:
    from toolkit.content import Toolkit
    from widgets.signin import SignIn

SIGN_IN_FIRST = "Sign in above to place your dots."
VOTE_CLOSED = "The facilitator has closed the dot vote: your dots are shown read-only."
#: On a table's shared device, which is signed in but has no dots of its own.
TABLE_DEVICE = ("Dots are each person's own, so this table's shared device has none. "
                "Place yours on your own phone or laptop, or choose \u201cNot you? Sign in again\u201d above to sign in as yourself here.")


class PrioritiesPage(Page):
    """``value`` is linked to ``vote.value`` (``{tool_id: dots}``, both
    ways); ``ready`` (signed in), ``problem`` and ``closed`` (the
    facilitator closed the vote) decide ``disabled``, which is passed on
    to the vote; ``problem``, ``store_error`` and the closed vote are shown
    in the notice (see :class:`~widgets.page.Page`). ``order``: today's
    tools and the others (:func:`toolkit.frames.views.today`). Children:
    ``header``, ``links``, ``room`` (:class:`~widgets.room.RoomStatus`:
    the timer, the vote closing), ``signin``, ``notice`` (Label),
    ``saved`` (:class:`~widgets.autosave.SavedSummary`), ``vote``
    (:class:`DotVote`). CSS: ``xs-page xs-priorities``, ``xs-notice``,
    ``xs-vote-closed`` while closed."""

    value = traitlets.Dict(help="{tool_id: dots}")
    closed = traitlets.Bool(False, help="the facilitator closed the dot vote")
    shared = traitlets.Bool(False, help="signed in as a table's shared device (no dots of its own)")

    def __init__(self, kit: Toolkit, signin: SignIn | None = None, *, budget: int = 5, order: tuple[list[str], list[str]] | None = None, **kwargs: Any):
        # Children first, super().__init__ last: the observers (also of
        # traits given as kwargs) always find the page built.
        self.header = hook(
            widgets.HTML(
                f'<div class="xs-eyebrow">After the {len(kit.stages)} stages</div><h1>{esc(kit.pages.priorities_title)}</h1>'
                '<p class="xs-lead">Which tools should our collaboration work on first?</p>'
                "<p>You have a few dots to spread over the tools. Put several on one tool if it matters a lot, "
                "or one each on several. You can move them until the facilitator closes the vote.</p>",
                layout=widgets.Layout(width="100%"), style=shared_style(widgets.HTML),
            ),
            "xs-priorities-header",
        )
        self.links = widgets.HTML(stage_links(kit, None), layout=widgets.Layout(width="100%"), style=shared_style(widgets.HTML))
        self.signin = signin
        self.notice = notice_line()
        self.room = RoomStatus(lock_key=VOTE, lock_title="The dot vote", lock_verb="closes")
        self.vote = DotVote(kit, budget=budget)
        self.saved = SavedSummary()
        self.saved.watch(self.vote.status, *(row.status for row in self.vote.counts.values()))
        if order is not None:
            self.vote.set_order(*order)
        traitlets.link((self.vote, "value"), (self, "value"))
        traitlets.dlink((self, "disabled"), (self.vote, "disabled"))
        self._apply()
        super().__init__([style_block(), self.header, self.links, self.room, *([signin] if signin is not None else []), self.notice, self.saved, self.vote], **kwargs)
        hook(self, "xs-page", "xs-priorities")

    def focus_first(self) -> widgets.Widget | None:
        """The first tool listed (pressing it places a dot)."""
        first = next(iter(self.vote.children_rows()), None)
        return focus(first.add if first is not None else None)

    @traitlets.observe("closed", "shared")
    def _closed_changed(self, _change: dict[str, Any]) -> None:
        self._apply()

    def _apply(self) -> None:
        self.disabled = not self.ready or bool(self.problem) or self.closed
        if hasattr(self, "saved"):
            self.saved.active = self.ready and not self.problem
        (self.add_class if self.closed else self.remove_class)("xs-vote-closed")
        self.say(self.problem or self.store_error or (VOTE_CLOSED if self.closed else "") or ("" if self.ready else TABLE_DEVICE if self.shared else SIGN_IN_FIRST))
