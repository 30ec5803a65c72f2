"""Fixtures for the headless widget tests.

- ``workshop``: a workshop in ``sqlite_store`` (from the shared conftest).
- ``session``: a :class:`widgets.session.Session` on that store and
  workshop; autosaves stay pending until ``session.flush()`` (there is no
  running event loop in a plain test), and settings are not polled.
- ``sign_in``: fills in the session's sign-in form and presses the button,
  as a participant would; returns the participant.
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
