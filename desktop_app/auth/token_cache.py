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
  says so, rather than failing every token request; so does every local failure of a change (a
  lock file that cannot be opened, a full disk): a sign-in that succeeded is never thrown away
  because it could not be saved, and such a failure never reaches msal as an exception (where it
  would read as the identity provider's);
- a store the OS refuses to read (no permission, a locked keyring) is "cannot read", left as it
  is and looked at again, never moved aside as damage;
- tokens of an account that is no longer in the cache (removed by another process, or its keyring
  item deleted from outside) are never written back: a refresh that lands after the removal
  would otherwise leave a live refresh token that no sign-out can reach.

Why one module of ~540 lines: PersistentTokenCache's lock, version check, read, merge and
atomic save are one protocol (each step relies on the one before it under the same lock);
the helpers below it read the cache's shape for that protocol and nothing else.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
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
from desktop_app.core.errors import LanyardError, utc_now
from desktop_app.core.files import atomic_write, read_shared
from desktop_app.core.i18n import _

log = logging.getLogger(__name__)

LOCK_TIMEOUT_S = 10.0
RETRY_S = 2.0  # a store that could not be read is looked at again at most this often
CREDENTIAL_SECTIONS = ("AccessToken", "RefreshToken", "IdToken")  # each belongs to an Account


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
        return _("it is not valid JSON (truncated or overwritten)")
    if not _is_cache_shaped(data):
        return _("it does not have the shape of a token cache")
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
        damage_record: Path | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self._lock_path = lock_path  # None: nothing shared (a memory-only cache)
        self._on_notice = on_notice
        # a damaged cache moved aside is also written here, for the next window to tell (a
        # terminal command's stderr may be read by nobody); None: told directly, not recorded
        self._damage_record = damage_record
        self.recorded_by = _("another Lanyard process")  # who, in that record ("lanyard whoami")
        self._seen: Version | None = None
        self._loaded = False
        self._held = False
        self._depth = 0
        self._trouble = ""  # the store problem already reported, so it is told once
        self._unsaved = False  # changes the store could not take yet
        self._base = ""  # the store's content when last read or written (for a merge)
        # why the store could not be read when last looked at (what memory holds may not be all
        # that is saved), or None; _failed_at: when, for RETRY_S
        self.read_problem: StoreUnavailable | None = None
        self._failed_at = 0.0
        self._read_once = False  # the store has been read (memory holds what it held)

    # -- the cross-process lock ------------------------------------------------------------------

    @contextlib.contextmanager
    def _cross_process_lock(self) -> Iterator[None]:
        """The cross-process lock, re-entrant within this cache (flock is per open file).

        Raises StoreUnavailable when it cannot be had (held too long by another process, or its
        file cannot be opened or locked): a local failure, for the caller to keep in memory."""
        if self._held or self._lock_path is None:
            yield
            return
        lock = portalocker.Lock(
            str(self._lock_path), mode="a", timeout=LOCK_TIMEOUT_S, check_interval=0.05
        )
        try:
            handle = lock.acquire()
        except portalocker.AlreadyLocked:
            holder = _lock_holder(self._lock_path)
            raise failures.cache_busy(self._lock_path, holder, LOCK_TIMEOUT_S) from None
        except (OSError, portalocker.LockException) as exc:  # a folder, no permission, no locks
            cause = exc.__cause__ if isinstance(exc.__cause__, OSError) else exc
            raise failures.lock_unusable(self._lock_path, cause) from None
        try:
            try:  # for the busy message in another process: nice to have, never a failure
                handle.seek(0)
                handle.truncate()
                handle.write(f"{os.getpid()}\n")
                handle.flush()
            except OSError as exc:
                log.info("Could not write the lock holder's pid: %s", exc.strerror)
            self._held = True
            try:
                remove_stale_temporaries(self.store.location)
            except OSError as exc:
                log.info("Could not remove a killed writer's temporary file: %s", exc.strerror)
            yield
        finally:
            self._held = False
            with contextlib.suppress(OSError):  # unlock, close: a full disk may fail the flush
                lock.release()

    # -- reading -----------------------------------------------------------------------------------

    def _version(self) -> Version | None:
        try:
            return self.store.version()
        except OSError as exc:  # e.g. no permission on the folder: the store cannot be read
            raise failures.cache_unreadable(self.store.location, exc) from None

    def _retry_due(self) -> bool:
        return self.read_problem is not None and time.monotonic() - self._failed_at >= RETRY_S

    def reload_if_changed(self, force: bool = False) -> bool:
        """Load the store if another process (or nobody yet) wrote it since we last looked;
        ``force``: read it whatever its version says (the store itself may have changed without
        its signal file: a keyring item deleted from outside). A store that could not be read
        is read again, at most every RETRY_S."""
        try:
            version = self._version()  # taken before reading: see the module docstring
        except StoreUnavailable as exc:
            self._unreadable(exc)
            return False
        if not force and self._loaded and version == self._seen and not self._retry_due():
            return False
        try:
            text, problem = self._read()
            if problem is not None:
                # a second look, under the lock: another process may have replaced it meanwhile
                with self._cross_process_lock():
                    version = self._version()
                    text, problem = self._read()
                    if problem is not None:
                        self._recover(problem)
                        return True
        except StoreUnavailable as exc:
            self._seen, self._loaded = version, True  # looked at again (RETRY_S, or a change)
            self._unreadable(exc)
            return False
        self._seen, self._loaded = version, True
        if self._unsaved:
            super().deserialize(self._merge_unsaved(text))
            self.has_state_changed = True  # the merged state still has to be saved
        else:
            super().deserialize(text or None)
        self._base = text or ""
        self.read_problem, self._read_once = None, True
        if not self._unsaved:
            self._works_again()
        return True

    def _unreadable(self, exc: StoreUnavailable) -> None:
        self.read_problem, self._failed_at = exc, time.monotonic()
        # never read yet: the saved sign-in is not known here; read before, it is in memory and
        # what fails is keeping it saved
        self._report_trouble(exc, reading=not self._read_once)

    def _read(self) -> tuple[str | None, str | None]:
        """The store's text and, if it is damaged, why. Raises StoreUnavailable when it cannot
        be read at all: the OS's refusal says nothing about the content, which is left alone."""
        try:
            text = self.store.load()
        except StoreUnavailable:
            raise
        except UnicodeDecodeError:
            return None, _("it is not text (garbage or overwritten)")
        except OSError as exc:  # EACCES, EPERM, EISDIR, EIO...: cannot read, not damaged
            raise failures.cache_unreadable(self.store.location, exc) from None
        except Exception as exc:  # noqa: BLE001 - an undecryptable store is damage, not a crash
            return None, _("it could not be read or decrypted ({name})").format(
                name=exc.__class__.__name__
            )
        return text, _damage(text)

    def _recover(self, why: str) -> None:
        try:
            moved = self.store.move_aside()
        except OSError as exc:
            log.warning("Could not move the damaged token cache aside: %s", exc.strerror)
            moved = None
        super().deserialize(None)
        self._loaded, self._base, self._read_once = True, "", True
        try:
            self._seen = self.store.version()
        except OSError:
            self._seen = None
        notice = failures.cache_damaged(why, self.store.location, moved)
        log.warning("Token cache damaged (%s); moved aside to %s", why, moved)
        self._record(notice, why, moved)
        if self._on_notice:
            self._on_notice(notice)

    # -- damage told to the next window ---------------------------------------------------------

    def _record(self, notice: LanyardError, why: str, moved: str | None) -> None:
        """Add the damage to the record the next window reads (under the lock, as _recover is)."""
        if self._damage_record is None:
            return
        entry = {
            "time": utc_now(),
            "why": why,
            "moved_to": moved or "",
            "cache": str(self.store.location),
            "by": _("{recorded_by} (process {getpid})").format(
                recorded_by=self.recorded_by, getpid=os.getpid()
            ),
            "message": notice.message,
        }
        entries = [*_read_records(self._damage_record), entry]
        try:
            atomic_write(self._damage_record, json.dumps(entries, indent=1).encode("utf-8"))
        except OSError as exc:
            log.warning("Could not record the damaged token cache: %s", exc.strerror)

    def take_damage_records(self, record: Path) -> list[dict[str, Any]]:
        """What other processes recorded about damage they moved aside, removed once read: the
        window tells each of them once."""
        if not record.exists():
            return []
        try:
            with self._cross_process_lock():
                entries = _read_records(record)
                record.unlink(missing_ok=True)
        except (StoreUnavailable, OSError) as exc:
            log.info("Damage record not read: %s", exc)
            return []
        return entries

    # -- merging, and what is told --------------------------------------------------------------

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

    def _report_trouble(self, exc: StoreUnavailable, reading: bool = False) -> None:
        log.warning("Token cache store unavailable: %s (%s)", exc.reason, exc.detail)
        if exc.reason == self._trouble:
            return
        self._trouble = exc.reason
        if self._on_notice:
            build = failures.cache_not_read if reading else failures.cache_not_saved
            self._on_notice(build(exc.reason, exc.advice, self.store.location))

    def _works_again(self) -> None:
        if not self._trouble:
            return
        self._trouble = ""
        log.info("Token cache store works again: %s", self.store.protection)
        if self._on_notice:
            self._on_notice(failures.cache_works_again(_(self.store.protection)))

    def adopt_plaintext(self, path: Path) -> bool:
        """Move an older plaintext cache (from before an OS store was usable) into this store,
        then delete the file; only when this store is still empty, so nothing is overwritten."""
        try:
            with self._cross_process_lock():
                text = path.read_text(encoding="utf-8")
                if self.store.load() is not None or not text or _damage(text) is not None:
                    return False
                self.store.save(text)
                path.unlink()
                self.reload_if_changed(force=True)
        except (OSError, UnicodeDecodeError, StoreUnavailable) as exc:
            log.warning(
                "Could not move the plaintext token cache into %s: %s", self.store.protection, exc
            )
            return False
        log.info("Moved the plaintext token cache into the store: %s", self.store.protection)
        return True

    # -- writing ---------------------------------------------------------------------------------

    def _save(self) -> None:
        if not self.has_state_changed and not self._unsaved:
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
            self._report_trouble(failures.cache_write_failed(self.store.location, exc))
            return
        try:
            self._seen = self.store.version()
        except OSError:
            self._seen = None
        self.has_state_changed = False
        self._base = text
        self._unsaved = False
        self._works_again()

    def flush(self) -> bool:
        """Save what the store could not take before (it may work again now); True when
        nothing is left unsaved."""
        if not self._unsaved:
            return True
        try:
            with self._cross_process_lock():
                self.reload_if_changed(force=True)  # merges what is kept in memory
                if self.read_problem is None:
                    self._drop_orphans()
                    self._save()
        except StoreUnavailable as exc:
            self._report_trouble(exc)
        return not self._unsaved

    def _state(self) -> str:
        """serialize(), leaving has_state_changed alone (msal's serialize() resets it)."""
        changed = self.has_state_changed
        text = str(self.serialize())
        self.has_state_changed = changed
        return text

    def _drop_orphans(self) -> None:
        """Tokens whose account is not in the cache are never kept: the account was removed
        (signed out elsewhere, its keyring item deleted) while a refresh was in flight, and msal
        adds a refresh's tokens without the account ("skip_account_creation") -- written back,
        they would be a live refresh token that no sign-out can find."""
        data: dict[str, Any] = json.loads(self._state())
        accounts = {
            entry.get("home_account_id")
            for entry in data.get("Account", {}).values()
            if isinstance(entry, dict)
        }
        dropped = 0
        for section in CREDENTIAL_SECTIONS:
            entries = data.get(section, {})
            for key in [
                key
                for key, entry in entries.items()
                if entry.get("home_account_id") and entry.get("home_account_id") not in accounts
            ]:
                del entries[key]
                dropped += 1
        if dropped:
            log.info("Dropped %d token(s) of an account no longer in the cache", dropped)
            super().deserialize(json.dumps(data))
            self.has_state_changed = True

    @contextlib.contextmanager
    def _changing(self) -> Iterator[None]:
        if self._depth:  # msal's add() calls modify(): one lock, one write for the whole change
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        with contextlib.ExitStack() as held:
            try:
                held.enter_context(self._cross_process_lock())
                locked = True
            except StoreUnavailable as exc:
                # a local failure (busy, a lock file that cannot be opened): the change is made
                # in memory, said, and merged and saved once the lock can be had again
                locked = False
                self._report_trouble(exc)
            if locked:
                # always re-read under the lock: a version (mtime, inode, size) can repeat within
                # the file system's clock tick, and a missed write here would be overwritten
                self.reload_if_changed(force=True)
            self._depth = 1
            try:
                yield
            finally:
                self._depth = 0
            self._drop_orphans()
            if self.has_state_changed and not self._unsaved and _same(self._state(), self._base):
                return  # nothing to write (e.g. a refresh for an account removed meanwhile)
            if locked and self.read_problem is None:
                self._save()
            elif self.has_state_changed:
                self._unsaved = True  # what could not be read is never overwritten

    def add(self, event: dict[str, Any], **kwargs: Any) -> None:
        event = dict(event, scope=requested_spelling(event.get("scope"), event.get("data")))
        with self._changing():
            super().add(event, **kwargs)

    def modify(self, credential_type: Any, old_entry: Any, new_key_value_pairs: Any = None) -> None:
        with self._changing():
            super().modify(credential_type, old_entry, new_key_value_pairs)

    def holds_accounts(self) -> bool:
        """Whether what is in memory has any account (no reload, no lock)."""
        return any(True for _ in super().search(self.CredentialType.ACCOUNT))

    def search(
        self, credential_type: Any, target: Any = None, query: Any = None, **kwargs: Any
    ) -> Any:
        if not self._depth:
            self.reload_if_changed()
        return super().search(credential_type, target=target, query=query, **kwargs)


def requested_spelling(granted: Any, data: Any) -> Any:
    """The granted scopes, each spelled as it was asked for when only the case differs.

    Scopes are case-insensitive in Entra ("user.read" grants "User.Read"), but msal keys the
    cache on the response's spelling and looks up the request's one case-sensitively: an
    identity provider that echoes another case would make every ``lanyard token`` miss.
    """
    asked = data.get("scope") if isinstance(data, dict) else None
    if isinstance(asked, str):
        asked = asked.split()
    if not isinstance(granted, list) or not isinstance(asked, list | tuple | set):
        return granted
    by_case = {scope.lower(): scope for scope in asked if isinstance(scope, str)}
    return [
        by_case.get(scope.lower(), scope) if isinstance(scope, str) else scope for scope in granted
    ]


def _same(text: str, base: str) -> bool:
    """Whether two serialized caches hold the same entries. Empty sections do not count, nor
    AppMetadata (msal's note of the client and its family, rewritten with every token): on its
    own it is no reason to write a cache back (e.g. one deleted from outside)."""

    def entries(value: str) -> dict[str, Any]:
        data = json.loads(value) if value else {}
        if not isinstance(data, dict):
            return {}
        return {k: v for k, v in data.items() if v and k != "AppMetadata"}

    try:
        return entries(text) == entries(base)
    except ValueError:
        return False


def _read_records(record: Path) -> list[dict[str, Any]]:
    try:
        entries = json.loads(read_shared(record).decode("utf-8"))  # busy (Windows): waited on
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        log.warning("Damage record unreadable, replaced: %s", exc)
        return []
    return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []
