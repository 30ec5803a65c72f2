"""The workshop kit's core: content model, answer store, frames, exports and
the ``workshop`` command line. Nothing here imports ipywidgets, and nothing
heavy (pandas, SQLAlchemy) is imported until it is used, so a Voila kernel
starts light.
"""

from toolkit.errors import (
    ContentError,
    InvalidAnswer,
    NotFound,
    StageLocked,
    ToolkitError,
    UnknownTool,
)

__all__ = [
    "ContentError",
    "InvalidAnswer",
    "NotFound",
    "StageLocked",
    "ToolkitError",
    "UnknownTool",
]
