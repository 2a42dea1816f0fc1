from __future__ import annotations

import json
import pickle
import re
import time
from pathlib import Path

import pytest
from msal.individual_cache import _ExpiringMapping
from msal.throttled_http_client import NormalizedResponse

from desktop_app.auth.http_cache import INDEX_KEY, load_http_cache, save_http_cache
from desktop_app.auth.http_cache import _Raw as Raw

DISCOVERY = "GET https://localhost:1/t/v2.0/.well-known/openid-configuration hash=abc 2xx"
THROTTLE = (
    "POST https://localhost:1/t/oauth2/v2.0/token client_id=x scope=y hash=z 429/5xx/Retry-After"
)


def filled() -> dict[str, object]:
    mapping: dict[str, object] = {}
    expiring = _ExpiringMapping(mapping=mapping, capacity=1024)
    expiring.set(
        DISCOVERY,
        NormalizedResponse(Raw(200, '{"token_endpoint": "x"}', {"content-type": "json"})),
        3600,
    )
    expiring.set(THROTTLE, NormalizedResponse(Raw(429, "slow down", {})), 60)
    return mapping


def test_round_trip_keeps_discovery_only(tmp_path: Path) -> None:
    path = tmp_path / "http.json"
    save_http_cache(path, filled())
    loaded, moved = load_http_cache(path)
    assert moved is None
    assert set(loaded) == {DISCOVERY, INDEX_KEY}
    response = loaded[DISCOVERY]
    assert response.status_code == 200
    assert json.loads(response.text) == {"token_endpoint": "x"}
    # msal reads it back through its own mapping
    assert _ExpiringMapping(mapping=loaded)[DISCOVERY].text == response.text


def test_what_the_file_holds_already_is_not_written_again(tmp_path: Path) -> None:
    path = tmp_path / "http.json"
    written = save_http_cache(path, filled())
    before = path.stat()
    loaded, _ = load_http_cache(path)
    assert save_http_cache(path, loaded, unless=written) == written
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    loaded[INDEX_KEY][0].clear()  # a change (the index emptied: nothing kept) is written
    loaded[INDEX_KEY][1].clear()
    assert save_http_cache(path, loaded, unless=written) != written
    assert path.stat().st_ino != before.st_ino
    assert json.loads(path.read_text())["entries"] == []


def test_expired_entries_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "http.json"
    save_http_cache(path, filled())
    data = json.loads(path.read_text())
    data["entries"][0]["expires_at"] = int(time.time()) - 1
    path.write_text(json.dumps(data))
    loaded, _ = load_http_cache(path)
    assert DISCOVERY not in loaded


def valid_text(tmp_path: Path) -> bytes:
    path = tmp_path / "valid.json"
    save_http_cache(path, filled())
    return path.read_bytes()


def entry(**changes: object) -> bytes:
    good = {
        "key": DISCOVERY,
        "expires_at": int(time.time()) + 600,
        "created_at": int(time.time()),
        "status_code": 200,
        "text": "{}",
        "headers": {},
    }
    return json.dumps({"format": 1, "entries": [good | changes]}).encode()


DAMAGE = {
    "truncated": lambda valid: valid[: len(valid) // 2],
    "garbage": lambda valid: b"\x00\xff\xfe garbage",
    "a-pickle": lambda valid: pickle.dumps({"GET x 2xx": "never unpickled"}),
    "a-list": lambda valid: b"[]",
    "unknown-format": lambda valid: b'{"format": 99, "entries": []}',
    "entries-not-a-list": lambda valid: b'{"format": 1, "entries": {}}',
    "entry-not-an-object": lambda valid: b'{"format": 1, "entries": [5]}',
    "key-not-text": lambda valid: entry(key=5),
    "expiry-not-a-number": lambda valid: entry(expires_at="later"),
    "status-not-a-number": lambda valid: entry(status_code="200"),
    "headers-not-an-object": lambda valid: entry(headers=["a"]),
    "a-throttling-entry": lambda valid: entry(key=THROTTLE),
    "nested-too-deep": lambda valid: b"[" * 100_000 + b"]" * 100_000,
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_file_is_moved_aside(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "msal_http_cache.json"
    content = DAMAGE[damage](valid_text(tmp_path))
    path.write_bytes(content)
    loaded, moved = load_http_cache(path)
    assert loaded == {}
    assert moved is not None and moved.read_bytes() == content
    assert re.match(r"^msal_http_cache\.json\.corrupt-\d{8}T\d{6}(-\d+)?$", moved.name)
    assert not path.exists()
    save_http_cache(path, filled())  # and a fresh one works
    assert DISCOVERY in load_http_cache(path)[0]


def test_unreadable_file_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "msal_http_cache.json"
    path.mkdir()  # something that cannot be read as a file stands in its place
    loaded, moved = load_http_cache(path)
    assert loaded == {} and moved is not None and moved.is_dir()


def test_missing_file_is_empty(tmp_path: Path) -> None:
    assert load_http_cache(tmp_path / "none.json") == ({}, None)


def test_msals_replay_of_an_error_is_never_stored() -> None:
    from desktop_app.auth.http_cache import INDEX_KEY, DiscoveryOnlyCache

    cache = DiscoveryOnlyCache()
    throttled = (
        "POST https://login/t/oauth2/v2.0/token client_id=c scope=s hash=h 429/5xx/Retry-After"
    )
    cache[throttled] = "a replayed 429"
    cache["POST https://login/t/oauth2/v2.0/token hash=h 400"] = "a replayed 400"
    cache["GET https://login/t/v2.0/.well-known/openid-configuration hash=h 2xx"] = "discovery"
    cache[INDEX_KEY] = ([], {})
    assert set(cache) == {
        INDEX_KEY,
        "GET https://login/t/v2.0/.well-known/openid-configuration hash=h 2xx",
    }
