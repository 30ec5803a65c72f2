"""What the facilitator does while the room works, as store verbs: today's
plan, the discussion timer, locks with notice, the dot vote, hiding an
answer (moderation) and the presenter's section. Part of
:class:`~toolkit.store.AnswerStore` (a mixin, kept apart from the writes of
answers); every change is one transaction on the workshop's settings,
checked by :func:`toolkit.store.checks.settings`.

    >>> store.use_plan("riverside", "first-meeting")        # an agenda template
    >>> store.set_plan("riverside", [(1, 20), (2, None)])   # by hand: tool, minutes
    >>> store.start_timer("riverside", 600)                 # ten minutes, on every page
    >>> store.lock_with_notice("riverside", "diagnosis", 120)
    >>> store.set_vote("riverside", open=False)             # close the dot vote
    >>> store.hide_answer("riverside", 4182)                # off the projected views and the guide

Nothing here deletes: a hidden answer stays in the store (and the JSON
backup) and comes back with :meth:`Controls.show_answer`; a lock with notice
is a time in the settings, in force from then on (:meth:`WorkshopSettings.is_locked`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from toolkit.errors import NotFound
from toolkit.store import checks
from toolkit.store.schema import answers as t_answers
from toolkit.store.values import VOTE, Answer, PlanSlot, Workshop, WorkshopSettings

if TYPE_CHECKING:
    from toolkit.content import Toolkit

#: Minutes a tool gets in a plan given by hand when its facilitator notes
#: name none.
DEFAULT_TOOL_MINUTES = 20


class Controls:
    """The facilitator's controls (mixed into :class:`~toolkit.store.AnswerStore`)."""

    kit: Toolkit
    _change_settings: Callable[..., Workshop]
    _read: Callable[[], sa.Connection]
    _workshop_row: Callable[..., Workshop]

    def _settings_change(self, slug: str, change: Callable[[WorkshopSettings], WorkshopSettings]) -> Workshop:
        """Apply ``change`` to the current settings (locks whose notice ran
        out written as locks first) and check the result."""

        def apply(_conn: sa.Connection, ws: Workshop) -> WorkshopSettings:
            return checks.settings(self.kit, change(ws.settings.settled()).to_dict())

        return self._change_settings(slug, apply)

    # -- today's plan ------------------------------------------------------

    def set_plan(self, slug: str, tools: Iterable[tuple[str | int, int | None]], *, template: str = "") -> Workshop:
        """Today's plan by hand: ``(tool id or number, minutes)`` in order;
        minutes ``None`` take the tool's facilitator notes (else
        :data:`DEFAULT_TOOL_MINUTES`). An empty list clears the plan."""
        slots = []
        for ref, minutes in tools:
            tool = checks.tool(self.kit, ref if isinstance(ref, str) else str(ref), loose=True)
            if minutes is None:
                minutes = tool.facilitation.minutes if tool.facilitation else DEFAULT_TOOL_MINUTES
            slots.append({"tool": tool.id, "minutes": minutes})
        checks.plan(self.kit, slots)
        plan = tuple(PlanSlot(s["tool"], s["minutes"]) for s in slots)
        return self._settings_change(slug, lambda s: replace(s, plan=plan, plan_template=template if plan else ""))

    def use_plan(self, slug: str, plan_id: str) -> Workshop:
        """Today's plan from an agenda template (``workshop plans`` lists
        them; by id, or the start of its title: ``half-day``): its tools in
        order, each with its minutes (a tool a template has twice keeps its
        first slot)."""
        template = checks.plan_template(self.kit, plan_id)
        minutes: dict[str, int] = {}
        for session in template.sessions:
            for item in session.items:
                if item.tool_id is not None and item.tool_id not in minutes:
                    minutes[item.tool_id] = item.minutes
        return self.set_plan(slug, list(minutes.items()), template=template.id)

    def clear_plan(self, slug: str) -> Workshop:
        """No plan: every tool is in scope."""
        return self.set_plan(slug, [])

    # -- timer ---------------------------------------------------------------

    def start_timer(self, slug: str, seconds: int) -> Workshop:
        """A discussion timer of ``seconds`` from now, counting down on every page."""
        seconds = checks.timer_seconds(seconds)
        return self._settings_change(slug, lambda s: replace(s, timer_ends=time.time() + seconds, timer_seconds=seconds))

    def stop_timer(self, slug: str) -> Workshop:
        return self._settings_change(slug, lambda s: replace(s, timer_ends=None, timer_seconds=0))

    # -- locks with notice and the dot vote ------------------------------------

    def lock_with_notice(self, slug: str, key: str | int, seconds: float) -> Workshop:
        """Lock a stage (id or number) or the dot vote (:data:`VOTE`) in
        ``seconds``: pages count down, and the lock falls by itself."""
        key = VOTE if key == VOTE else self.kit.stage(key).id
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 0 < seconds <= checks.MAX_TIMER_SECONDS:
            raise checks.refuse("lock notice", f"expected 1 to {checks.MAX_TIMER_SECONDS:,} seconds, got {checks.shown(seconds)}")
        at = time.time() + float(seconds)

        def change(s: WorkshopSettings) -> WorkshopSettings:
            stages = dict(s.stages)
            if key != VOTE:
                stages[key] = "open"  # locked when the notice runs out
            return replace(s, stages=MappingProxyType(stages), lock_at=MappingProxyType({**s.lock_at, key: at}),
                           vote_closed=False if key == VOTE else s.vote_closed)

        return self._settings_change(slug, change)

    def set_vote(self, slug: str, *, open: bool) -> Workshop:
        """Close the dot vote now (``open=False``) or reopen it; a pending notice is dropped."""

        def change(s: WorkshopSettings) -> WorkshopSettings:
            return replace(s, vote_closed=not open, lock_at=MappingProxyType({k: v for k, v in s.lock_at.items() if k != VOTE}))

        return self._settings_change(slug, change)

    # -- moderation ---------------------------------------------------------------

    def hide_answer(self, slug: str, answer_id: int) -> Workshop:
        """Keep one answer off every view but the backup (the dashboard,
        the presenter view, the guide, the spreadsheets), without deleting it."""
        answer = self.answer(slug, answer_id)
        return self._settings_change(slug, lambda s: replace(s, hidden=tuple(sorted({*s.hidden, answer.id}))))

    def show_answer(self, slug: str, answer_id: int) -> Workshop:
        """Show a hidden answer again."""
        checks.answer_id(answer_id)

        def change(s: WorkshopSettings) -> WorkshopSettings:
            if answer_id not in s.hidden:
                raise NotFound(f"answer {answer_id} is not hidden in {slug!r} (hidden: {', '.join(map(str, s.hidden)) or 'none'})")
            return replace(s, hidden=tuple(i for i in s.hidden if i != answer_id))

        return self._settings_change(slug, change)

    def answer(self, slug: str, answer_id: int) -> Answer:
        """One answer row of a workshop by id; :class:`NotFound` otherwise."""
        checks.answer_id(answer_id)
        with self._read() as conn:
            ws = self._workshop_row(conn, slug)
            row = conn.execute(sa.select(t_answers).where(t_answers.c.id == answer_id, t_answers.c.workshop_id == ws.id)).mappings().first()
        if row is None:
            raise NotFound(f"workshop {slug!r} has no answer {answer_id} (the dashboard's feed and the console show answer ids)")
        return _answer(row)

    def hidden_answers(self, slug: str) -> list[Answer]:
        """The workshop's hidden answers, oldest first (the console lists them)."""
        with self._read() as conn:
            ws = self._workshop_row(conn, slug)
            if not ws.settings.hidden:
                return []
            query = sa.select(t_answers).where(t_answers.c.workshop_id == ws.id, t_answers.c.id.in_(ws.settings.hidden)).order_by(t_answers.c.id)
            return [_answer(r) for r in conn.execute(query).mappings()]

    # -- the presenter view --------------------------------------------------------

    def show_screen(self, slug: str, screen: str) -> Workshop:
        """Put one section on the presenter view (``""``: let it choose or cycle)."""
        return self._settings_change(slug, lambda s: replace(s, screen=screen))


def _answer(row: Any) -> Answer:
    return Answer(**{k: row[k] for k in ("id", "workshop_id", "participant_id", "round", "tool_id", "question_id", "kind", "value", "created")})
