"""How the token cache is kept where no OS secret store is usable (this suite's default: see
tests/conftest.py), with real msal signing in to the sandbox."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from desktop_app.core.errors import ErrorKind, LanyardError
from desktop_app.sandbox import Sandbox
from tests.support.sandbox_helpers import auth_client, browser_sign_in, files_holding

ADMIN = "megan.bowen@contoso.test"


def issued(sandbox: Sandbox) -> list[str]:
    tokens = [str(t["value"]) for t in sandbox.issued_tokens()]
    assert tokens
    return tokens


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_fallback_is_a_0600_file_in_a_0700_directory(
    sandbox: Sandbox, tmp_path: Path, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, ADMIN)
    profile = tmp_path / "profile"
    client = auth_client(sandbox, profile)
    browser_sign_in(client)
    assert not client.token_cache.store.encrypted  # type: ignore[union-attr]
    assert "plaintext file, readable only by you" in client.protection
    assert client.protection_fallback_reason in client.protection
    assert stat.S_IMODE(profile.stat().st_mode) == 0o700
    assert stat.S_IMODE((profile / "token_cache.bin").stat().st_mode) == 0o600
    assert auth_client(sandbox, profile).accounts()[0].username == ADMIN


def test_refusing_plaintext_signs_in_for_the_session_only(
    sandbox: Sandbox, tmp_path: Path, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, ADMIN)
    profile = tmp_path / "profile"
    notices: list[LanyardError] = []
    client = auth_client(sandbox, profile, on_notice=notices.append, allow_plaintext_cache=False)
    token = browser_sign_in(client)
    assert token.account is not None and token.account.username == ADMIN
    assert [a.username for a in client.accounts()] == [ADMIN]
    assert client.silent(token.account).source == "cache"  # works in memory
    assert "not saved, this session only" in client.protection
    assert len(notices) == 1 and notices[0].kind is ErrorKind.CACHE
    assert "will not be saved" in notices[0].message
    assert "allow_plaintext_cache = false" in notices[0].message
    assert not (profile / "token_cache.bin").exists()
    assert files_holding(tmp_path, issued(sandbox)) == {}
    again = auth_client(sandbox, profile, allow_plaintext_cache=False)
    assert again.accounts() == []  # nothing was persisted


@pytest.mark.parametrize(
    "content", [b"\x80\x04\x95 a pickle", b'{"format": 1, "entries": "no"}', b"{"]
)
def test_damaged_http_cache_is_reported_and_replaced(
    sandbox: Sandbox, tmp_path: Path, content: bytes
) -> None:
    profile = tmp_path / "profile"
    profile.mkdir()
    (profile / "msal_http_cache.json").write_bytes(content)
    notices: list[LanyardError] = []
    client = auth_client(sandbox, profile, on_notice=notices.append)
    client.open()
    assert len(notices) == 1 and "network metadata was damaged" in notices[0].message
    kept = list(profile.glob("msal_http_cache.json.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == content
    assert notices[0].details["moved_to"] == str(kept[0])
    assert b"openid-configuration" in (profile / "msal_http_cache.json").read_bytes()
