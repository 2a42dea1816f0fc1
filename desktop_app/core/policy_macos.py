"""macOS policy: managed preferences, the files a configuration profile (MDM) writes for the
app's bundle id: /Library/Managed Preferences/io.github.lanyard.Lanyard.plist for the computer,
then /Library/Managed Preferences/<user>/io.github.lanyard.Lanyard.plist for this user (the
computer's wins, as HKLM does on Windows).

The payload's keys are settings; its ``Locked`` array names those the user cannot change, the
others are defaults. Read with plistlib (XML or binary); the tests read sample plists through
managed_policy's seam.
"""

from __future__ import annotations

import os
import plistlib
import struct
import xml.parsers.expat
from collections.abc import Iterable, Sequence
from pathlib import Path

from desktop_app.core.i18n import _, number
from desktop_app.core.managed_policy import (
    BUNDLE_ID,
    PolicyFile,
    Section,
    Source,
    canonical,
)

MANAGED = Path("/Library/Managed Preferences")
# what plistlib.loads raises on damage: its binary reader fails in many ways besides its own
PLIST_DAMAGE = (
    plistlib.InvalidFileException,
    xml.parsers.expat.ExpatError,
    ValueError,
    TypeError,
    LookupError,
    OverflowError,
    RecursionError,
    struct.error,
)
LOCKED_KEY = "Locked"


def plist_value(value: object) -> object:
    """A plist value as a setting: numbers as text (as config.py reads "0" and "1"), a
    boolean and text as they are, an array of text as a list. Raises ValueError otherwise."""
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    raise ValueError(
        _("is a {name}, which no Lanyard setting can hold").format(name=type(value).__name__)
    )


def section_from_plist(label: str, data: object) -> Section:
    section = Section(label)
    if not isinstance(data, dict):
        section.problems.append(
            _("{label} holds no dictionary of settings; it is ignored.").format(label=label)
        )
        return section
    # in any case, as every key is compared (a hand-written "locked" locked nothing before)
    lock_keys = [k for k in data if isinstance(k, str) and k.lower() == LOCKED_KEY.lower()]
    if len(lock_keys) > 1:
        section.problems.append(
            _("{label}: '{key}' is given {n} times ({names}); the first is used.").format(
                label=label, key=LOCKED_KEY, n=number(len(lock_keys)), names=", ".join(lock_keys)
            )
        )
    locked_names = data[lock_keys[0]] if lock_keys else []
    if not isinstance(locked_names, list) or not all(isinstance(n, str) for n in locked_names):
        section.problems.append(
            _("{label}: '{key}' must be an array of setting names; nothing is locked.").format(
                label=label, key=LOCKED_KEY
            )
        )
        locked_names = []
    # matched as merge() matches keys: Locked = ["client_id"] locks ClientId too (compared by
    # lower case alone, it was a default the user could replace)
    locked = {canonical(name) for name in locked_names}
    named = {canonical(name) for name in data if isinstance(name, str)}
    for name in locked_names:
        if canonical(name) not in named:
            section.problems.append(
                _(
                    "{label}: '{key}' names '{name}', which this file does not set; "
                    "nothing is locked by it."
                ).format(label=label, key=LOCKED_KEY, name=name)
            )
    for name, value in data.items():
        if not isinstance(name, str):
            section.problems.append(
                _("{label}: a key that is not text ({name}) is ignored.").format(
                    label=label, name=repr(name)
                )
            )
            continue
        if name in lock_keys or name.startswith("Payload"):
            continue  # the profile's own keys (PayloadUUID, ...) when a payload is copied in
        is_locked = canonical(name) in locked
        try:
            (section.locked if is_locked else section.defaults)[name] = plist_value(value)
        except ValueError as exc:
            section.problems.append(
                _("{where} {error}; it is ignored.").format(
                    where=section.where(is_locked, name), error=exc
                )
            )
    return section


class PlistSource(PolicyFile):
    """A managed preferences plist (XML or binary)."""

    def parse(self, raw: bytes) -> Iterable[Section]:
        label = str(self.path)
        try:
            data = plistlib.loads(raw)
        except PLIST_DAMAGE as exc:
            return [
                Section(
                    label,
                    problems=[
                        _("{label} is not a property list ({exc}); ignored.").format(
                            label=label, exc=exc
                        )
                    ],
                )
            ]
        return [section_from_plist(label, data)]


def _user_name() -> str | None:
    """This account's name from the user database, not $USER (which a user can set)."""
    import pwd

    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return None


def managed_preferences() -> Sequence[Source]:
    sources: list[Source] = [PlistSource(MANAGED / f"{BUNDLE_ID}.plist")]
    user = _user_name()
    if user:
        sources.append(PlistSource(MANAGED / user / f"{BUNDLE_ID}.plist"))
    return sources
