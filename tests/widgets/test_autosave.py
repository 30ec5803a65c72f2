"""The debounce behind autosave, and the status line."""

from __future__ import annotations

import asyncio
import time

import ipywidgets as widgets

from widgets.autosave import AutosaveField, Debouncer, SaveStatus


def test_touching_again_restarts_the_timer_and_fires_once(timers):
    fired = []
    d = Debouncer(fired.append, delay=1.0, call_later=timers.call_later)
    d.touch("q1")
    d.touch("q1")
    d.touch("q1")
    assert [t.cancelled for t in timers.timers] == [True, True, False]
    assert timers.timers[-1].delay == 1.0
    assert d.pending == ("q1",)
    timers.run_due()
    assert fired == ["q1"]
    assert d.pending == ()


def test_keys_are_independent(timers):
    fired = []
    d = Debouncer(fired.append, delay=1.0, call_later=timers.call_later)
    d.touch("q1")
    d.touch("q2")
    timers.run_due()
    assert sorted(fired) == ["q1", "q2"]


def test_flush_fires_pending_keys_now_and_cancels_their_timers(timers):
    fired = []
    d = Debouncer(fired.append, delay=1.0, call_later=timers.call_later)
    d.touch("q1")
    d.touch("q2")
    d.flush()
    assert fired == ["q1", "q2"]
    assert all(t.cancelled for t in timers.timers)
    timers.run_due()
    assert fired == ["q1", "q2"]  # nothing fires twice


def test_delay_zero_fires_on_every_touch():
    fired = []
    d = Debouncer(fired.append, delay=0)
    d.touch("q1")
    d.touch("q1")
    assert fired == ["q1", "q1"]
    assert d.pending == ()


def test_without_a_running_loop_a_change_waits_for_flush():
    fired = []
    d = Debouncer(fired.append, delay=1.0)
    d.touch("q1")
    assert fired == []
    assert d.pending == ("q1",)
    d.flush()
    assert fired == ["q1"]


def test_on_a_running_loop_the_save_fires_by_itself():
    # The kernel case: the timer is the event loop's call_later.
    async def main():
        done = asyncio.Event()
        fired = []

        def fire(key):
            fired.append(key)
            done.set()

        d = Debouncer(fire, delay=0.01)
        d.touch("q1")
        d.touch("q1")
        assert fired == []
        await asyncio.wait_for(done.wait(), timeout=10)
        return fired, d.pending

    fired, pending = asyncio.run(main())
    assert fired == ["q1"]
    assert pending == ()


def test_status_texts_and_classes():
    status = SaveStatus()
    assert "xs-save-status" in status._dom_classes
    when = time.mktime((2026, 5, 4, 14, 3, 12, 0, 0, -1))
    status.saved(when)
    assert status.value == "Saved 14:03:12"
    assert "xs-status-saved" in status._dom_classes
    status.editing()
    assert status.value == "Saving…"
    assert "xs-status-saved" not in status._dom_classes
    status.failed("answer to epp-1: must not be empty")
    assert status.value == "Not saved: answer to epp-1: must not be empty"
    assert "xs-status-error" in status._dom_classes
    status.saved(None)
    assert status.value == "Saved"


def test_field_load_is_not_a_change():
    fired = []
    box = widgets.Textarea()
    field = AutosaveField("q1", box, SaveStatus(), Debouncer(fired.append, delay=0))
    field.load("from the store")
    assert box.value == "from the store"
    assert fired == []
    assert not field.dirty
    assert field.status.value == "Saved"
    box.value = "typed"
    assert fired == ["q1"]
    assert field.dirty


def test_status_state_is_a_trait_with_its_class():
    status = SaveStatus()
    states = []
    status.observe(lambda change: states.append(change["new"]), "state")
    status.editing()
    status.failed("no")
    status.clear()
    assert states == ["editing", "error", ""]
    assert not any(c.startswith("xs-status-") for c in status._dom_classes)
    status.state = "saved"
    assert "xs-status-saved" in status._dom_classes
