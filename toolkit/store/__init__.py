"""The answer store: workshops, participants, answers and actions that are
never lost, behind one small interface (:class:`AnswerStore`).

- :mod:`~toolkit.store.answer_store`: ``AnswerStore`` (SQLAlchemy Core)
- :mod:`~toolkit.store.schema`: tables, engines, upgrades
- :mod:`~toolkit.store.values`: the frozen values it hands out
- :mod:`~toolkit.store.checks`: the checks every write path calls
- :mod:`~toolkit.store.controls`: the facilitator's controls (plan, timer, locks with notice, vote, hidden answers)
- :mod:`~toolkit.store.demo`: the fictional demo workshop

``AnswerStore`` is imported on first use, so importing the values or the
checks does not pull in SQLAlchemy (a Voila kernel starts light).
"""

from __future__ import annotations

from typing import Any

__all__ = ["ANSWER_COLUMNS", "AnswerStore", "identity_key"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from toolkit.store import answer_store

        return getattr(answer_store, name)
    raise AttributeError(f"module 'toolkit.store' has no attribute {name!r}")
