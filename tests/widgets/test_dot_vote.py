"""The dot vote on its own: value and counts, budget, load, disabled (no store)."""

from __future__ import annotations

import pytest
import traitlets

from widgets.dot_vote import DotVote


@pytest.fixture
def vote(kit):
    return DotVote(kit, budget=5)


@pytest.fixture
def changes(vote):
    seen = []
    vote.on_change(seen.append)
    return seen


def test_a_count_changes_value_and_emits(vote, changes):
    vote.counts["share-discretion"].value = 2
    assert vote.value["share-discretion"] == 2
    assert changes == [{"share-discretion": 2}]
    assert "3 of 5 dots left" in vote.remaining.value


def test_setting_value_sets_the_counts_and_emits_each_change(vote, changes):
    vote.value = {"share-discretion": 2, "tell-the-story": 1}
    assert vote.counts["share-discretion"].value == 2
    assert vote.counts["tell-the-story"].value == 1
    assert sorted(changes, key=str) == sorted([{"share-discretion": 2}, {"tell-the-story": 1}], key=str)
    vote.value = {"tell-the-story": 3}  # the others keep theirs
    assert vote.value["share-discretion"] == 2 and vote.value["tell-the-story"] == 3
    assert "0 of 5 dots left" in vote.remaining.value
    assert vote.used == 5


def test_value_is_bounded_like_the_boxes(vote):
    vote.value = {"share-discretion": 9}
    assert vote.value["share-discretion"] == 5 == vote.counts["share-discretion"].value
    with pytest.raises(traitlets.TraitError, match="dots on 9. Share Discretion: expected a whole number of at least 0, got -1"):
        vote.value = {"share-discretion": -1}
    with pytest.raises(traitlets.TraitError, match="unknown tool 'nope'"):
        vote.value = {"nope": 1}
    assert vote.value["share-discretion"] == 5


def test_load_and_failed_saves_emit_nothing(vote, changes):
    vote.load({"share-discretion": "3"})
    assert vote.value["share-discretion"] == 3
    vote.counts["tell-the-story"].value = 2
    vote.mark_failed("over budget")
    assert vote.value["tell-the-story"] == 0
    assert vote.status.value == "Not saved: over budget"
    assert changes == [{"tell-the-story": 2}]


def test_budget_bounds_every_count_and_the_text(vote):
    vote.budget = 8
    assert {c.max for c in vote.counts.values()} == {8}
    assert "8 of 8 dots left" in vote.remaining.value


def test_disabled_links(vote, kit):
    other = DotVote(kit, budget=5, disabled=True)
    assert all(c.disabled for c in other.counts.values())
    traitlets.link((vote, "disabled"), (other, "disabled"))  # other takes vote's: enabled
    assert not any(c.disabled for c in other.counts.values())
    other.disabled = True
    assert vote.disabled and all(c.disabled for c in vote.counts.values())
