"""Sign-in: which workshop, who you are, which organization, sector and
table.

    >>> form = SignIn(kit, workshops=[("Riverside", "riverside")], selected="riverside")
    >>> form.on_sign_in(lambda value: ...)    # the Session calls store.add_participant
    >>> form.organization.value = "City Parks"; form.submit.click()

The name is optional. A table that shares one laptop chooses "Our whole
table" under "Who uses this device?" and says how many people of each
sector sit at it (issue #15): the device then signs in as the table and
writes the table's answers. A name, organization and table find no one: signing
in makes a participant, and the browser (its device token) stays signed in
on every page (the Session and the store decide that). On another device a
participant types their resume code under "Continue with a resume code"
instead; once signed in, ``resume_code`` shows theirs. Errors from the
store (an empty organization, an unknown code) are shown in ``message`` as
they are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import traitlets

from toolkit.store.checks import MAX_SHORT_CHARS, MAX_TABLE_MEMBERS
from widgets.keyed import KeyedBox
from widgets.style import GROUP, GROUP_LABEL, LABEL_STYLE, LIVE, RADIOGROUP, focus, hook, max_length, message_line, set_message, shared_style

if TYPE_CHECKING:
    from toolkit.content import Toolkit

NO_SECTOR = ""
#: The "Who uses this device?" choices.
PERSON, TABLE = "person", "table"


class SignIn(KeyedBox):
    """``value`` is ``{"workshop", "name", "organization", "sector",
    "table"}`` as filled in; setting it from outside fills the fields it
    names (the others keep theirs). ``disabled`` makes the form read-only.

    Children: ``workshop`` (Dropdown), ``name``, ``organization``, ``table``
    (Text), ``sector`` (Dropdown), all five also in ``inputs`` (by key of
    ``value``), ``submit`` (Button), ``message`` (Label); once signed in,
    ``form`` is hidden and ``signed_in_bar`` shows ``whoami`` and a
    ``change`` button, and ``resume_code`` the participant's code.
    ``code`` (Text) and ``resume`` (Button) continue as someone who holds a
    resume code. ``uses`` (RadioButtons: ``"person"`` or ``"table"``)
    switches to signing in as a table: ``members`` (BoundedIntText by
    sector id, built the first time) in ``members_box``. CSS: ``xs-signin``,
    ``xs-signin-uses``, ``xs-signin-members``, ``xs-signin-members-<sector_id>``,
    ``xs-signin-workshop``, ``xs-signin-name``, ``xs-signin-org``,
    ``xs-signin-sector``, ``xs-signin-table``, ``xs-signin-submit``,
    ``xs-signin-message``, ``xs-signed-in``, ``xs-signin-change``,
    ``xs-signin-resume``, ``xs-signin-resume-submit``, ``xs-resume-code``.
    """

    value = traitlets.Dict(help="the sign-in fields as filled in")
    noun = "sign-in field"
    disabled = traitlets.Bool(False, help="the form is read-only")

    def __init__(self, kit: Toolkit, workshops: Sequence[tuple[str, str]] = (), selected: str | None = None, **kwargs: Any):
        # Children first, super().__init__ last: the observers (also of
        # traits given as kwargs) always find the fields built.
        self._handlers = widgets.CallbackDispatcher()
        self._table_handlers = widgets.CallbackDispatcher()
        wide = widgets.Layout(width="100%")
        self._resume_handlers = widgets.CallbackDispatcher()
        self.heading = widgets.HTML("<h2>Sign in</h2><p class=\"xs-muted\">Sign in once: every page you open in this browser knows you. "
                                    "On another device, use the resume code you get after signing in.</p>", style=shared_style(widgets.HTML))
        self.workshop = hook(widgets.Dropdown(description="Workshop", options=[], style=shared_style(widgets.Dropdown, **LABEL_STYLE), layout=wide), "xs-signin-workshop", "xs-stacked")
        self.name = hook(widgets.Text(description="Your name (optional)", placeholder="e.g. Ana Ruiz", style=shared_style(widgets.Text, **LABEL_STYLE), layout=wide), "xs-signin-name", "xs-stacked")
        self.organization = hook(widgets.Text(description="Organization", placeholder="e.g. City Parks Department", style=shared_style(widgets.Text, **LABEL_STYLE), layout=wide), "xs-signin-org", "xs-stacked")
        self.sector = hook(
            widgets.Dropdown(description="Sector", options=[("Choose your sector", NO_SECTOR)] + [(s.name, s.id) for s in kit.sectors],
                             value=NO_SECTOR, style=shared_style(widgets.Dropdown, **LABEL_STYLE), layout=wide),
            "xs-signin-sector", "xs-stacked",
        )
        self.table = hook(widgets.Text(description="Table or team", placeholder="e.g. Table 3", style=shared_style(widgets.Text, **LABEL_STYLE), layout=wide), "xs-signin-table", "xs-stacked")
        self.submit = hook(
            widgets.Button(description="Sign in", button_style="primary", icon="sign-in", tooltip="Sign in to this workshop", layout=widgets.Layout(width="auto", min_width="9rem", align_self="flex-start"), style=shared_style(widgets.Button)),
            "xs-signin-submit",
        )
        self.submit.on_click(lambda _b: self._submitted())
        self.message = message_line("xs-signin-message")
        # Native radios named by the heading above them (a11y.js: one
        # radiogroup labelled "Who uses this device?").
        self.uses = hook(
            widgets.RadioButtons(options=[("Just me", PERSON), ("Our whole table (one shared device)", TABLE)], value=PERSON, layout=wide, style=shared_style(widgets.RadioButtons)),
            "xs-signin-uses", RADIOGROUP,
        )
        uses_box = hook(
            widgets.VBox([hook(widgets.HTML('<h3 class="xs-signin-uses-label">Who uses this device?</h3>', style=shared_style(widgets.HTML)), GROUP_LABEL), self.uses], layout=wide),
            "xs-signin-uses-box", GROUP,
        )
        self.members: dict[str, widgets.BoundedIntText] = {}  # built when "our whole table" is first chosen
        self._sectors = [(s.id, s.name) for s in kit.sectors]
        self.members_box = hook(widgets.VBox([], layout=widgets.Layout(width="100%", display="none")), "xs-signin-members")
        self.uses.observe(self._uses_changed, "value")
        fields = hook(widgets.Box([self.workshop, self.name, self.organization, self.sector, self.table], layout=wide), "xs-signin-fields")
        self.code = hook(
            widgets.Text(description="Continue with a resume code", placeholder="e.g. K7PQ-4QX9", style=shared_style(widgets.Text, **LABEL_STYLE), layout=wide),
            "xs-signin-resume", "xs-stacked",
        )
        self.resume = hook(
            widgets.Button(description="Continue", icon="arrow-right", tooltip="Continue as the participant this resume code belongs to",
                           layout=widgets.Layout(width="auto", min_width="9rem", align_self="flex-start"), style=shared_style(widgets.Button)),
            "xs-signin-resume-submit",
        )
        self.resume.on_click(lambda _b: self._resume_handlers(self.code.value))
        self.resume_box = hook(widgets.VBox([self.code, self.resume], layout=wide), "xs-signin-resume-box")
        self.form = widgets.VBox([self.heading, uses_box, fields, self.members_box, self.submit, self.resume_box, self.message], layout=widgets.Layout(width="100%"))
        self.whoami = hook(widgets.Label("", layout=widgets.Layout(width="auto"), style=shared_style(widgets.Label)), "xs-signed-in", "xs-wrap", LIVE)
        self.change = hook(
            widgets.Button(description="Not you? Sign in again", tooltip="Sign in with another name, organization or table", layout=widgets.Layout(width="auto"), style=shared_style(widgets.Button)),
            "xs-signin-change",
        )
        self.change.on_click(lambda _b: self.show_form())
        self.resume_code = hook(widgets.Label("", layout=widgets.Layout(width="100%", display="none"), style=shared_style(widgets.Label)), "xs-resume-code", "xs-wrap")
        self.signed_in_bar = widgets.HBox(
            [self.whoami, self.change, self.resume_code],
            layout=widgets.Layout(width="100%", display="none", flex_flow="row wrap", align_items="center", justify_content="space-between"),
        )
        self.inputs = {"workshop": self.workshop, "name": self.name, "organization": self.organization, "sector": self.sector, "table": self.table}
        for text in (self.name, self.organization, self.table):
            max_length(text, MAX_SHORT_CHARS)  # the store's limit
        for w in (*self.inputs.values(), self.uses, self.submit, self.code, self.resume):
            traitlets.dlink((self, "disabled"), (w, "disabled"))
        self._keep_in_step(self.inputs)
        super().__init__([self.form, self.signed_in_bar], **kwargs)
        hook(self, "xs-signin", "xs-card")
        self.set_workshops(workshops, selected)

    def on_sign_in(self, callback: Callable[[dict[str, Any]], Any], remove: bool = False) -> None:
        """Register ``callback(value)``, called when ``submit`` is pressed."""
        self._handlers.register_callback(callback, remove=remove)

    def on_sign_in_table(self, callback: Callable[[dict[str, Any]], Any], remove: bool = False) -> None:
        """Register ``callback({"workshop", "table", "members"})``, called
        when ``submit`` is pressed with "Our whole table" chosen;
        ``members`` is sector id -> how many of that sector sit at the table."""
        self._table_handlers.register_callback(callback, remove=remove)

    @property
    def table_members(self) -> dict[str, int]:
        """Sector id -> how many sit at the table, as filled in (sectors at 0 left out)."""
        return {sid: int(box.value) for sid, box in self.members.items() if box.value}

    def _submitted(self) -> None:
        if self.uses.value == TABLE:
            self._table_handlers({"workshop": self.workshop.value, "table": self.table.value, "members": self.table_members})
        else:
            self._handlers(dict(self.value))

    def _uses_changed(self, change: dict[str, Any]) -> None:
        table = change["new"] == TABLE
        if table and not self.members:
            # Built on first use: five more inputs the visitor's browser
            # would otherwise wait for on every page, for the few tables
            # that share a device.
            for sid, name in self._sectors:
                box = hook(widgets.BoundedIntText(value=0, min=0, max=MAX_TABLE_MEMBERS, description=f"How many from {name}", style=shared_style(widgets.BoundedIntText, **LABEL_STYLE),
                                                  layout=widgets.Layout(width="100%")), "xs-signin-member", f"xs-signin-members-{sid}", "xs-stacked")
                traitlets.dlink((self, "disabled"), (box, "disabled"))
                self.members[sid] = box
            intro = widgets.HTML('<p class="xs-muted">Who sits at the table? Say how many people from each sector: the table\'s answers are '
                                 "written here for all of you, and each person can still rate and vote on their own device.</p>", style=shared_style(widgets.HTML))
            self.members_box.children = [intro, *self.members.values()]
        for w in (self.name, self.organization, self.sector):
            w.layout.display = "none" if table else None
        self.members_box.layout.display = None if table else "none"
        self.resume_box.layout.display = "none" if table else None
        self.submit.description = "Sign in as the table" if table else "Sign in"

    def set_workshops(self, workshops: Sequence[tuple[str, str]], selected: str | None = None) -> None:
        """Offer ``(title, slug)`` pairs; ``selected`` (else the first) is
        preselected."""
        self.workshop.options = list(workshops)
        slugs = [slug for _title, slug in workshops]
        if slugs:
            self.workshop.value = selected if selected in slugs else slugs[0]

    def on_resume(self, callback: Callable[[str], Any], remove: bool = False) -> None:
        """Register ``callback(code)``, called when a resume code is submitted."""
        self._resume_handlers.register_callback(callback, remove=remove)

    def signed_in(self, who: str, resume_code: str = "") -> None:
        """Collapse the form into "Signed in as ..." and the participant's
        resume code (``K7PQ-4QX9``; plain text)."""
        self.whoami.value = f"Signed in as {who}"
        if resume_code:
            self.resume_code.value = (
                f"Your resume code: {resume_code}. To continue on another device, open this workshop there and "
                "type it under \"Continue with a resume code\". Write it on your handout; keep it to yourself."
            )
        self.resume_code.layout.display = None if resume_code else "none"
        self.code.value = ""
        set_message(self.message, "", "info")
        self.form.layout.display = "none"
        self.signed_in_bar.layout.display = None

    def show_form(self) -> None:
        self.form.layout.display = None
        self.signed_in_bar.layout.display = "none"

    def failed(self, reason: str, field: str = "") -> None:
        """Say why (an error, announced at once) and put the keyboard focus
        in the ``field`` it is about (a key of ``inputs``, or ``"resume
        code"``; the store's refusals name it), if any."""
        set_message(self.message, f"Not signed in: {reason}", "error")
        focus({**self.inputs, "resume code": self.code}.get(field))

    def unavailable(self, reason: str) -> None:
        """Nothing to sign in to: say why and disable the form."""
        set_message(self.message, reason, "error")
        self.disabled = True

    def _check_part(self, key: str, value: Any) -> Any:
        field = self.inputs[key]
        if isinstance(field, widgets.Dropdown) and value != field.value:
            choices = [o[1] if isinstance(o, tuple) else o for o in field.options]
            if value not in choices:
                raise traitlets.TraitError(f"{key}: {value!r} is not one of the choices ({', '.join(map(repr, choices))})")
        return value
