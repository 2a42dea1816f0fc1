"""The profile snapshot store: round trip, damage moved aside, deletion, the daily photo check."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from desktop_app.auth.cache_store import MemoryStore, PlaintextFileStore
from desktop_app.graph.client import NotModifiedError, Photo
from desktop_app.graph.profile import Profile
from desktop_app.graph.snapshot import (
    PHOTO_REVALIDATE_S,
    SNAPSHOT_FILE,
    Snapshot,
    SnapshotStore,
    fetch_photo,
)

PROFILE = Profile(displayName="Megan Bowen", jobTitle="<b>Admin</b>", businessPhones=("+1 2",))
PHOTO = Photo(b"\xff\xd8\xff\x00jpeg", "image/jpeg", 'W/"etag-1"')


def file_store(tmp_path: Path) -> SnapshotStore:
    return SnapshotStore(PlaintextFileStore(tmp_path / SNAPSHOT_FILE))


def test_round_trip_per_account(tmp_path: Path) -> None:
    store = file_store(tmp_path)
    first = Snapshot("uid1.tid", PROFILE, 1000.5, PHOTO, 1001.0)
    second = Snapshot("uid2.tid", Profile(displayName="Other"), 2000.0, None, 2000.0)
    store.save(first)
    store.save(second)
    again = file_store(tmp_path)  # a new process reads what the last one wrote
    assert again.load("uid1.tid") == first
    assert again.load("uid2.tid") == second
    assert again.load("nobody") is None
    path = tmp_path / SNAPSHOT_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_nothing_stored_reads_as_none(tmp_path: Path) -> None:
    assert file_store(tmp_path).load("uid1.tid") is None
    assert SnapshotStore(MemoryStore(tmp_path / "x")).load("uid1.tid") is None


def test_delete_forgets_only_that_account(tmp_path: Path) -> None:
    store = file_store(tmp_path)
    store.save(Snapshot("uid1.tid", PROFILE, 1.0, PHOTO, 1.0))
    store.save(Snapshot("uid2.tid", PROFILE, 2.0))
    assert store.delete("uid1.tid") is True
    assert store.delete("uid1.tid") is False
    assert store.load("uid1.tid") is None
    assert store.load("uid2.tid") is not None
    assert b"jpeg" not in (tmp_path / SNAPSHOT_FILE).read_bytes()


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe\x00garbage",
        b'{"format": 99, "accounts": {}}',
        b'{"format": 1, "accounts": []}',
        b"[]",
        b"[" * 100_000 + b"]" * 100_000,
    ],
)
def test_a_damaged_document_is_moved_aside_and_ignored(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / SNAPSHOT_FILE
    path.write_bytes(content)
    store = file_store(tmp_path)
    assert store.load("uid1.tid") is None
    assert not path.exists()
    kept = list(tmp_path.glob(f"{SNAPSHOT_FILE}.corrupt-*"))
    assert len(kept) == 1
    assert kept[0].read_bytes() == content
    store.save(Snapshot("uid1.tid", PROFILE, 1.0))  # and it works again
    assert store.load("uid1.tid") == Snapshot("uid1.tid", PROFILE, 1.0)


@pytest.mark.parametrize(
    "entry",
    [
        "text",
        {"fetched_at": 1.0},
        {"profile": {}, "fetched_at": "yesterday"},
        {"profile": {}, "fetched_at": True},
        {"profile": {}, "fetched_at": 1.0, "photo": "abc"},
        {"profile": {}, "fetched_at": 1.0, "photo": {"data": "!!", "content_type": "", "etag": ""}},
        {
            "profile": {},
            "fetched_at": 1.0,
            "photo": {"data": "AAAA", "content_type": 1, "etag": ""},
        },
    ],
)
def test_a_damaged_entry_is_moved_aside_and_ignored(tmp_path: Path, entry: object) -> None:
    path = tmp_path / SNAPSHOT_FILE
    path.write_text(json.dumps({"format": 1, "accounts": {"uid1.tid": entry}}))
    assert file_store(tmp_path).load("uid1.tid") is None
    assert list(tmp_path.glob(f"{SNAPSHOT_FILE}.corrupt-*"))


def test_profile_text_is_parsed_as_untrusted(tmp_path: Path) -> None:
    path = tmp_path / SNAPSHOT_FILE
    entry = {"profile": {"displayName": ["not", "text"], "mail": "a\x00b"}, "fetched_at": 5}
    path.write_text(json.dumps({"format": 1, "accounts": {"uid1.tid": entry}}))
    snapshot = file_store(tmp_path).load("uid1.tid")
    assert snapshot is not None
    assert snapshot.profile.displayName == ""
    assert snapshot.profile.mail == "a\\u0000b"


class RecordingGraph:
    """Stands in for GraphClient.photo: records the ETag asked with, answers as told."""

    def __init__(self, answer: Photo | type[Exception] | None) -> None:
        self.answer = answer
        self.asked: list[str | None] = []

    def photo(self, token: str, etag: str | None = None) -> Photo | None:
        self.asked.append(etag)
        if isinstance(self.answer, type):
            raise self.answer()
        return self.answer


def test_photo_checked_within_a_day_is_reused_without_a_request() -> None:
    graph = RecordingGraph(None)
    cached = Snapshot("a", PROFILE, 100.0, PHOTO, photo_checked_at=1000.0)
    now = 1000.0 + PHOTO_REVALIDATE_S - 1
    assert fetch_photo(graph, "t", cached, now) == (PHOTO, 1000.0)  # type: ignore[arg-type]
    assert graph.asked == []


def test_older_photo_is_revalidated_with_its_etag_and_kept_on_304() -> None:
    graph = RecordingGraph(NotModifiedError)
    cached = Snapshot("a", PROFILE, 100.0, PHOTO, photo_checked_at=1000.0)
    now = 1000.0 + PHOTO_REVALIDATE_S + 1
    assert fetch_photo(graph, "t", cached, now) == (PHOTO, now)  # type: ignore[arg-type]
    assert graph.asked == [PHOTO.etag]


def test_changed_photo_replaces_the_cached_one() -> None:
    new = Photo(b"new", "image/png", '"etag-2"')
    graph = RecordingGraph(new)
    cached = Snapshot("a", PROFILE, 100.0, PHOTO, photo_checked_at=0.0)
    later = PHOTO_REVALIDATE_S + 5.0
    assert fetch_photo(graph, "t", cached, later) == (new, later)  # type: ignore[arg-type]
    assert graph.asked == [PHOTO.etag]
    fresh = RecordingGraph(new)
    assert fetch_photo(fresh, "t", None, 5.0) == (new, 5.0)  # type: ignore[arg-type]
    assert fresh.asked == [None]  # nothing cached: no If-None-Match


def test_a_clock_set_back_does_not_keep_a_photo_forever() -> None:
    cached = Snapshot("a", PROFILE, 100.0, PHOTO, photo_checked_at=10_000.0)
    assert not cached.photo_is_fresh(5_000.0)
