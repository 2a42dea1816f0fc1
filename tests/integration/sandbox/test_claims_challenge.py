"""Continuous access evaluation: a critical event, Graph's insufficient_claims challenge, and the
token msal fetches with the challenge's claims."""

from __future__ import annotations

import base64
import json
import re
import time
from typing import Any

import msal

from desktop_app.sandbox import Sandbox
from desktop_app.sandbox.control import SandboxControl
from desktop_app.sandbox.directory import ADMIN_UPN, READER_UPN, TENANT_ID
from desktop_app.sandbox.jwt import unverified_parts
from tests.support.idp_client import Loopback, get, make_app, sign_in

_PARAM = re.compile(r'(\w+)="([^"]*)"')


def parse_challenge(header: str) -> dict[str, str]:
    scheme, _, params = header.partition(" ")
    assert scheme == "Bearer"
    return dict(_PARAM.findall(params))


def issued_at(token: str) -> int:
    return int(unverified_parts(token)[1]["iat"])


def after_second_of(token: str) -> None:
    """Events are compared to the second: make the next event land after this token's iat."""
    while int(time.time()) <= issued_at(token):
        time.sleep(0.05)


def account_of(app: msal.PublicClientApplication) -> dict[str, Any]:
    return app.get_accounts()[0]


def test_cp1_token_is_challenged_and_claims_fetch_one_that_passes(
    own_sandbox: Sandbox, loopback: Loopback
) -> None:
    info = own_sandbox.info
    app = make_app(own_sandbox, client_capabilities=["cp1"])
    first = sign_in(own_sandbox, app, loopback)
    assert unverified_parts(first["access_token"])[1]["xms_cc"] == ["cp1"]
    [redeem] = [r for r in own_sandbox.requests() if r["grant_type"] == "authorization_code"]
    assert (redeem["client_capabilities"], redeem["claims_challenge"]) == (["cp1"], False)
    me = f"{info.graph_endpoint}/me"
    assert get(own_sandbox, me, first["access_token"]).status_code == 200

    after_second_of(first["access_token"])
    control = SandboxControl(info.control_url, info.ca_file)
    event = control.claims_challenge(ADMIN_UPN)
    control.close()
    for url in (me, f"{info.graph_endpoint}/me/photo/$value"):
        denied = get(own_sandbox, url, first["access_token"])
        assert denied.status_code == 401
        error = denied.json()["error"]
        assert error["code"] == "InvalidAuthenticationToken"
        assert "TokenIssuedBeforeRevocationTimestamp" in error["message"]
        assert error["innerError"]["request-id"] == denied.headers["request-id"]
        challenge = parse_challenge(denied.headers["WWW-Authenticate"])
        assert challenge["realm"] == ""
        assert (
            challenge["authorization_uri"] == f"{info.base_url}/{TENANT_ID}/oauth2/v2.0/authorize"
        )
        assert challenge["error"] == "insufficient_claims"
        claims = json.loads(base64.b64decode(challenge["claims"]))
        assert claims == {"access_token": {"nbf": {"essential": True, "value": str(event)}}}

    # Without the claims msal hands back its cached token, which stays refused.
    cached = app.acquire_token_silent(["User.Read"], account_of(app))
    assert cached is not None
    assert cached["access_token"] == first["access_token"]
    decoded = base64.b64decode(challenge["claims"]).decode()
    fresh = app.acquire_token_silent(["User.Read"], account_of(app), claims_challenge=decoded)
    assert fresh is not None
    assert fresh["access_token"] != first["access_token"]
    assert issued_at(fresh["access_token"]) >= event
    assert get(own_sandbox, me, fresh["access_token"]).status_code == 200
    refreshes = [r for r in own_sandbox.requests() if r["grant_type"] == "refresh_token"]
    assert len(refreshes) == 1
    assert refreshes[0]["claims"] is True
    assert refreshes[0]["claims_challenge"] is True
    assert refreshes[0]["client_capabilities"] == ["cp1"]


def test_second_api_is_challenged_too(own_sandbox: Sandbox, loopback: Loopback) -> None:
    app = make_app(own_sandbox, client_capabilities=["cp1"])
    api = sign_in(own_sandbox, app, loopback, [own_sandbox.info.api_scope])
    after_second_of(api["access_token"])
    own_sandbox.claims_challenge(ADMIN_UPN)
    orders = f"{own_sandbox.info.api_endpoint}/orders"
    denied = get(own_sandbox, orders, api["access_token"])
    assert denied.status_code == 401
    assert parse_challenge(denied.headers["WWW-Authenticate"])["error"] == "insufficient_claims"


def test_without_cp1_the_401_is_plain(own_sandbox: Sandbox, loopback: Loopback) -> None:
    app = make_app(own_sandbox)
    result = sign_in(own_sandbox, app, loopback)
    assert "xms_cc" not in unverified_parts(result["access_token"])[1]
    assert "client_capabilities" not in own_sandbox.requests()[-1]
    after_second_of(result["access_token"])
    own_sandbox.claims_challenge(ADMIN_UPN)
    denied = get(own_sandbox, f"{own_sandbox.info.graph_endpoint}/me", result["access_token"])
    assert denied.status_code == 401
    assert denied.json()["error"]["code"] == "InvalidAuthenticationToken"
    challenge = parse_challenge(denied.headers["WWW-Authenticate"])
    assert challenge["error"] == "invalid_token"
    assert "claims" not in challenge


def test_the_event_is_per_user_and_to_the_second(own_sandbox: Sandbox, loopback: Loopback) -> None:
    admin = make_app(own_sandbox, client_capabilities=["cp1"])
    reader = make_app(own_sandbox, client_capabilities=["cp1"])
    admin_token = sign_in(own_sandbox, admin, loopback)["access_token"]
    reader_token = sign_in(own_sandbox, reader, loopback, user=READER_UPN)["access_token"]
    me = f"{own_sandbox.info.graph_endpoint}/me"
    oid = unverified_parts(admin_token)[1]["oid"]
    with own_sandbox.state.lock:  # an event in the very second the token was issued
        own_sandbox.state.critical_events[oid] = issued_at(admin_token)
    assert get(own_sandbox, me, admin_token).status_code == 200
    with own_sandbox.state.lock:  # one second later: the token predates it
        own_sandbox.state.critical_events[oid] = issued_at(admin_token) + 1
    assert get(own_sandbox, me, admin_token).status_code == 401
    assert get(own_sandbox, me, reader_token).status_code == 200
