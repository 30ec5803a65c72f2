"""What the participant pages need of today's plan and the facilitator's
controls, without pandas (a participant's kernel starts light): the order
they list tools in, and how a countdown and a tool outside the plan read.
:mod:`toolkit.frames.views` covers the rest of the rule for the views
built from frames (the tools in scope, small groups, hidden answers).

    >>> today(kit, workshop.settings, [t.id for t in kit.tools_in("diagnosis")])
    >>> clock(598.2)
    '9:59'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from toolkit.content import Toolkit
    from toolkit.store.values import WorkshopSettings

#: What a tool outside today's plan is marked with.
NOT_PLANNED = "not in today's plan"


def today(kit: Toolkit, settings: WorkshopSettings, tool_ids: Iterable[str] | None = None) -> tuple[list[str], list[str]]:
    """``tool_ids`` (default: every tool) as a participant page lists
    them: today's tools first, in the plan's order, then the others in the
    content's order (those a page marks :data:`NOT_PLANNED`). Without a
    plan every tool is today's, in the content's order.

        >>> today(kit, settings, [t.id for t in kit.tools_in("diagnosis")])
        (['account-for-resources', 'engage-potential-partners'], ['share-a-vision-of-success', ...])
    """
    ids = [t.id for t in kit.tools] if tool_ids is None else list(tool_ids)
    if not settings.plan:
        return ids, []
    wanted = set(ids)
    first = [t for t in settings.planned if t in wanted]
    return first, [t for t in ids if t not in set(first)]


def clock(seconds: float) -> str:
    """A countdown as every view writes it, rounded up to the second:

        >>> clock(598.2), clock(3723), clock(0)
        ('9:59', '1:02:03', '0:00')
    """
    whole = int(-(-seconds // 1))
    h, rest = divmod(whole, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"
