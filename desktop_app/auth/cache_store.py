"""Where the token cache's bytes live: an OS-encrypted store where there is one, else a 0600 file,
else (when plaintext is refused, or an OS store exists but cannot be used) memory only.

Every file write here is atomic (temporary file in the same directory, fsync, rename), so a reader
in another process sees the old cache or the new one, never a truncated one.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from desktop_app.core.files import atomic_write, read_shared, retry_busy
from desktop_app.core.i18n import N_, _
from desktop_app.core.stores import CacheStore, StoreUnavailable, Version

__all__ = ["CacheStore", "StoreUnavailable", "Version"]  # and the stores defined here

log = logging.getLogger(__name__)


def file_version(path: Path) -> Version | None:
    try:
        st = retry_busy(path.stat)
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_ino, st.st_size)


def touch_signal(path: Path) -> None:
    """Give the signal file of a store kept outside the file system (the Keychain, the Secret
    Service) a new version: how other processes and the window's watcher see that it changed."""
    atomic_write(path, str(time.time_ns()).encode("ascii"))


def remove_stale_temporaries(path: Path) -> int:
    """Delete temporary files a killed writer of ``path`` left behind.

    Call it only while holding the cache's lock: writers write only under it, so any temporary
    file seen then belongs to a writer that died.
    """
    removed = 0
    for leftover in path.parent.glob(f".{path.name}.*.tmp"):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
            removed += 1
    return removed


def move_aside(path: Path) -> Path | None:
    """Keep a damaged file for diagnosis as ``<name>.corrupt-<timestamp>``."""
    if not path.exists():
        return None
    stamp = time.strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while target.exists():
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
        counter += 1
    retry_busy(lambda: os.replace(path, target))
    return target


class _KeptInAFile:
    """version() and move_aside() of a store whose data is the file at ``location``."""

    location: Path

    def version(self) -> Version | None:
        return file_version(self.location)

    def move_aside(self) -> str | None:
        moved = move_aside(self.location)
        return str(moved) if moved else None


@dataclass
class PlaintextFileStore(_KeptInAFile):
    """A 0600 file in a 0700 directory: the visible fallback where no OS encryption is available."""

    location: Path
    protection: str = N_("plaintext file, readable only by you")
    encrypted: bool = False
    persisted: bool = True

    def load(self) -> str | None:
        try:
            return read_shared(self.location).decode("utf-8")
        except FileNotFoundError:
            return None

    def save(self, text: str) -> None:
        atomic_write(self.location, text.encode("utf-8"))


@dataclass
class MemoryStore:
    """Nothing persisted: the sign-in lasts as long as this Lanyard process."""

    location: Path
    protection: str = N_("not saved: signed in for this session only")
    encrypted: bool = False
    persisted: bool = False
    text: str | None = field(default=None, repr=False)

    def load(self) -> str | None:
        return self.text

    def save(self, text: str) -> None:
        self.text = text

    def version(self) -> Version | None:
        return None

    def move_aside(self) -> str | None:
        self.text = None
        return None


class UndecryptableError(ValueError):
    """The store's content was read but cannot be decrypted: damage, not a failure to read."""


class Cipher(Protocol):
    """Windows DPAPI as msal-extensions' WindowsDataProtectionAgent offers it."""

    def protect(self, message: str) -> bytes: ...

    def unprotect(self, cipher_text: bytes) -> str: ...


@dataclass
class DpapiFileStore(_KeptInAFile):
    """A file encrypted with DPAPI for the current Windows user, written atomically.

    Undecryptable content (the user's DPAPI key changed, a file copied from another machine)
    raises from load(): the cache treats it as damage and moves the file aside.
    """

    location: Path
    cipher: Cipher = field(repr=False)
    protection: str = N_("encrypted with Windows DPAPI")
    encrypted: bool = True
    persisted: bool = True

    def probe(self) -> None:
        try:
            ok = self.cipher.unprotect(self.cipher.protect("lanyard")) == "lanyard"
        except OSError as exc:
            raise StoreUnavailable(
                _("Windows DPAPI failed ({value})").format(value=exc.strerror or exc),
                _("Sign out of Windows and back in; if it persists, ask your administrator."),
            ) from None
        if not ok:
            raise StoreUnavailable(
                _("Windows DPAPI did not round-trip"), _("Ask your administrator.")
            )

    def load(self) -> str | None:
        try:
            data = read_shared(self.location)  # OSError: cannot read (left alone by the cache)
        except FileNotFoundError:
            return None
        try:
            return str(self.cipher.unprotect(data))
        except OSError as exc:  # DPAPI's WinError: not ours to decrypt (damage), not a read error
            raise UndecryptableError(
                _("DPAPI could not decrypt it ({exc})").format(exc=exc)
            ) from None

    def save(self, text: str) -> None:
        atomic_write(self.location, self.cipher.protect(text))


