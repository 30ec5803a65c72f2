"""Domain exceptions: raised where a rule lives, caught where a person is told.

Every message names what is wrong in words a facilitator can act on, so a
widget or the command line can show ``str(error)`` as it is.
"""

from __future__ import annotations


class ToolkitError(Exception):
    """Base of every error the kit raises on purpose."""


class ContentError(ToolkitError):
    """A content file is broken: the message names the file, the place inside
    it (``tools[6].questions[2].id``) and what was expected."""

    def __init__(self, file: str, place: str, problem: str):
        self.file = file
        self.place = place
        self.problem = problem
        where = f"{file}: {place}" if place else file
        super().__init__(f"{where}: {problem}")


class UnknownTool(ToolkitError, KeyError):
    """No tool, stage, question, sector or term has that id."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "unknown id"


class InvalidAnswer(ToolkitError, ValueError):
    """An answer, participant, action or workshop value was refused before
    anything was written."""


class NotFound(ToolkitError, LookupError):
    """A workshop, participant or action that the store does not hold."""


class StageLocked(InvalidAnswer):
    """The facilitator locked the stage: its answers are read-only."""


class StoreError(ToolkitError):
    """The answer store cannot be opened or used: the message names where it
    is (a path, or a URL without its password), the cause and what to do."""


class ImportFileError(ToolkitError):
    """An import file was refused whole: the message names row and column."""


class ToolkitWarning(UserWarning):
    """Warnings of the kit itself; the test suite turns them into errors."""


class ChangedElsewhere(ToolkitError):
    """A save was based on a version the store no longer holds as current:
    the same participant changed it meanwhile in another tab or on another
    device. Nothing was written over the newer version; the refused value
    is kept (in the store's ``superseded`` history).

    ``newer``: what the store holds now (an :class:`~toolkit.store.values.Answer`
    or :class:`~toolkit.store.values.Action`); ``mine``: the value refused."""

    def __init__(self, message: str, *, newer: object, mine: object):
        super().__init__(message)
        self.newer = newer
        self.mine = mine
