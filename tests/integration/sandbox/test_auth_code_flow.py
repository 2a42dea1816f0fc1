from __future__ import annotations

import base64
import html
import json

import msal
import pytest
import requests

from desktop_app.sandbox import Sandbox
from desktop_app.sandbox.directory import (
    ADMIN_UPN,
    HOSTILE_UPN,
    NO_ROLES_UPN,
    OVERAGE_UPN,
    READER_UPN,
    TENANT_ID,
    Directory,
)
from desktop_app.sandbox.jwt import unverified_parts
from desktop_app.sandbox.resources import me_document
from tests.support.idp_client import Loopback, authorize, get, make_app, sign_in
from tests.support.standin_browser import run as browse


def test_admin_signs_in_with_roles_profile_and_photo(sandbox: Sandbox, loopback: Loopback) -> None:
    app = make_app(sandbox)
    flow, response = authorize(sandbox, app, loopback)
    assert set(response) == {"code", "state", "client_info", "session_state"}
    result = app.acquire_token_by_auth_code_flow(flow, response)
    claims = result["id_token_claims"]
    assert claims["roles"] == ["Admin", "Reader"]
    assert claims["preferred_username"] == ADMIN_UPN
    assert claims["aud"] == sandbox.info.client_id
    assert claims["iss"] == f"{sandbox.info.base_url}/{TENANT_ID}/v2.0"
    assert claims["ver"] == "2.0"
    assert claims["sid"] == response["session_state"]
    assert result["token_type"] == "Bearer"
    # the granted set in Entra's order and case; offline_access is not echoed
    assert result["scope"] == "profile openid User.Read"
    client_info = json.loads(base64.urlsafe_b64decode(result["client_info"] + "=="))
    assert client_info == {"uid": claims["oid"], "utid": TENANT_ID}
    _header, access = unverified_parts(result["access_token"])
    assert access["aud"] == "https://graph.microsoft.com"
    assert access["appid"] == sandbox.info.client_id
    assert "User.Read" in access["scp"].split()

    me = get(sandbox, f"{sandbox.info.graph_endpoint}/me", result["access_token"])
    assert me.status_code == 200
    assert me.json()["displayName"] == "Megan Bowen"
    assert me.json()["businessPhones"] == ["+1 425 555 0109"]
    assert me.headers["request-id"]

    photo_url = f"{sandbox.info.graph_endpoint}/me/photo/$value"
    photo = get(sandbox, photo_url, result["access_token"])
    assert photo.status_code == 200
    assert photo.headers["Content-Type"] == "image/png"
    assert photo.content.startswith(b"\x89PNG")
    again = get(
        sandbox, photo_url, result["access_token"], **{"If-None-Match": photo.headers["ETag"]}
    )
    assert again.status_code == 304
    assert again.content == b""


def test_reader_and_no_role_users(sandbox: Sandbox, loopback: Loopback) -> None:
    reader = sign_in(sandbox, make_app(sandbox), loopback, user=READER_UPN)
    assert reader["id_token_claims"]["roles"] == ["Reader"]
    grady = sign_in(sandbox, make_app(sandbox), loopback, user=NO_ROLES_UPN)
    assert "roles" not in grady["id_token_claims"]
    me = get(sandbox, f"{sandbox.info.graph_endpoint}/me", grady["access_token"]).json()
    assert me["jobTitle"] is None
    assert me["mail"] is None
    assert me["businessPhones"] == []
    photo = get(sandbox, f"{sandbox.info.graph_endpoint}/me/photo/$value", grady["access_token"])
    assert photo.status_code == 404
    assert photo.json()["error"]["code"] == "ImageNotFound"
    assert photo.headers["request-id"] == photo.json()["error"]["innerError"]["request-id"]


def test_group_overage_points_to_member_objects(sandbox: Sandbox, loopback: Loopback) -> None:
    result = sign_in(sandbox, make_app(sandbox), loopback, user=OVERAGE_UPN)
    claims = result["id_token_claims"]
    assert "groups" not in claims
    assert claims["_claim_names"] == {"groups": "src1"}
    endpoint = claims["_claim_sources"]["src1"]["endpoint"]
    response = requests.post(
        endpoint,
        json={"securityEnabledOnly": False},
        headers={"Authorization": f"Bearer {result['access_token']}"},
        verify=sandbox.info.ca_file,
        timeout=10,
    )
    assert response.status_code == 200
    assert len(response.json()["value"]) == 250
    admin = sign_in(sandbox, make_app(sandbox), loopback, user=ADMIN_UPN)
    assert len(admin["id_token_claims"]["groups"]) == 3


