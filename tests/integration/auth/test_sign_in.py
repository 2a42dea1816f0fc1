"""Browser sign-in and silent sign-in: real msal, real requests, the sandbox over HTTPS."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.core.errors import ErrorKind, LanyardError
from desktop_app.sandbox import Sandbox
from tests.conftest import REPO
from tests.support.sandbox_helpers import auth_client, browser_sign_in, idp_requests

ADMIN = "megan.bowen@contoso.test"
NO_ROLES = "grady.archie@contoso.test"


def test_browser_sign_in_end_to_end(sandbox: Sandbox, tmp_path: Path, standin_browser) -> None:  # type: ignore[no-untyped-def]
    log = standin_browser(sandbox.info.ca_file, ADMIN)
    client = auth_client(sandbox, tmp_path)
    client.open()
    token = browser_sign_in(client)
    assert token.source == "identity_provider"
    assert token.account is not None and token.account.username == ADMIN
    assert token.id_claims is not None
    identity = client.identity(token.id_claims)
    assert identity.trusted, identity.problems
    assert set(identity.claims.roles) == {"Admin", "Reader"}
    assert "User.Read" in token.scopes
    transcript = log.read_text()
    assert "POST http://localhost:" in transcript  # the form_post reached the loopback
    assert token.access_token not in transcript


def test_user_without_roles_has_none(sandbox: Sandbox, tmp_path: Path, standin_browser) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, NO_ROLES)
    client = auth_client(sandbox, tmp_path)
    token = browser_sign_in(client, login_hint=NO_ROLES)
    assert token.id_claims is not None
    assert token.id_claims.roles == ()
    assert "roles" not in token.id_claims.raw


SECOND_PROCESS = """
import json, sys
from pathlib import Path
from desktop_app.core import net
from desktop_app.auth.client import AuthClient, AuthSettings
info = json.loads(sys.argv[1])
client = AuthClient(AuthSettings(info["client_id"], info["authority"], ("User.Read",), Path(sys.argv[2]), False),
                    net.make_session(info["ca_file"], proxy=None))
client.open()
accounts = client.accounts()
token = client.silent(accounts[0])
identity = client.identity(token.id_claims)
print(json.dumps({"source": token.source, "user": accounts[0].username, "roles": list(identity.claims.roles),
                  "trusted": identity.trusted}))
"""


def test_second_process_signs_in_silently_without_the_identity_provider(
    sandbox: Sandbox, tmp_path: Path, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, ADMIN)
    browser_sign_in(auth_client(sandbox, tmp_path))
    sandbox.clear_requests()
    result = subprocess.run(
        [sys.executable, "-c", SECOND_PROCESS, json.dumps(sandbox.info.as_json()), str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={k: v for k, v in __import__("os").environ.items() if k != "BROWSER"},
    )
    seen = json.loads(result.stdout)
    assert seen == {"source": "cache", "user": ADMIN, "roles": ["Admin", "Reader"], "trusted": True}
    assert idp_requests(sandbox) == []  # not even discovery: msal's http_cache was persisted


def test_fresh_client_on_the_same_cache_is_silent(
    sandbox: Sandbox, tmp_path: Path, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, ADMIN)
    browser_sign_in(auth_client(sandbox, tmp_path))
    sandbox.clear_requests()
    again = auth_client(sandbox, tmp_path)
    again.open()
    token = again.silent(again.accounts()[0])
    assert token.source == "cache"
    assert token.id_claims is not None and "Admin" in token.id_claims.roles
    assert idp_requests(sandbox) == []


def test_a_warm_client_writes_no_file(sandbox: Sandbox, tmp_path: Path, standin_browser) -> None:  # type: ignore[no-untyped-def]
    """A valid access token in the cache: neither the token cache nor msal's HTTP cache is
    written again (each write is two fsyncs)."""
    standin_browser(sandbox.info.ca_file, ADMIN)
    browser_sign_in(auth_client(sandbox, tmp_path))
    files = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    assert any(p.name == "msal_http_cache.json" for p in files)
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in files}
    again = auth_client(sandbox, tmp_path)
    again.open()
    assert again.silent(again.accounts()[0]).source == "cache"
    after = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in files if p.exists()}
    assert after == before


def test_forced_refresh_uses_the_refresh_token(
    sandbox: Sandbox, tmp_path: Path, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, ADMIN)
    client = auth_client(sandbox, tmp_path)
    first = browser_sign_in(client)
    sandbox.clear_requests()
    assert first.account is not None
    refreshed = client.silent(first.account, force_refresh=True)
    assert refreshed.source == "identity_provider"
    assert refreshed.access_token != first.access_token
    grants = [r.get("grant_type") for r in idp_requests(sandbox)]
    assert grants == ["refresh_token"]


def test_revoked_refresh_token_needs_interaction(
    sandbox: Sandbox, tmp_path: Path, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, NO_ROLES)
    client = auth_client(sandbox, tmp_path)
    token = browser_sign_in(client, login_hint=NO_ROLES)
    assert token.account is not None
    sandbox.revoke_refresh_tokens(NO_ROLES)
    with pytest.raises(LanyardError) as caught:
        client.silent(token.account, force_refresh=True)
    assert caught.value.kind is ErrorKind.INTERACTION_REQUIRED
    assert "AADSTS50173" in caught.value.details.get("codes", "")


def test_sign_out_removes_the_account(sandbox: Sandbox, tmp_path: Path, standin_browser) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, ADMIN)
    client = auth_client(sandbox, tmp_path)
    token = browser_sign_in(client)
    assert token.account is not None
    client.sign_out(token.account)
    assert client.accounts() == []
    again = auth_client(sandbox, tmp_path)
    again.open()
    assert again.accounts() == []
    with pytest.raises(LanyardError) as caught:
        again.silent(token.account)
    assert caught.value.kind is ErrorKind.INTERACTION_REQUIRED


def test_cancelled_consent_is_reported_as_cancelled(
    sandbox: Sandbox, tmp_path: Path, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, "alex.wilber@contoso.test", consent="decline")
    client = auth_client(sandbox, tmp_path)
    with pytest.raises(LanyardError) as caught:
        browser_sign_in(client, login_hint="alex.wilber@contoso.test")
    assert caught.value.kind is ErrorKind.CANCELLED
