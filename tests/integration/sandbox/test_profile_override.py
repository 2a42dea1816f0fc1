"""POST /_sandbox/users/{upn}/profile: Graph /me serves hostile or malformed profiles on request."""

from __future__ import annotations

import pytest
import requests

from desktop_app.sandbox import Sandbox
from desktop_app.sandbox.control import SandboxControl
from desktop_app.sandbox.directory import NO_ROLES_UPN
from tests.support.idp_client import Loopback, make_app, sign_in


def me(sandbox: Sandbox, token: str) -> dict[str, object]:
    response = requests.get(
        f"{sandbox.info.graph_endpoint}/me",
        headers={"Authorization": f"Bearer {token}"},
        verify=sandbox.info.ca_file,
        timeout=10,
    )
    assert response.status_code == 200
    document: dict[str, object] = response.json()
    return document


def test_profile_override_replaces_removes_and_resets(sandbox: Sandbox, loopback: Loopback) -> None:
    control = SandboxControl(sandbox.info.control_url, sandbox.info.ca_file)
    token = sign_in(sandbox, make_app(sandbox), loopback, ["User.Read"], NO_ROLES_UPN)[
        "access_token"
    ]
    seeded = me(sandbox, token)
    assert seeded["displayName"] == "Grady Archie"
    big = "x" * 1_000_000
    control.set_profile(
        NO_ROLES_UPN,
        {"displayName": 123, "jobTitle": big, "businessPhones": "not a list", "mail": "\ud800"},
        remove=["surname", "id"],
    )
    served = me(sandbox, token)
    assert served["displayName"] == 123
    assert served["jobTitle"] == big
    assert served["businessPhones"] == "not a list"
    assert served["mail"] == "\ud800"  # sent as JSON's \ud800 escape
    assert "surname" not in served and "id" not in served
    assert served["userPrincipalName"] == NO_ROLES_UPN  # the rest stays seeded
    control.reset_profile(NO_ROLES_UPN)
    assert me(sandbox, token) == seeded


@pytest.mark.parametrize("body", [[], {"properties": []}, {"remove": "id"}, {"other": 1}], ids=str)
def test_a_bad_profile_override_is_refused(sandbox: Sandbox, body: object) -> None:
    response = requests.post(
        f"{sandbox.info.control_url}/users/{NO_ROLES_UPN}/profile",
        json=body,
        verify=sandbox.info.ca_file,
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"


def test_a_profile_override_for_an_unknown_user_is_404(sandbox: Sandbox) -> None:
    response = requests.post(
        f"{sandbox.info.control_url}/users/nobody@contoso.test/profile",
        json={"properties": {}},
        verify=sandbox.info.ca_file,
        timeout=10,
    )
    assert response.status_code == 404
