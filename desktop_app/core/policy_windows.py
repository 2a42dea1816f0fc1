"""Windows policy: HKLM\\SOFTWARE\\Policies\\Lanyard, then HKCU\\SOFTWARE\\Policies\\Lanyard (the
machine's wins). A key's values are locked settings; the values of its ``Defaults`` subkey are
defaults a user's own settings replace.

Two ways in, one mapping: ``RegistrySource`` reads the registry with winreg (on Windows only:
it cannot run on the Linux CI), ``RegFileSource`` reads a regedit export (.reg) — what an
administrator deploys, and what the tests read through managed_policy's seam. Both hand
(name, data, type) triples, as winreg.EnumValue gives them, to ``section_from_values``.
"""

from __future__ import annotations

import ntpath
import re
import sys
from collections.abc import Iterable, Sequence

from desktop_app.core.i18n import _
from desktop_app.core.managed_policy import (
    PolicyFile,
    Section,
    Source,
)

POLICY_KEY = r"SOFTWARE\Policies\Lanyard"
DEFAULTS_SUBKEY = "Defaults"
HIVES = (("HKLM", "HKEY_LOCAL_MACHINE"), ("HKCU", "HKEY_CURRENT_USER"))  # the first wins

# winreg's constants, spelled out: the module exists on Windows only
REG_SZ = 1
REG_EXPAND_SZ = 2
REG_BINARY = 3
REG_DWORD = 4
REG_DWORD_BIG_ENDIAN = 5
REG_MULTI_SZ = 7
REG_QWORD = 11
_TYPE_NAMES = {
    REG_SZ: "REG_SZ",
    REG_EXPAND_SZ: "REG_EXPAND_SZ",
    REG_BINARY: "REG_BINARY",
    REG_DWORD: "REG_DWORD",
    REG_DWORD_BIG_ENDIAN: "REG_DWORD_BIG_ENDIAN",
    REG_MULTI_SZ: "REG_MULTI_SZ",
    REG_QWORD: "REG_QWORD",
}

RegValue = tuple[str, object, int]  # (name, data, type), as winreg.EnumValue returns


class RegistrySection(Section):
    def where(self, locked: bool, name: str) -> str:
        return f"{self.label}\\{name}" if locked else f"{self.label}\\{DEFAULTS_SUBKEY}\\{name}"


_VARIABLE = re.compile(r"%[^%]+%")


def setting_value(data: object, kind: int, locked: bool = False) -> object:
    """A registry value as a setting: text, numbers as text (a DWORD 0 or 1 is false or true,
    as config.py reads "0" and "1"), a REG_MULTI_SZ as a list. Raises ValueError for a type no
    setting can hold.

    A REG_EXPAND_SZ is expanded from this process's environment, which is the user's to set
    (a user variable named ProgramData replaces the system's): fine for a default, which the
    user may replace anyway, but a locked value must not depend on it, or the user would choose
    what the lock holds (a CA bundle, a proxy). A locked one naming a variable is refused."""
    if kind == REG_SZ and isinstance(data, str):
        return data
    if kind == REG_EXPAND_SZ and isinstance(data, str):
        if locked and _VARIABLE.search(data):
            raise ValueError(
                _(
                    "is a REG_EXPAND_SZ naming environment variables, which each user can set "
                    "for themselves; write a locked value out in full (REG_SZ)"
                )
            )
        return ntpath.expandvars(data)  # %ProgramData% and the like, as Windows would
    if kind in (REG_DWORD, REG_DWORD_BIG_ENDIAN, REG_QWORD) and isinstance(data, int):
        return str(data)
    if kind == REG_MULTI_SZ and isinstance(data, list):
        return [str(item) for item in data if item != ""]
    name = _TYPE_NAMES.get(kind, f"type {kind}")
    raise ValueError(_("is a {name} value, which no Lanyard setting can hold").format(name=name))


def section_from_values(
    label: str, locked: Iterable[RegValue] | None, defaults: Iterable[RegValue] | None
) -> Section:
    section = RegistrySection(label)
    for values, into, is_locked in (
        (locked, section.locked, True),
        (defaults, section.defaults, False),
    ):
        for name, data, kind in values or ():
            if not name:
                continue  # a key's (Default) value names no setting
            try:
                into[name] = setting_value(data, kind, is_locked)
            except ValueError as exc:
                section.problems.append(
                    _("{where} {error}; it is ignored.").format(
                        where=section.where(is_locked, name), error=exc
                    )
                )
    return section


# -- the registry itself (Windows) -------------------------------------------------------------


class RegistrySource:
    """One hive's policy key, read with winreg (64-bit view, where Group Policy writes)."""

    def __init__(self, hive: str) -> None:
        self.hive = hive

    def __repr__(self) -> str:
        return f"{self.hive}\\{POLICY_KEY}"

    def read(self) -> Iterable[Section]:
        locked = _key_values(self.hive, POLICY_KEY)
        if locked is None:
            return []
        defaults = _key_values(self.hive, f"{POLICY_KEY}\\{DEFAULTS_SUBKEY}")
        return [section_from_values(repr(self), locked, defaults)]


def _key_values(hive: str, path: str) -> list[RegValue] | None:
    """The values of a key, None when there is no such key."""
    if sys.platform != "win32":  # winreg exists there only (and mypy checks it for win32)
        return None
    import winreg

    root = winreg.HKEY_LOCAL_MACHINE if hive == "HKLM" else winreg.HKEY_CURRENT_USER
    try:
        key = winreg.OpenKey(root, path, 0, winreg.KEY_READ | winreg.KEY_WOW64_64KEY)
    except FileNotFoundError:
        return None
    values: list[RegValue] = []
    with key:
        index = 0
        while True:
            try:
                name, data, kind = winreg.EnumValue(key, index)
            except OSError:  # no more values
                return values
            values.append((name, data, kind))
            index += 1


