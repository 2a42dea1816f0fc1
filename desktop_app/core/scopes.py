"""Scope lists: the one parser for the scopes people write, and the names msal adds itself.

People write scopes in three places: the config file (a TOML list, or a string), a LANYARD_SCOPES
variable or --scopes flag (a string), and the two scope fields of the window (Settings, Call an
API). All of them read the same way: ``parse_scopes``. What may be in the list (at least one,
none reserved, one API at a time) is each caller's own rule, worded for where the list came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypeAlias

# A scope list as Lanyard keeps it: in the order written, each scope once, no empty names.
Scopes: TypeAlias = tuple[str, ...]

# msal adds these itself and refuses them in the scope list
RESERVED_SCOPES = frozenset({"openid", "profile", "offline_access"})

_SEPARATORS = re.compile(r"[\s,]+")


def parse_scopes(value: str | Iterable[str]) -> Scopes:
    """The scopes in ``value``, in order, each once (the first stays), empty names dropped.

    A text is split at white space and commas ("User.Read, Mail.Read"). The items of a list (the
    config file's ``scopes = [...]``) are taken whole, with the white space around them trimmed.
    """
    if isinstance(value, str):
        parts: Iterable[str] = _SEPARATORS.split(value)
    else:
        parts = (item.strip() for item in value)
    return tuple(dict.fromkeys(part for part in parts if part))
