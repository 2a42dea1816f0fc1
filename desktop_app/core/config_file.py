"""Writes config.toml: the settings form's changes applied to the person's own file, with
their comments, order and formatting kept (tomlkit), and an atomic 0600 save.

The standard library reads TOML (tomllib) but cannot write it; a hand-written writer, which
this module was, lost every comment a person wrote. tomllib still decides whether a file is
valid (Lanyard reads it with tomllib), and only Lanyard's own value types are written: text,
true/false, whole numbers and lists of text under bare keys; anything else is refused rather
than written wrongly.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.toml_document import TOMLDocument

from desktop_app.core.config import CONFIG_FILE_LIMIT, decode_text
from desktop_app.core.files import atomic_write, read_bounded

HEADER = (
    "# Lanyard settings, written by its Settings dialog. Your comments and the keys you add\n"
    "# by hand are kept.\n"
)
# what the hand-written writer put first, which the comments it dropped made true
_OLD_HEADER = (
    "# Lanyard settings, written by its Settings dialog. Keys you add by hand are kept;\n"
    "# comments are not.\n"
)
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _checked(key: str, value: object) -> object:
    if not _BARE_KEY.match(key):
        raise ValueError(f"not a plain TOML key: {key!r}")
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        return list(value)
    raise TypeError(f"cannot write a {type(value).__name__} to Lanyard's config file")


def _apply(document: TOMLDocument, changes: Mapping[str, object | None]) -> None:
    for key, value in changes.items():
        if value is None:
            if key in document:
                del document[key]
        else:
            document[key] = _checked(key, value)


def dumps(values: Mapping[str, object]) -> str:
    """A new file holding ``values``, under Lanyard's header."""
    document = tomlkit.parse(HEADER)
    _apply(document, values)
    return tomlkit.dumps(document)


def _write_atomically(path: Path, text: str) -> None:
    """Mode 0600: a proxy URL may carry a password."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, text.encode("utf-8"), 0o600)


def save(path: Path, changes: Mapping[str, object | None]) -> Path | None:
    """Set (or, for None, remove) ``changes`` in the TOML file at ``path``, keeping everything
    else in it as written. A file that is not valid TOML is moved aside first, to
    ``<name>.invalid``, and that path is returned (else None)."""
    moved_aside = None
    crlf = False
    try:
        text = decode_text(read_bounded(path, CONFIG_FILE_LIMIT))
        tomllib.loads(text)  # what Lanyard reads with: the judge of a valid file
        document = tomlkit.parse(text)
        crlf = "\r\n" in text and "\n" not in text.replace("\r\n", "")
    except FileNotFoundError:
        document = tomlkit.parse(HEADER)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, TOMLKitError):
        moved_aside = path.with_name(path.name + ".invalid")
        os.replace(path, moved_aside)
        document = tomlkit.parse(HEADER)
    _apply(document, changes)
    written = tomlkit.dumps(document)
    if written.startswith(_OLD_HEADER):  # no longer true
        written = HEADER + written[len(_OLD_HEADER) :]
    if crlf:  # a Windows file: the lines added in its line endings too, not mixed in
        written = written.replace("\r\n", "\n").replace("\n", "\r\n")
    _write_atomically(path, written)
    return moved_aside
