"""The question form on its own: labels, hooks, events (no store)."""

from __future__ import annotations

import pytest

from widgets.question_form import QuestionForm


@pytest.fixture
def tool(kit):
    return kit.tool("engage-potential-partners")


@pytest.fixture
def form(tool):
    return QuestionForm(tool)


def test_one_labelled_box_per_question_with_hooks(form, tool):
    assert list(form.boxes) == [q.id for q in tool.questions]
    for n, q in enumerate(tool.questions, start=1):
        box = form.boxes[q.id]
        assert box.description == f"{n}. {q.text}"
        assert box.description_allow_html is False
        assert box.style.description_width == "initial"
        assert box.continuous_update is True
        assert {"xs-answer", f"xs-q-{q.id}"} <= set(box._dom_classes)
        assert "xs-save-status" in form.statuses[q.id]._dom_classes
        assert form.rows[q.id].children == (box, form.counters[q.id], form.statuses[q.id])
        assert "xs-maxlength-20000" in box._dom_classes
        assert box.layout.width == "100%"


def test_typing_is_saved_once_after_the_pause(form):
    saves = []
    form.on_save(lambda qid, text: saves.append((qid, text)))
    form.boxes["epp-1"].value = "The"
    form.boxes["epp-1"].value = "The river trust"
    assert saves == []
    assert form.pending == ("epp-1",)
    assert form.statuses["epp-1"].value == "Saving…"
    assert form.value["epp-1"] == "The river trust"
    form.flush()
    assert saves == [("epp-1", "The river trust")]
    assert form.pending == ()


def test_marks_show_the_outcome(form):
    form.boxes["epp-2"].value = "x"
    form.mark_saved("epp-2", "x", 0.0)
    assert form.statuses["epp-2"].value.startswith("Saved ")
    form.mark_failed("epp-2", "the store said no")
    assert form.statuses["epp-2"].value == "Not saved: the store said no"


def test_back_to_the_saved_text_emits_nothing(form):
    saves = []
    form.on_save(lambda qid, text: saves.append(text))
    form.load({"epp-1": "kept"})
    form.boxes["epp-1"].value = "kept and more"
    form.boxes["epp-1"].value = "kept"
    form.flush()
    assert saves == []
    assert form.statuses["epp-1"].value == "Saved"


def test_load_fills_boxes_without_saving(form):
    saves = []
    form.on_save(lambda qid, text: saves.append(text))
    form.load({"epp-3": "from the store"})
    form.flush()
    assert form.boxes["epp-3"].value == "from the store"
    assert form.boxes["epp-1"].value == ""
    assert saves == []


def test_disabled_disables_every_box(form):
    form.disabled = True
    assert all(b.disabled for b in form.boxes.values())
    form.disabled = False
    assert not any(b.disabled for b in form.boxes.values())


def test_setting_value_fills_the_boxes_and_is_saved(form):
    saves = []
    form.on_save(lambda qid, text: saves.append((qid, text)))
    form.value = {"epp-2": "Set from a script"}
    assert form.boxes["epp-2"].value == "Set from a script"
    assert form.boxes["epp-1"].value == ""  # not named: kept
    assert form.value == {qid: ("Set from a script" if qid == "epp-2" else "") for qid in form.boxes}
    assert form.statuses["epp-2"].value == "Saving…"
    form.flush()
    assert saves == [("epp-2", "Set from a script")]


def test_value_is_linked_both_ways(form, tool):
    import traitlets

    other = QuestionForm(tool)
    traitlets.link((form, "value"), (other, "value"))
    form.boxes["epp-1"].value = "typed in one"
    assert other.boxes["epp-1"].value == "typed in one"
    other.boxes["epp-3"].value = "typed in the other"
    assert form.boxes["epp-3"].value == "typed in the other"
    assert form.value == other.value


def test_load_changes_value_once_and_saves_nothing(form):
    changes, saves = [], []
    form.observe(lambda change: changes.append(change["new"]), "value")
    form.on_save(lambda qid, text: saves.append(text))
    form.load({"epp-1": "a", "epp-2": "b"})
    assert changes == [{**{qid: "" for qid in form.boxes}, "epp-1": "a", "epp-2": "b"}]
    form.flush()
    assert saves == []


def test_a_bad_value_is_refused_and_nothing_changes(form):
    import traitlets

    before = dict(form.value)
    with pytest.raises(traitlets.TraitError, match="unknown question 'nope' \\(expected one of epp-1, "):
        form.value = {"nope": "x"}
    with pytest.raises(traitlets.TraitError, match="answer to question 1 of tool 1: expected text, got int"):
        form.value = {"epp-1": 3}
    assert form.value == before
    assert form.boxes["epp-1"].value == ""


def test_disabled_is_a_trait_that_links_and_can_be_given_at_construction(form, tool, kit):
    import traitlets

    from widgets.rating import Rating

    rating = Rating(kit.scale, tool.id)
    traitlets.link((form, "disabled"), (rating, "disabled"))
    form.disabled = True
    assert rating.disabled is True and rating.buttons.disabled and rating.comment.disabled
    rating.disabled = False
    assert form.disabled is False and not any(b.disabled for b in form.boxes.values())
    born_disabled = QuestionForm(tool, disabled=True)
    assert all(b.disabled for b in born_disabled.boxes.values())
