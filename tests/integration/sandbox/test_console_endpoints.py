"""What the token inspector and the API console need from the sandbox (issue 17, part 3), with
real msal and real requests: the JWKS verifies the tokens it issues, POST /me/getMemberObjects,
/me/manager, and the Orders API's writes behind Orders.ReadWrite."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
import requests

from desktop_app.sandbox import Sandbox
from desktop_app.sandbox.directory import ADMIN_UPN, OVERAGE_UPN, READER_UPN, group_ids
from tests.support.idp_client import Loopback, get, make_app, sign_in


def _call(
    sandbox: Sandbox, method: str, url: str, token: str, body: Any = None
) -> requests.Response:
    return requests.request(
        method,
        url,
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        verify=sandbox.info.ca_file,
        timeout=10,
    )


def _keys(sandbox: Sandbox, issuer: str) -> dict[str, Any]:
    """The issuer's keys found the way any relying party finds them: discovery, then jwks_uri."""
    config = get(sandbox, f"{issuer}/.well-known/openid-configuration").json()
    assert config["issuer"] == issuer
    keys = get(sandbox, config["jwks_uri"]).json()["keys"]
    return {k["kid"]: k for k in keys}


def test_published_keys_verify_the_id_and_access_tokens_and_not_a_tampered_one(
    sandbox: Sandbox, loopback: Loopback
) -> None:
    result = sign_in(sandbox, make_app(sandbox), loopback, ["User.Read"], READER_UPN)
    id_token, access_token = result["id_token"], result["access_token"]
    issuer = jwt.decode(id_token, options={"verify_signature": False})["iss"]
    keys = _keys(sandbox, issuer)
    for token in (id_token, access_token):
        kid = jwt.get_unverified_header(token)["kid"]
        key = jwt.PyJWK(keys[kid]).key
        claims = jwt.decode(token, key, algorithms=["RS256"], options={"verify_aud": False})
        assert claims["oid"]
    head, payload, signature = id_token.split(".")
    flipped = signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")
    key = jwt.PyJWK(keys[jwt.get_unverified_header(id_token)["kid"]]).key
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(f"{head}.{payload}.{flipped}", key, algorithms=["RS256"])


def test_get_member_objects_lists_all_250_groups_and_wants_its_body(
    sandbox: Sandbox, loopback: Loopback
) -> None:
    token = sign_in(sandbox, make_app(sandbox), loopback, ["User.Read"], OVERAGE_UPN)[
        "access_token"
    ]
    url = f"{sandbox.info.graph_endpoint}/me/getMemberObjects"
    response = _call(sandbox, "POST", url, token, {"securityEnabledOnly": True})
    assert response.status_code == 200, response.text
    assert response.headers["request-id"]
    body = response.json()
    assert body["@odata.context"].endswith("$metadata#Collection(Edm.String)")
    assert body["value"] == list(group_ids("lynne", 250))
    for bad in (None, {}, {"securityEnabledOnly": "yes"}, [True]):
        refused = _call(sandbox, "POST", url, token, bad)
        assert refused.status_code == 400, bad
        assert refused.json()["error"]["code"] == "Request_BadRequest"
    assert _call(sandbox, "GET", url, token).status_code == 400  # an action: POST only


def test_manager_is_a_user_and_the_admin_has_none(sandbox: Sandbox, loopback: Loopback) -> None:
    app = make_app(sandbox)
    reader = sign_in(sandbox, app, loopback, ["User.Read"], READER_UPN)["access_token"]
    url = f"{sandbox.info.graph_endpoint}/me/manager"
    boss = get(sandbox, url, reader)
    assert boss.status_code == 200, boss.text
    assert boss.json()["userPrincipalName"] == ADMIN_UPN
    assert boss.json()["@odata.type"] == "#microsoft.graph.user"
    admin = sign_in(sandbox, make_app(sandbox), loopback, ["User.Read"], ADMIN_UPN)
    none = get(sandbox, url, admin["access_token"])
    assert none.status_code == 404
    assert none.json()["error"]["code"] == "Request_ResourceNotFound"


def test_orders_writes_need_orders_readwrite_and_answer_201_with_location(
    sandbox: Sandbox, loopback: Loopback
) -> None:
    api = sandbox.info.api_scope.rsplit("/", 1)[0]
    orders = f"{sandbox.info.api_endpoint}/orders"
    read_only = sign_in(sandbox, make_app(sandbox), loopback, [f"{api}/Orders.Read"], READER_UPN)
    denied = _call(sandbox, "POST", orders, read_only["access_token"], {"item": "x", "quantity": 1})
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "Authorization_RequestDenied"
    writer = sign_in(sandbox, make_app(sandbox), loopback, [f"{api}/Orders.ReadWrite"], READER_UPN)[
        "access_token"
    ]
    assert "Orders.ReadWrite" in jwt.decode(writer, options={"verify_signature": False})["scp"]
    created = _call(sandbox, "POST", orders, writer, {"item": "Lanyard, red", "quantity": 3})
    assert created.status_code == 201, created.text
    order = created.json()
    assert order["status"] == "processing" and order["owner"] == READER_UPN
    location = created.headers["Location"]
    assert location == f"{orders}/{order['id']}"
    assert created.headers["request-id"]
    assert get(sandbox, location, writer).json()["item"] == "Lanyard, red"  # ReadWrite reads
    changed = _call(sandbox, "PATCH", location, writer, {"status": "shipped"})
    assert changed.status_code == 200 and changed.json()["status"] == "shipped"
    for bad in ({"quantity": 0}, {"colour": "red"}, {"status": "lost"}, [1], {"quantity": True}):
        refused = _call(sandbox, "PATCH", location, writer, bad)
        assert refused.status_code == 400, bad
        assert refused.json()["error"]["code"] == "BadRequest"
    assert _call(sandbox, "POST", orders, writer, {"item": "no quantity"}).status_code == 400
    deleted = _call(sandbox, "DELETE", location, writer)
    assert deleted.status_code == 204 and deleted.content == b""
    assert get(sandbox, location, writer).status_code == 404
    assert _call(sandbox, "DELETE", location, writer).status_code == 404
    assert _call(sandbox, "PATCH", f"{orders}/SO-9999", writer, {}).status_code == 404
    assert _call(sandbox, "DELETE", orders, writer).status_code == 404  # not on the collection
