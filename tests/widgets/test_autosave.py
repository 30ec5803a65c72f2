"""The debounce behind autosave, the writer that saves off the event loop
and retries, and the status line."""

from __future__ import annotations

import asyncio
import threading
import time

import ipywidgets as widgets

from widgets.autosave import AutosaveField, Debouncer, SaveStatus, Write, Writer, retry_delay


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


def test_a_retried_status_says_so_with_its_own_class():
    status = SaveStatus()
    status.retrying("the workshop store is busy with another save")
    assert status.value == "Not saved yet, retrying… The workshop store is busy with another save."
    assert status.state == "retrying" and "xs-status-retrying" in status._dom_classes
    status.saved(None)
    assert "xs-status-retrying" not in status._dom_classes


# -- the writer: off the loop, retried with backoff, newest first --------------------


class Busy(Exception):
    """A passing failure, as a locked store's."""


def passing(exc):
    return "busy" if isinstance(exc, Busy) else None


class Box:
    """One box's saves as the Session makes them: ``store`` is what is
    durable, ``attempts`` what each attempt tried, ``shown`` what the box
    said, in order."""

    def __init__(self):
        self.store = []
        self.attempts = []
        self.shown = []
        self.locked = False

    def write(self, text):
        def prepare():
            def run():
                self.attempts.append(text)
                if self.locked:
                    raise Busy("database is locked")
                self.store.append(text)
                return text
            return run

        def settle(result, error):
            self.shown.append(f"saved {result}" if error is None else f"refused {error}")

        return Write(prepare=prepare, settle=settle, wait=lambda reason: self.shown.append(f"retrying: {reason}"))


def test_retry_delays_double_up_to_fifteen_seconds():
    assert [retry_delay(n) for n in range(1, 8)] == [1.0, 2.0, 4.0, 8.0, 15.0, 15.0, 15.0]


def test_a_passing_failure_is_retried_with_backoff_until_it_goes_through(timers):
    writer = Writer(passing, call_later=timers.call_later)
    box = Box()
    box.locked = True
    writer.submit("q1", box.write("hello"))
    assert box.shown == ["retrying: busy"] and box.store == []
    assert [t.delay for t in timers.live] == [1.0]
    for delay in (2.0, 4.0, 8.0, 15.0, 15.0):
        timers.run_due()
        assert [t.delay for t in timers.live] == [delay]
    assert writer.attempts("q1") == 6 and writer.busy("q1")
    box.locked = False
    timers.run_due()
    assert box.store == ["hello"] and box.shown[-1] == "saved hello"
    assert timers.live == [] and not writer.busy("q1") and writer.attempts("q1") == 0


def test_a_newer_save_replaces_the_one_waiting_for_its_retry(timers):
    writer = Writer(passing, call_later=timers.call_later)
    box = Box()
    box.locked = True
    writer.submit("q1", box.write("old"))
    box.locked = False
    writer.submit("q1", box.write("newer"))  # goes at once, the retry's timer is cancelled
    assert box.store == ["newer"] and box.attempts == ["old", "newer"]
    assert timers.live == []
    timers.run_due()
    assert box.store == ["newer"]  # the older text is never written after it


def test_a_refused_save_is_settled_at_once_and_not_retried(timers):
    writer = Writer(passing, call_later=timers.call_later)
    shown = []

    def refuse():
        raise ValueError("too long")

    writer.submit("q1", Write(prepare=lambda: refuse, settle=lambda r, e: shown.append(repr(e)), wait=shown.append))
    assert shown == ["ValueError('too long')"] and timers.live == [] and not writer.busy("q1")


def test_after_stop_nothing_is_retried(timers):
    writer = Writer(passing, call_later=timers.call_later)
    box = Box()
    box.locked = True
    writer.submit("q1", box.write("typed, then the page closed"))
    assert len(timers.live) == 1
    writer.stop()
    assert timers.live == [] and not writer.busy("q1")
    box.locked = False
    timers.run_due()
    writer.flush()
    assert box.attempts == ["typed, then the page closed"] and box.store == []
    writer.submit("q2", box.write("submitted after the close: tried once"))
    assert box.store == ["submitted after the close: tried once"]


def test_without_a_loop_or_timer_a_retry_waits_for_flush():
    writer = Writer(passing)
    box = Box()
    box.locked = True
    writer.submit("q1", box.write("hello"))
    assert writer.pending == ("q1",)
    box.locked = False
    writer.flush()
    assert box.store == ["hello"] and writer.pending == ()


def test_on_a_running_loop_saves_run_off_the_loop_one_key_at_a_time():
    """The kernel case: an attempt blocks a worker thread, not the loop;
    a save of the same box submitted meanwhile waits for the outcome, then
    goes; the outcomes come back on the loop's thread."""
    release = threading.Event()
    log = []

    def write(text, block=False):
        def prepare():
            log.append(("prepare", text, threading.get_ident()))

            def run():
                if block:
                    release.wait(30)
                log.append(("run", text, threading.get_ident()))
                return text
            return run

        return Write(prepare=prepare, settle=lambda r, e: log.append(("settle", r, threading.get_ident())), wait=log.append)

    async def main():
        loop_thread = threading.get_ident()
        writer = Writer(passing)
        writer.submit("q1", write("first", block=True))
        writer.submit("q1", write("second"))
        ticks = 0
        while ticks < 5:  # the loop runs while the first attempt is blocked
            await asyncio.sleep(0.01)
            ticks += 1
        assert [e[:2] for e in log] == [("prepare", "first")]
        release.set()
        while ("settle", "second", loop_thread) not in log:
            await asyncio.sleep(0.01)
        return loop_thread

    loop_thread = asyncio.run(main())
    assert [e[:2] for e in log] == [("prepare", "first"), ("run", "first"), ("settle", "first"), ("prepare", "second"), ("run", "second"), ("settle", "second")]
    threads = {kind: {t for k, _x, t in log if k == kind} for kind in ("prepare", "run", "settle")}
    assert threads["prepare"] == threads["settle"] == {loop_thread}
    assert loop_thread not in threads["run"]
