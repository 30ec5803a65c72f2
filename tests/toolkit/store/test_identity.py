"""Who a participant is (issue #12 item 2): device sessions and resume
codes on both back ends, and the pure functions of
``toolkit.store.identity``."""

from __future__ import annotations

import hashlib
import secrets

import pytest
import sqlalchemy as sa

from toolkit.errors import InvalidAnswer
from toolkit.store import identity

TOOL = "engage-potential-partners"


def token() -> str:
    return secrets.token_urlsafe(32)


@pytest.fixture
def ws(store):
    return store.create_workshop("Riverside Partners")


# --------------------------------------------------------------------------
# The cookie and the codes


@pytest.mark.parametrize(
    "header, expected",
    [
        ("xs_device=" + "A" * 43, "A" * 43),
        ("_xsrf=2|abc|def; xs_device=" + "a-b_" * 10 + "; xs_room=signed", "a-b_" * 10),
        ('xs_device="' + "Z" * 43 + '"', "Z" * 43),
        ("xs_device=short", None),  # too short to be a token
        ("xs_device=" + "A" * 40 + "<>!", None),  # not URL-safe base64
        ("other=1", None),
        ("", None),
        ("bad cookie \x00 here; xs_device=" + "Q" * 43, "Q" * 43),  # a broken cookie beside ours
    ],
)
def test_device_from_environ(header, expected):
    assert identity.device_from_environ({"HTTP_COOKIE": header}) == expected


def test_no_cookie_header_is_no_device():
    assert identity.device_from_environ({}) is None


def test_the_store_keeps_only_the_hash_of_a_device(store, ws):
    device = token()
    store.add_participant(ws.slug, organization="Org", sector="government", table="T1", device=device)
    with store.engine.connect() as conn:
        [(kept,)] = conn.execute(sa.text("SELECT device_hash FROM participant_sessions")).all()
    assert kept == hashlib.sha256(device.encode()).hexdigest() == identity.device_hash(device)
    assert device not in kept


