"""The rating widget: its points, labels and low ratings come from the
content's scale (``scale.low_at``, ``scale.low_prompt``), so a translated
or re-scaled content file changes what the page shows; its value is linked
to the buttons; events, load and disabled (no store)."""

from __future__ import annotations

import dataclasses

import pytest
import traitlets

from widgets.rating import Rating


def test_the_packaged_scale_asks_after_1_and_2(kit):
    rating = Rating(kit.scale, "share-discretion")
    assert [label for label, _ in rating.buttons.options] == ["1 · Not at all", "2 · A little", "3 · Partly", "4 · Mostly", "5 · Fully", "Not sure", "Not yet relevant at our stage"]
    assert rating.comment.description == "What is missing? What would help us do this better?"
    shown = {}
    for value in (1, 2, 3, 4, 5, "not-sure", "not-yet"):
        rating.buttons.value = value
        shown[value] = rating.comment_visible
    assert shown == {1: True, 2: True, 3: False, 4: False, 5: False, "not-sure": False, "not-yet": False}


def test_not_yet_relevant_is_its_own_choice_and_only_when_the_scale_offers_it(kit):
    rating = Rating(kit.scale, "share-discretion")
    rated = []
    rating.on_rate(rated.append)
    rating.buttons.value = "not-yet"
    assert rated == ["not-yet"] and rating.value == "not-yet"
    rating.load("not-yet")
    assert rating.buttons.value == "not-yet" and rating.status.value == "Saved"
    older = Rating(dataclasses.replace(kit.scale, not_yet=""), "share-discretion")
    assert [v for _, v in older.buttons.options][-1] == "not-sure"
    with pytest.raises(traitlets.TraitError):
        older.value = "not-yet"


def test_the_content_decides_which_ratings_are_low_and_what_is_asked(kit):
    scale = dataclasses.replace(kit.scale, low_at=3, low_prompt="¿Qué falta?")
    rating = Rating(scale, "share-discretion")
    assert rating.comment.description == "¿Qué falta?"
    rating.buttons.value = 3
    assert rating.comment_visible
    rating.buttons.value = 4
    assert not rating.comment_visible
    none_low = Rating(dataclasses.replace(kit.scale, low_at=0), "share-discretion")
    none_low.buttons.value = 1
    assert not none_low.comment_visible


@pytest.fixture
def rating(kit):
    return Rating(kit.scale, "share-discretion")


@pytest.fixture
def rated(rating):
    seen = []
    rating.on_rate(seen.append)
    return rating, seen


def test_clicking_sets_value_and_emits(rated):
    rating, seen = rated
    rating.buttons.value = 4
    assert rating.value == 4
    assert seen == [4]
    assert rating.status.value == "Saving…"


def test_setting_value_presses_the_button_and_emits(rated):
    rating, seen = rated
    rating.value = 2
    assert rating.buttons.value == 2
    assert seen == [2]
    assert rating.comment_visible is True  # a low rating asks what is missing
    rating.value = "not-sure"
    assert rating.buttons.value == "not-sure"
    assert seen == [2, "not-sure"]
    assert rating.comment_visible is False
    rating.value = "3"  # as the store holds it
    assert rating.value == 3 and rating.buttons.value == 3


def test_a_value_off_the_scale_is_refused(rated):
    rating, seen = rated
    rating.value = 5
    with pytest.raises(traitlets.TraitError, match=r"rating 9: expected one of 1, 2, 3, 4, 5, not-sure, not-yet or None"):
        rating.value = 9
    with pytest.raises(traitlets.TraitError, match="rating 'often'"):
        rating.value = "often"
    assert rating.value == 5 and rating.buttons.value == 5
    assert seen == [5]


def test_load_shows_without_emitting(rated):
    rating, seen = rated
    rating.load("1", "kept comment")
    assert rating.value == 1 and rating.buttons.value == 1
    assert rating.comment.value == "kept comment"
    assert rating.status.value == "Saved"
    assert seen == []


def test_a_failed_save_puts_the_stored_rating_back(rated):
    rating, seen = rated
    rating.load(3)
    rating.value = 1
    rating.mark_rating_failed("the store said no")
    assert rating.value == 3 and rating.buttons.value == 3
    assert rating.status.value == "Not saved: the store said no"
    assert seen == [1]  # putting it back is not a new rating


def test_two_ratings_linked(kit):
    a, b = Rating(kit.scale, "share-discretion"), Rating(kit.scale, "share-discretion")
    traitlets.link((a, "value"), (b, "value"))
    a.buttons.value = 4
    assert b.buttons.value == 4
    traitlets.dlink((a, "disabled"), (b, "disabled"))
    a.disabled = True
    assert b.buttons.disabled and b.comment.disabled
