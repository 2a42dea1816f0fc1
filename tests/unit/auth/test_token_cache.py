from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import msal
import pytest

from desktop_app.auth import token_cache
from desktop_app.auth.cache_store import (
    CacheStore,
    DpapiFileStore,
    MemoryStore,
    PlaintextFileStore,
    StoreUnavailable,
    Version,
    atomic_write,
)
from desktop_app.auth.token_cache import PersistentTokenCache
from desktop_app.core.errors import ErrorKind, LanyardError
from tests.conftest import REPO
from tests.support.cache_events import TID, sign_in_event, usernames

CORRUPT_NAME = re.compile(r"^token_cache\.bin\.corrupt-\d{8}T\d{6}(-\d+)?$")


def make(
    tmp_path: Path, notices: list[LanyardError] | None = None, store: CacheStore | None = None
) -> PersistentTokenCache:
    cache = PersistentTokenCache(
        store or PlaintextFileStore(tmp_path / "token_cache.bin"),
        tmp_path / "token_cache.lock",
        notices.append if notices is not None else None,
    )
    cache.reload_if_changed()
    return cache


def valid_cache_text(tmp_path: Path) -> str:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    make(scratch).add(sign_in_event("u0", "z@contoso.test"))
    return (scratch / "token_cache.bin").read_text()


def test_saved_atomically_with_private_mode(tmp_path: Path) -> None:
    cache = make(tmp_path)
    cache.add(sign_in_event("u1", "a@contoso.test"))
    path = tmp_path / "token_cache.bin"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "rt-u1" in path.read_text()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_second_process_sees_changes_and_neither_loses_accounts(tmp_path: Path) -> None:
    first, second = make(tmp_path), make(tmp_path)
    first.add(sign_in_event("u1", "a@contoso.test"))
    # second was loaded before first wrote: its next change must merge, not overwrite
    second.add(sign_in_event("u2", "b@contoso.test"))
    assert usernames(second) == {"a@contoso.test", "b@contoso.test"}
    assert usernames(first) == {"a@contoso.test", "b@contoso.test"}
    third = make(tmp_path)
    assert usernames(third) == {"a@contoso.test", "b@contoso.test"}


def test_a_change_re_reads_even_when_the_version_looks_the_same(tmp_path: Path) -> None:
    """(mtime, inode, size) can repeat within one clock tick; a change must not trust it."""
    first, second = make(tmp_path), make(tmp_path)
    first.add(sign_in_event("u1", "a@contoso.test"))
    second._seen = second.store.version()  # as if the write had been invisible to it
    second.add(sign_in_event("u2", "b@contoso.test"))
    assert usernames(make(tmp_path)) == {"a@contoso.test", "b@contoso.test"}


def test_removing_an_account_persists(tmp_path: Path) -> None:
    cache = make(tmp_path)
    cache.add(sign_in_event("u1", "a@contoso.test"))
    for account in list(cache.search(msal.TokenCache.CredentialType.ACCOUNT)):
        cache.remove_account(account)
    assert usernames(make(tmp_path)) == set()


def test_write_landing_during_read_is_not_missed(tmp_path: Path) -> None:
    """The version is taken before the read: a write after it is seen on the next check."""
    reader = make(tmp_path)
    writer = make(tmp_path)
    writer.add(sign_in_event("u1", "a@contoso.test"))
    assert usernames(reader) == {"a@contoso.test"}
    writer.add(sign_in_event("u2", "b@contoso.test"))
    assert usernames(reader) == {"a@contoso.test", "b@contoso.test"}


# -- damage ------------------------------------------------------------------------------------


class StubCipher:
    """Stands in for DPAPI (Windows only): reversible, and fails like DPAPI on foreign data."""

    MAGIC = b"DPAPI-STUB:"

    def protect(self, message: str) -> bytes:
        return self.MAGIC + bytes(reversed(message.encode("utf-8")))

    def unprotect(self, cipher_text: bytes) -> str:
        if not cipher_text.startswith(self.MAGIC):
            raise OSError(None, "Key not valid for use in specified state.", None, 0x8009000B)
        return bytes(reversed(cipher_text[len(self.MAGIC) :])).decode("utf-8")


def plaintext(tmp_path: Path) -> CacheStore:
    return PlaintextFileStore(tmp_path / "token_cache.bin")


