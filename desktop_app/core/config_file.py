"""Writes config.toml: a small TOML writer for Lanyard's flat settings, and an atomic save.

The standard library reads TOML (tomllib) but cannot write it. Lanyard's file is flat: text,
true/false, whole numbers and lists of text under bare keys, which is all this writer knows;
anything else is refused rather than written wrongly. Saving keeps the keys it was not asked
to change (comments are not kept: the file says so in its first line).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path

from desktop_app.core.config import CONFIG_FILE_LIMIT
from desktop_app.core.files import atomic_write, read_bounded

HEADER = (
    "# Lanyard settings, written by its Settings dialog. Keys you add by hand are kept;\n"
    "# comments are not.\n"
)
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped, the rest as is
    (TOML files are UTF-8)."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def toml_value(value: object) -> str:
    if isinstance(value, bool):  # before int: bool is an int
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        return "[" + ", ".join(toml_string(item) for item in value) + "]"
    raise TypeError(f"cannot write a {type(value).__name__} to Lanyard's config file")


def dumps(values: Mapping[str, object]) -> str:
    lines = [HEADER]
    for key, value in values.items():
        if not _BARE_KEY.match(key):
            raise ValueError(f"not a plain TOML key: {key!r}")
        lines.append(f"{key} = {toml_value(value)}\n")
    return "".join(lines)


def _write_atomically(path: Path, text: str) -> None:
    """Mode 0600: a proxy URL may carry a password."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, text.encode("utf-8"), 0o600)


def save(path: Path, changes: Mapping[str, object | None]) -> Path | None:
    """Set (or, for None, remove) ``changes`` in the TOML file at ``path``, keeping its other
    keys in their order. A file that is not valid TOML is moved aside first, to
    ``<name>.invalid``, and that path is returned (else None)."""
    current: dict[str, object] = {}
    moved_aside = None
    try:
        current = tomllib.loads(read_bounded(path, CONFIG_FILE_LIMIT).decode("utf-8"))
    except FileNotFoundError:
        pass
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        moved_aside = path.with_name(path.name + ".invalid")
        os.replace(path, moved_aside)
    for key, value in changes.items():
        if value is None:
            current.pop(key, None)
        else:
            current[key] = value
    _write_atomically(path, dumps(current))
    return moved_aside
