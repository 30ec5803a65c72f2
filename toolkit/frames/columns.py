"""The frames' columns and dtypes, defined once (:data:`COLUMNS`) so every
view and export agrees on them, and the bands ratings fall into.

Ratings are banded: **strength** at a mean of 4 or more, **discuss** from 3,
**concern** below 3. A tool is flagged for **divergence** ("partners see this
differently") when the means of two sectors differ by
:data:`DIVERGENCE_GAP` points or more: the cross-sector conversation the
toolkit exists for.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Means at or above this are a strength.
STRENGTH_AT = 4.0
#: Means at or above this (and below STRENGTH_AT) are to discuss; below is a concern.
DISCUSS_AT = 3.0
#: Sector means this far apart (points on the 1-5 scale) flag a divergence.
DIVERGENCE_GAP = 1.5
#: Label of the row that aggregates every sector.
ALL_SECTORS = "all"

TOOL_COLUMNS = {"tool_id": "string", "tool_number": "int64", "tool": "string", "stage_id": "string", "stage": "string"}
WHO_COLUMNS = {"participant_id": "int64", "name": "string", "organization": "string", "sector": "string", "table": "string"}

#: Every frame's columns, in order, with their dtypes.
COLUMNS: dict[str, dict[str, str]] = {
    "participants": {**WHO_COLUMNS, "created": "datetime64[ns, UTC]"},
    "answers": {
        "answer_id": "int64",
        "round": "int64",
        **WHO_COLUMNS,
        **TOOL_COLUMNS,
        "question_id": "string",
        "question": "string",
        "kind": "string",
        "value": "string",
        "created": "datetime64[ns, UTC]",
        # Given without the participant's name: who-columns empty in every
        # view but the backup (toolkit.frames.views.unattributed).
        "anonymous": "bool",
    },
    # withheld: fewer than the minimum group rated; mean and band are left empty.
    "ratings": {**TOOL_COLUMNS, "sector": "string", "mean": "float64", "count": "int64", "not_sure": "int64", "not_yet": "int64", "band": "string", "withheld": "bool"},
    "divergence": {
        **TOOL_COLUMNS,
        "sectors": "int64",
        "low_sector": "string",
        "low_mean": "float64",
        "high_sector": "string",
        "high_mean": "float64",
        "gap": "float64",
        "spread": "float64",
        "count": "int64",
        "flagged": "bool",
    },
    "progress": {**TOOL_COLUMNS, "table": "string", "participants": "int64", "answered": "int64", "questions": "int64", "share": "float64", "rated": "bool"},
    "priorities": {**TOOL_COLUMNS, "dots": "int64", "voters": "int64", "rank": "int64"},
    "actions": {
        "action_id": "int64",
        **TOOL_COLUMNS,
        "what": "string",
        "owner": "string",
        "owner_sector": "string",
        "due": "string",
        "status": "string",
        "created": "datetime64[ns, UTC]",
        "updated": "datetime64[ns, UTC]",
    },
}
COLUMNS["current_answers"] = COLUMNS["answers"]
#: The tools a view covers (toolkit.frames.views.scope): planned or answered.
COLUMNS["scope"] = {**TOOL_COLUMNS, "planned": "bool", "minutes": "int64", "order": "int64"}
#: Each table's current shared answer per question (issue #15); the
#: author's columns as in the answers (``participant_id`` 0: the table's
#: shared device).
COLUMNS["table_answers"] = {
    "table_answer_id": "int64",
    "round": "int64",
    **WHO_COLUMNS,
    **TOOL_COLUMNS,
    "question_id": "string",
    "question": "string",
    "value": "string",
    "created": "datetime64[ns, UTC]",
}

#: Frame names in the order exports list them.
FRAME_NAMES = ("answers", "current_answers", "table_answers", "ratings", "divergence", "progress", "priorities", "actions", "participants", "scope")


def in_order(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """``frames`` in :data:`FRAME_NAMES` order (then any other), as every
    view and export lists them."""
    return {**{n: frames[n] for n in FRAME_NAMES if n in frames}, **{n: df for n, df in frames.items() if n not in FRAME_NAMES}}


#: The bands, best first.
BANDS = ("strength", "discuss", "concern")
#: A band's name as a legend or a cell shows it.
BAND_LABELS = {"strength": "Strength", "discuss": "Discuss", "concern": "Concern"}


def band_range(name: str) -> str:
    """The means a band covers, in words, for legends:

        >>> band_range("discuss")
        'mean 3 to under 4'
    """
    return {
        "strength": f"mean {STRENGTH_AT:g} or more",
        "discuss": f"mean {DISCUSS_AT:g} to under {STRENGTH_AT:g}",
        "concern": f"mean under {DISCUSS_AT:g}",
    }[name]


def band(mean: float | None) -> str:
    """``strength``, ``discuss`` or ``concern`` for a mean rating; ``""``
    when nobody rated."""
    if mean is None or pd.isna(mean):
        return ""
    if mean >= STRENGTH_AT:
        return "strength"
    if mean >= DISCUSS_AT:
        return "discuss"
    return "concern"


def empty(name: str) -> pd.DataFrame:
    """An empty frame with the right columns and dtypes."""
    return pd.DataFrame({c: pd.Series([], dtype=dtype) for c, dtype in COLUMNS[name].items()}, index=pd.RangeIndex(0))


def shape(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with exactly frame ``name``'s columns, in order, with their
    dtypes (a missing column is filled in), indexed 0..n-1."""
    spec = COLUMNS[name]
    columns = {}
    for col, dtype in spec.items():
        values = df[col] if col in df.columns else pd.Series(np.nan, index=df.index, dtype="float64")
        if str(values.dtype) == dtype:
            pass  # built with the right dtype already
        elif dtype.startswith("datetime"):
            if not isinstance(values.dtype, pd.DatetimeTZDtype):
                values = pd.to_datetime(values.astype("float64"), unit="s", utc=True)
            values = values.astype(dtype)
        elif dtype == "bool":
            values = values.fillna(False).astype(bool)
        elif dtype == "int64":
            values = values.fillna(0).astype("int64")
        else:
            values = values.astype(dtype)
        columns[col] = values.array
    # One frame built from the finished arrays: cheaper than replacing
    # columns of a copy one by one.
    return pd.DataFrame(columns, index=pd.RangeIndex(len(df)))


