"""msal's ``http_cache`` persisted as JSON, so a warm start makes no discovery request.

msal's documentation pickles it; Lanyard never unpickles a file. Only successful discovery
responses (msal's "GET ... 2xx" entries) are kept: throttling entries for failed token requests
would otherwise replay an old error for up to a minute after a restart.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from msal.throttled_http_client import NormalizedResponse

from desktop_app.auth.cache_store import move_aside
from desktop_app.core.files import atomic_write, read_bounded

log = logging.getLogger(__name__)

INDEX_KEY = "_index_"  # msal.individual_cache._ExpiringMapping._INDEX
FORMAT = 1
HTTP_CACHE_LIMIT = 8 << 20  # a few discovery answers: anything larger is not ours


class _Raw:
    """What NormalizedResponse reads from a response."""

    def __init__(self, status_code: int, text: str, headers: dict[str, str]) -> None:
        self.status_code = status_code
        self.text = text
        self.headers = headers


def _keep(key: str) -> bool:
    return key.startswith("GET ") and key.endswith(" 2xx")


class DiscoveryOnlyCache(dict[str, Any]):
    """The mapping msal's http_cache is given: it keeps discovery answers and nothing else.

    msal's throttling layer stores a 429/5xx (with or without Retry-After, up to an hour; 60 s
    when absent) and an OAuth 400 (60 s) here and answers the same request from it without
    sending anything: a Refresh a person asks for after the server recovered would get the old
    error, and only a new process would work. Lanyard owns that wait instead (the session's
    backoff honours the server's Retry-After, capped), so those entries are never stored: msal
    finds no entry (its index may name one; the value is missing, which msal reads as absent)
    and sends the request.
    """

    def __setitem__(self, key: str, value: Any) -> None:
        if key == INDEX_KEY or _keep(key):
            super().__setitem__(key, value)


def dump_http_cache(mapping: dict[str, Any]) -> dict[str, Any]:
    now = int(time.time())
    _, timestamps = mapping.get(INDEX_KEY, ([], {}))
    entries = []
    for key, value in mapping.items():
        stamp = timestamps.get(key)
        if key == INDEX_KEY or not _keep(key) or not stamp or stamp[0] <= now:
            continue
        entries.append(
            {
                "key": key,
                "expires_at": int(stamp[0]),
                "created_at": int(stamp[1]),
                "status_code": int(value.status_code),
                "text": str(value.text),
                "headers": {str(k): str(v) for k, v in dict(value.headers).items()},
            }
        )
    return {"format": FORMAT, "entries": entries}


def parse_http_cache(data: object) -> DiscoveryOnlyCache:
    """The msal mapping for ``data``; raises ValueError for anything not written by dump."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("unknown format")
    entries = data.get("entries")
    if not isinstance(entries, list):
        raise ValueError("no entries")
    now = int(time.time())
    mapping = DiscoveryOnlyCache()
    sequence: list[list[Any]] = []
    timestamps: dict[str, list[int]] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            raise ValueError("entry is not an object")
        key, expires_at, created_at = (
            entry.get("key"),
            entry.get("expires_at"),
            entry.get("created_at"),
        )
        status, text, headers = entry.get("status_code"), entry.get("text"), entry.get("headers")
        if not (
            isinstance(key, str)
            and _keep(key)
            and isinstance(expires_at, int)
            and isinstance(created_at, int)
            and isinstance(status, int)
            and isinstance(text, str)
            and isinstance(headers, dict)
        ):
            raise ValueError("entry has the wrong shape")
        if expires_at <= now or created_at > now:
            continue
        mapping[key] = NormalizedResponse(
            _Raw(status, text, {str(k): str(v) for k, v in headers.items()})
        )
        sequence.append([expires_at, created_at, key])
        timestamps[key] = [expires_at, created_at]
    sequence.sort()
    mapping[INDEX_KEY] = (sequence, timestamps)
    return mapping


def load_http_cache(path: Path) -> tuple[DiscoveryOnlyCache, Path | None]:
    """The persisted cache, or an empty one; a damaged file is moved aside (returned second)."""
    try:
        return parse_http_cache(json.loads(read_bounded(path, HTTP_CACHE_LIMIT))), None
    except FileNotFoundError:
        return DiscoveryOnlyCache(), None
    # ValueError: not JSON, not UTF-8, or not our shape; RecursionError: absurdly nested JSON;
    # OSError: unreadable (a directory in its place, no permission)
    except (ValueError, RecursionError, OSError) as exc:
        why = exc.__class__.__name__ if isinstance(exc, OSError | RecursionError) else str(exc)
        try:
            moved = move_aside(path)
        except OSError:
            moved = None
        log.warning("msal HTTP cache damaged (%s); moved aside to %s", why, moved)
        return DiscoveryOnlyCache(), moved


def http_cache_bytes(mapping: dict[str, Any]) -> bytes:
    """What save_http_cache writes for ``mapping`` now."""
    return json.dumps(dump_http_cache(mapping)).encode("utf-8")


def save_http_cache(path: Path, mapping: dict[str, Any], unless: bytes | None = None) -> bytes:
    """Write ``mapping`` unless it is ``unless`` (what was read or written last): a warm start,
    answered from the file, writes nothing (two fsyncs, each a disk flush). What it holds now."""
    data = http_cache_bytes(mapping)
    if data != unless:
        atomic_write(path, data)
    return data
