"""A box whose ``value`` is a dict of its inputs' values, kept in step both
ways: typing in an input updates ``value``, setting ``value`` fills the
inputs it names (the others keep theirs).

    >>> form.value                          # {"epp-1": "", "epp-2": "", ...}
    >>> form.value = {"epp-2": "The river trust"}
    >>> form.boxes["epp-2"].value
    'The river trust'

:class:`~widgets.question_form.QuestionForm` (answer boxes by question id),
:class:`~widgets.dot_vote.DotVote` (counts by tool id) and
:class:`~widgets.signin.SignIn` (fields by name) are keyed boxes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
import traitlets


class KeyedBox(widgets.VBox):
    """``value`` is ``{key: input.value}`` over the inputs given to
    :meth:`_keep_in_step` (in their order). A key that is not an input is
    refused with a :class:`traitlets.TraitError` naming the ``noun`` and
    the keys there are; :meth:`_check_part` checks (or bounds) one value.
    """

    value = traitlets.Dict(help="{key: value of that input}")

    #: What a key names, for error messages ("question", "tool", ...).
    noun = "key"

    _parts: Mapping[str, widgets.ValueWidget]

    def _keep_in_step(self, parts: Mapping[str, widgets.ValueWidget]) -> None:
        """Call once, while building, with the inputs by key."""
        self._parts = parts
        for key, w in parts.items():
            w.observe(lambda change, key=key: self._part_changed(key, change["new"]), "value")
        self.value = {key: w.value for key, w in parts.items()}

    def _check_part(self, key: str, value: Any) -> Any:
        """The value to show for ``key``; raise TraitError to refuse it."""
        return value

    @traitlets.validate("value")
    def _valid_value(self, proposal: dict[str, Any]) -> dict[str, Any]:
        given = proposal["value"]
        unknown = [key for key in given if key not in self._parts]
        if unknown:
            raise traitlets.TraitError(f"unknown {self.noun} {unknown[0]!r} (expected one of {', '.join(self._parts)})")
        return {key: self._check_part(key, given[key]) if key in given else w.value for key, w in self._parts.items()}

    @traitlets.observe("value")
    def _show_value(self, change: dict[str, Any]) -> None:
        for key, value in change["new"].items():
            self._parts[key].value = value

    def _part_changed(self, key: str, value: Any) -> None:
        # When value itself set the input this equals what value holds,
        # so the round trip ends here.
        self.value = {**self.value, key: value}