KEYCHAIN_ADVICE = N_(
    "Unlock your login Keychain (Keychain Access) and allow Lanyard to use it; Lanyard uses it "
    "again by itself, no restart needed."
)


@dataclass
class KeychainStore:
    """The macOS Keychain through msal-extensions; a signal file changes on every save.

    ``legacy``: the item of this cache under another spelling of its path (from before paths
    were resolved), read when the resolved one does not exist yet and emptied by the next save.
    """

    location: Path
    persistence: Any = field(repr=False)
    protection: str = N_("encrypted in the macOS Keychain")
    encrypted: bool = True
    persisted: bool = True
    legacy: Any = field(default=None, repr=False)
    _adopted: bool = field(default=False, repr=False)

    @staticmethod
    def _unavailable(exc: Exception) -> StoreUnavailable:
        status = getattr(exc, "exit_status", None)
        return StoreUnavailable(
            _("the Keychain is locked or refused access")
            + (
                _(" (status {status})").format(status=status)
                if status is not None
                else f" ({exc.__class__.__name__})"
            ),
            _(KEYCHAIN_ADVICE),
            detail=repr(exc),
        )

    def _load(self, persistence: Any) -> str | None:
        from msal_extensions.persistence import PersistenceNotFound

        try:
            text = persistence.load()
        except PersistenceNotFound:
            return None
        except Exception as exc:  # noqa: BLE001 - osx.KeychainError (an OSError) and ctypes
            raise self._unavailable(exc) from None
        return str(text) if text is not None else None

    def probe(self) -> None:
        self._load(self.persistence)

    def load(self) -> str | None:
        text = self._load(self.persistence)
        if text is None and self.legacy is not None:
            text = self._load(self.legacy)
            self._adopted = bool(text)
        return text

    def save(self, text: str) -> None:
        try:
            self.persistence.save(text)
            if self._adopted:  # no delete in msal-extensions: left empty, holding no token
                self.legacy.save("")
                self._adopted = False
        except Exception as exc:  # noqa: BLE001 - osx.KeychainError and ctypes failures
            raise self._unavailable(exc) from None
        touch_signal(self.location)

    def version(self) -> Version | None:
        return file_version(self.location)

    def move_aside(self) -> str | None:
        self.persistence.save("")  # the Keychain item is overwritten; nothing to keep safely
        touch_signal(self.location)
        return None


@dataclass(frozen=True)
class StoreChoice:
    store: CacheStore
    fallback_reason: str = ""  # why the cache is not encrypted (or not usable now); empty: fine
    advice: str = ""  # what the person can do about it
    directory: Path | None = None  # the profile directory, resolved: the store's key
    # the OS store that holds (or may hold) the saved sign-in and cannot be reached now, when it
    # could not be kept as the store (memory only): a terminal command says so instead of
    # "nobody is signed in"
    unreachable: StoreUnavailable | None = None

    @property
    def session_only(self) -> bool:
        return not self.store.persisted


PLAINTEXT_REFUSED = N_("allow_plaintext_cache = false refuses a plaintext file")


def _os_store(location: Path, signal: Path, legacy: Path | None) -> CacheStore:
    """The OS secret store for this platform, not yet probed; raises StoreUnavailable(missing)
    when this system has none (or Lanyard's support for it is not installed)."""
    if sys.platform == "win32":
        try:
            from msal_extensions.windows import WindowsDataProtectionAgent
        except (ImportError, OSError) as exc:
            raise StoreUnavailable(
                _("Windows DPAPI cannot be used ({name})").format(name=exc.__class__.__name__),
                _("Reinstall Lanyard."),
                missing=True,
            ) from None
        return DpapiFileStore(location, WindowsDataProtectionAgent())
    if sys.platform == "darwin":
        try:
            from msal_extensions.persistence import KeychainPersistence

            keychain = KeychainStore(
                signal,
                KeychainPersistence(str(signal), "Lanyard", str(location)),
                legacy=KeychainPersistence(str(signal), "Lanyard", str(legacy)) if legacy else None,
            )
        except (ImportError, OSError) as exc:
            raise StoreUnavailable(
                _("the Keychain cannot be used ({name})").format(name=exc.__class__.__name__),
                _("Reinstall Lanyard."),
                missing=True,
            ) from None
        return keychain
    from desktop_app.auth.secret_service_store import SecretServiceStore

    return SecretServiceStore(signal, location, legacy_paths=(legacy,) if legacy else ())


