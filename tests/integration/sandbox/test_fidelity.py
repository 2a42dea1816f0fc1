"""Where Entra is strict, the sandbox is strict too: each failure has Entra's error and AADSTS code."""

from __future__ import annotations

import time

import pytest
import requests

from desktop_app.sandbox import Sandbox
from desktop_app.sandbox.directory import ADMIN_UPN, NO_ROLES_UPN
from desktop_app.sandbox.jwt import sign_rs256
from tests.support.idp_client import (
    Loopback,
    assert_aad_error,
    authorize,
    get,
    make_app,
    post_token,
    sign_in,
)


def test_pkce_mismatch_is_501481(sandbox: Sandbox, loopback: Loopback) -> None:
    app = make_app(sandbox)
    flow, response = authorize(sandbox, app, loopback)
    flow["code_verifier"] = "x" * 43
    assert_aad_error(app.acquire_token_by_auth_code_flow(flow, response), "invalid_grant", 501481)


def test_code_reuse_is_54005(sandbox: Sandbox, loopback: Loopback) -> None:
    app = make_app(sandbox)
    flow, response = authorize(sandbox, app, loopback)
    assert "access_token" in app.acquire_token_by_auth_code_flow(dict(flow), response)
    again = make_app(sandbox).acquire_token_by_auth_code_flow(flow, response)
    assert_aad_error(again, "invalid_grant", 54005)


def test_redirect_uri_differing_from_the_codes_is_500112(
    sandbox: Sandbox, loopback: Loopback
) -> None:
    app = make_app(sandbox)
    flow, response = authorize(sandbox, app, loopback)
    flow["redirect_uri"] = "http://localhost:1"
    assert_aad_error(app.acquire_token_by_auth_code_flow(flow, response), "invalid_grant", 500112)


def test_unknown_client_at_token_is_700016(sandbox: Sandbox) -> None:
    response = post_token(
        sandbox,
        {
            "client_id": "99999999-9999-4999-8999-999999999999",
            "grant_type": "refresh_token",
            "refresh_token": "x",
            "scope": "User.Read",
        },
    )
    assert response.status_code == 400
    assert response.headers["Cache-Control"] == "no-store"
    assert_aad_error(response.json(), "unauthorized_client", 700016)


def test_unknown_client_and_bad_redirect_at_authorize_are_html_pages(sandbox: Sandbox) -> None:
    base = f"{sandbox.info.authority}/oauth2/v2.0/authorize?response_type=code&scope=User.Read"
    unknown = get(
        sandbox,
        f"{base}&client_id=99999999-9999-4999-8999-999999999999&redirect_uri=http://localhost",
    )
    assert "AADSTS700016" in unknown.text
    assert unknown.headers["Content-Type"].startswith("text/html")
    assert "Location" not in unknown.headers
    bad = get(
        sandbox, f"{base}&client_id={sandbox.info.client_id}&redirect_uri=https://evil.test/cb"
    )
    assert "AADSTS50011" in bad.text
    assert "Location" not in bad.headers
    assert "evil.test/cb" in bad.text


def test_two_resources_at_once_is_invalid_scope_28000(sandbox: Sandbox, loopback: Loopback) -> None:
    app = make_app(sandbox)
    flow, response = authorize(sandbox, app, loopback, scopes=["User.Read", sandbox.info.api_scope])
    assert response["error"] == "invalid_scope"
    assert response["error_description"].startswith("AADSTS28000: ")
    assert response["state"] == flow["state"]


def test_revoked_refresh_token_is_50173(sandbox: Sandbox, loopback: Loopback) -> None:
    app = make_app(sandbox)
    sign_in(sandbox, app, loopback, user=NO_ROLES_UPN)
    account = app.get_accounts()[0]
    sandbox.revoke_refresh_tokens(NO_ROLES_UPN)
    result = app.acquire_token_silent_with_error(["User.Read"], account, force_refresh=True)
    assert result is not None
    assert_aad_error(result, "invalid_grant", 50173)
    assert result["suberror"] == "bad_token"
    # A fresh sign-in after the revocation works again.
    assert "access_token" in sign_in(sandbox, make_app(sandbox), loopback, user=NO_ROLES_UPN)


def test_expired_refresh_token_is_700082(sandbox: Sandbox, loopback: Loopback) -> None:
    sandbox.set_token_lifetime(3600, refresh_token_lifetime=0)
    try:
        app = make_app(sandbox)
        sign_in(sandbox, app, loopback)
    finally:
        sandbox.set_token_lifetime(3600)
    result = app.acquire_token_silent_with_error(
        ["User.Read"], app.get_accounts()[0], force_refresh=True
    )
    assert result is not None
    assert_aad_error(result, "invalid_grant", 700082)
    assert result["suberror"] == "bad_token"


def test_a_forged_refresh_token_is_refused(sandbox: Sandbox, loopback: Loopback) -> None:
    result = sign_in(sandbox, make_app(sandbox), loopback)
    forged = result["refresh_token"][:-4] + "AAAA"
    response = post_token(
        sandbox,
        {
            "client_id": sandbox.info.client_id,
            "grant_type": "refresh_token",
            "refresh_token": forged,
            "scope": "User.Read openid",
        },
    )
    assert response.json()["error"] == "invalid_grant"


