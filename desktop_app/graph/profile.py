"""The Graph /me profile as a value: every default property, parsed defensively.

Graph data is untrusted text: anything of the wrong type becomes empty, never an exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from desktop_app.core.logs import remember_personal
from desktop_app.core.text import MAX_SHOWN_CHARS, shown

# The properties Graph returns from /me by default, in the order the Profile panel shows them
PROFILE_FIELDS: tuple[tuple[str, str], ...] = (
    ("displayName", "Display name"),
    ("givenName", "First name"),
    ("surname", "Last name"),
    ("jobTitle", "Job title"),
    ("mail", "Email"),
    ("userPrincipalName", "User principal name"),
    ("mobilePhone", "Mobile phone"),
    ("businessPhones", "Business phones"),
    ("officeLocation", "Office"),
    ("preferredLanguage", "Preferred language"),
    ("id", "Object ID"),
)
MAX_FIELD_CHARS = MAX_SHOWN_CHARS


def _text(value: object) -> str:
    """A directory value as it is shown: invisible and control characters made visible,
    bounded (core/text.py); not a string: nothing."""
    return shown(value) if isinstance(value, str) else ""


def _texts(value: object) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(_text(item) for item in value if isinstance(item, str))
    return ()


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

    @classmethod
    def from_graph(cls, data: Mapping[str, Any]) -> Profile:
        values: dict[str, Any] = {}
        for item in fields(cls):
            raw = data.get(item.name)
            values[item.name] = _texts(raw) if item.name == "businessPhones" else _text(raw)
        profile = cls(**values)
        remember_personal(  # masked in logs unless verbose
            (profile.displayName, profile.userPrincipalName, profile.mail, profile.id)
        )
        return profile

    def display_value(self, name: str) -> str:
        value = getattr(self, name)
        return ", ".join(value) if isinstance(value, tuple) else str(value)

    def to_json(self) -> dict[str, Any]:
        return {
            item.name: list(v) if isinstance(v := getattr(self, item.name), tuple) else v
            for item in fields(self)
        }
