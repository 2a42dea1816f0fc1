"""Managed settings: what an administrator sets for every user of a computer, locked or as a
default, read from where each OS keeps such policy. Qt-free; config.py applies it.

- Linux: /etc/lanyard/policy.toml, tables ``[locked]`` and ``[defaults]`` (this module).
- Windows: the values of HKLM\\SOFTWARE\\Policies\\Lanyard (locked) and of its ``Defaults``
  subkey, then the same under HKCU (policy_windows.py).
- macOS: /Library/Managed Preferences/<bundle id>.plist, then the user's own managed file in
  /Library/Managed Preferences/<user>/; its ``Locked`` array names the locked keys
  (policy_macos.py).

The keys are config.toml's, compared without case, ``_`` or ``-`` (``ClientId`` is
``client_id``), so a setting added to config.py is covered here without a change. What a
source says is not checked here: config.py checks each value as it checks the user's file. A
source that cannot be read, or an entry that cannot be used, is a problem in ``Policy.problems``
and ignored; never an exception.

Where policy is read is fixed per OS, on purpose not changeable by the user (no flag, no
variable): tests replace ``platform_sources`` (tests/conftest.py points it at an empty folder).
"""

from __future__ import annotations

import logging
import os
import stat
import sys
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from desktop_app.core.files import UnreadableFile, read_bounded
from desktop_app.core.i18n import _, digits, ngettext

log = logging.getLogger(__name__)

BUNDLE_ID = "io.github.lanyard.Lanyard"  # packaging/lanyard.spec, packaging/linux/make_deb.py
LINUX_POLICY = Path("/etc/lanyard/policy.toml")
POLICY_LIMIT = 1 << 20  # read_bounded: far more than any policy holds
MAX_PROBLEMS = 20  # said one by one; the rest counted


@dataclass
class Section:
    """One place policy was read from (a file, a registry key): its settings as given, by the
    name they were given under, and what could not be read there."""

    label: str  # named in every message: "/etc/lanyard/policy.toml", "HKLM\\SOFTWARE\\..."
    locked: dict[str, object] = field(default_factory=dict)
    defaults: dict[str, object] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def where(self, locked: bool, name: str) -> str:
        """Where one entry was set, as a message names it."""
        return f"{self.label} [{'locked' if locked else 'defaults'}] {name}"


class Source(Protocol):
    def read(self) -> Iterable[Section]:
        """What this source holds (nothing when it does not exist); never raises."""
        ...


@dataclass(frozen=True)
class Entry:
    value: object
    source: str  # where it was set, for messages and the settings form: "/etc/... [locked] tenant"


@dataclass(frozen=True)
class Policy:
    locked: dict[str, Entry] = field(default_factory=dict)
    defaults: dict[str, Entry] = field(default_factory=dict)
    problems: tuple[str, ...] = ()

    def without(self, key: str, locked: bool) -> Policy:
        """This policy with its locked (or default) ``key`` ignored: a value config.py could
        not use."""
        if locked:
            return replace(self, locked={k: e for k, e in self.locked.items() if k != key})
        return replace(self, defaults={k: e for k, e in self.defaults.items() if k != key})

    def source_of(self, key: str) -> str | None:
        """Where the policy sets ``key`` (locked first), if it does."""
        entry = self.locked.get(key) or self.defaults.get(key)
        return entry.source if entry else None


