"""Where the token cache's bytes live: an OS-encrypted store where there is one, else a 0600 file.

Every file write here is atomic (temporary file in the same directory, fsync, rename), so a reader
in another process sees the old cache or the new one, never a truncated one.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

Version = tuple[int, int, int]  # (mtime_ns, inode, size): an atomic rename changes the inode


class CacheStore(Protocol):
    """The interface PersistentTokenCache needs from a place that keeps its text."""

    location: Path
    protection: str  # shown to people: "libsecret (Secret Service)", "plaintext file", ...
    encrypted: bool

    def load(self) -> str | None: ...

    def save(self, text: str) -> None: ...

    def version(self) -> Version | None: ...

    def move_aside(self) -> Path | None: ...


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data`` so that no reader ever sees a partial file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        if os.name == "posix":
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if os.name == "posix":
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def file_version(path: Path) -> Version | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_ino, st.st_size)


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
    os.replace(path, target)
    return target


@dataclass
class PlaintextFileStore:
    """A 0600 file in a 0700 directory: the visible fallback where no OS encryption is available."""

    location: Path
    protection: str = "plaintext file (no OS encryption available)"
    encrypted: bool = False

    def load(self) -> str | None:
        try:
            return self.location.read_bytes().decode("utf-8")
        except FileNotFoundError:
            return None

    def save(self, text: str) -> None:
        atomic_write(self.location, text.encode("utf-8"))

    def version(self) -> Version | None:
        return file_version(self.location)

    def move_aside(self) -> Path | None:
        return move_aside(self.location)


@dataclass
class SecretStore:
    """An msal-extensions persistence that encrypts (Secret Service, Keychain).

    The secret lives in the OS store; a signal file next to the cache changes on every save so
    other processes can tell the cache changed.
    """

    location: Path
    persistence: Any
    protection: str
    encrypted: bool = True

    def load(self) -> str | None:
        from msal_extensions.persistence import PersistenceNotFound

        try:
            text = self.persistence.load()
        except PersistenceNotFound:
            return None
        return str(text) if text is not None else None

    def save(self, text: str) -> None:
        self.persistence.save(text)
        atomic_write(self.location, str(time.time_ns()).encode("ascii"))

    def version(self) -> Version | None:
        return file_version(self.location)

    def move_aside(self) -> Path | None:
        self.persistence.save("")
        return move_aside(self.location)


@dataclass
class DpapiFileStore(PlaintextFileStore):
    """A file encrypted with DPAPI for the current Windows user, written atomically."""

    protection: str = "encrypted with Windows DPAPI"
    encrypted: bool = True

    def load(self) -> str | None:
        from msal_extensions.windows import WindowsDataProtectionAgent

        try:
            data = self.location.read_bytes()
        except FileNotFoundError:
            return None
        return str(WindowsDataProtectionAgent().unprotect(data))

    def save(self, text: str) -> None:
        from msal_extensions.windows import WindowsDataProtectionAgent

        atomic_write(self.location, WindowsDataProtectionAgent().protect(text))


@dataclass(frozen=True)
class StoreChoice:
    store: CacheStore
    fallback_reason: str  # why the cache is not encrypted; empty when it is


def open_token_store(directory: Path, name: str = "token_cache.bin") -> StoreChoice:
    """The most protective store this OS offers for the token cache."""
    location = directory / name
    try:
        if sys.platform == "win32":
            return StoreChoice(DpapiFileStore(location), "")
        if sys.platform == "darwin":
            from msal_extensions.persistence import KeychainPersistence

            signal = directory / f"{name}.signal"
            store = SecretStore(
                signal, KeychainPersistence(str(signal)), "encrypted in the Keychain"
            )
            return StoreChoice(store, "")
        from msal_extensions.persistence import LibsecretPersistence

        signal = directory / f"{name}.signal"
        persistence = LibsecretPersistence(
            str(signal),
            schema_name="dev.lanyard.TokenCache",
            attributes={"cache": str(location)},
        )
        return StoreChoice(
            SecretStore(signal, persistence, "encrypted by libsecret (Secret Service)"), ""
        )
    except Exception as exc:  # noqa: BLE001 - any failure here means: no OS encryption
        reason = f"{exc.__class__.__name__}: {exc}".splitlines()[0][:200]
        log.warning("Token cache is not encrypted: no OS secret store is usable (%s)", reason)
        return StoreChoice(PlaintextFileStore(location), reason)
