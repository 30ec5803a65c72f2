"""The sign-in form on its own: value and fields, disabled (no store)."""

from __future__ import annotations

import pytest
import traitlets

from widgets.signin import SignIn


@pytest.fixture
def form(kit):
    return SignIn(kit, workshops=[("Riverside", "riverside"), ("Hillside", "hillside")], selected="hillside")


def test_typing_fills_value(form):
    assert form.value == {"workshop": "hillside", "name": "", "organization": "", "sector": "", "table": ""}
    form.organization.value = "City Parks"
    assert form.value["organization"] == "City Parks"


def test_setting_value_fills_the_fields_and_the_button_sends_it(form):
    sent = []
    form.on_sign_in(sent.append)
    form.value = {"organization": "Food Bank", "sector": "nonprofit", "table": "Table 2"}
    assert (form.organization.value, form.sector.value, form.table.value) == ("Food Bank", "nonprofit", "Table 2")
    assert form.workshop.value == "hillside"  # not named: kept
    form.submit.click()
    assert sent == [{"workshop": "hillside", "name": "", "organization": "Food Bank", "sector": "nonprofit", "table": "Table 2"}]


def test_a_choice_not_offered_is_refused(form):
    with pytest.raises(traitlets.TraitError, match="sector: 'pirates' is not one of the choices"):
        form.value = {"sector": "pirates"}
    with pytest.raises(traitlets.TraitError, match="unknown sign-in field 'email'"):
        form.value = {"email": "a@b"}
    assert form.sector.value == "" and form.value["sector"] == ""


def test_new_workshops_update_value(form):
    form.set_workshops([("Lakeside", "lakeside")])
    assert form.value["workshop"] == "lakeside"


def test_disabled_reaches_every_field_and_unavailable_sets_it(form, kit):
    other = SignIn(kit)
    traitlets.dlink((form, "disabled"), (other, "disabled"))
    form.unavailable("no workshop yet")
    assert form.disabled is True and other.disabled is True
    assert all(w.disabled for w in (*other.inputs.values(), other.submit))
    assert form.message.value == "no workshop yet"
