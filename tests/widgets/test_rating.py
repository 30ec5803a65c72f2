"""The rating widget takes its points, labels and low ratings from the
content's scale (``scale.low_at``, ``scale.low_prompt``), so a translated
or re-scaled content file changes what the page shows."""

from __future__ import annotations

import dataclasses

from widgets.rating import Rating


def test_the_packaged_scale_asks_after_1_and_2(kit):
    rating = Rating(kit.scale, "share-discretion")
    assert [label for label, _ in rating.buttons.options] == ["1 · Not at all", "2 · A little", "3 · Partly", "4 · Mostly", "5 · Fully", "Not sure"]
    assert rating.comment.description == "What is missing? What would help us do this better?"
    shown = {}
    for value in (1, 2, 3, 4, 5, "not-sure"):
        rating.buttons.value = value
        shown[value] = rating.comment_visible
    assert shown == {1: True, 2: True, 3: False, 4: False, 5: False, "not-sure": False}


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
