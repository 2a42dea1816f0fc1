"""msal's token cache, persisted through a CacheStore and shared safely between processes.

Differences from msal-extensions' PersistedTokenCache, on purpose:
- writes are atomic (see cache_store), so a concurrent reader never sees an empty cache;
- the "did someone else change it" check records the file's version *before* reading it, so a
  write that lands during the read is picked up next time instead of being overwritten;
- every change re-reads the cache under the cross-process lock first, then writes, so two
  processes never undo each other's accounts;
- the lock is an OS file lock (flock / LockFileEx) on a file that is never deleted: the kernel
  releases it when its holder dies, even by SIGKILL, so a crash leaves no stale lock; the wait
  for it is bounded and ends in a clear error naming the holder;
- damaged content is moved aside (under the lock, after a second look) and reported instead of
  raising or loading as empty;
- a secret store that becomes unavailable (keyring locked) keeps the session going in memory and
  says so, rather than failing every token request.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msal
import portalocker

from desktop_app.auth import errors as failures
from desktop_app.auth.cache_store import (
    CacheStore,
    StoreUnavailable,
    Version,
    remove_stale_temporaries,
)
from desktop_app.core.errors import LanyardError

log = logging.getLogger(__name__)

LOCK_TIMEOUT_S = 10.0


# fields msal reads from cache entries, with the type it relies on (it stores numbers as text)
_TEXT_FIELDS = frozenset(
    {
        "credential_type",
        "secret",
        "home_account_id",
        "environment",
        "client_id",
        "realm",
        "target",
        "username",
        "local_account_id",
        "authority_type",
        "token_type",
        "family_id",
    }
)
_NUMBER_FIELDS = frozenset({"cached_at", "expires_on", "extended_expires_on", "refresh_on"})


def _entry_problem(entry: object) -> bool:
    if not isinstance(entry, dict):
        return True
    for key, value in entry.items():
        if key in _TEXT_FIELDS and not isinstance(value, str):
            return True
        if key in _NUMBER_FIELDS and not (
            (isinstance(value, str) and value.strip().isdigit())
            or (isinstance(value, int) and not isinstance(value, bool))
        ):
            return True
    return False


def _is_cache_shaped(data: object) -> bool:
    """msal's cache: a JSON object of credential types, each an object of entries whose fields
    have the types msal relies on (a wrong type would raise deep inside msal later)."""
    if not isinstance(data, dict):
        return False
    return all(
        isinstance(section, dict) and not any(_entry_problem(e) for e in section.values())
        for section in data.values()
    )


def _damage(text: str | None) -> str | None:
    """Why ``text`` is not a usable cache, or None when it is (None and "" are an empty cache)."""
    if not text:
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return "it is not valid JSON (truncated or overwritten)"
    if not _is_cache_shaped(data):
        return "it does not have the shape of a token cache"
    return None


def _lock_holder(lock_path: Path) -> str:
    try:
        return lock_path.read_text(encoding="ascii").strip()[:20]
    except (OSError, UnicodeDecodeError):
        return ""


class PersistentTokenCache(msal.SerializableTokenCache):  # type: ignore[misc]
    def __init__(
        self,
        store: CacheStore,
        lock_path: Path | None,
        on_notice: Callable[[LanyardError], None] | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self._lock_path = lock_path  # None: nothing shared (a memory-only cache)
        self._on_notice = on_notice
        self._seen: Version | None = None
        self._loaded = False
        self._held = False
        self._depth = 0
        self._trouble = ""  # the store problem already reported, so it is told once
        self._unsaved = False  # changes the store could not take yet
        self._base = ""  # the store's content when last read or written (for a merge)

    # -- the cross-process lock ------------------------------------------------------------------

    @contextlib.contextmanager
    def _cross_process_lock(self) -> Iterator[None]:
        """The cross-process lock, re-entrant within this cache (flock is per open file)."""
        if self._held or self._lock_path is None:
            yield
            return
        lock = portalocker.Lock(
            str(self._lock_path), mode="a", timeout=LOCK_TIMEOUT_S, check_interval=0.05
        )
        try:
            handle = lock.acquire()
        except portalocker.LockException:
            holder = _lock_holder(self._lock_path)
            raise failures.cache_busy(self._lock_path, holder, LOCK_TIMEOUT_S) from None
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")  # for the message above, in another process
            handle.flush()
            self._held = True
            remove_stale_temporaries(self.store.location)
            yield
        finally:
            self._held = False
            lock.release()

    # -- reading -----------------------------------------------------------------------------------

    def reload_if_changed(self, force: bool = False) -> bool:
        """Load the store if another process (or nobody yet) wrote it since we last looked."""
        version = self.store.version()  # taken before reading: see the module docstring
        if not force and self._loaded and version == self._seen:
            return False
        try:
            text, problem = self._read()
            if problem is not None:
                # a second look, under the lock: another process may have replaced it meanwhile
                with self._cross_process_lock():
                    version = self.store.version()
                    text, problem = self._read()
                    if problem is not None:
                        self._recover(problem)
                        return True
        except StoreUnavailable as exc:
            self._seen, self._loaded = version, True  # retried when the store changes again
            self._report_trouble(exc)
            return False
        self._seen, self._loaded = version, True
        if self._unsaved:
            super().deserialize(self._merge_unsaved(text))
            self.has_state_changed = True  # the merged state still has to be saved
        else:
            super().deserialize(text or None)
        self._base = text or ""
        self._trouble = ""
        return True

    def _read(self) -> tuple[str | None, str | None]:
        try:
            text = self.store.load()
        except StoreUnavailable:
            raise
        except UnicodeDecodeError:
            return None, "it is not text (garbage or overwritten)"
        except Exception as exc:  # noqa: BLE001 - an undecryptable store is damage, not a crash
            return None, f"it could not be read or decrypted ({exc.__class__.__name__})"
        return text, _damage(text)

    def _recover(self, why: str) -> None:
        try:
            moved = self.store.move_aside()
        except OSError as exc:
            log.warning("Could not move the damaged token cache aside: %s", exc.strerror)
            moved = None
        super().deserialize(None)
        self._seen, self._loaded, self._base = self.store.version(), True, ""
        notice = failures.cache_damaged(why, self.store.location, moved)
        log.warning("Token cache damaged (%s); moved aside to %s", why, moved)
        if self._on_notice:
            self._on_notice(notice)

    def _merge_unsaved(self, theirs_text: str | None) -> str:
        """Three-way merge of changes kept in memory while the store was unavailable: ours win,
        except entries we never touched that another process removed meanwhile."""
        base: dict[str, Any] = json.loads(self._base) if self._base else {}
        ours: dict[str, Any] = json.loads(self.serialize())
        merged: dict[str, Any] = json.loads(theirs_text) if theirs_text else {}
        for section in set(base) | set(ours):
            result = merged.setdefault(section, {})
            mine, before = ours.get(section, {}), base.get(section, {})
            for key, entry in mine.items():
                if before.get(key) == entry and key not in result:
                    continue  # unchanged here, removed there: the removal stands
                result[key] = entry
            for key in set(before) - set(mine):
                result.pop(key, None)  # removed here
        return json.dumps(merged)

    def _report_trouble(self, exc: StoreUnavailable) -> None:
        log.warning("Token cache store unavailable: %s", exc.reason)
        if exc.reason == self._trouble:
            return
        self._trouble = exc.reason
        if self._on_notice:
            self._on_notice(failures.cache_not_saved(exc.reason, exc.advice, self.store.location))

    def adopt_plaintext(self, path: Path) -> bool:
        """Move an older plaintext cache (from before an OS store was usable) into this store,
        then delete the file; only when this store is still empty, so nothing is overwritten."""
        with self._cross_process_lock():
            try:
                text = path.read_text(encoding="utf-8")
                if self.store.load() is not None or not text or _damage(text) is not None:
                    return False
                self.store.save(text)
            except (OSError, UnicodeDecodeError, StoreUnavailable) as exc:
                log.warning(
                    "Could not move the plaintext token cache into %s: %s",
                    self.store.protection,
                    exc,
                )
                return False
            path.unlink()
            self.reload_if_changed(force=True)
        log.info("Moved the plaintext token cache into the store: %s", self.store.protection)
        return True

    # -- writing ---------------------------------------------------------------------------------

    def _save(self) -> None:
        if not self.has_state_changed:
            return
        text = self.serialize()
        try:
            self.store.save(text)
        except StoreUnavailable as exc:
            self._unsaved = True
            self._report_trouble(exc)
            return
        except OSError as exc:
            self._unsaved = True
            self._report_trouble(
                StoreUnavailable(
                    f"the cache file could not be written ({exc.strerror or exc})",
                    f"Check free disk space and the permissions of {self.store.location.parent}.",
                )
            )
            return
        self._seen = self.store.version()
        self._base = text
        self._unsaved = False
        self._trouble = ""

    @contextlib.contextmanager
    def _changing(self) -> Iterator[None]:
        if self._depth:  # msal's add() calls modify(): one lock, one write for the whole change
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        with self._cross_process_lock():
            # always re-read under the lock: a version (mtime, inode, size) can repeat within
            # the file system's clock tick, and a missed write here would be overwritten
            self.reload_if_changed(force=True)
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
