"""Tables working together (issue #15), as frames: each table's shared
answers in the columns every view and export agrees on, and how a table's
members rated a tool.

    >>> table_answers(store, "demo", view=View.GUIDE)[["table", "tool", "question", "value"]]
    >>> rating_spread(["5", "2", "not-sure", "3", "3"], min_group=3)
    'Ratings at your table: 2, 3, 3, 5 · 1 not sure'
    >>> rating_spread(["5", "2"], min_group=3)
    'Ratings at your table are shown once 3 have rated (2 so far).'

A table answer's author is shown as the view may show a participant
(:mod:`toolkit.frames.views`): the frame's ``name`` and ``organization``
are empty when names are hidden, as in the answers frames. One written on
a table's shared device has ``participant_id`` 0 and no author columns.
Individual ratings stay individual: the sector heatmap is built from them
alone, and a table's spread is only ever shown to that table, and only
once at least the workshop's minimum group size rated (as a sector's mean
is: :mod:`toolkit.frames.views`), so no one reads a tablemate's rating off
a spread of two.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from toolkit.frames.views import View, natural_key
from toolkit.store.checks import MAX_ANSWER_CHARS
from toolkit.store.values import NOT_SURE

if TYPE_CHECKING:
    import pandas as pd

    from toolkit.content import Toolkit
    from toolkit.frames.compute import Lookups
    from toolkit.store import AnswerStore
    from toolkit.store.values import TableAnswer

#: What a table whose members have not rated a tool yet reads.
NO_RATINGS = "Nobody at your table has rated this tool yet."
#: What a table with fewer ratings than the minimum group size reads.
WITHHELD = "Ratings at your table are shown once {n} have rated ({so_far} so far)."


def table_answers_frame(rows: Sequence[TableAnswer], look: Lookups, kit: Toolkit) -> pd.DataFrame:
    """Current table answers (:meth:`AnswerStore.current_table_answers`)
    as the ``table_answers`` frame: cleared ones and rows no view can show
    (a time out of range, text over the limit) left out; ordered by table
    ("Table 2" before "Table 10"), tool and question."""
    # Here, not at the top: a page showing a table's spread needs no pandas.
    import numpy as np
    import pandas as pd

    from toolkit.frames.columns import empty, shape
    from toolkit.frames.rows import is_time

    kept = [r for r in rows if r.value and is_time(r.created) and len(r.value) <= MAX_ANSWER_CHARS]
    if not kept:
        return empty("table_answers")
    position = {q.id: (t.number, i) for t in kit.tools for i, q in enumerate(t.questions)}
    kept.sort(key=lambda r: (natural_key(r.table), *position.get(r.question_id, (999, 999)), r.id))
    people = look.people_index.get_indexer(np.array([r.participant_id or 0 for r in kept], dtype="int64"))
    tools = look.tool_index.get_indexer(np.array([r.tool_id for r in kept], dtype=object))
    df = pd.DataFrame(
        {
            "table_answer_id": [r.id for r in kept],
            "round": [r.round for r in kept],
            "participant_id": [r.participant_id or 0 for r in kept],
            **{c: look.people_text[c].take(people, allow_fill=True) for c in ("name", "organization", "sector")},
            "table": [r.table for r in kept],
            "tool_id": [r.tool_id for r in kept],
            "tool_number": np.where(tools >= 0, look.tool_numbers[tools], 0),
            **{c: look.tool_text[c].take(tools, allow_fill=True) for c in look.tool_text},
            "question_id": [r.question_id for r in kept],
            "question": [look.questions.get(r.question_id, "") for r in kept],
            "value": [r.value for r in kept],
            "created": [r.created for r in kept],
        }
    )
    return shape("table_answers", df)


def table_answers(store: AnswerStore, slug: str, round: int | None = None, *, view: View | None = None) -> pd.DataFrame:
    """Every table's current answers in a round (default: the current one),
    masked for ``view``."""
    from toolkit.frames.compute import Source

    rows = store.current_table_answers(slug, round)
    return table_answers_frame(rows, Source.read(store, slug, view).lookups(store.kit), store.kit)


def rating_spread(values: Iterable[str], *, min_group: int = 1) -> str:
    """How a table's members rated a tool, lowest first, as the table's own
    page says it: each rating apart (never a mean: the table sees its
    spread, the heatmap keeps the sectors' means), then the "not sure"s.
    Fewer than ``min_group`` ratings (``settings.min_group``) are not
    shown, only how many there are.

        >>> rating_spread(["5", "2", "not-sure", "3", "3"], min_group=3)
        'Ratings at your table: 2, 3, 3, 5 · 1 not sure'
    """
    values = list(values)
    unsure = sum(1 for v in values if v == NOT_SURE)
    numbers = sorted(int(v) for v in values if v != NOT_SURE and v.lstrip("-").isdigit())
    if not numbers and not unsure:
        return NO_RATINGS
    if len(numbers) + unsure < min_group:
        return WITHHELD.format(n=min_group, so_far=len(numbers) + unsure)
    parts = ["Ratings at your table: " + (", ".join(map(str, numbers)) if numbers else "none yet")]
    if unsure:
        parts.append(f"{unsure} not sure")
    return " · ".join(parts)
