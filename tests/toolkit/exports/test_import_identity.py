"""Imports after issue #12: participants are people, not details. A JSON
export names each one by key (and keeps resume codes and superseded
saves); a version 1 file matches by details and first sign-in time; a
paper CSV row matching several participants is refused."""

from __future__ import annotations

import json

import pytest

from toolkit.errors import ChangedElsewhere, ImportFileError
from toolkit.exports.importer import import_csv, import_json
from toolkit.exports.workshop import workshop_document

TOOL = "engage-potential-partners"


@pytest.fixture
def twins(store):
    """Two people with the same details, each with an answer, and one
    save refused as stale."""
    ws = store.create_workshop("Harbor Partners")
    one = store.add_participant(ws.slug, organization="Food Bank", sector="nonprofit", table="Table 1")
    two = store.add_participant(ws.slug, organization="Food Bank", sector="nonprofit", table="Table 1")
    seen = store.save_answer(ws.slug, one.id, TOOL, "epp-1", "first twin", base=0)
    store.save_answer(ws.slug, one.id, TOOL, "epp-1", "first twin, tab A", base=seen.id)
    with pytest.raises(ChangedElsewhere):
        store.save_answer(ws.slug, one.id, TOOL, "epp-1", "first twin, tab B", base=seen.id)
    store.save_answer(ws.slug, two.id, TOOL, "epp-1", "second twin")
    return ws, one, two


def test_json_keeps_keys_codes_and_superseded_and_two_people_stay_two(store, twins, tmp_path):
    ws, one, two = twins
    doc = workshop_document(store, ws.slug)
    assert [p["key"] for p in doc["participants"]] == [store.participant_keys(ws.slug)[p.id] for p in (one, two)]
    assert [p["resume_code"] for p in doc["participants"]] == [store.resume_code(one.id), store.resume_code(two.id)]
    assert [s["value"] for s in doc["superseded"]] == ["first twin, tab B"]

    from toolkit.store import AnswerStore

    target = AnswerStore(f"sqlite:///{tmp_path / 'moved.sqlite'}")
    result = import_json(target, json.dumps(doc))
    assert (result.participants_added, result.answers_added, result.superseded_added) == (2, 3, 1)
    moved = target.people(ws.slug)
    assert [p.resume_code for p in moved] == [store.resume_code(one.id), store.resume_code(two.id)]
    # Each twin's resume code still finds their own answers.
    first = target.resume(ws.slug, store.resume_code(one.id))
    assert target.current_for(ws.slug, first.id)[("text", TOOL, "epp-1")] == "first twin, tab A"
    [kept] = target.superseded(ws.slug)
    assert (kept.participant_id, kept.value, kept.base_id, kept.newer_id) == (first.id, "first twin, tab B", 0, 0)

    again = import_json(target, json.dumps(doc))
    assert again.added == 0 and again.answers_skipped == 3
    # Into the store it came from: the same people, nothing added.
    home = import_json(store, json.dumps(doc))
    assert home.added == 0 and len(store.participants(ws.slug)) == 2
    target.close()


def test_a_version_1_file_matches_by_details_and_first_sign_in(store, twins):
    ws, one, two = twins
    doc = workshop_document(store, ws.slug)
    doc["version"] = 1
    del doc["superseded"]
    for p in doc["participants"]:
        del p["key"], p["resume_code"]
    assert import_json(store, json.dumps(doc)).added == 0
    import_json(store, json.dumps(doc), into="copy")
    copy = store.people("copy")
    assert len(copy) == 2 and len({p.resume_code for p in copy}) == 2
    assert import_json(store, json.dumps(doc), into="copy").added == 0


def test_a_resume_code_taken_in_the_target_is_replaced(store, twins):
    ws, one, _two = twins
    other = store.create_workshop("Other")
    taken = store.add_participant(other.slug, organization="Port", sector="business", table="T9")
    doc = workshop_document(store, ws.slug)
    doc["participants"][0]["resume_code"] = store.resume_code(taken.id)
    import_json(store, json.dumps(doc), into=other.slug)
    codes = [p.resume_code for p in store.people(other.slug)]
    assert len(codes) == 3 and len(set(codes)) == 3 and codes[0] == store.resume_code(taken.id)


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda d: d["participants"][0].update(key=7), "participants[0], field 'key': expected the participant's key"),
        (lambda d: d["participants"][1].update(key=d["participants"][0]["key"]), "participants[1], field 'key': the same key appears twice"),
        (lambda d: d["participants"][0].update(resume_code="O0O0O0O0"), "participants[0], field 'resume_code': '0', 'O' cannot be in a code"),
        (lambda d: d.pop("superseded"), "field 'superseded': missing"),
        (lambda d: d["superseded"][0].update(participant=99), "superseded[0], field 'participant': 99 is not the id of a participant in this file"),
    ],
    ids=["key-type", "key-twice", "code", "no-superseded", "superseded-who"],
)
def test_bad_identity_fields_are_refused_in_one_line(store, twins, edit, message):
    ws, *_ = twins
    doc = workshop_document(store, ws.slug)
    edit(doc)
    before = (len(store.participants(ws.slug)), store.count_answers())
    with pytest.raises(ImportFileError) as info:
        import_json(store, json.dumps(doc), name="x.json", into="elsewhere")
    assert message in str(info.value) and "\n" not in str(info.value)
    assert (len(store.participants(ws.slug)), store.count_answers()) == before


def test_a_paper_row_naming_two_participants_is_refused(store, twins):
    ws, one, two = twins
    text = "workshop,name,organization,sector,table,tool,question,kind,value\n" + f"{ws.slug},,Food Bank,nonprofit,Table 1,1,1,text,from paper\n"
    with pytest.raises(ImportFileError) as info:
        import_csv(store, text)
    assert f"answers.csv row 2: 2 participants are (no name) of Food Bank at Table 1 (ids {one.id}, {two.id})" in str(info.value)
    # A row naming one participant goes to them; a new name is a new participant once.
    ana = store.add_participant(ws.slug, name="Ana", organization="Port", sector="business", table="T2")
    text = (
        "workshop,name,organization,sector,table,tool,question,kind,value\n"
        f"{ws.slug},ana,PORT,business,t2,1,1,text,Ana on paper\n"
        f"{ws.slug},Bo,Port,business,T2,1,1,text,Bo on paper\n"
        f"{ws.slug},Bo,Port,business,T2,1,2,text,Bo again\n"
    )
    result = import_csv(store, text)
    assert (result.participants_added, result.answers_added) == (1, 3)
    assert store.current_for(ws.slug, ana.id)[("text", TOOL, "epp-1")] == "Ana on paper"
    assert import_csv(store, text).added == 0
