from __future__ import annotations

import json
import time
from pathlib import Path

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


def test_expired_entries_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "http.json"
    save_http_cache(path, filled())
    data = json.loads(path.read_text())
    data["entries"][0]["expires_at"] = int(time.time()) - 1
    path.write_text(json.dumps(data))
    loaded, _ = load_http_cache(path)
    assert DISCOVERY not in loaded


def test_damaged_file_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "http.json"
    for content in (b"\x80\x04garbage-pickle", b'{"format": 1, "entries": [{"key": 5}]}', b"[]"):
        path.write_bytes(content)
        loaded, moved = load_http_cache(path)
        assert loaded == {}
        assert moved is not None and moved.read_bytes() == content
        assert not path.exists()


def test_missing_file_is_empty(tmp_path: Path) -> None:
    assert load_http_cache(tmp_path / "none.json") == ({}, None)
