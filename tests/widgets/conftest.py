"""Fixtures for the headless widget tests.

- ``workshop``: a workshop in ``sqlite_store`` (from the shared conftest).
- ``session``: a :class:`widgets.session.Session` on that store and
  workshop; autosaves stay pending until ``session.flush()`` (there is no
  running event loop in a plain test), and settings are not polled.
- ``sign_in``: fills in the session's sign-in form and presses the button,
  as a participant would; returns the participant.
- ``timers``: a stand-in for ``loop.call_later`` (pass ``timers.call_later``
  as ``call_later``); timers run only when the test says so.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def workshop(sqlite_store):
    return sqlite_store.create_workshop("Riverside Partners")


@pytest.fixture
def session(sqlite_store, workshop):
    from widgets.session import Session

    return Session(sqlite_store, workshop.slug, poll_seconds=0)


@pytest.fixture
def sign_in():
    def fill(session, organization="City Parks", sector="government", table="Table 3", name=""):
        form = session.signin
        form.name.value = name
        form.organization.value = organization
        form.sector.value = sector
        form.table.value = table
        form.submit.click()
        return session.participant

    return fill


class FakeTimers:
    """A stand-in for ``loop.call_later``: timers run only when told."""

    def __init__(self):
        self.timers = []

    def call_later(self, delay, callback):
        timer = FakeTimer(delay, callback)
        self.timers.append(timer)
        return timer

    @property
    def live(self):
        """The timers scheduled and not cancelled (nor run) yet."""
        return [t for t in self.timers if not t.cancelled]

    def run_due(self):
        """Run every live timer once; timers they schedule wait for the next call."""
        due, self.timers = self.timers, []
        for timer in due:
            if not timer.cancelled:
                timer.callback()


class FakeTimer:
    def __init__(self, delay, callback):
        self.delay = delay
        self.callback = callback
        self.cancelled = False

    def cancel(self):
        self.cancelled = True


@pytest.fixture
def timers():
    return FakeTimers()