def _keeps_trying(store: CacheStore) -> bool:
    """Whether a store that failed its probe can still be used as the store: its load() tells
    "cannot read now" (StoreUnavailable) from damage, so it is read again until it works (a
    keyring unlocked later) without moving anything aside. DPAPI cannot tell a failing DPAPI
    from a file that is not ours to decrypt: it stays memory only until the next start."""
    return not isinstance(store, DpapiFileStore)


def legacy_spelling(typed: Path, resolved: Path) -> Path | None:
    """The path as typed, when it names the same place by another absolute spelling (a symlink):
    keys made from it before paths were resolved are still found. A relative spelling is never
    one: it named a different place from every folder it was used in."""
    if typed.is_absolute() and typed != resolved:
        return typed
    return None


def open_token_store(
    directory: Path,
    name: str = "token_cache.bin",
    allow_plaintext: bool = True,
    quiet: bool = False,
) -> StoreChoice:
    """The most protective store this OS offers for ``directory/name``.

    ``directory`` is resolved first: the OS store's item is keyed by the path, and one place
    must have one key however it was typed (relative, through a symlink).

    Without an OS secret store: a 0600 plaintext file, unless plaintext is refused or this
    cache was encrypted before (its signal file exists) -- then memory only, never a silent
    downgrade. An OS store that exists but is locked or failing is kept as the store when it
    can tell "cannot read now" from damage: nothing is saved until it works, and then it is
    used without a restart. ``quiet``: what it finds is logged at debug level only (a second
    look at a choice another open reports: the early read of the last profile).
    """
    warn = log.debug if quiet else log.warning
    typed = directory
    directory = directory.resolve()
    location = directory / name
    signal = directory / f"{name}.signal"  # exists once an OS store has held this cache
    legacy = legacy_spelling(typed / name, location)
    store: CacheStore | None = None
    try:
        store = _os_store(location, signal, legacy)
        store.probe()  # type: ignore[attr-defined]
        return StoreChoice(store, directory=directory)
    except StoreUnavailable as exc:
        problem = exc
    reason, advice = problem.reason, problem.advice
    if problem.detail:
        warn("OS secret store unusable: %s (%s)", reason, problem.detail)
    if store is not None and _keeps_trying(store) and (not problem.missing or signal.exists()):
        warn("Token cache store not usable now (%s): kept, tried again later", reason)
        return StoreChoice(store, reason, advice, directory=directory)
    unreachable = None
    if problem.missing and signal.exists():
        # it was encrypted before: a plaintext file now would be a downgrade nobody chose
        reason = _("the keyring that holds your saved sign-in is unavailable: {reason}").format(
            reason=reason
        )
        unreachable = StoreUnavailable(reason, advice)
    elif problem.missing and allow_plaintext:
        warn("Token cache is not encrypted (%s): using a 0600 file %s", reason, location)
        return StoreChoice(
            PlaintextFileStore(
                location,
                protection=_("plaintext file, readable only by you ({reason})").format(
                    reason=reason
                ),
            ),
            reason,
            advice
            + _(" To keep tokens out of plaintext files, set allow_plaintext_cache = false."),
            directory=directory,
        )
    elif problem.missing:
        reason = _("{reason}, and {refused}").format(reason=reason, refused=_(PLAINTEXT_REFUSED))
        if location.exists():
            advice += _(" A plaintext cache from before is still at {location}: delete it.").format(
                location=location
            )
    else:
        unreachable = problem  # DPAPI failing now: what it holds cannot be read this session
    warn("Token cache is not saved (%s): this session only", reason)
    return StoreChoice(
        MemoryStore(
            location, protection=_("not saved, this session only ({reason})").format(reason=reason)
        ),
        reason,
        advice,
        directory=directory,
        unreachable=unreachable,
    )
