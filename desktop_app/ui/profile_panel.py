"""The Profile panel: every default Graph /me property, then the organization (its name from
Graph /organization, else its ID) and the tenant ID, as plain text, each with a Copy button.

A value longer than SHOWN_CHARS (a directory that allows it, or a server that misbehaves) is
shown cut, with "…" and how long it is; Copy copies all of it. Qt lays out every character of a
word-wrapped label: ten labels of 4,096 characters held the window for over 100 ms."""

from __future__ import annotations

import time
from functools import partial

from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QToolButton, QWidget

from desktop_app.core.i18n import N_, _, current_language, number
from desktop_app.graph.organization import Organization
from desktop_app.graph.profile import PROFILE_FIELDS, Profile
from desktop_app.ui.clipboard import copy_button_text, reserve_copied_width
from desktop_app.ui.translation import local_time
from desktop_app.ui.widgets import CardPanel, muted, plain_label

# after /me's fields: who the account belongs to
TENANT_FIELDS = (("organization", N_("Organization")), ("tenantId", N_("Tenant ID")))
SHOWN_CHARS = 400  # a few lines of a wide window; the rest is a Copy away


def cut_for_screen(text: str) -> str:
    """``text`` as its label shows it: whole, or its start, "…" and its length."""
    if len(text) <= SHOWN_CHARS:
        return text
    return _("{start}…\n({count} characters; Copy copies all)").format(
        start=text[:SHOWN_CHARS], count=number(len(text))
    )


class ProfilePanel(CardPanel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("Microsoft Graph profile"), parent)
        card, card_layout = self.card, self.card_layout
        self.as_of = muted(_("Not loaded yet"), card)
        self.as_of.setObjectName("profile_as_of")
        card_layout.addWidget(self.as_of)
        form = QFormLayout()
        form.setHorizontalSpacing(24)
        form.setVerticalSpacing(6)
        self.values: dict[str, QLabel] = {}
        self.copy_buttons: dict[str, QToolButton] = {}
        for name, title in (*PROFILE_FIELDS, *TENANT_FIELDS):
            value = plain_label("", card, selectable=True)
            value.setObjectName(f"profile_{name}")
            title = _(title)
            value.setAccessibleName(title)
            copy = QToolButton(card)
            copy.setText(_("Copy"))
            copy.setObjectName("copyButton")
            copy.setAccessibleName(_("Copy {title}").format(title=title))
            # English lowers the field's name mid-sentence; German's nouns keep their capital
            lower = title.lower() if current_language() == "en" else title
            copy.setToolTip(_("Copy {title}").format(title=lower))
            copy.clicked.connect(partial(self._copy, name))
            reserve_copied_width(copy)  # (it says "Copied" for a moment)
            row = QHBoxLayout()
            row.addWidget(value, 1)
            row.addWidget(copy)
            self.values[name] = value
            self.copy_buttons[name] = copy
            label = muted(title, card)
            # one line: a wrapped field name ("Bevorzugte Sprache") was cut to half its second
            # line by the form's row height (the German screenshot)
            label.setWordWrap(False)
            form.addRow(label, row)
        card_layout.addLayout(form)
        self._fetched_at: float | None = None
        self._from_snapshot = False
        self._offline = False
        self._tenant_id = ""
        self._organization: Organization | None = None
        self._full: dict[str, str] = {}  # each value whole, where its label shows it cut

    def value_text(self, name: str) -> str:
        """The value (or the note) for ``name``, whole: what Copy copies."""
        return self._full.get(name, self.values[name].text())

    def shown_text(self, name: str) -> str:
        """What the label shows: a long value cut (cut_for_screen)."""
        return self.values[name].text()

    def _set_value(self, name: str, text: str) -> None:
        shown_text = cut_for_screen(text)
        if shown_text is text:
            self._full.pop(name, None)
        else:
            self._full[name] = text
        self.values[name].setText(shown_text)

    def _copy(self, name: str) -> None:
        if self.copy_buttons[name].isEnabled():  # never the "Not shown: ..." note
            copy_button_text(self.copy_buttons[name], self.value_text(name))

    def show_profile(self, profile: Profile | None) -> None:
        for name, _label in PROFILE_FIELDS:
            text = profile.display_value(name) if profile else ""
            sent = profile.wrong_type(name) if profile else None
            label = self.values[name]
            # a value Graph sent as something other than text is said, not silently dropped
            self._set_value(
                name,
                text
                or (
                    _("Not shown: Microsoft Graph sent {sent}, not text").format(sent=sent)
                    if sent
                    else ""
                ),
            )
            label.setProperty("warning", bool(sent))
            label.style().unpolish(label)
            label.style().polish(label)
            self.copy_buttons[name].setEnabled(bool(text))
        self._fetched_at = time.time() if profile else None
        self._from_snapshot = False
        self._show_as_of()

    def show_tenant(self, tenant_id: str) -> None:
        """The signed-in account's tenant (the ID token's tid; "" when nobody is)."""
        self._tenant_id = tenant_id
        self._show_tenant()

    def show_organization(self, organization: Organization | None) -> None:
        """The tenant's name from Graph, or None: not known (shown by its ID)."""
        self._organization = organization
        self._show_tenant()

    def _show_tenant(self) -> None:
        tenant, org = self._tenant_id, self._organization
        name = org.name_for(tenant) if org is not None and tenant else ""
        for key, text in (("organization", name or tenant), ("tenantId", tenant)):
            self._set_value(key, text)
            self.copy_buttons[key].setEnabled(bool(text))
        self.values["organization"].setToolTip(
            "" if name or not tenant else _("Its name could not be read from Microsoft Graph")
        )

    def show_freshness(self, fetched_at: float, from_snapshot: bool) -> None:
        """When the profile on screen was fetched; a stored copy is marked as such."""
        self._fetched_at = fetched_at
        self._from_snapshot = from_snapshot
        self._show_as_of()

    def set_offline(self, offline: bool) -> None:
        self._offline = offline
        self._show_as_of()

    def _show_as_of(self) -> None:
        if self._fetched_at is None:
            self.as_of.setText(_("Not loaded yet"))
            return
        when = time.localtime(self._fetched_at)
        same_day = time.strftime("%Y-%m-%d", when) == time.strftime("%Y-%m-%d")
        stamp = local_time(self._fetched_at, "HH:mm:ss" if same_day else "yyyy-MM-dd HH:mm")
        if self._offline:
            note = _(" · offline: this is the last profile Lanyard loaded")
        elif self._from_snapshot:
            note = _(" · saved copy, updating…")
        else:
            note = ""
        self.as_of.setText(_("As of {stamp}{note}").format(stamp=stamp, note=note))
