from __future__ import annotations

import base64
import json
import os
import stat
import time
from pathlib import Path

import msal
import pytest

from desktop_app.auth.cache_store import PlaintextFileStore, atomic_write
from desktop_app.auth.token_cache import PersistentTokenCache
from desktop_app.errors import ErrorKind, LanyardError

CLIENT = "0c5f8f1a-7e21-4c8e-b3a4-6c1d9e2f7a10"
TID = "3f6a9c1e-5b2d-4e8f-9a7c-1d2e3f4a5b6c"
ENDPOINT = f"https://login.example/{TID}/oauth2/v2.0/token"


def b64(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def sign_in_event(oid: str, upn: str) -> dict[str, object]:
    now = int(time.time())
    id_token = ".".join(
        [
            b64({"alg": "none"}),
            b64(
                {
                    "aud": CLIENT,
                    "iss": f"https://login.example/{TID}/v2.0",
                    "tid": TID,
                    "oid": oid,
                    "preferred_username": upn,
                    "exp": now + 3600,
                    "iat": now,
                }
            ),
            "sig",
        ]
    )
    return {
        "client_id": CLIENT,
        "scope": ["User.Read"],
        "token_endpoint": ENDPOINT,
        "response": {
            "access_token": f"at-{oid}",
            "refresh_token": f"rt-{oid}",
            "expires_in": 3600,
            "token_type": "Bearer",
            "scope": "User.Read",
            "id_token": id_token,
            "client_info": b64({"uid": oid, "utid": TID}),
        },
    }


def usernames(cache: PersistentTokenCache) -> set[str]:
    return {a["username"] for a in cache.search(msal.TokenCache.CredentialType.ACCOUNT)}


def make(tmp_path: Path, notices: list[LanyardError] | None = None) -> PersistentTokenCache:
    store = PlaintextFileStore(tmp_path / "token_cache.bin")
    cache = PersistentTokenCache(
        store, tmp_path / "token_cache.lock", notices.append if notices is not None else None
    )
    cache.reload_if_changed()
    return cache


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


def test_removing_an_account_persists(tmp_path: Path) -> None:
    cache = make(tmp_path)
    cache.add(sign_in_event("u1", "a@contoso.test"))
    for account in list(cache.search(msal.TokenCache.CredentialType.ACCOUNT)):
        cache.remove_account(account)
    assert usernames(make(tmp_path)) == set()


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b'{"AccessToken": {"k": {"secret": "x"}', "not valid JSON"),
        (b"\x00\x01\x02garbage", "not valid JSON"),
        (b"[1, 2, 3]", "shape"),
        (b'{"AccessToken": ["not", "a", "dict"]}', "shape"),
    ],
)
def test_damaged_cache_is_moved_aside_and_reported(
    tmp_path: Path, content: bytes, why: str
) -> None:
    atomic_write(tmp_path / "token_cache.bin", content)
    notices: list[LanyardError] = []
    cache = make(tmp_path, notices)
    assert usernames(cache) == set()
    assert len(notices) == 1 and notices[0].kind is ErrorKind.CACHE
    assert why in notices[0].message
    kept = [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    assert len(kept) == 1 and kept[0].read_bytes() == content
    cache.add(sign_in_event("u1", "a@contoso.test"))  # and a fresh cache works
    assert usernames(make(tmp_path)) == {"a@contoso.test"}


def test_write_landing_during_read_is_not_missed(tmp_path: Path) -> None:
    """The version is taken before the read: a write after it is seen on the next check."""
    reader = make(tmp_path)
    writer = make(tmp_path)
    writer.add(sign_in_event("u1", "a@contoso.test"))
    assert usernames(reader) == {"a@contoso.test"}
    writer.add(sign_in_event("u2", "b@contoso.test"))
    assert usernames(reader) == {"a@contoso.test", "b@contoso.test"}


def test_lock_held_elsewhere_gives_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import portalocker

    from desktop_app.auth import token_cache

    monkeypatch.setattr(token_cache, "LOCK_TIMEOUT_S", 0.2)
    holder = portalocker.Lock(str(tmp_path / "token_cache.lock"), mode="a", timeout=1)
    holder.acquire()
    try:
        cache = make(tmp_path)
        with pytest.raises(LanyardError, match="busy"):
            cache.add(sign_in_event("u1", "a@contoso.test"))
    finally:
        holder.release()


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_profile_directory_is_private(tmp_path: Path) -> None:
    from desktop_app.paths import ensure_private_dir

    target = ensure_private_dir(tmp_path / "profile")
    os.chmod(target, 0o755)
    ensure_private_dir(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o700
