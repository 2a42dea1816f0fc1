"""The Graph /me profile as a value: every default property, parsed defensively.

Graph data is untrusted text: anything of the wrong type becomes empty, never an exception,
and is named in ``wrong_types`` so the window can say it could not be shown. A list property
sent as one string (``"businessPhones": "+1 425"``) is one value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from desktop_app.core.i18n import N_
from desktop_app.core.logs import remember_personal
from desktop_app.core.text import MAX_SHOWN_CHARS, shown

# The properties Graph returns from /me by default, in the order the Profile panel shows them
PROFILE_FIELDS: tuple[tuple[str, str], ...] = (
    ("displayName", N_("Display name")),
    ("givenName", N_("First name")),
    ("surname", N_("Last name")),
    ("jobTitle", N_("Job title")),
    ("mail", N_("Email")),
    ("userPrincipalName", N_("User principal name")),
    ("mobilePhone", N_("Mobile phone")),
    ("businessPhones", N_("Business phones")),
    ("officeLocation", N_("Office")),
    ("preferredLanguage", N_("Preferred language")),
    ("id", N_("Object ID")),
)
MAX_FIELD_CHARS = MAX_SHOWN_CHARS


def _text(value: object) -> str:
    """A directory value as it is shown: invisible and control characters made visible,
    bounded (core/text.py); not a string: nothing."""
    return shown(value) if isinstance(value, str) else ""


def _texts(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (_text(value),) if value else ()
    if isinstance(value, list):
        return tuple(_text(item) for item in value if isinstance(item, str))
    return ()


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "a value of another type"


def _wrong_type(name: str, value: object) -> str | None:
    """What Graph sent instead of text (or a list of text), or None when it fits or is absent
    (null is Graph's "no value")."""
    if value is None or isinstance(value, str):
        return None
    if name == "businessPhones" and isinstance(value, list):
        odd = [item for item in value if not isinstance(item, str)]
        return f"a list holding {_json_type(odd[0])}" if odd else None
    return _json_type(value)


@dataclass(frozen=True)
class Profile:
    displayName: str = ""
    givenName: str = ""
    surname: str = ""
    jobTitle: str = ""
    mail: str = ""
    userPrincipalName: str = ""
    mobilePhone: str = ""
    businessPhones: tuple[str, ...] = ()
    officeLocation: str = ""
    preferredLanguage: str = ""
    id: str = ""
    # (property, what Graph sent instead of text) for each value that could not be shown
    wrong_types: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_graph(cls, data: Mapping[str, Any]) -> Profile:
        values: dict[str, Any] = {}
        wrong: list[tuple[str, str]] = []
        for name, _title in PROFILE_FIELDS:
            raw = data.get(name)
            values[name] = _texts(raw) if name == "businessPhones" else _text(raw)
            sent = _wrong_type(name, raw)
            if sent is not None:
                wrong.append((name, sent))
        profile = cls(**values, wrong_types=tuple(wrong))
        remember_personal(  # masked in logs unless verbose
            (profile.displayName, profile.userPrincipalName, profile.mail, profile.id)
        )
        return profile

    def display_value(self, name: str) -> str:
        value = getattr(self, name)
        return ", ".join(value) if isinstance(value, tuple) else str(value)

    def wrong_type(self, name: str) -> str | None:
        """What Graph sent for ``name`` instead of text, if that is why it is empty."""
        return dict(self.wrong_types).get(name)

    def to_json(self) -> dict[str, Any]:
        return {
            item.name: list(v) if isinstance(v := getattr(self, item.name), tuple) else v
            for item in fields(self)
            if item.name != "wrong_types"
        }