def registry_sources() -> Sequence[Source]:
    return [RegistrySource(short) for short, _ in HIVES]


# -- a regedit export (.reg) -------------------------------------------------------------------

_HEADERS = ("Windows Registry Editor Version 5.00", "REGEDIT4")
_NAME = re.compile(r'^(@|"(?:[^"\\]|\\.)*")=(.*)$', re.DOTALL)
_HEX = re.compile(r"^hex(?:\(([0-9a-fA-F]+)\))?:(.*)$", re.DOTALL)


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1], flags=re.DOTALL)


def _data(text: str) -> tuple[object, int]:
    """One value's data as winreg would return it, and its type. Raises ValueError."""
    if text.startswith('"') and text.endswith('"') and len(text) >= 2:
        return _unquote(text), REG_SZ
    if text.lower().startswith("dword:"):
        return int(text[6:], 16), REG_DWORD
    found = _HEX.match(text)
    if found is None:
        raise ValueError(_("has data regedit does not write"))
    kind = int(found.group(1), 16) if found.group(1) else REG_BINARY
    digits = found.group(2).replace(",", "").replace(" ", "")
    raw = bytes.fromhex(digits)
    if kind == REG_MULTI_SZ:
        return raw.decode("utf-16-le").rstrip("\0").split("\0"), kind
    if kind in (REG_SZ, REG_EXPAND_SZ):
        return raw.decode("utf-16-le").rstrip("\0"), kind
    if kind in (REG_DWORD, REG_QWORD):
        return int.from_bytes(raw, "little"), kind
    return raw, kind


def _logical_lines(text: str) -> Iterable[str]:
    """regedit's lines, a hex value's continuations (a trailing backslash) joined."""
    pending = ""
    # regedit ends its lines with CRLF; a lone CR (or another of str.splitlines' breaks) is a
    # character of the value it sits in, whose problem then names it
    for line in text.replace("\r\n", "\n").split("\n"):
        line = line.strip() if pending else line.rstrip()
        if line.endswith("\\") and not line.endswith('"'):
            pending += line[:-1]
            continue
        yield pending + line
        pending = ""
    if pending:
        yield pending


def parse_reg(text: str, label: str) -> list[Section]:
    """The Lanyard policy keys of a regedit export, HKLM's first; everything else in it is left
    alone. Damage is reported value by value; a file that is no export at all, as a whole."""
    lines = iter(_logical_lines(text.lstrip("\ufeff")))
    header = next(lines, "").strip()
    if header not in _HEADERS:
        return [
            Section(
                label,
                problems=[
                    _("{label} is not a registry export; it is ignored.").format(label=label)
                ],
            )
        ]
    found: dict[str, tuple[list[RegValue], list[RegValue]]] = {}
    problems: list[str] = []
    current: list[RegValue] | None = None
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith(";"):
            continue
        if stripped.startswith("["):
            current = _key_for(stripped.strip("[]"), found)
            continue
        if current is None:
            continue  # a value of a key that is not Lanyard's
        named = _NAME.match(stripped)
        if named is None:
            problems.append(
                _("{label}: a line cannot be read ({line}); it is ignored.").format(
                    label=label, line=repr(stripped[:40])
                )
            )
            continue
        name = "" if named.group(1) == "@" else _unquote(named.group(1))
        try:
            data, kind = _data(named.group(2).strip())
        except (ValueError, UnicodeDecodeError) as exc:
            problems.append(
                _("{label}: value '{name}' cannot be read ({error}); it is ignored.").format(
                    label=label, name=name, error=exc
                )
            )
            continue
        current.append((name, data, kind))
    sections: list[Section] = []
    for short, _hive in HIVES:
        if short in found:
            locked, defaults = found[short]
            sections.append(section_from_values(f"{short}\\{POLICY_KEY}", locked, defaults))
    if problems:
        sections.insert(0, Section(label, problems=problems))
    return sections


def _key_for(
    path: str, found: dict[str, tuple[list[RegValue], list[RegValue]]]
) -> list[RegValue] | None:
    """The list a key's values go into, when it is a Lanyard policy key (or its Defaults)."""
    if path.startswith("-"):
        return None  # a key deleted: no policy in it
    root, _, rest = path.partition("\\")
    short = next((s for s, long in HIVES if root.upper() in (s, long)), None)
    rest_folded = rest.rstrip("\\").lower()
    if short is None or not rest_folded.startswith(POLICY_KEY.lower()):
        return None
    locked, defaults = found.setdefault(short, ([], []))
    if rest_folded == POLICY_KEY.lower():
        return locked
    if rest_folded == f"{POLICY_KEY}\\{DEFAULTS_SUBKEY}".lower():
        return defaults
    return None


class RegFileSource(PolicyFile):
    """A regedit export read as the registry would be (the tests' way to the mapping above)."""

    def parse(self, raw: bytes) -> Iterable[Section]:
        try:
            if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                text = raw.decode("utf-16")  # regedit's own: UTF-16 with its byte-order mark
            else:
                text = raw.decode("utf-8-sig")  # REGEDIT4, or one written by hand
        except UnicodeDecodeError:
            return [
                Section(
                    str(self.path),
                    problems=[_("{path} is not text; ignored.").format(path=self.path)],
                )
            ]
        return parse_reg(text, str(self.path))