def test_hostile_profile_round_trips_exactly_and_pages_escape_it(
    sandbox: Sandbox, loopback: Loopback
) -> None:
    app = make_app(sandbox)
    flow = app.initiate_auth_code_flow(
        ["User.Read"], redirect_uri=loopback.redirect_uri, response_mode="form_post"
    )
    page = get(sandbox, flow["auth_uri"]).text
    assert "<script>alert(1)</script>" not in page
    assert html.escape("<script>alert(1)</script>") in page
    assert "onerror=alert(1)>" not in page
    assert "Content-Security-Policy" in get(sandbox, flow["auth_uri"]).headers

    result = sign_in(sandbox, make_app(sandbox), loopback, user=HOSTILE_UPN)
    user = Directory().user(HOSTILE_UPN)
    assert user is not None
    me = get(sandbox, f"{sandbox.info.graph_endpoint}/me", result["access_token"])
    assert me.json() == me_document(user)
    assert result["id_token_claims"]["name"] == user.display_name


def test_silent_refresh_uses_the_refresh_token_grant(sandbox: Sandbox, loopback: Loopback) -> None:
    app = make_app(sandbox)
    first = sign_in(sandbox, app, loopback)
    account = app.get_accounts()[0]
    sandbox.clear_requests()
    cached = app.acquire_token_silent(["User.Read"], account)
    assert cached is not None and cached["access_token"] == first["access_token"]
    assert [r for r in sandbox.requests() if r["kind"] == "idp"] == []
    refreshed = app.acquire_token_silent_with_error(["User.Read"], account, force_refresh=True)
    assert refreshed is not None and "access_token" in refreshed
    assert refreshed["access_token"] != first["access_token"]
    grants = [r["grant_type"] for r in sandbox.requests() if r["kind"] == "idp"]
    assert grants == ["refresh_token"]
    assert refreshed["id_token_claims"]["roles"] == ["Admin", "Reader"]


def test_refresh_in_and_lifetime_settings(sandbox: Sandbox, loopback: Loopback) -> None:
    sandbox.set_token_lifetime(600, refresh_in=120)
    try:
        app = make_app(sandbox)
        result = sign_in(sandbox, app, loopback)
        _header, access = unverified_parts(result["access_token"])
        assert access["exp"] - access["iat"] == 600
        assert result["expires_in"] == 600
        # msal turns refresh_in into the cached access token's refresh_on.
        cached = app.token_cache.find(msal.TokenCache.CredentialType.ACCESS_TOKEN)
        assert int(cached[0]["refresh_on"]) - int(cached[0]["cached_at"]) == 120
    finally:
        sandbox.set_token_lifetime(3600)


def test_incremental_consent_for_the_second_api(sandbox: Sandbox, loopback: Loopback) -> None:
    client_id = sandbox.add_app(display_name="Incremental", redirect_uris=["http://localhost"])
    app = make_app(sandbox, client_id)
    sign_in(sandbox, app, loopback)
    account = app.get_accounts()[0]
    api_scope = sandbox.info.api_scope
    missing = app.acquire_token_silent_with_error([api_scope], account)
    assert missing is not None
    assert missing["error"] == "invalid_grant"
    assert missing["error_codes"] == [65001]
    assert missing["suberror"] == "consent_required"

    flow = app.initiate_auth_code_flow(
        [api_scope], redirect_uri=loopback.redirect_uri, response_mode="form_post"
    )
    session = requests.Session()
    sign_in_page = session.get(flow["auth_uri"], verify=sandbox.info.ca_file, timeout=10)
    assert "Orders.Read" not in sign_in_page.text  # consent comes after sign-in
    browse(flow["auth_uri"], ca_file=sandbox.info.ca_file)
    result = app.acquire_token_by_auth_code_flow(flow, dict(loopback.received))
    assert result["scope"] == api_scope  # OpenID Connect scopes are Graph's, not this API's
    orders = get(sandbox, f"{sandbox.info.api_endpoint}/orders", result["access_token"])
    assert orders.status_code == 200
    assert orders.json()["owner"] == ADMIN_UPN
    wrong_audience = get(sandbox, f"{sandbox.info.graph_endpoint}/me", result["access_token"])
    assert wrong_audience.status_code == 401
    silent = app.acquire_token_silent_with_error([api_scope], account, force_refresh=True)
    assert silent is not None and "access_token" in silent