def dpapi(tmp_path: Path) -> CacheStore:
    return DpapiFileStore(tmp_path / "token_cache.bin", StubCipher())


def entry_with(field: str, value: object) -> bytes:
    entry = {"home_account_id": "u.t", "environment": "login.example", "secret": "x"}
    return json.dumps({"AccessToken": {"k": entry | {field: value}}}).encode()


DAMAGE = {
    "truncated": (lambda valid: valid[: len(valid) // 2], "not valid JSON"),
    "empty-object-cut": (lambda valid: b'{"AccessToken": {"k": {"secret": "x"}', "not valid JSON"),
    "garbage": (lambda valid: b"\x00\x01\x02garbage\xff", "not (valid JSON|text)"),
    "a-list": (lambda valid: b"[1, 2, 3]", "shape"),
    "section-not-an-object": (lambda valid: b'{"AccessToken": ["not", "a", "dict"]}', "shape"),
    "entry-not-an-object": (lambda valid: b'{"Account": {"k": "text"}}', "shape"),
    "secret-not-text": (lambda valid: entry_with("secret", 12345), "shape"),
    "expiry-not-a-number": (lambda valid: entry_with("expires_on", "soon"), "shape"),
    "expiry-a-boolean": (lambda valid: entry_with("expires_on", True), "shape"),
    "nested-too-deep": (lambda valid: b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
}


@pytest.mark.parametrize("make_store", [plaintext, dpapi], ids=["plaintext", "dpapi-stub"])
@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_cache_is_moved_aside_and_reported(
    tmp_path: Path, damage: str, make_store, app_logging: Path
) -> None:  # type: ignore[no-untyped-def]
    damage_fn, why = DAMAGE[damage]
    valid = valid_cache_text(tmp_path).encode()
    content = damage_fn(valid)
    store = make_store(tmp_path)
    path = tmp_path / "token_cache.bin"
    # what is on disk is what the store would have written (encrypted for DPAPI)
    if isinstance(store, DpapiFileStore):
        content = StubCipher().protect(content.decode("latin-1"))
    atomic_write(path, content)
    on_disk = path.read_bytes()
    notices: list[LanyardError] = []
    cache = make(tmp_path, notices, store)
    assert usernames(cache) == set()
    assert len(notices) == 1 and notices[0].kind is ErrorKind.CACHE  # never silent
    assert re.search(why, notices[0].message)
    kept = [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    assert len(kept) == 1 and CORRUPT_NAME.match(kept[0].name), kept
    assert kept[0].read_bytes() == on_disk  # kept byte for byte for diagnosis
    assert notices[0].details["moved_to"] == str(kept[0])
    assert str(kept[0]) in notices[0].recommendation
    assert "Token cache damaged" in app_logging.read_text()
    cache.add(sign_in_event("u1", "a@contoso.test"))  # and a fresh cache works
    assert usernames(make(tmp_path, store=make_store(tmp_path))) == {"a@contoso.test"}


def test_undecryptable_dpapi_cache_is_moved_aside(tmp_path: Path) -> None:
    """DPAPI's "key not valid" (a changed Windows password, a copied profile) is damage."""
    path = tmp_path / "token_cache.bin"
    atomic_write(path, b"\x01\x00\x00\x00\xd0\x8c\x9d\xdf encrypted for someone else")
    notices: list[LanyardError] = []
    cache = make(tmp_path, notices, dpapi(tmp_path))
    assert usernames(cache) == set()
    assert "could not be read or decrypted (UndecryptableError)" in notices[0].message
    assert not path.exists()
    assert len(list(tmp_path.glob("token_cache.bin.corrupt-*"))) == 1


@dataclass
class SeesOldDamage(PlaintextFileStore):
    """Its first read returns what another process had not yet repaired."""

    stale: bool = True

    def load(self) -> str | None:
        if self.stale:
            self.stale = False
            return "{broken"
        return super().load()


def test_damage_already_repaired_by_another_process_is_left_alone(tmp_path: Path) -> None:
    atomic_write(tmp_path / "token_cache.bin", b"{broken")
    first_notices: list[LanyardError] = []
    make(tmp_path, first_notices).add(sign_in_event("u1", "a@contoso.test"))
    assert len(first_notices) == 1
    # the second process read the damage before the first repaired it; its second look, under
    # the lock, must find the repaired cache and not move it aside
    second_notices: list[LanyardError] = []
    second = make(tmp_path, second_notices, SeesOldDamage(tmp_path / "token_cache.bin"))
    assert usernames(second) == {"a@contoso.test"}
    assert second_notices == []
    assert len(list(tmp_path.glob("token_cache.bin.corrupt-*"))) == 1


# -- the encrypted-file variant ------------------------------------------------------------------


@pytest.mark.parametrize("make_store", [plaintext, dpapi], ids=["plaintext", "dpapi-stub"])
def test_a_failed_write_leaves_the_previous_cache_whole(
    tmp_path: Path, make_store, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    cache = make(tmp_path, store=make_store(tmp_path))
    cache.add(sign_in_event("u1", "a@contoso.test"))
    before = (tmp_path / "token_cache.bin").read_bytes()

    def failing_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    notices: list[LanyardError] = []
    cache._on_notice = notices.append
    monkeypatch.setattr(os, "fsync", failing_fsync)
    cache.add(sign_in_event("u2", "b@contoso.test"))  # no crash: told, kept in memory
    monkeypatch.undo()
    assert usernames(cache) == {"a@contoso.test", "b@contoso.test"}
    assert (tmp_path / "token_cache.bin").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    assert len(notices) == 1 and "No space left on device" in notices[0].message
    assert usernames(make(tmp_path, store=make_store(tmp_path))) == {"a@contoso.test"}


def test_dpapi_store_writes_only_cipher_text(tmp_path: Path) -> None:
    cache = make(tmp_path, store=dpapi(tmp_path))
    cache.add(sign_in_event("u1", "a@contoso.test"))
    raw = (tmp_path / "token_cache.bin").read_bytes()
    assert raw.startswith(StubCipher.MAGIC)
    assert b"rt-u1" not in raw
    assert stat.S_IMODE((tmp_path / "token_cache.bin").stat().st_mode) == 0o600
    assert usernames(make(tmp_path, store=dpapi(tmp_path))) == {"a@contoso.test"}


def test_temporaries_of_a_killed_writer_are_removed_under_the_lock(tmp_path: Path) -> None:
    leftover = tmp_path / ".token_cache.bin.x1y2z3.tmp"
    leftover.write_bytes(b'{"RefreshToken": {"k": {"secret": "half a wri')
    make(tmp_path).add(sign_in_event("u1", "a@contoso.test"))
    assert not leftover.exists()


# -- a store that stops working ------------------------------------------------------------------


@dataclass
class FlakyStore:
    """A store whose OS service goes away (a keyring locked mid-session)."""

    location: Path
    protection: str = "encrypted by a test keyring"
    encrypted: bool = True
    persisted: bool = True
    broken: bool = False
    text: str | None = None
    serial: int = 0

    def _check(self) -> None:
        if self.broken:
            raise StoreUnavailable("the keyring is locked", "Unlock it.")

    def load(self) -> str | None:
        self._check()
        return self.text

    def save(self, text: str) -> None:
        self._check()
        self.text = text
        self.serial += 1

    def version(self) -> Version | None:
        return (self.serial, 0, 0)

    def move_aside(self) -> str | None:
        raise AssertionError("an unavailable store is not damage")


def test_store_going_away_keeps_the_session_and_says_so_once(tmp_path: Path) -> None:
    store = FlakyStore(tmp_path / "signal")
    notices: list[LanyardError] = []
    cache = make(tmp_path, notices, store)
    cache.add(sign_in_event("u1", "a@contoso.test"))
    store.broken = True
    store.serial += 1  # someone else changed it: the next read goes to the broken store
    assert usernames(cache) == {"a@contoso.test"}  # kept in memory, not emptied
    cache.add(sign_in_event("u2", "b@contoso.test"))
    assert usernames(cache) == {"a@contoso.test", "b@contoso.test"}
    assert len(notices) == 1  # told once, when the read failed
    assert "cannot be saved right now: the keyring is locked" in notices[0].message
    assert notices[0].recommendation.startswith("Unlock it.")
    assert notices[0].details["saved"] == "no"  # the window's status bar follows this
    store.broken = False
    cache.add(sign_in_event("u3", "c@contoso.test"))  # back: everything is saved
    assert (
        store.text is not None and "c@contoso.test" in store.text and "b@contoso.test" in store.text
    )
    assert len(notices) == 2 and notices[1].details["saved"] == "yes"  # and said so


def test_changes_kept_during_an_outage_merge_with_changes_made_elsewhere(tmp_path: Path) -> None:
    store = FlakyStore(tmp_path / "signal")
    cache = make(tmp_path, [], store)
    cache.add(sign_in_event("u1", "a@contoso.test"))
    cache.add(sign_in_event("u5", "e@contoso.test"))
    other = make(tmp_path, store=store)  # another process on the same store
    assert usernames(other) == {"a@contoso.test", "e@contoso.test"}
    store.broken = True
    cache.add(sign_in_event("u2", "b@contoso.test"))  # only in memory
    for account in list(
        cache.search(msal.TokenCache.CredentialType.ACCOUNT, query={"username": "a@contoso.test"})
    ):
        cache.remove_account(account)  # signed out here during the outage
    store.broken = False
    other.add(sign_in_event("u4", "d@contoso.test"))  # the other process could still write
    for account in list(
        other.search(msal.TokenCache.CredentialType.ACCOUNT, query={"username": "e@contoso.test"})
    ):
        other.remove_account(account)  # and signed e out
    cache.add(sign_in_event("u3", "c@contoso.test"))
    expected = {"b@contoso.test", "c@contoso.test", "d@contoso.test"}
    assert usernames(cache) == expected
    assert usernames(make(tmp_path, store=store)) == expected


def test_memory_store_writes_nothing(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    profile.mkdir()
    cache = PersistentTokenCache(MemoryStore(profile / "token_cache.bin"), None)
    cache.add(sign_in_event("u1", "a@contoso.test"))
    assert usernames(cache) == {"a@contoso.test"}
    assert list(profile.iterdir()) == []


# -- the lock -------------------------------------------------------------------------------------

HOLD_LOCK = """
import sys, time
from pathlib import Path
from desktop_app.auth.cache_store import PlaintextFileStore
from desktop_app.auth.token_cache import PersistentTokenCache
folder = Path(sys.argv[1])
cache = PersistentTokenCache(PlaintextFileStore(folder / "token_cache.bin"), folder / "token_cache.lock")
with cache._cross_process_lock():
    print("held", flush=True)
    time.sleep(600)
"""


@contextlib.contextmanager
def lock_held_by_child(folder: Path) -> Iterator[subprocess.Popen[str]]:
    with subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(folder)], cwd=REPO, stdout=subprocess.PIPE, text=True
    ) as child:
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "held"
            yield child
        finally:
            child.kill()


def test_busy_lock_keeps_the_change_says_who_holds_it_and_saves_it_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process holding the lock is a local failure: the sign-in that succeeded is kept
    (in memory), the holder is named, and it is saved once the lock is free (issue 15, item 9)."""
    monkeypatch.setattr(token_cache, "LOCK_TIMEOUT_S", 0.3)
    notices: list[LanyardError] = []
    with lock_held_by_child(tmp_path) as child:
        cache = make(tmp_path, notices)
        started = time.monotonic()
        cache.add(sign_in_event("u1", "a@contoso.test"))  # no exception reaches msal
        waited = time.monotonic() - started
        assert usernames(cache) == {"a@contoso.test"}
        assert not (tmp_path / "token_cache.bin").exists()
    assert 0.3 <= waited < 3.0  # bounded
    assert len(notices) == 1 and notices[0].kind is ErrorKind.CACHE
    assert f"another Lanyard process (process {child.pid}) has held the token cache" in (
        notices[0].message
    )
    assert "cannot be saved right now" in notices[0].message
    assert cache.flush()  # the lock is free now: saved
    assert usernames(make(tmp_path)) == {"a@contoso.test"}
    assert notices[-1].details["saved"] == "yes"


def test_a_writer_killed_while_holding_the_lock_does_not_block_the_next(tmp_path: Path) -> None:
    make(tmp_path).add(sign_in_event("u1", "a@contoso.test"))
    with lock_held_by_child(tmp_path) as child:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert (tmp_path / "token_cache.lock").read_text().strip() == str(child.pid)  # left behind
    started = time.monotonic()
    cache = make(tmp_path)
    cache.add(sign_in_event("u2", "b@contoso.test"))
    recovered = time.monotonic() - started
    print(f"lock recovery after SIGKILL of its holder: {recovered * 1000:.1f} ms")
    assert usernames(make(tmp_path)) == {"a@contoso.test", "b@contoso.test"}
    assert recovered < token_cache.LOCK_TIMEOUT_S  # never waited out the timeout


# -- local failures are kept in memory and said, never raised into msal (issue 15, item 9) -------


def refresh_event(oid: str, upn: str, serial: int) -> dict[str, object]:
    """What msal's cache receives from a refresh: the account is not (re)created."""
    return sign_in_event(oid, upn, serial) | {"skip_account_creation": True}


def test_a_lock_file_that_is_a_folder_keeps_the_sign_in_and_says_why(tmp_path: Path) -> None:
    (tmp_path / "token_cache.lock").mkdir()  # a folder where the lock file should be
    notices: list[LanyardError] = []
    cache = make(tmp_path, notices)
    cache.add(sign_in_event("u1", "a@contoso.test"))  # no exception: msal would blame the IdP
    assert usernames(cache) == {"a@contoso.test"}  # the sign-in is kept, in memory
    assert not (tmp_path / "token_cache.bin").exists()  # nothing written without the lock
    assert len(notices) == 1 and notices[0].kind is ErrorKind.CACHE
    message = notices[0].message
    assert "cannot be saved right now: its lock file cannot be used (Is a directory" in message
    assert "identity provider" not in message and "tries again shortly" not in message
    assert str(tmp_path / "token_cache.lock") in notices[0].recommendation
    assert notices[0].details["saved"] == "no"
    (tmp_path / "token_cache.lock").rmdir()
    assert cache.flush()  # the lock works again: saved, and said
    assert usernames(make(tmp_path)) == {"a@contoso.test"}
    assert notices[-1].details["saved"] == "yes"


def test_a_write_error_of_the_lock_holder_pid_is_not_a_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk fails the lock file's pid line first; the lock itself is held all the same."""
    notices: list[LanyardError] = []
    cache = make(tmp_path, notices)
    real_open = open

    class FullDisk:
        def __init__(self, handle: object) -> None:
            self._handle = handle

        def __getattr__(self, name: str) -> object:
            return getattr(self._handle, name)

        def flush(self) -> None:
            raise OSError(28, "No space left on device")

    def opening(file: object, *args: object, **kwargs: object) -> object:
        handle = real_open(file, *args, **kwargs)  # type: ignore[call-overload]
        return FullDisk(handle) if str(file).endswith("token_cache.lock") else handle

    monkeypatch.setattr("builtins.open", opening)
    cache.add(sign_in_event("u1", "a@contoso.test"))
    monkeypatch.undo()
    assert usernames(make(tmp_path)) == {"a@contoso.test"}  # saved under the lock
    assert notices == []


def test_an_os_error_reaching_msal_s_wrapper_is_worded_as_this_computer_s(tmp_path: Path) -> None:
    from desktop_app.auth.errors import from_exception

    for exc in (
        OSError(28, "No space left on device"),
        PermissionError(13, "Permission denied", str(tmp_path / "token_cache.lock")),
        IsADirectoryError(21, "Is a directory", str(tmp_path / "token_cache.lock")),
    ):
        error = from_exception(exc, "Signing in")
        assert error.kind is ErrorKind.CACHE, exc
        assert "identity provider" not in error.message
        assert "tries again" not in error.recommendation
        assert exc.strerror in error.message and "on this computer" in error.message
    network = from_exception(ConnectionResetError(104, "Connection reset by peer"), "Signing in")
    assert network.kind is not ErrorKind.CACHE  # the network's OSErrors stay the network's


# -- cannot read is not damage (issue 15, item 10) -------------------------------------------------


class RefusingStore:
    """A store whose file the OS refuses to read (EACCES, as for a file of another user). Root
    cannot be refused here, so the refusal is the file's read (the real one runs as uid 65534
    in tests/integration/test_headless.py); decryption, if any, is the real store's."""

    def __init__(self, inner: CacheStore) -> None:
        self.inner = inner
        self.refuse = True
        self.location = inner.location
        self.protection, self.encrypted, self.persisted = "test", inner.encrypted, True

    def load(self) -> str | None:
        if self.refuse:
            raise PermissionError(13, "Permission denied", str(self.location))
        return self.inner.load()

    def save(self, text: str) -> None:
        self.inner.save(text)

    def version(self) -> Version | None:
        return self.inner.version()

    def move_aside(self) -> str | None:
        return self.inner.move_aside()


@pytest.mark.parametrize("make_store", [plaintext, dpapi], ids=["plaintext", "dpapi-stub"])
def test_a_cache_the_os_refuses_to_read_is_left_alone(tmp_path: Path, make_store) -> None:  # type: ignore[no-untyped-def]
    valid = valid_cache_text(tmp_path)
    make_store(tmp_path).save(valid)
    on_disk = (tmp_path / "token_cache.bin").read_bytes()
    notices: list[LanyardError] = []
    cache = make(tmp_path, notices, RefusingStore(make_store(tmp_path)))
    assert usernames(cache) == set()
    assert cache.read_problem is not None  # what is saved is not known: not "nobody"
    assert (tmp_path / "token_cache.bin").read_bytes() == on_disk  # untouched
    assert not list(tmp_path.glob("*.corrupt-*"))  # never moved aside as damage
    assert len(notices) == 1 and "cannot read your saved sign-in right now" in notices[0].message
    assert "may not read the token cache (Permission denied" in notices[0].message
    assert "as it is" in notices[0].recommendation
    cache.add(sign_in_event("u2", "b@contoso.test"))  # a sign-in now: kept, but never over it
    assert usernames(cache) == {"b@contoso.test"}
    assert (tmp_path / "token_cache.bin").read_bytes() == on_disk
    assert usernames(make(tmp_path, store=make_store(tmp_path))) == {"z@contoso.test"}


def test_a_readable_again_cache_is_picked_up_without_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    PlaintextFileStore(tmp_path / "token_cache.bin").save(valid_cache_text(tmp_path))
    store = RefusingStore(plaintext(tmp_path))
    notices: list[LanyardError] = []
    cache = make(tmp_path, notices, store)
    assert usernames(cache) == set()
    store.refuse = False  # the owner fixed the permissions
    monkeypatch.setattr(token_cache, "RETRY_S", 0.0)
    assert usernames(cache) == {"z@contoso.test"}  # looked at again by itself
    assert cache.read_problem is None
    assert notices[-1].details["saved"] == "yes"


def test_dpapi_read_errors_and_decryption_errors_are_told_apart(tmp_path: Path) -> None:
    path = tmp_path / "token_cache.bin"
    path.mkdir()  # cannot be read: an OSError of the file, not DPAPI's
    notices: list[LanyardError] = []
    cache = make(tmp_path, notices, dpapi(tmp_path))
    assert cache.read_problem is not None and path.is_dir()
    assert not list(tmp_path.glob("*.corrupt-*"))
    assert "Is a directory" in notices[0].message


def test_damage_moved_aside_is_recorded_for_the_next_window_once(tmp_path: Path) -> None:
    record = tmp_path / "token_cache.damaged.json"
    atomic_write(tmp_path / "token_cache.bin", b'{"RefreshToken": {"k": {"secret": "half')
    headless = PersistentTokenCache(
        PlaintextFileStore(tmp_path / "token_cache.bin"),
        tmp_path / "token_cache.lock",
        damage_record=record,
    )
    headless.recorded_by = "'lanyard whoami'"
    headless.reload_if_changed()
    entries = json.loads(record.read_text())
    assert len(entries) == 1
    assert entries[0]["why"] == "it is not valid JSON (truncated or overwritten)"
    assert entries[0]["moved_to"].startswith(str(tmp_path / "token_cache.bin.corrupt-"))
    assert entries[0]["by"].startswith("'lanyard whoami' (process ")
    assert "secret" not in record.read_text() and "half" not in record.read_text()
    window = make(tmp_path)
    assert window.take_damage_records(record) == entries
    assert not record.exists()
    assert window.take_damage_records(record) == []  # told once


# -- tokens of an account that is gone are never written back (issue 15, item 13) ---------------


def test_a_refresh_landing_after_the_account_was_removed_writes_no_token(tmp_path: Path) -> None:
    window = make(tmp_path)
    window.add(sign_in_event("u1", "a@contoso.test"))
    other = make(tmp_path)  # another process signs the account out
    for account in list(other.search(msal.TokenCache.CredentialType.ACCOUNT)):
        other.remove_account(account)
    before = (tmp_path / "token_cache.bin").read_text()
    assert "rt-u1" not in before
    window.add(refresh_event("u1", "a@contoso.test", 1))  # the window's refresh lands now
    after = (tmp_path / "token_cache.bin").read_text()
    assert "rt-u1-1" not in after and "at-u1-1" not in after  # no orphan token persisted
    assert "rt-u1-1" not in window.serialize()  # nor kept in memory
    assert usernames(make(tmp_path)) == set()


def test_a_store_emptied_from_outside_is_not_refilled_by_a_refresh(tmp_path: Path) -> None:
    store = FlakyStore(tmp_path / "signal")
    cache = make(tmp_path, [], store)
    cache.add(sign_in_event("u1", "a@contoso.test"))
    saves = store.serial
    store.text = None  # the keyring item deleted from outside: its signal file did not change
    cache.add(refresh_event("u1", "a@contoso.test", 1))
    cache.modify(  # msal's update_rt after a rotation: re-creates the RT entry it had
        msal.TokenCache.CredentialType.REFRESH_TOKEN,
        {
            "credential_type": "RefreshToken",
            "secret": "rt-u1-0",
            "home_account_id": f"u1.{TID}",
            "environment": "login.example",
            "client_id": "c",
        },
        {"secret": "rt-u1-2"},
    )
    assert store.text is None and store.serial == saves  # nothing written back
    assert usernames(cache) == set()


def test_orphan_tokens_already_in_a_cache_are_dropped_by_the_next_change(tmp_path: Path) -> None:
    """A cache an older Lanyard left with a refresh token and no account (nothing could remove
    it) is cleaned by the next write."""
    cache = make(tmp_path)
    cache.add(sign_in_event("u1", "a@contoso.test"))
    data = json.loads((tmp_path / "token_cache.bin").read_text())
    data["Account"] = {}
    atomic_write(tmp_path / "token_cache.bin", json.dumps(data).encode())
    make(tmp_path).add(sign_in_event("u2", "b@contoso.test"))
    text = (tmp_path / "token_cache.bin").read_text()
    assert "rt-u1" not in text and "rt-u2" in text


NOBODY_ADDS = """
import json, sys
from pathlib import Path
from desktop_app.auth.cache_store import PlaintextFileStore
from desktop_app.auth.token_cache import PersistentTokenCache
from tests.support.cache_events import sign_in_event, usernames
folder = Path(sys.argv[1])
notices = []
cache = PersistentTokenCache(
    PlaintextFileStore(folder / "token_cache.bin"), folder / "token_cache.lock", notices.append
)
cache.reload_if_changed()
cache.add(sign_in_event("u1", "a@contoso.test"))  # raises nothing into msal
print(json.dumps({"accounts": sorted(usernames(cache)), "notices": [n.message for n in notices]}))
"""


def test_a_lock_file_another_user_owns_keeps_the_sign_in_and_says_why() -> None:
    """For real, as uid 65534 (tests/support/unprivileged.py): the lock file belongs to root,
    mode 0600, so opening it fails with EACCES, which only a non-root process sees."""
    from tests.support.unprivileged import nobody_env, nobody_folder, nobody_python

    with nobody_folder() as folder:
        lock = folder / "token_cache.lock"
        lock.write_text("1\n")
        os.chmod(lock, 0o600)  # root's
        child = subprocess.run(
            [
                *nobody_python(
                    NOBODY_ADDS,
                    "json",
                    "desktop_app.auth.token_cache",
                    "desktop_app.auth.errors",
                    "tests.support.cache_events",
                ),
                str(folder),
            ],
            cwd=REPO,
            env=nobody_env(folder) | {"PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert child.returncode == 0, child.stderr
        report = json.loads(child.stdout.splitlines()[-1])
        assert report["accounts"] == ["a@contoso.test"]  # the sign-in is kept
        assert not (folder / "token_cache.bin").exists()
        assert report["notices"] == [
            "Your sign-in cannot be saved right now: its lock file cannot be used (Permission "
            f"denied: {lock}). Lanyard keeps you signed in until it quits."
        ]
        assert "identity provider" not in child.stdout
