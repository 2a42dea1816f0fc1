"""msal's token cache, persisted through a CacheStore and shared safely between processes.

Differences from msal-extensions' PersistedTokenCache, on purpose:
- writes are atomic (see cache_store), so a concurrent reader never sees an empty cache;
- the "did someone else change it" check records the file's version *before* reading it, so a
  write that lands during the read is picked up next time instead of being overwritten;
- every change re-reads the cache under the cross-process lock first, then writes, so two
  processes never undo each other's accounts;
- the lock is an OS file lock (flock), released by the kernel if a process dies: no stale locks;
- damaged content is moved aside and reported instead of raising or loading as empty.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msal
import portalocker

from desktop_app.auth.cache_store import CacheStore, Version
from desktop_app.errors import ErrorKind, LanyardError

log = logging.getLogger(__name__)

LOCK_TIMEOUT_S = 10.0


def _is_cache_shaped(data: object) -> bool:
    """msal's cache: a JSON object of credential types, each an object of objects."""
    if not isinstance(data, dict):
        return False
    return all(
        isinstance(section, dict) and all(isinstance(entry, dict) for entry in section.values())
        for section in data.values()
    )


class PersistentTokenCache(msal.SerializableTokenCache):  # type: ignore[misc]
    def __init__(
        self,
        store: CacheStore,
        lock_path: Path,
        on_notice: Callable[[LanyardError], None] | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self._lock_path = lock_path
        self._on_notice = on_notice
        self._seen: Version | None = None
        self._loaded = False
        self._depth = 0

    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[None]:
        try:
            lock = portalocker.Lock(
                str(self._lock_path),
                mode="a",
                timeout=LOCK_TIMEOUT_S,
                check_interval=0.05,
            )
            lock.acquire()
        except portalocker.LockException:
            raise LanyardError(
                "The token cache is busy: another Lanyard process has held it for too long.",
                "Close other Lanyard windows or commands and try again.",
                ErrorKind.CACHE,
                {"lock": str(self._lock_path)},
            ) from None
        try:
            yield
        finally:
            lock.release()

    def reload_if_changed(self) -> bool:
        """Load the store if another process (or nobody yet) wrote it since we last looked."""
        version = self.store.version()  # taken before reading: see the module docstring
        if self._loaded and version == self._seen:
            return False
        try:
            text = self.store.load()
        except Exception as exc:  # noqa: BLE001 - an undecryptable store is damage, not a crash
            self._recover(f"it could not be read or decrypted ({exc.__class__.__name__})")
            return True
        self._seen, self._loaded = version, True
        if not text:
            super().deserialize(None)
            return True
        try:
            data = json.loads(text)
        except ValueError:
            self._recover("it is not valid JSON (truncated or overwritten)")
            return True
        if not _is_cache_shaped(data):
            self._recover("it does not have the shape of a token cache")
            return True
        super().deserialize(text)
        return True

    def _recover(self, why: str) -> None:
        moved = self.store.move_aside()
        super().deserialize(None)
        self._seen, self._loaded = self.store.version(), True
        notice = LanyardError(
            f"The saved sign-in could not be used: {why}. A fresh cache was started.",
            "Sign in again. The damaged file was kept for diagnosis"
            + (f" at {moved}." if moved else "."),
            ErrorKind.CACHE,
            {"cache": str(self.store.location)} | ({"moved_to": str(moved)} if moved else {}),
        )
        log.warning("Token cache damaged (%s); moved aside to %s", why, moved)
        if self._on_notice:
            self._on_notice(notice)

    def _save(self) -> None:
        if self.has_state_changed:
            self.store.save(self.serialize())
            self._seen = self.store.version()

    @contextlib.contextmanager
    def _changing(self) -> Iterator[None]:
        if self._depth:  # msal's add() calls modify(): one lock, one write for the whole change
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        with self._file_lock():
            self.reload_if_changed()
            self._depth = 1
            try:
                yield
            finally:
                self._depth = 0
            self._save()

    def add(self, event: dict[str, Any], **kwargs: Any) -> None:
        with self._changing():
            super().add(event, **kwargs)

    def modify(self, credential_type: Any, old_entry: Any, new_key_value_pairs: Any = None) -> None:
        with self._changing():
            super().modify(credential_type, old_entry, new_key_value_pairs)

    def search(
        self, credential_type: Any, target: Any = None, query: Any = None, **kwargs: Any
    ) -> Any:
        if not self._depth:
            self.reload_if_changed()
        return super().search(credential_type, target=target, query=query, **kwargs)
