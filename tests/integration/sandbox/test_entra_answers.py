"""The sandbox answers as Entra and Graph do where Microsoft's clients and docs show it differs
from a plain echo: the granted scope set, login_hint / logout_hint, "//.default", the short
device_code grant type, Graph's client-request-id. Real msal and requests over HTTPS."""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import uuid

import requests

from desktop_app.sandbox import Sandbox
from desktop_app.sandbox.directory import ADMIN_UPN, PASSWORD
from desktop_app.sandbox.faults import FaultSpec
from tests.support.idp_client import Loopback, get, make_app, post_token, sign_in
from tests.support.standin_browser import approve_device_code

GRAPH_PREFIX = "https://graph.microsoft.com"


def refresh(sandbox: Sandbox, refresh_token: str, scope: str) -> requests.Response:
    return post_token(
        sandbox,
        {
            "client_id": sandbox.info.client_id,
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "scope": scope,
            "client_info": "1",
        },
    )


def test_token_scope_is_the_granted_set_in_entras_case_and_order(
    own_sandbox: Sandbox, loopback: Loopback
) -> None:
    app = make_app(own_sandbox)
    # asked in lower case, with email; msal adds openid, profile and offline_access
    result = sign_in(own_sandbox, app, loopback, ["mail.read", "user.read", "email"])
    assert result["scope"] == "profile openid email User.Read Mail.Read"
    assert "offline_access" not in result["scope"].split()
    # a later request for less still gets what was granted: the token carries all of it
    later = refresh(own_sandbox, result["refresh_token"], "User.Read openid offline_access")
    assert later.status_code == 200, later.text
    assert later.json()["scope"] == "profile openid email User.Read Mail.Read"
    # (another API's token carries its own permission only: test_auth_code_flow's
    # test_incremental_consent_for_the_second_api)


def test_without_email_and_profile_granted_they_are_not_in_the_scope(
    own_sandbox: Sandbox, loopback: Loopback
) -> None:
    app = make_app(own_sandbox)
    result = sign_in(own_sandbox, app, loopback, ["User.Read"])
    token = refresh(own_sandbox, result["refresh_token"], "User.Read openid")
    assert token.json()["scope"] == "profile openid User.Read"  # profile: granted at sign-in
    assert "email" not in token.json()["scope"].split()


def test_double_slash_default_is_accepted_and_echoed_as_asked(
    own_sandbox: Sandbox, loopback: Loopback
) -> None:
    app = make_app(own_sandbox)
    result = sign_in(own_sandbox, app, loopback, ["User.Read"])
    token = refresh(own_sandbox, result["refresh_token"], f"{GRAPH_PREFIX}//.default openid")
    assert token.status_code == 200, token.text
    granted = token.json()["scope"].split()
    assert f"{GRAPH_PREFIX}//.default" in granted and f"{GRAPH_PREFIX}//User.Read" in granted
    me = get(own_sandbox, f"{own_sandbox.info.graph_endpoint}/me", token.json()["access_token"])
    assert me.status_code == 200 and me.json()["userPrincipalName"] == ADMIN_UPN
    # and msal finds that token again for the same scope (its cache is keyed on the response)
    msal_result = app.acquire_token_silent([f"{GRAPH_PREFIX}//.default"], app.get_accounts()[0])
    assert msal_result and msal_result["token_source"] == "identity_provider"
    again = app.acquire_token_silent([f"{GRAPH_PREFIX}//.default"], app.get_accounts()[0])
    assert again and again["token_source"] == "cache"


def test_device_code_grant_accepts_msal_nodes_short_grant_type(own_sandbox: Sandbox) -> None:
    own_sandbox.set_device_code_interval(1)
    app = make_app(own_sandbox)
    flow = app.initiate_device_flow(scopes=["User.Read"])
    approve_device_code(
        flow["verification_uri"], flow["user_code"], ca_file=own_sandbox.info.ca_file
    )
    response = post_token(
        own_sandbox,
        {
            "client_id": own_sandbox.info.client_id,
            "grant_type": "device_code",  # msal-common's GrantType.DEVICE_CODE_GRANT
            "device_code": flow["device_code"],
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "profile openid User.Read"
    logged = [r for r in own_sandbox.requests() if r.get("grant_type") == "device_code"]
    assert [r["status"] for r in logged] == [200]
    unknown = post_token(
        own_sandbox,
        {"client_id": own_sandbox.info.client_id, "grant_type": "device", "device_code": "x"},
    )
    assert unknown.json()["error"] == "unsupported_grant_type"


def _browser_sign_in(sandbox: Sandbox, loopback: Loopback) -> tuple[requests.Session, str]:
    """A browser (one cookie jar) signs in; returns it and the ID token's login_hint claim."""
    app = make_app(sandbox)
    flow = app.initiate_auth_code_flow(
        ["User.Read"], redirect_uri=loopback.redirect_uri, response_mode="form_post"
    )
    browser = requests.Session()
    browser.verify = sandbox.info.ca_file
    browser.trust_env = False  # else REQUESTS_CA_BUNDLE would replace the CA above
    first = browser.get(flow["auth_uri"], timeout=10)
    ctx = first.text.split('name="ctx" value="')[1].split('"')[0]
    page = browser.post(
        f"{sandbox.info.authority}/login",
        data={"ctx": ctx, "username": ADMIN_UPN, "password": PASSWORD, "action": "signin"},
        timeout=10,
    ).text
    if "Permissions requested" in page:
        ctx = page.split('name="ctx" value="')[1].split('"')[0]
        page = browser.post(
            f"{sandbox.info.authority}/consent",
            data={"ctx": ctx, "action": "accept"},
            timeout=10,
        ).text
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page))
    result = app.acquire_token_by_auth_code_flow(flow, fields)
    assert "access_token" in result, result
    hint = result["id_token_claims"]["login_hint"]
    return browser, hint