def canonical(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


@dataclass(frozen=True)
class Trust:
    """Who a policy file must come from to be obeyed, as sshd and sudo judge their own files:
    the file and every folder above it (up to ``top``) belong to ``owner`` (root), are not
    writable by a group or others, and the file opened is the file checked. A file anyone else
    could have written is not the administrator's: it is refused as a whole, with the reason.
    Tests trust their own folder (tests/support/policy.py); nothing a user sets changes it."""

    owner: int = 0
    top: Path = Path("/")


MACHINE = Trust()


def read_policy_file(path: Path, trust: Trust) -> bytes:
    """``path``'s bytes if ``trust`` accepts it (read_bounded's errors otherwise)."""
    if os.name != "posix":  # Windows' policy is the registry (ACLs); a file is for tests
        return read_bounded(path, POLICY_LIMIT)
    return read_bounded(path, POLICY_LIMIT, vet=lambda status: _vet(path, status, trust))


def _who(uid: int) -> str:
    try:
        import pwd

        return _("user '{name}'").format(name=pwd.getpwuid(uid).pw_name)
    except (ImportError, KeyError):
        return _("user {uid}").format(uid=uid)


def _untrusted(status: os.stat_result, trust: Trust) -> str | None:
    """Why a file or folder with ``status`` is not only its trusted owner's to change."""
    if status.st_uid != trust.owner:
        return _("belongs to {owner}, not {trusted}").format(
            owner=_who(status.st_uid), trusted=_who(trust.owner)
        )
    if status.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return _("can be changed by other users (mode {mode})").format(
            mode=f"{stat.S_IMODE(status.st_mode):04o}"
        )
    return None


def _vet(path: Path, status: os.stat_result, trust: Trust) -> None:
    fix = _("it must belong to {owner} and be writable by it alone (chmod 644)").format(
        owner=_who(trust.owner)
    )
    why = _untrusted(status, trust)
    if why:
        raise UnreadableFile(
            path, _("{why}: {fix}, so it is not your administrator's").format(why=why, fix=fix)
        )
    real = Path(os.path.realpath(path))  # a symlink is judged by where it leads
    top = Path(os.path.realpath(trust.top))
    for folder in real.parents:
        try:
            why = _untrusted(os.lstat(folder), trust)
        except OSError as exc:
            raise UnreadableFile(
                path,
                _("cannot be checked ('{folder}': {error})").format(
                    folder=folder, error=exc.strerror
                ),
            ) from None
        if why:
            raise UnreadableFile(
                path,
                _(
                    "is in '{folder}', which {why}: others could replace the file, so it is not "
                    "your administrator's"
                ).format(folder=folder, why=why),
            )
        if folder == top:
            break
    try:
        now = os.stat(real)
    except OSError:
        now = None
    if now is None or (now.st_dev, now.st_ino) != (status.st_dev, status.st_ino):
        raise UnreadableFile(path, _("was replaced while it was read"))


class PolicyFile:
    """A policy kept in one file (TOML here, a plist on macOS, a regedit export for the
    Windows mapping's tests): read once and vetted as the administrator's (read_policy_file);
    none is no policy, one that cannot be read is reported whole. ``parse`` is the format's."""

    def __init__(self, path: Path, trust: Trust = MACHINE) -> None:
        self.path = path
        self.trust = trust

    def __repr__(self) -> str:
        return str(self.path)

    def read(self) -> Iterable[Section]:
        try:
            raw = read_policy_file(self.path, self.trust)
        except FileNotFoundError:
            return []
        except UnreadableFile as exc:  # a folder, too large, no permission, not root's
            problem = _("{path} {reason}; it is ignored.").format(path=self.path, reason=exc.reason)
            return [Section(str(self.path), problems=[problem])]
        return self.parse(raw)

    def parse(self, raw: bytes) -> Iterable[Section]:
        raise NotImplementedError


class TomlSource(PolicyFile):
    """/etc/lanyard/policy.toml: ``[locked]`` and ``[defaults]``, keys as in config.toml."""

    def parse(self, raw: bytes) -> Iterable[Section]:
        section = Section(str(self.path))
        try:
            data = tomllib.loads(raw.decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            section.problems.append(
                _("{path} is not UTF-8 text (byte {start}); it is ignored.").format(
                    path=self.path, start=exc.start
                )
            )
            return [section]
        except tomllib.TOMLDecodeError as exc:
            section.problems.append(
                _("{path} is not valid TOML ({error}); it is ignored.").format(
                    path=self.path, error=exc
                )
            )
            return [section]
        except RecursionError:  # tomllib nests a call per [ or {
            section.problems.append(
                _("{path} nests too deeply to be read; it is ignored.").format(path=self.path)
            )
            return [section]
        seen: dict[str, str] = {}
        for name, table in data.items():
            target = {"locked": section.locked, "defaults": section.defaults}.get(name.lower())
            if target is None or not isinstance(table, dict):
                section.problems.append(
                    _(
                        "{path}: '{name}' is ignored: settings go in a [locked] or a "
                        "[defaults] table."
                    ).format(path=self.path, name=name)
                )
                continue
            if name.lower() in seen:  # [Locked] and [locked]: TOML's two tables, Lanyard's one
                section.problems.append(
                    _("{path}: [{name}] is [{first}] a second time; the first is used.").format(
                        path=self.path, name=name, first=seen[name.lower()]
                    )
                )
                continue
            seen[name.lower()] = name
            target.update(table)
        return [section]


def platform_sources() -> Sequence[Source]:
    """Where this OS keeps policy, the one that wins first. The test seam: tests replace this
    function; nothing a user sets (flag, environment) changes it."""
    if sys.platform == "win32":
        from desktop_app.core.policy_windows import registry_sources

        return registry_sources()
    if sys.platform == "darwin":
        from desktop_app.core.policy_macos import managed_preferences

        return managed_preferences()
    return [TomlSource(LINUX_POLICY)]


def merge(sections: Iterable[Section], known: Sequence[str]) -> Policy:
    """The sections in order, the first to set a key winning; keys matched to ``known`` without
    case or separators; an unknown key or one given twice is a problem, not an error."""
    by_canonical = {canonical(key): key for key in known}
    locked: dict[str, Entry] = {}
    defaults: dict[str, Entry] = {}
    problems: list[str] = []
    for section in sections:
        problems += section.problems
        for is_locked, given, into in (
            (True, section.locked, locked),
            (False, section.defaults, defaults),
        ):
            seen: set[str] = set()
            for name, value in given.items():
                key = by_canonical.get(canonical(str(name)))
                if key is None:
                    problems.append(
                        _(
                            "{where} is not a Lanyard setting (known: {known}); it is ignored."
                        ).format(where=section.where(is_locked, str(name)), known=", ".join(known))
                    )
                    continue
                if key in seen:
                    problems.append(
                        _("{where} sets '{key}' a second time; the first is used.").format(
                            where=section.where(is_locked, str(name)), key=key
                        )
                    )
                    continue
                seen.add(key)
                into.setdefault(key, Entry(value, section.where(is_locked, str(name))))
    return Policy(locked, defaults, _at_most(problems, MAX_PROBLEMS))


def _at_most(problems: list[str], limit: int) -> tuple[str, ...]:
    """The first ``limit`` problems and a count of the rest: a 1 MiB file of unknown keys was
    116,000 warnings (25 MB of text) on every command's stderr and in the window's banner."""
    if len(problems) <= limit:
        return tuple(problems)
    rest = len(problems) - limit
    more = ngettext(
        "... and {n} more problem with the policy; all are ignored.",
        "... and {n} more problems with the policy; all are ignored.",
        rest,
    ).format(n=digits(str(rest)))
    return (*problems[:limit], more)


def read_policy(known: Sequence[str]) -> Policy:
    """The policy in force on this computer for the settings ``known``; never raises."""
    sections: list[Section] = []
    for source in platform_sources():
        try:
            sections += list(source.read())
        except Exception as exc:
            log.warning("Managed policy reader %r failed", source, exc_info=True)
            label = repr(source)  # each source names where it reads
            sections.append(
                Section(
                    label,
                    problems=[
                        _("Policy {label} could not be read ({error}); it is ignored.").format(
                            label=label, error=exc.__class__.__name__
                        )
                    ],
                )
            )
    return merge(sections, known)