def test_resume_codes_look_right():
    codes = {identity.new_resume_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 8 and set(code) <= set(identity.RESUME_ALPHABET)
    assert not set("01ILOU") & set(identity.RESUME_ALPHABET)
    assert identity.format_resume_code("K7PQ4QX9") == "K7PQ-4QX9"
    assert identity.normalise_resume_code(" k7pq-4qx9\n") == "K7PQ4QX9"


@pytest.mark.parametrize(
    "typed, needle",
    [
        ("", "type the code"),
        ("K7PQ-4QX", "a code has 8 characters, this has 7"),
        ("K7PQ-4QX0", "'0' cannot be in a code (codes use no 0, 1, I, L, O or U)"),
        ("K7PQ-4Q%9", "'%' cannot be in a code"),
        (None, "type the code"),
    ],
)
def test_a_mistyped_code_is_refused_in_one_line(typed, needle):
    with pytest.raises(InvalidAnswer) as info:
        identity.normalise_resume_code(typed)
    assert needle in str(info.value) and "\n" not in str(info.value)


# --------------------------------------------------------------------------
# Sessions in the store


def test_a_device_signed_in_once_is_known_on_every_page(store, ws):
    device = token()
    assert store.participant_for_device(ws.slug, device) is None
    ana = store.add_participant(ws.slug, name="Ana", organization="Food Bank", sector="nonprofit", table="T1", device=device)
    assert store.participant_for_device(ws.slug, device).id == ana.id
    assert store.participant_for_device(ws.slug, token()) is None  # another browser
    assert store.participant_for_device(ws.slug, None) is None
    assert store.participant_for_device(ws.slug, "not a token") is None
    other = store.create_workshop("Other")
    assert store.participant_for_device(other.slug, device) is None  # a session is per workshop


def test_the_same_device_typing_its_own_details_again_is_the_same_person(store, ws):
    device = token()
    ana = store.add_participant(ws.slug, name="Ana", organization="Food Bank", sector="nonprofit", table="T1", device=device)
    again = store.add_participant(ws.slug, name="ANA", organization="food bank", sector="community", table="t1", device=device)
    assert again.id == ana.id and again.sector == "community"
    assert len(store.participants(ws.slug)) == 1


def test_a_shared_device_passed_to_the_next_person_binds_to_them(store, ws):
    device = token()
    ana = store.add_participant(ws.slug, name="Ana", organization="Food Bank", sector="nonprofit", table="T1", device=device)
    ben = store.add_participant(ws.slug, name="Ben", organization="Food Bank", sector="nonprofit", table="T1", device=device)
    assert ben.id != ana.id
    assert store.participant_for_device(ws.slug, device).id == ben.id
    store.forget_device(ws.slug, device)
    assert store.participant_for_device(ws.slug, device) is None


def test_someone_elses_details_find_nothing_of_theirs(store, ws):
    ana = store.add_participant(ws.slug, name="Ana", organization="Food Bank", sector="nonprofit", table="T1", device=token())
    store.save_answer(ws.slug, ana.id, TOOL, "epp-1", "Ana's private answer")
    store.save_rating(ws.slug, ana.id, TOOL, 4)
    mallory = store.add_participant(ws.slug, name="Ana", organization="Food Bank", sector="nonprofit", table="T1", device=token())
    assert mallory.id != ana.id
    assert store.current_for(ws.slug, mallory.id) == {}
    assert store.current_for(ws.slug, ana.id)[("text", TOOL, "epp-1")] == "Ana's private answer"


def test_a_resume_code_continues_as_the_same_person_on_another_device(store, ws):
    phone, laptop = token(), token()
    ana = store.add_participant(ws.slug, name="Ana", organization="Food Bank", sector="nonprofit", table="T1", device=phone)
    code = store.resume_code(ana.id)
    assert len(code) == 8
    typed = identity.format_resume_code(code).lower()
    assert store.resume(ws.slug, typed, device=laptop).id == ana.id
    assert store.participant_for_device(ws.slug, laptop).id == ana.id
    assert store.participant_for_device(ws.slug, phone).id == ana.id  # the first device stays signed in


def test_an_unknown_code_is_refused_and_binds_nothing(store, ws):
    ana = store.add_participant(ws.slug, name="Ana", organization="Food Bank", sector="nonprofit", table="T1")
    other = store.create_workshop("Other")
    laptop = token()
    code = store.resume_code(ana.id)
    with pytest.raises(InvalidAnswer, match="nobody in this workshop has the code"):
        store.resume(other.slug, code, device=laptop)  # a code is only good in its own workshop
    wrong = "".join(identity.RESUME_ALPHABET[(identity.RESUME_ALPHABET.index(c) + 1) % 30] for c in code)
    with pytest.raises(InvalidAnswer, match=f"nobody in this workshop has the code {identity.format_resume_code(wrong)}"):
        store.resume(ws.slug, wrong, device=laptop)
    assert store.participant_for_device(ws.slug, laptop) is None


def test_codes_are_unique_per_workshop_and_people_lists_them(store, ws):
    made = [store.add_participant(ws.slug, organization="Org", sector="business", table="T1") for _ in range(30)]
    people = store.people(ws.slug)
    assert [p.participant.id for p in people] == [p.id for p in made]
    assert len({p.resume_code for p in people}) == 30
    assert people[0].to_dict()["resume_code"] == store.resume_code(made[0].id)


def test_a_code_drawn_twice_is_drawn_again(store, ws, monkeypatch):
    first = store.add_participant(ws.slug, organization="Org", sector="business", table="T1")
    taken = store.resume_code(first.id)
    draws = iter([taken, taken, "ABCDEFGH"])
    monkeypatch.setattr(identity, "new_resume_code", lambda: next(draws))
    second = store.add_participant(ws.slug, organization="Org", sector="business", table="T1")
    assert store.resume_code(second.id) == "ABCDEFGH"
