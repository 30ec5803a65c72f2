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
"""

from toolkit.frames.columns import (
    ALL_SECTORS,
    BAND_LABELS,
    BANDS,
    COLUMNS,
    DISCUSS_AT,
    DIVERGENCE_GAP,
    FRAME_NAMES,
    STRENGTH_AT,
    band,
    band_range,
    empty,
)
from toolkit.frames.compute import (
    Lookups,
    actions,
    all_frames,
    answers,
    current_answers,
    divergence,
    participants,
    priorities,
    progress,
    ratings,
)
from toolkit.frames.live import FIRST_LOOK, HOLD_SECONDS, LiveFrames, live_frames
from toolkit.frames.rows import BadRow
from toolkit.frames.views import Audience, View, audience, for_view, summary

__all__ = [
    "ALL_SECTORS", "Audience", "BAND_LABELS", "BANDS", "BadRow", "COLUMNS", "View", "audience", "band_range", "for_view", "summary", "DISCUSS_AT", "DIVERGENCE_GAP", "FIRST_LOOK", "FRAME_NAMES", "HOLD_SECONDS", "STRENGTH_AT",
    "LiveFrames", "Lookups", "actions", "all_frames", "answers", "band", "current_answers", "divergence", "empty",
    "live_frames", "participants", "priorities", "progress", "ratings",
]
