"""The actions panel on its own: the list from value, the unreadable
message, the add event, disabled (no store)."""

from __future__ import annotations

import datetime as dt

import pytest
import traitlets

from toolkit.store.values import Action
from widgets.actions import ActionsPanel

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def panel(kit):
    return ActionsPanel(kit, "share-discretion")


def action(n, tool_id="share-discretion", **fields):
    base = dict(id=n, workshop_id=1, tool_id=tool_id, what=f"Action {n}", owner="City", owner_sector=None,
                due=None, status="open", participant_id=None, created=0.0, updated=0.0)
    return Action(**{**base, **fields})


def test_show_actions_lists_the_tools_actions_only(panel):
    panel.show_actions([action(1, owner_sector="nonprofit", due="2026-09-30"), action(2, tool_id="tell-the-story")])
    assert [a["id"] for a in panel.value] == [1]
    assert 'class="xs-action-list"' in panel.listing.value
    assert "owner: City (Non-profit) · due 2026-09-30 · open" in panel.listing.value
    assert "Action 2" not in panel.listing.value


def test_setting_value_redraws_the_list_escaped(panel):
    panel.value = [action(3, what=f"{XSS} Map assets").to_dict()]
    assert "<img" not in panel.listing.value
    assert "&lt;img src=x onerror=alert(1)&gt; Map assets" in panel.listing.value
    panel.value = []
    assert "xs-action-empty" in panel.listing.value


def test_unreadable_says_so_instead_of_none(panel):
    panel.unreadable(f"the workshop store could not be read (disk I/O error {XSS})")
    html = panel.listing.value
    assert "No actions" not in html and "xs-action-empty" not in html
    assert 'class="xs-message xs-message-error" role="alert"' in html
    assert "Actions could not be loaded: the workshop store could not be read (disk I/O error &lt;img" in html
    panel.show_actions([action(1)])
    assert panel.problem == ""
    assert "Action 1" in panel.listing.value


def test_add_emits_the_fields(panel):
    added = []
    panel.on_add(added.append)
    panel.what.value = "Draft a charter"
    panel.owner.value = "Food bank"
    panel.owner_sector.value = "nonprofit"
    panel.due.value = dt.date(2026, 9, 30)
    panel.add.click()
    assert added == [{"what": "Draft a charter", "owner": "Food bank", "owner_sector": "nonprofit", "due": dt.date(2026, 9, 30)}]
    panel.added(action(7, what="Draft a charter"))
    assert (panel.what.value, panel.owner.value, panel.owner_sector.value, panel.due.value) == ("", "", "", None)
    assert panel.message.value == "Added: Draft a charter"


def test_disabled_reaches_every_input(panel, kit):
    other = ActionsPanel(kit, "tell-the-story")
    traitlets.link((panel, "disabled"), (other, "disabled"))
    panel.disabled = True
    inputs = [other.what, other.owner, other.owner_sector, other.due, other.add]
    assert all(w.disabled for w in inputs)
    other.disabled = False
    assert not any(w.disabled for w in (panel.what, panel.owner, panel.owner_sector, panel.due, panel.add))
