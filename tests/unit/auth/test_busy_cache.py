"""The token cache while another process has its file open, as Windows reports it: os.replace and
opening the file raise PermissionError with winerror 32 (sharing violation) or 5 (access denied
to a file whose replacement is pending). Simulated here at the OS calls the store makes, on the
cache's own path only: the write and the read are tried again briefly, and a cache that is busy
for longer is "cannot read now" -- never moved aside as damage, never lost.
"""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop_app.auth.cache_store import PlaintextFileStore
from desktop_app.auth.token_cache import PersistentTokenCache
from desktop_app.core import files
from desktop_app.core.errors import LanyardError
from tests.support.cache_events import sign_in_event, usernames


def sharing_violation(path: object, winerror: int = 32) -> PermissionError:
    """The exception CPython raises on Windows for a file another process holds open."""
    exc = PermissionError(errno.EACCES, "The process cannot access the file", str(path))
    exc.winerror = winerror  # type: ignore[attr-defined]  # set by CPython on Windows only
    return exc


class Busy:
    """Makes the cache file busy for the next ``times`` calls of one OS operation on it."""

    def __init__(self, target: Path, times: int, winerror: int = 32) -> None:
        self.target, self.times, self.winerror = target, times, winerror
        self.refused = 0
        self.calls = 0

    def wrap(
        self, real: Callable[..., object], pick: Callable[..., object]
    ) -> Callable[..., object]:
        def busy(*args: object, **kwargs: object) -> object:
            if Path(str(pick(*args))) == self.target:
                self.calls += 1
                if self.refused < self.times:
                    self.refused += 1
                    raise sharing_violation(self.target, self.winerror)
            return real(*args, **kwargs)

        return busy


def busy_replace(monkeypatch: pytest.MonkeyPatch, target: Path, times: int) -> Busy:
    busy = Busy(target, times)
    monkeypatch.setattr(os, "replace", busy.wrap(os.replace, lambda src, dst: dst))
    return busy


def busy_read(
    monkeypatch: pytest.MonkeyPatch, target: Path, times: int, winerror: int = 32
) -> Busy:
    busy = Busy(target, times, winerror)
    monkeypatch.setattr(Path, "read_bytes", busy.wrap(Path.read_bytes, lambda self: self))
    return busy


def make(tmp_path: Path, notices: list[LanyardError]) -> PersistentTokenCache:
    cache = PersistentTokenCache(
        PlaintextFileStore(tmp_path / "token_cache.bin"),
        tmp_path / "token_cache.lock",
        notices.append,
    )
    cache.reload_if_changed()
    return cache


def signed_in(tmp_path: Path) -> Path:
    make(tmp_path, []).add(sign_in_event("u1", "a@contoso.test"))
    return tmp_path / "token_cache.bin"


def set_aside(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in tmp_path.iterdir() if ".corrupt-" in p.name)


def test_a_replace_refused_while_a_reader_has_the_file_is_tried_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = signed_in(tmp_path)
    busy = busy_replace(monkeypatch, path, times=3)
    started = time.monotonic()
    cache = make(tmp_path, notices := [])
    cache.add(sign_in_event("u2", "b@contoso.test"))
    print(
        f"\nreplace refused {busy.refused} times, written after {time.monotonic() - started:.3f} s"
    )
    assert busy.refused == 3 and busy.calls == 4
    assert notices == [] and cache.flush() is True
    assert usernames(make(tmp_path, [])) == {"a@contoso.test", "b@contoso.test"}
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_read_refused_while_the_file_is_being_replaced_is_tried_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = signed_in(tmp_path)
    busy = busy_read(monkeypatch, path, times=4, winerror=5)  # a delete pending: access denied
    cache = make(tmp_path, notices := [])
    assert busy.refused == 4
    assert usernames(cache) == {"a@contoso.test"}
    assert cache.read_problem is None and notices == []
    assert set_aside(tmp_path) == []


def test_a_cache_busy_for_longer_is_left_alone_and_read_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = signed_in(tmp_path)
    before = path.read_bytes()
    busy = busy_read(monkeypatch, path, times=10_000)
    started = time.monotonic()
    cache = make(tmp_path, notices := [])
    waited = time.monotonic() - started
    print(f"\nbusy read given up after {busy.calls} tries in {waited:.3f} s")
    assert 2 <= busy.calls <= 20  # bounded: 5, 10, 20, 40, 80, 100 ms ... within BUSY_WAIT_S
    assert cache.read_problem is not None  # "cannot read now", not damage
    with path.open("rb") as file:  # (open() is not made busy, read_bytes() is)
        assert set_aside(tmp_path) == [] and file.read() == before
    assert [n.kind.name for n in notices] == ["CACHE"]
    # the other process lets go: the sign-in is there again, nothing was lost
    busy.times = 0
    assert cache.reload_if_changed(force=True) is True
    assert usernames(cache) == {"a@contoso.test"} and cache.read_problem is None


def test_a_cache_that_stays_busy_is_not_overwritten_by_a_sign_in_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = signed_in(tmp_path)
    busy = busy_read(monkeypatch, path, times=10_000)
    cache = make(tmp_path, [])
    cache.add(sign_in_event("u2", "b@contoso.test"))  # kept in memory: what is there is unknown
    busy.times = 0
    cache.reload_if_changed(force=True)
    cache.flush()
    assert usernames(make(tmp_path, [])) == {"a@contoso.test", "b@contoso.test"}
    assert set_aside(tmp_path) == []


def test_a_posix_refusal_is_not_waited_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "file"
    calls = []

    def refuse(src: object, dst: object) -> None:
        calls.append(dst)
        raise PermissionError(errno.EACCES, "Permission denied", str(dst))  # no winerror

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(PermissionError):
        files.atomic_write(target, b"x")
    assert len(calls) == 1 and list(tmp_path.iterdir()) == []  # the temporary file is gone too


@pytest.mark.parametrize("winerror", [5, 32, 33])
def test_every_busy_error_is_retried_and_others_are_not(winerror: int) -> None:
    assert files.is_busy(sharing_violation("f", winerror))
    assert not files.is_busy(sharing_violation("f", 2))  # ERROR_FILE_NOT_FOUND
    assert not files.is_busy(FileNotFoundError(errno.ENOENT, "gone"))


def test_a_replace_busy_past_the_bound_gives_up_and_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "config.toml"
    target.write_bytes(b"old")
    busy = busy_replace(monkeypatch, target, times=10_000)
    started = time.monotonic()
    with pytest.raises(PermissionError):
        files.atomic_write(target, b"new")
    print(f"\nreplace given up after {busy.calls} tries in {time.monotonic() - started:.3f} s")
    assert 2 <= busy.calls <= 20
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["config.toml"]


def test_the_damage_record_is_read_though_busy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What another process recorded about damage it moved aside survives a busy read (a lost
    record would leave the next window silent about a lost sign-in)."""
    record = tmp_path / "damage.json"
    record.write_text('[{"why": "it is not text", "moved_to": "x.corrupt-1"}]', encoding="utf-8")
    busy = busy_read(monkeypatch, record, times=2)
    cache = make(tmp_path, [])
    assert [e["why"] for e in cache.take_damage_records(record)] == ["it is not text"]
    assert busy.refused == 2
