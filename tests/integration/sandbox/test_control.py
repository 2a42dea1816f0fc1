from __future__ import annotations

import pytest
import requests

from desktop_app.sandbox import Sandbox
from desktop_app.sandbox.control import SandboxControl
from desktop_app.sandbox.directory import READER_UPN
from tests.support.idp_client import Loopback, make_app, sign_in


@pytest.fixture
def control(sandbox: Sandbox) -> SandboxControl:
    return SandboxControl(sandbox.info.control_url, sandbox.info.ca_file)


def test_info_matches_the_in_process_view(sandbox: Sandbox, control: SandboxControl) -> None:
    assert control.info() == sandbox.info.as_json()


def test_request_log_counts_round_trips(
    sandbox: Sandbox, control: SandboxControl, loopback: Loopback
) -> None:
    client_id = sandbox.add_app(display_name="Counted", redirect_uris=["http://localhost"])
    control.clear_requests()
    sign_in(sandbox, make_app(sandbox, client_id), loopback)
    log = [r for r in control.requests() if r["kind"] != "control"]
    assert [(r["method"], r["kind"], r["grant_type"]) for r in log] == [
        ("GET", "idp", None),  # openid-configuration
        ("GET", "page", None),  # authorize
        ("POST", "page", None),  # sign-in
        ("POST", "page", None),  # consent
        ("POST", "idp", "authorization_code"),  # token
    ]
    assert all(r["status"] == 200 and r["duration_ms"] >= 0 and r["time"] for r in log)
    assert all("?" not in r["path"] for r in log)
    assert [r for r in sandbox.requests() if r["kind"] != "control"][: len(log)] == log


def test_issued_tokens_list_every_value(
    sandbox: Sandbox, control: SandboxControl, loopback: Loopback
) -> None:
    result = sign_in(sandbox, make_app(sandbox), loopback)
    issued = {(t["kind"], t["value"]) for t in control.issued_tokens()}
    assert ("access", result["access_token"]) in issued
    assert ("refresh", result["refresh_token"]) in issued
    assert ("id", result["id_token"]) in issued
    assert any(kind == "code" for kind, _ in issued)
    assert any(kind == "session" for kind, _ in issued)  # the browser's sign-in cookie


def test_issued_tokens_list_device_codes(sandbox: Sandbox, control: SandboxControl) -> None:
    flow = make_app(sandbox).initiate_device_flow(["User.Read"])
    assert ("device_code", flow["device_code"]) in {
        (t["kind"], t["value"]) for t in control.issued_tokens()
    }


def test_add_app_with_roles_revoke_and_lifetimes(
    sandbox: Sandbox, control: SandboxControl, loopback: Loopback
) -> None:
    client_id = control.add_app(
        display_name="Second app",
        redirect_uris=["http://127.0.0.1"],
        app_roles=["Writer"],
        role_assignments={READER_UPN: ["Writer"]},
    )
    loopback.host = "127.0.0.1"
    app = make_app(sandbox, client_id)
    control.set_token_lifetime(900, refresh_in=300)
    try:
        result = sign_in(sandbox, app, loopback, user=READER_UPN)
    finally:
        control.set_token_lifetime(3600)
    assert result["id_token_claims"]["roles"] == ["Writer"]
    assert result["id_token_claims"]["aud"] == client_id
    assert result["expires_in"] == 900
    control.revoke_refresh_tokens(READER_UPN)
    refreshed = app.acquire_token_silent_with_error(
        ["User.Read"], app.get_accounts()[0], force_refresh=True
    )
    assert refreshed is not None
    assert refreshed["error_codes"] == [50173]
    with pytest.raises(requests.HTTPError):
        control.revoke_refresh_tokens("nobody@contoso.test")


def test_control_rejects_bad_input(sandbox: Sandbox) -> None:
    url = f"{sandbox.info.control_url}/lifetimes"
    response = requests.post(url, json={"access_token": -1}, verify=sandbox.info.ca_file, timeout=5)
    assert response.status_code == 400
    response = requests.post(
        f"{sandbox.info.control_url}/apps",
        json={"redirect_uris": "http://localhost"},
        verify=sandbox.info.ca_file,
        timeout=5,
    )
    assert response.status_code == 400


def test_assign_roles_changes_the_roles_of_tokens_issued_afterwards(
    sandbox: Sandbox, control: SandboxControl, loopback: Loopback
) -> None:
    client_id = control.add_app(
        display_name="Roles app", app_roles=["Admin", "Reader"], role_assignments={}
    )
    app = make_app(sandbox, client_id)
    first = sign_in(sandbox, app, loopback, user=READER_UPN)
    assert "roles" not in first["id_token_claims"]
    assigned = control.assign_roles(READER_UPN, ["Admin", "Nonexistent"], client_id=client_id)
    assert assigned == ["Admin"]  # only roles the app defines
    refreshed = app.acquire_token_silent_with_error(
        ["User.Read"], app.get_accounts()[0], force_refresh=True
    )
    assert refreshed is not None
    assert refreshed["id_token_claims"]["roles"] == ["Admin"]
    with pytest.raises(requests.HTTPError):
        control.assign_roles(READER_UPN, ["Admin"], client_id="no-such-app")
    with pytest.raises(requests.HTTPError):
        control.assign_roles("nobody@contoso.test", ["Admin"])
