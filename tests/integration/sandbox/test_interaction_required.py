"""Refreshes that need the user again: MFA required, consent withdrawn, tokens revoked, and
prompt=none; each with Entra's error shape and a real interactive way out."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

import msal
import requests

from desktop_app.sandbox import Sandbox
from desktop_app.sandbox.control import SandboxControl
from desktop_app.sandbox.directory import ADMIN_UPN, PASSWORD, READER_UPN
from tests.support.idp_client import (
    Loopback,
    assert_aad_error,
    authorize,
    make_app,
    post_token,
    sign_in,
)
from tests.support.standin_browser import run as browse


def refresh(app: msal.PublicClientApplication, scopes: list[str] | None = None) -> Any:
    account = app.get_accounts()[0]
    return app.acquire_token_silent_with_error(scopes or ["User.Read"], account, force_refresh=True)


def interactive(
    sandbox: Sandbox,
    app: msal.PublicClientApplication,
    loopback: Loopback,
    user: str = ADMIN_UPN,
    **flow_kwargs: Any,
) -> tuple[dict[str, Any], list[str]]:
    """An interactive sign-in through the stand-in browser; the result and the pages it saw."""
    flow = app.initiate_auth_code_flow(
        ["User.Read"],
        redirect_uri=loopback.redirect_uri,
        response_mode="form_post",
        login_hint=user,
        **flow_kwargs,
    )
    pages: list[str] = []
    browse(flow["auth_uri"], user=user, ca_file=sandbox.info.ca_file, transcript=pages.append)
    result = app.acquire_token_by_auth_code_flow(flow, dict(loopback.received))
    return result, pages


class _Fields(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "input" and a.get("name"):
            self.fields[str(a["name"])] = a.get("value") or ""


def fields_of(html: str) -> dict[str, str]:
    parser = _Fields()
    parser.feed(html)
    return parser.fields


def test_mfa_required_then_satisfied_by_an_interactive_sign_in(
    own_sandbox: Sandbox, loopback: Loopback
) -> None:
    app = make_app(own_sandbox)
    first = sign_in(own_sandbox, app, loopback)
    own_sandbox.require_mfa(ADMIN_UPN)

    challenged = refresh(app)
    assert_aad_error(challenged, "invalid_grant", 50076)
    assert challenged["suberror"] == "basic_action"
    claims = json.loads(challenged["claims"])
    [policy] = claims["access_token"]["capolids"]["values"]
    assert claims["access_token"]["capolids"]["essential"] is True
    assert len(policy) == 36

    result, pages = interactive(own_sandbox, app, loopback, claims_challenge=challenged["claims"])
    assert "access_token" in result, result
    assert any(line.startswith("POST ") and "/mfa ->" in line for line in pages)
    [asked] = [r for r in own_sandbox.requests() if r["path"].endswith("/authorize")][-1:]
    assert asked["claims"] is True
    assert asked["claims_challenge"] is True

    assert "access_token" in refresh(app)  # the new refresh token carries the MFA
    _again, pages = interactive(own_sandbox, app, loopback)
    assert not any("/mfa" in line for line in pages)  # satisfied: no second MFA prompt
    # A refresh token from before the requirement stays refused, as under a real policy.
    stale = post_token(
        own_sandbox,
        {
            "client_id": own_sandbox.info.client_id,
            "grant_type": "refresh_token",
            "refresh_token": first["refresh_token"],
            "scope": "User.Read openid profile offline_access",
        },
    )
    assert_aad_error(stale.json(), "invalid_grant", 50076)


def test_mfa_only_for_that_user_and_cancel_is_access_denied(
    own_sandbox: Sandbox, loopback: Loopback
) -> None:
    control = SandboxControl(own_sandbox.info.control_url, own_sandbox.info.ca_file)
    admin_app, reader_app = make_app(own_sandbox), make_app(own_sandbox)
    sign_in(own_sandbox, admin_app, loopback)
    sign_in(own_sandbox, reader_app, loopback, user=READER_UPN)
    control.require_mfa(READER_UPN)
    assert "access_token" in refresh(admin_app)
    assert refresh(reader_app)["error_codes"] == [50076]
    _flow, response = authorize(own_sandbox, reader_app, loopback, user=READER_UPN, decline=True)
    assert response["error"] == "access_denied"
    assert "code" not in response
    result, pages = interactive(own_sandbox, reader_app, loopback, user=READER_UPN)
    assert any("/mfa ->" in line for line in pages)  # cancelling did not satisfy it
    assert result["id_token_claims"]["preferred_username"] == READER_UPN
    control.close()


def test_prompt_none_with_a_session_but_mfa_pending_is_interaction_required(
    own_sandbox: Sandbox, loopback: Loopback
) -> None:
    app = make_app(own_sandbox)
    ca = own_sandbox.info.ca_file
    browser = requests.Session()

    def start(**kwargs: str) -> requests.Response:
        flow = app.initiate_auth_code_flow(
            ["User.Read"], redirect_uri=loopback.redirect_uri, response_mode="form_post", **kwargs
        )
        return browser.get(flow["auth_uri"], verify=ca, timeout=10)

    ctx = fields_of(start().text)["ctx"]
    signed = browser.post(
        f"{own_sandbox.info.authority}/login",
        data={"ctx": ctx, "username": ADMIN_UPN, "password": PASSWORD, "action": "signin"},
        verify=ca,
        timeout=10,
    )
    if "Permissions requested" in signed.text:
        browser.post(
            f"{own_sandbox.info.authority}/consent",
            data={"ctx": ctx, "action": "accept"},
            verify=ca,
            timeout=10,
        )
    assert "code" in fields_of(start(prompt="none").text)  # the session signs in silently
    own_sandbox.require_mfa(ADMIN_UPN)
    silent = fields_of(start(prompt="none").text)
    assert silent["error"] == "interaction_required"
    assert silent["error_description"].startswith("AADSTS50076: ")
    assert "code" not in silent
    assert 'value="approve"' in start().text  # interactive: straight to the MFA step


def test_consent_revoked_is_consent_required_until_granted_again(
    own_sandbox: Sandbox, loopback: Loopback
) -> None:
    control = SandboxControl(own_sandbox.info.control_url, own_sandbox.info.ca_file)
    app = make_app(own_sandbox)
    sign_in(own_sandbox, app, loopback)
    removed = control.revoke_consent(ADMIN_UPN, own_sandbox.info.client_id, ["User.Read"])
    assert removed == ["https://graph.microsoft.com/User.Read"]
    missing = refresh(app)
    assert_aad_error(missing, "invalid_grant", 65001)
    assert missing["suberror"] == "consent_required"
    result, pages = interactive(own_sandbox, app, loopback)
    assert "access_token" in result
    assert any("/consent ->" in line for line in pages)  # the consent page asked again
    assert "access_token" in refresh(app)

    other = make_app(own_sandbox, own_sandbox.add_app(display_name="Other"))
    sign_in(own_sandbox, other, loopback)
    everything = own_sandbox.revoke_consent(ADMIN_UPN)  # every client, every scope
    assert "openid" in everything
    assert refresh(app)["error_codes"] == [65001]
    assert refresh(other)["error_codes"] == [65001]
    response = requests.post(
        f"{own_sandbox.info.control_url}/users/{ADMIN_UPN}/revoke-consent",
        json={"scopes": ["Nope.Read"]},
        verify=own_sandbox.info.ca_file,
        timeout=5,
    )
    assert response.status_code == 400
    unknown = requests.post(
        f"{own_sandbox.info.control_url}/users/nobody@contoso.test/require-mfa",
        verify=own_sandbox.info.ca_file,
        timeout=5,
    )
    assert unknown.status_code == 404
    control.close()


def test_revoked_refresh_tokens_are_bad_token(own_sandbox: Sandbox, loopback: Loopback) -> None:
    control = SandboxControl(own_sandbox.info.control_url, own_sandbox.info.ca_file)
    app = make_app(own_sandbox)
    sign_in(own_sandbox, app, loopback)
    control.revoke_refresh_tokens(ADMIN_UPN)
    revoked = refresh(app)
    assert_aad_error(revoked, "invalid_grant", 50173)
    assert revoked["suberror"] == "bad_token"
    result, _pages = interactive(own_sandbox, app, loopback)
    assert "access_token" in result
    assert "access_token" in refresh(app)
    control.close()


def test_mfa_and_consent_posts_without_a_sign_in_in_progress_get_the_expired_page(
    own_sandbox: Sandbox,
) -> None:
    info = own_sandbox.info
    with requests.Session() as session:
        for page, action in (("mfa", "approve"), ("consent", "accept")):
            answer = session.post(
                f"{info.browser_base_url}/{info.tenant_id}/{page}",
                data={"ctx": "no-such-sign-in", "action": action},
                verify=info.ca_file,
                timeout=10,
                allow_redirects=False,
            )
            assert answer.status_code == 200, page
            assert "AADSTS9002313" in answer.text, page
            assert "start the sign-in again" in answer.text, page