def test_declining_consent_returns_access_denied(sandbox: Sandbox, loopback: Loopback) -> None:
    client_id = sandbox.add_app(display_name="Declined", redirect_uris=["http://localhost"])
    app = make_app(sandbox, client_id)
    flow, response = authorize(sandbox, app, loopback, decline=True)
    assert response["error"] == "access_denied"
    assert response["error_description"].startswith("AADSTS65004: User declined to consent")
    assert "code" not in response
    result = app.acquire_token_by_auth_code_flow(flow, response)
    assert result["error"] == "access_denied"


def test_browser_session_skips_the_password_until_prompt_login(
    sandbox: Sandbox, loopback: Loopback
) -> None:
    app = make_app(sandbox)
    ca = sandbox.info.ca_file
    session = requests.Session()

    def start(**kwargs: str) -> requests.Response:
        flow = app.initiate_auth_code_flow(
            ["User.Read"], redirect_uri=loopback.redirect_uri, response_mode="form_post", **kwargs
        )
        return session.get(flow["auth_uri"], verify=ca, timeout=10)

    first = start()
    assert 'type="password"' in first.text
    ctx = first.text.split('name="ctx" value="')[1].split('"')[0]
    wrong = session.post(
        f"{sandbox.info.authority}/login",
        data={"ctx": ctx, "username": ADMIN_UPN, "password": "nope", "action": "signin"},
        verify=ca,
        timeout=10,
    )
    assert "AADSTS50126" in wrong.text
    signed = session.post(
        f"{sandbox.info.authority}/login",
        data={"ctx": ctx, "username": ADMIN_UPN, "password": "sandbox", "action": "signin"},
        verify=ca,
        timeout=10,
    )
    assert 'name="code"' in signed.text or "Permissions requested" in signed.text
    assert "Secure" in signed.headers["Set-Cookie"] and "HttpOnly" in signed.headers["Set-Cookie"]
    assert 'name="code"' in start().text  # silent: straight to the form_post
    assert 'type="password"' in start(prompt="login").text
    assert 'type="password"' in start(prompt="select_account").text
    assert "Permissions requested" in start(prompt="consent").text
    end = f"{sandbox.info.authority}/oauth2/v2.0/logout"
    picker = session.get(end, verify=ca, timeout=10)  # no logout_hint: Entra asks which account
    assert picker.status_code == 200 and "Pick an account" in picker.text
    assert 'type="password"' not in start().text  # asking signed nobody out
    sid = picker.text.split('name="sid" value="')[1].split('"')[0]
    logout = session.post(end, data={"sid": sid}, verify=ca, timeout=10)
    assert logout.status_code == 200 and "You signed out" in logout.text
    assert 'type="password"' in start().text


def test_prompt_none_without_a_session_is_login_required(
    sandbox: Sandbox, loopback: Loopback
) -> None:
    app = make_app(sandbox)
    flow, response = authorize(sandbox, app, loopback, prompt="none")
    assert response["error"] == "login_required"
    assert response["state"] == flow["state"]


@pytest.mark.filterwarnings("ignore:response_mode='form_post' is recommended:UserWarning")
def test_query_response_mode_redirects(sandbox: Sandbox, loopback: Loopback) -> None:
    app = make_app(sandbox)
    flow = app.initiate_auth_code_flow(["User.Read"], redirect_uri=loopback.redirect_uri)
    browse(flow["auth_uri"], ca_file=sandbox.info.ca_file)
    result = app.acquire_token_by_auth_code_flow(flow, dict(loopback.received))
    assert "access_token" in result


def test_login_hint_preselects_the_user(sandbox: Sandbox, loopback: Loopback) -> None:
    app = make_app(sandbox)
    flow = app.initiate_auth_code_flow(
        ["User.Read"],
        redirect_uri=loopback.redirect_uri,
        response_mode="form_post",
        login_hint=READER_UPN,
    )
    page = get(sandbox, flow["auth_uri"]).text
    assert f'value="{READER_UPN}" checked' in page
    assert f'value="{ADMIN_UPN}" checked' not in page


def test_browser_pages_over_plain_http(loopback: Loopback) -> None:
    with Sandbox(browser_http=True) as sb:
        assert sb.info.browser_base_url.startswith("http://127.0.0.1:")
        app = make_app(sb)
        flow, response = authorize(sb, app, loopback)
        assert flow["auth_uri"].startswith(sb.info.browser_base_url)
        result = app.acquire_token_by_auth_code_flow(flow, response)
        assert result["id_token_claims"]["roles"] == ["Admin", "Reader"]
        plain_token = requests.get(
            f"{sb.info.browser_base_url}/{TENANT_ID}/oauth2/v2.0/token", timeout=5
        )
        assert plain_token.status_code == 404  # only the browser pages are served over HTTP