def _signed_in(sandbox: Sandbox, browser: requests.Session) -> bool:
    app = make_app(sandbox)
    flow = app.initiate_auth_code_flow(
        ["User.Read"], redirect_uri="http://localhost", response_mode="form_post"
    )
    return 'type="password"' not in browser.get(flow["auth_uri"], timeout=10).text


def test_logout_hint_is_the_login_hint_claim_and_signs_out_without_a_picker(
    own_sandbox: Sandbox, loopback: Loopback
) -> None:
    browser, hint = _browser_sign_in(own_sandbox, loopback)
    assert hint.startswith("O.") and ADMIN_UPN not in hint  # opaque, as Entra's
    logout = f"{own_sandbox.info.authority}/oauth2/v2.0/logout"
    # a username is not a logout_hint: Entra asks which account, and nothing is signed out
    asked = browser.get(logout, params={"logout_hint": ADMIN_UPN}, timeout=10)
    assert "Pick an account" in asked.text and _signed_in(own_sandbox, browser)
    done = browser.get(logout, params={"logout_hint": hint}, timeout=10)
    assert "You signed out" in done.text
    assert not _signed_in(own_sandbox, browser)
    assert [r["logout"] for r in own_sandbox.requests() if "logout" in r] == [
        "pick_account",
        "hinted",
    ]


def test_sign_out_without_a_hint_asks_and_the_picked_account_is_signed_out(
    own_sandbox: Sandbox, loopback: Loopback
) -> None:
    browser, _hint = _browser_sign_in(own_sandbox, loopback)
    logout = f"{own_sandbox.info.authority}/oauth2/v2.0/logout"
    page = browser.get(logout, params={"state": "s1"}, timeout=10).text
    assert "Pick an account" in page and ADMIN_UPN in page
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page))
    assert fields["state"] == "s1"  # carried through the post
    done = browser.post(logout, data=fields, timeout=10)
    assert "You signed out" in done.text
    assert not _signed_in(own_sandbox, browser)


def test_login_hint_claim_only_when_the_registration_asks_for_it(
    own_sandbox: Sandbox, loopback: Loopback
) -> None:
    registration = own_sandbox.directory.app(own_sandbox.info.client_id)
    assert registration is not None and "login_hint" in registration.optional_claims
    registration.optional_claims = ()
    result = sign_in(own_sandbox, make_app(own_sandbox), loopback, ["User.Read"])
    assert "login_hint" not in result["id_token_claims"]


def test_graph_errors_echo_the_callers_client_request_id(own_sandbox: Sandbox) -> None:
    client_request_id = str(uuid.uuid4())
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    response = requests.get(
        f"{own_sandbox.info.graph_endpoint}/me",
        headers={"Authorization": "Bearer not-a-token", "client-request-id": client_request_id},
        verify=own_sandbox.info.ca_file,
        timeout=10,
    )
    assert response.status_code == 401
    assert response.headers["client-request-id"] == client_request_id
    inner = response.json()["error"]["innerError"]
    assert inner["client-request-id"] == client_request_id
    assert inner["request-id"] == response.headers["request-id"] != client_request_id
    date = email.utils.parsedate_to_datetime(response.headers["Date"]).replace(tzinfo=dt.UTC)
    assert inner["date"] == date.strftime("%Y-%m-%dT%H:%M:%S")
    assert before <= date <= dt.datetime.now(dt.UTC)
    # and a fault-injected Graph error does the same
    own_sandbox.add_fault(FaultSpec(endpoint="me", status=503))
    faulted = requests.get(
        f"{own_sandbox.info.graph_endpoint}/me",
        headers={"client-request-id": client_request_id},
        verify=own_sandbox.info.ca_file,
        timeout=10,
    )
    assert faulted.status_code == 503
    assert faulted.headers["client-request-id"] == client_request_id
    assert faulted.json()["error"]["innerError"]["client-request-id"] == client_request_id
