"""A served room shows one workshop (#12): with ``$WORKSHOP_SLUG`` set (as
``workshop serve`` sets it for every kernel), the dashboard's picker and
the sign-in's dropdown name no other workshop, and with
``$WORKSHOP_PUBLIC_DASHBOARD`` (``--public-dashboard``) the dashboard hides
names whatever the workshop's setting."""

from __future__ import annotations

from toolkit.serve import PUBLIC_DASHBOARD_ENV
from toolkit.store import AnswerStore
from widgets.dashboard import Dashboard
from widgets.session import Session


def test_a_served_room_names_no_other_workshop(sqlite_store, monkeypatch):
    served = sqlite_store.create_workshop("Riverside Partners")
    other = sqlite_store.create_workshop("Hidden Harbour")
    sqlite_store.add_participant(other.slug, name="Olga Other", organization="Harbour", sector="business", table="T9")
    monkeypatch.setenv("WORKSHOP_SLUG", served.slug)
    ro = AnswerStore(sqlite_store.url, read_only=True)
    try:
        dash = Dashboard(ro, start=False)
        assert [v for _l, v in dash.workshop_picker.options] == [served.slug]
        assert dash.value == served.slug and "Olga" not in dash.participants.value
        assert dash.load(other.slug).workshop.slug == served.slug  # asking for another by slug shows the served one
        dash.close()
    finally:
        ro.close()
    session = Session(sqlite_store, poll_seconds=0)
    assert session.signin.workshop.options == (("Riverside Partners", served.slug),)


def test_a_public_dashboard_hides_names(sqlite_store, monkeypatch):
    ws = sqlite_store.create_workshop("Riverside Partners")
    sqlite_store.add_participant(ws.slug, name="Nia Named", organization="Food Bank", sector="nonprofit", table="Table 2")
    assert not ws.settings.anonymous
    ro = AnswerStore(sqlite_store.url, read_only=True)
    try:
        shown = Dashboard(ro, slug=ws.slug, start=False)
        assert "Nia Named" in shown.participants.value
        shown.close()
        monkeypatch.setenv(PUBLIC_DASHBOARD_ENV, "1")
        public = Dashboard(ro, slug=ws.slug, start=False)
        assert "Nia Named" not in public.participants.value and "Table 2" in public.participants.value
        assert "Names hidden" in public.participants.value
        public.close()
    finally:
        ro.close()
    assert not sqlite_store.workshop(ws.slug).settings.anonymous  # the workshop's own setting is untouched
