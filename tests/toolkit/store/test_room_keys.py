"""The room's secrets in the store (toolkit/store/room_keys.py): a join code
made once per workshop and replaced on demand, a dashboard key, and the
workshop served last; on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest

from toolkit.errors import NotFound, ToolkitError
from toolkit.store import AnswerStore, room_keys


def test_a_join_code_is_made_once_and_replaced_on_demand(store):
    a = store.create_workshop("Riverside Partners")
    b = store.create_workshop("Other Partnership")
    assert room_keys.read_secrets(store, a.slug) == (None, None)  # nothing made until asked
    code = room_keys.join_code(store, a.slug)
    assert re.fullmatch(f"[{room_keys.CODE_ALPHABET}]{{6}}", code)
    assert room_keys.join_code(store, a.slug) == code  # the same every time
    other = room_keys.join_code(store, b.slug)
    key = room_keys.dashboard_key(store, a.slug)
    assert len(key) >= 24 and key != room_keys.dashboard_key(store, b.slug)
    assert room_keys.read_secrets(store, a.slug) == (code, key)
    new = room_keys.join_code(store, a.slug, new=True)
    assert new != code and room_keys.read_secrets(store, a.slug) == (new, key)
    assert room_keys.join_code(store, b.slug) == other  # each workshop its own
    # Another process (a second AnswerStore) reads the same code.
    again = AnswerStore(store.url)
    try:
        assert room_keys.join_code(again, a.slug) == new
    finally:
        again.close()
    with pytest.raises(NotFound, match="nope"):
        room_keys.join_code(store, "nope")


def test_codes_are_read_aloud_safely():
    assert set(room_keys.CODE_ALPHABET).isdisjoint("01OIL")
    codes = {room_keys.new_code() for _ in range(200)}
    assert len(codes) == 200 and all(len(c) == room_keys.JOIN_CODE_LENGTH for c in codes)
    assert room_keys.normalise_code(" k7q-m4p ") == "K7QM4P"
    assert room_keys.normalise_code("k7q.m4p") == room_keys.normalise_code("K7Q M4P") == "K7QM4P"


def test_the_workshop_served_last_is_remembered(store):
    a = store.create_workshop("Riverside Partners")
    b = store.create_workshop("Other Partnership")
    assert room_keys.last_served(store) is None
    room_keys.remember_served(store, a.slug)
    assert room_keys.last_served(store) == a.slug
    room_keys.remember_served(store, b.slug)
    assert room_keys.last_served(store) == b.slug
    with pytest.raises(NotFound):
        room_keys.remember_served(store, "nope")
    assert room_keys.last_served(store) == b.slug


def test_a_read_only_store_reads_the_secrets_and_makes_none(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    store = AnswerStore(url)
    ws = store.create_workshop("Riverside Partners")
    code = room_keys.join_code(store, ws.slug)
    store.close()
    reader = AnswerStore(url, read_only=True)
    try:
        assert room_keys.read_secrets(reader, ws.slug) == (code, None)
        with pytest.raises(ToolkitError, match="read-only"):
            room_keys.dashboard_key(reader, ws.slug)
    finally:
        reader.close()