def test_refresh_token_of_another_client_is_refused(sandbox: Sandbox, loopback: Loopback) -> None:
    result = sign_in(sandbox, make_app(sandbox), loopback)
    other = sandbox.add_app(display_name="Other", redirect_uris=["http://localhost"])
    response = post_token(
        sandbox,
        {
            "client_id": other,
            "grant_type": "refresh_token",
            "refresh_token": result["refresh_token"],
            "scope": "User.Read",
        },
    )
    assert response.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("case", ["missing", "garbage", "expired", "audience", "scope", "forged"])
def test_graph_rejects_bad_bearer_tokens(sandbox: Sandbox, case: str) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    now = int(time.time())
    claims = {
        "aud": "https://graph.microsoft.com",
        "oid": "8a1f3c52-6d4e-4b7a-9e2f-0c1d2b3a4f51",
        "scp": "User.Read",
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
    }
    idp = sandbox._idp
    assert idp is not None
    token: str | None
    if case == "missing":
        token = None
    elif case == "garbage":
        token = "not.a.jwt"
    else:
        key = idp.tokens._key
        if case == "expired":
            claims["exp"] = now - 3600
        elif case == "audience":
            claims["aud"] = sandbox.info.api_scope.rsplit("/", 1)[0]
        elif case == "scope":
            claims["scp"] = "Mail.Read"
        else:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        token = sign_rs256(claims, key, idp.tokens.kid)
    response = get(
        sandbox, f"{sandbox.info.graph_endpoint}/me", token, **{"client-request-id": "abc"}
    )
    body = response.json()["error"]
    if case == "scope":
        assert response.status_code == 403
        assert body["code"] == "Authorization_RequestDenied"
    else:
        assert response.status_code == 401
        assert body["code"] == "InvalidAuthenticationToken"
        assert response.headers["WWW-Authenticate"].startswith("Bearer ")
    assert body["innerError"]["request-id"] == response.headers["request-id"]
    assert body["innerError"]["client-request-id"] == "abc"
    assert body["innerError"]["date"]


def test_unknown_refresh_scope_consent_and_public_client_secret(sandbox: Sandbox) -> None:
    response = post_token(
        sandbox,
        {
            "client_id": sandbox.info.client_id,
            "grant_type": "authorization_code",
            "code": "x",
            "client_secret": "s3cret",
        },
    )
    assert_aad_error(response.json(), "invalid_request", 700025)
    missing = post_token(sandbox, {"client_id": sandbox.info.client_id})
    assert_aad_error(missing.json(), "invalid_request", 900144)
    unsupported = post_token(
        sandbox, {"client_id": sandbox.info.client_id, "grant_type": "password"}
    )
    assert_aad_error(unsupported.json(), "unsupported_grant_type", 70003)


def test_error_echoes_the_client_request_id_as_correlation_id(sandbox: Sandbox) -> None:
    import requests

    correlation = "0f0e0d0c-0b0a-4909-8807-060504030201"
    response = requests.post(
        f"{sandbox.info.authority}/oauth2/v2.0/token",
        data={"client_id": sandbox.info.client_id, "grant_type": "authorization_code", "code": "x"},
        headers={"client-request-id": correlation},
        verify=sandbox.info.ca_file,
        timeout=10,
    )
    assert response.json()["correlation_id"] == correlation
    assert ADMIN_UPN not in response.text


NOT_ASCII = ["é", "\u202e", "\ufffd", "\U0001f600"]


@pytest.mark.parametrize("extra", NOT_ASCII)
def test_a_hint_or_refresh_token_that_is_not_ascii_is_unusable_not_a_500(
    sandbox: Sandbox, loopback: Loopback, extra: str
) -> None:
    """The client's text reaches the sandbox's mac check as it came: a logout_hint or a
    refresh token with a character past ASCII made it raise (UnicodeEncodeError: a 500), where
    Entra answers an unusable hint with the account picker and a bad token with invalid_grant."""
    result = sign_in(sandbox, make_app(sandbox), loopback)
    hint = str(result["id_token_claims"]["login_hint"])
    end = f"{sandbox.info.authority}/oauth2/v2.0/logout"
    for changed in (hint + extra, hint[:2] + extra + hint[2:], hint[:-1] + extra):
        answer = requests.get(
            end, params={"logout_hint": changed}, verify=sandbox.info.ca_file, timeout=10
        )
        assert answer.status_code == 200, answer.text
        refresh = post_token(
            sandbox,
            {
                "client_id": sandbox.info.client_id,
                "grant_type": "refresh_token",
                "refresh_token": result["refresh_token"][:-1] + extra,
                "scope": "User.Read openid",
            },
        )
        assert refresh.status_code == 400 and refresh.json()["error"] == "invalid_grant"
    # each was read as a hint that names nobody; the hint as issued still names its user
    requests.get(end, params={"logout_hint": hint}, verify=sandbox.info.ca_file, timeout=10)
    kinds = [r.get("logout_hint") for r in sandbox.requests() if r["path"].endswith("/logout")]
    assert kinds[-4:] == ["unusable", "unusable", "unusable", "login_hint_claim"]
