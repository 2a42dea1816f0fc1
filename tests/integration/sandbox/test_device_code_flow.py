"""The device code flow with real msal polling and a person (the stand-in) at the approval page."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import msal
import pytest
import requests

from desktop_app.sandbox import Sandbox
from desktop_app.sandbox.directory import ADMIN_UPN, READER_UPN
from desktop_app.sandbox.jwt import unverified_parts
from tests.support.idp_client import assert_aad_error, make_app, post_token
from tests.support.standin_browser import BrowserError, approve_device_code

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
DONE = (
    "You have signed in to the Lanyard application on your device. You may now close this window."
)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as sb:
        sb.set_device_code_interval(1)
        yield sb


class Poller:
    """msal's blocking acquire_token_by_device_flow on a thread, as an app's worker runs it."""

    def __init__(
        self,
        app: msal.PublicClientApplication,
        flow: dict[str, Any],
        exit_condition: Callable[[dict[str, Any]], bool] | None = None,
    ) -> None:
        self.result: dict[str, Any] = {}
        kwargs = {} if exit_condition is None else {"exit_condition": exit_condition}
        self._thread = threading.Thread(
            target=lambda: self.result.update(app.acquire_token_by_device_flow(flow, **kwargs)),
            name="test-device-poller",
        )
        self._thread.start()

    def join(self, timeout: float = 30) -> dict[str, Any]:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "msal kept polling"
        return self.result


def device_grants(sandbox: Sandbox) -> list[int]:
    return [r["status"] for r in sandbox.requests() if r["grant_type"] == DEVICE_GRANT]


def test_initiate_returns_what_entra_returns(sandbox: Sandbox) -> None:
    app = make_app(sandbox)
    flow = app.initiate_device_flow(["User.Read"])
    assert len(flow["user_code"]) == 9
    assert flow["user_code"].isalnum()
    assert flow["user_code"].isupper()
    assert flow["verification_uri"] == f"{sandbox.info.browser_base_url}/devicelogin"
    assert flow["expires_in"] == 900
    assert flow["interval"] == 1
    assert flow["message"] == (
        f"To sign in, use a web browser to open the page {flow['verification_uri']} and enter "
        f"the code {flow['user_code']} to authenticate."
    )
    assert flow["device_code"] != flow["user_code"]
    config = requests.get(
        f"{sandbox.info.authority}/v2.0/.well-known/openid-configuration",
        verify=sandbox.info.ca_file,
        timeout=10,
    ).json()
    assert config["device_authorization_endpoint"] == (
        f"{sandbox.info.authority}/oauth2/v2.0/devicecode"
    )


def test_approve_gives_the_same_tokens_as_the_auth_code_flow(sandbox: Sandbox) -> None:
    app = make_app(sandbox)
    flow = app.initiate_device_flow(["User.Read"])
    poller = Poller(app, flow)
    time.sleep(1.5)  # msal polls (and is told to wait) before the person gets there
    page = approve_device_code(
        flow["verification_uri"], flow["user_code"].lower(), ca_file=sandbox.info.ca_file
    )
    assert DONE in page
    result = poller.join()
    assert "access_token" in result, result
    assert {"refresh_token", "id_token", "client_info"} <= set(result)
    assert result["scope"] == "profile openid User.Read"  # granted: no offline_access
    claims = result["id_token_claims"]
    assert claims["preferred_username"] == ADMIN_UPN
    assert claims["roles"] == ["Admin", "Reader"]
    assert "nonce" not in claims
    statuses = device_grants(sandbox)
    assert statuses[-1] == 200
    assert 400 in statuses  # authorization_pending while the person was away
    me = requests.get(
        f"{sandbox.info.graph_endpoint}/me",
        headers={"Authorization": f"Bearer {result['access_token']}"},
        verify=sandbox.info.ca_file,
        timeout=10,
    )
    assert me.json()["userPrincipalName"] == ADMIN_UPN
    # Consent was recorded: a silent refresh works, and the code is spent.
    account = app.get_accounts()[0]
    refreshed = app.acquire_token_silent_with_error(["User.Read"], account, force_refresh=True)
    assert refreshed is not None
    assert "access_token" in refreshed
    again = post_token(
        sandbox,
        {
            "client_id": sandbox.info.client_id,
            "grant_type": DEVICE_GRANT,
            "device_code": flow["device_code"],
        },
    )
    assert_aad_error(again.json(), "invalid_grant", 54005)


def test_pending_is_70016_and_unknown_codes_are_bad_verification_code(sandbox: Sandbox) -> None:
    app = make_app(sandbox)
    flow = app.initiate_device_flow(["User.Read"])
    once = app.acquire_token_by_device_flow(flow, exit_condition=lambda flow: True)
    assert_aad_error(once, "authorization_pending", 70016)
    unknown = post_token(
        sandbox,
        {"client_id": sandbox.info.client_id, "grant_type": DEVICE_GRANT, "device_code": "nope"},
    )
    assert unknown.status_code == 400
    assert_aad_error(unknown.json(), "bad_verification_code", 70018)
    other_client = sandbox.add_app(display_name="Other device app")
    stolen = post_token(
        sandbox,
        {"client_id": other_client, "grant_type": DEVICE_GRANT, "device_code": flow["device_code"]},
    )
    assert_aad_error(stolen.json(), "bad_verification_code", 70018)
    with pytest.raises(BrowserError, match="didn't work"):
        approve_device_code(flow["verification_uri"], "ABCDEFGHJ", ca_file=sandbox.info.ca_file)


@pytest.mark.parametrize(
    "page_title",
    ["Are you trying to sign in?", "Sign in to your account", "Permissions requested"],
)
def test_decline_on_any_page_is_authorization_declined(sandbox: Sandbox, page_title: str) -> None:
    app = make_app(sandbox)
    flow = app.initiate_device_flow(["User.Read"])
    poller = Poller(app, flow)
    page = approve_device_code(
        flow["verification_uri"],
        flow["user_code"],
        decline_on=page_title,
        ca_file=sandbox.info.ca_file,
    )
    assert "You didn't sign in to Lanyard" in page
    result = poller.join()
    assert_aad_error(result, "authorization_declined", 70000)
    with pytest.raises(BrowserError, match="already used"):
        approve_device_code(
            flow["verification_uri"], flow["user_code"], ca_file=sandbox.info.ca_file
        )


def test_expiry_is_expired_token(sandbox: Sandbox) -> None:
    sandbox.set_device_code_lifetime(2)
    app = make_app(sandbox)
    flow = app.initiate_device_flow(["User.Read"])
    assert flow["expires_in"] == 2
    give_up = time.monotonic() + 20
    # Past msal's own expires_at it would stop with the last authorization_pending; keep polling
    # so the server's answer is what ends the loop.
    result = app.acquire_token_by_device_flow(
        flow, exit_condition=lambda flow: time.monotonic() > give_up
    )
    assert_aad_error(result, "expired_token", 70020)
    with pytest.raises(BrowserError, match="AADSTS70019"):
        approve_device_code(
            flow["verification_uri"], flow["user_code"], ca_file=sandbox.info.ca_file
        )


def test_cancel_through_exit_condition_stops_polling_promptly(sandbox: Sandbox) -> None:
    app = make_app(sandbox)
    flow = app.initiate_device_flow(["User.Read"])
    cancel = threading.Event()
    poller = Poller(app, flow, exit_condition=lambda flow: cancel.is_set())
    time.sleep(1.2)
    started = time.monotonic()
    cancel.set()
    result = poller.join(10)
    elapsed = time.monotonic() - started
    print(f"device flow cancel returned after {elapsed:.2f} s")
    assert result["error"] == "authorization_pending"  # msal hands back the last answer
    polls = len(device_grants(sandbox))
    time.sleep(1.5)
    assert len(device_grants(sandbox)) == polls  # and polls no more


def test_mfa_step_and_consent_for_another_app_with_capabilities(sandbox: Sandbox) -> None:
    client_id = sandbox.add_app(display_name="Kiosk")
    sandbox.require_mfa(READER_UPN)
    app = make_app(sandbox, client_id, client_capabilities=["cp1"])
    flow = app.initiate_device_flow(["User.Read"])
    poller = Poller(app, flow)
    pages: list[str] = []
    page = approve_device_code(
        flow["verification_uri"],
        flow["user_code"],
        user=READER_UPN,
        ca_file=sandbox.info.ca_file,
        transcript=pages.append,
    )
    assert "You have signed in to the Kiosk application on your device" in page
    assert any("/mfa ->" in line for line in pages)
    assert any("/consent ->" in line for line in pages)
    result = poller.join()
    assert result["id_token_claims"]["preferred_username"] == READER_UPN
    _header, access = unverified_parts(result["access_token"])
    assert access["xms_cc"] == ["cp1"]
    [initiate] = [r for r in sandbox.requests() if r["path"].endswith("/devicecode")]
    assert initiate["client_capabilities"] == ["cp1"]
    assert initiate["claims_challenge"] is False


def test_verification_uri_is_on_the_plain_http_browser_listener() -> None:
    with Sandbox(browser_http=True) as sb:
        sb.set_device_code_interval(1)
        app = make_app(sb)
        flow = app.initiate_device_flow(["User.Read"])
        assert flow["verification_uri"].startswith("http://127.0.0.1:")
        poller = Poller(app, flow)
        assert DONE in approve_device_code(flow["verification_uri"], flow["user_code"])
        assert "access_token" in poller.join()
        listeners = {r["listener"] for r in sb.requests() if r["kind"] == "page"}
        assert listeners == {"http"}


def test_devicecode_endpoint_errors_are_entra_json(sandbox: Sandbox) -> None:
    url = f"{sandbox.info.authority}/oauth2/v2.0/devicecode"
    ca = sandbox.info.ca_file
    unknown = requests.post(
        url, data={"client_id": "nope", "scope": "openid"}, verify=ca, timeout=10
    )
    assert_aad_error(unknown.json(), "unauthorized_client", 700016)
    no_scope = requests.post(url, data={"client_id": sandbox.info.client_id}, verify=ca, timeout=10)
    assert_aad_error(no_scope.json(), "invalid_request", 900144)
    bad_scope = requests.post(
        url, data={"client_id": sandbox.info.client_id, "scope": "Nope.Read"}, verify=ca, timeout=10
    )
    assert_aad_error(bad_scope.json(), "invalid_scope", 70011)
