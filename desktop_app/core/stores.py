"""What every secret store is to the layers above it: a place that keeps one text.

The token cache (auth/) and the profile snapshot (graph/) are both kept in one, so the interface
lives below both; the stores themselves (files, DPAPI, the Keychain, the Secret Service) are in
auth/cache_store.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

Version = tuple[int, int, int]  # (mtime_ns, inode, size): an atomic rename changes the inode


class StoreUnavailable(Exception):
    """An OS secret store cannot be used. ``missing``: this system has none at all, so a plaintext
    file may stand in; otherwise one exists but is locked or failing, and Lanyard never downgrades
    to plaintext behind the person's back."""

    def __init__(self, reason: str, advice: str, missing: bool = False, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason  # short, for the status bar: "the keyring is locked"
        self.advice = advice  # what the person can do about it
        self.missing = missing
        self.detail = detail  # for the log: the OS's own words


class CacheStore(Protocol):
    """The interface PersistentTokenCache needs from a place that keeps its text."""

    location: Path  # the file whose version says "changed" (the cache, or a signal file)
    protection: str  # shown to people: "encrypted in your keyring (Secret Service)", ...
    encrypted: bool
    persisted: bool  # False: memory only, gone when Lanyard exits

    def load(self) -> str | None: ...

    def save(self, text: str) -> None: ...

    def version(self) -> Version | None: ...

    def move_aside(self) -> str | None:
        """Keep damaged content for diagnosis; says where (a path or a keyring item)."""
        ...
