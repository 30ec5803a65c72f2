"""pandas DataFrames of one workshop, with columns and dtypes defined once so
every view and export agrees on them.

    >>> from toolkit import frames
    >>> f = frames.all_frames(store, "riverside-partners")
    >>> f["ratings"].query("sector == 'all'")[["tool", "mean", "band"]]

- :mod:`~toolkit.frames.columns`: the columns, dtypes and rating bands
- :mod:`~toolkit.frames.compute`: frames computed from the store
- :mod:`~toolkit.frames.live`: frames kept up to date for a view that refreshes
- :mod:`~toolkit.frames.views`: who may see what; frames masked for the view that asks
- :mod:`~toolkit.frames.rows`: stored rows no view can show, left out with a warning
- :mod:`~toolkit.frames.tables`: a table's shared answers and its ratings' spread (issue #15)

The names below are imported on first use: a page that only needs the
privacy rule (:mod:`~toolkit.frames.views`) does not pull in pandas.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

#: Each public name and the module that defines it.
_WHERE = {
    **dict.fromkeys(
        ("ALL_SECTORS", "BAND_LABELS", "BANDS", "COLUMNS", "DISCUSS_AT", "DIVERGENCE_GAP", "FRAME_NAMES", "STRENGTH_AT", "band", "band_range", "empty"),
        "columns",
    ),
    **dict.fromkeys(
        ("Lookups", "actions", "all_frames", "answers", "current_answers", "divergence", "participants", "priorities", "progress", "ratings"), "compute"
    ),
    **dict.fromkeys(("FIRST_LOOK", "HOLD_SECONDS", "LiveFrames", "live_frames"), "live"),
    "BadRow": "rows",
    **dict.fromkeys(("Audience", "View", "audience", "for_view", "summary"), "views"),
    **dict.fromkeys(("table_answers", "rating_spread"), "tables"),
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(f"toolkit.frames.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'toolkit.frames' has no attribute {name!r}")
