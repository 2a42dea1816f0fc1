"""GET /organization as the sandbox serves it (learn.microsoft.com/graph/api/organization-get):
User.Read reads id, displayName and verifiedDomains only, Organization.Read.All everything, no
Graph permission for it a 403; and GraphClient.organization reading it with real requests."""

from __future__ import annotations

import pytest

from desktop_app.core import net
from desktop_app.core.errors import LanyardError
from desktop_app.graph.client import GraphClient
from desktop_app.graph.organization import Organization
from desktop_app.sandbox import Sandbox
from desktop_app.sandbox.directory import READER_UPN, TENANT_DOMAIN, TENANT_ID, TENANT_NAME
from tests.support.idp_client import Loopback, get, make_app, sign_in


def _token(sandbox: Sandbox, loopback: Loopback, scopes: list[str]) -> str:
    return str(sign_in(sandbox, make_app(sandbox), loopback, scopes, READER_UPN)["access_token"])


def test_user_read_reads_the_name_and_domains_only(sandbox: Sandbox, loopback: Loopback) -> None:
    token = _token(sandbox, loopback, ["User.Read"])
    response = get(sandbox, f"{sandbox.info.graph_endpoint}/organization", token)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["@odata.context"].endswith("$metadata#organization")
    [org] = body["value"]
    assert (org["id"], org["displayName"]) == (TENANT_ID, TENANT_NAME)
    assert org["verifiedDomains"][0]["name"] == TENANT_DOMAIN
    rest = {k: v for k, v in org.items() if k not in ("id", "displayName", "verifiedDomains")}
    assert rest and all(v is None for v in rest.values())
    selected = get(
        sandbox, f"{sandbox.info.graph_endpoint}/organization?$select=id,displayname", token
    )
    assert selected.json()["value"] == [{"id": TENANT_ID, "displayName": TENANT_NAME}]


def test_organization_read_all_reads_everything(sandbox: Sandbox, loopback: Loopback) -> None:
    token = _token(sandbox, loopback, ["Organization.Read.All"])
    [org] = get(sandbox, f"{sandbox.info.graph_endpoint}/organization", token).json()["value"]
    assert all(value is not None for value in org.values())


def test_graph_client_reads_the_name_and_a_403_is_an_error(
    sandbox: Sandbox, loopback: Loopback
) -> None:
    graph = GraphClient(
        net.make_session(sandbox.info.ca_file, proxy=None), sandbox.info.graph_endpoint
    )
    assert graph.organization(_token(sandbox, loopback, ["User.Read"])) == Organization(
        TENANT_ID, TENANT_NAME
    )
    with pytest.raises(LanyardError) as raised:  # no permission that reads it
        graph.organization(_token(sandbox, loopback, ["Mail.Read"]))
    assert "permission" in raised.value.message
