"""What Lanyard's "Call an API" panel reaches in the sandbox: /me/memberOf (paged, limited with
User.Read alone), one order of the second API, and Graph-shaped answers for unknown paths."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from desktop_app.sandbox import Sandbox
from desktop_app.sandbox.directory import OVERAGE_UPN, group_ids
from desktop_app.sandbox.faults import FaultSpec
from tests.support.idp_client import Loopback, get, make_app, sign_in


def _token(sandbox: Sandbox, loopback: Loopback, scopes: list[str], user: str) -> str:
    return str(sign_in(sandbox, make_app(sandbox), loopback, scopes, user)["access_token"])


def test_member_of_pages_through_250_groups_with_user_read_only_ids(
    sandbox: Sandbox, loopback: Loopback
) -> None:
    token = _token(sandbox, loopback, ["User.Read"], OVERAGE_UPN)
    url: str | None = f"{sandbox.info.graph_endpoint}/me/memberOf"
    seen: list[dict[str, object]] = []
    pages = 0
    while url:
        response = get(sandbox, url, token)
        assert response.status_code == 200, response.text
        assert response.headers["request-id"]
        body = response.json()
        assert body["@odata.context"].endswith("$metadata#directoryObjects")
        seen.extend(body["value"])
        url = body.get("@odata.nextLink")
        pages += 1
        if url:
            assert urlsplit(url).netloc == urlsplit(sandbox.info.graph_endpoint).netloc
            assert parse_qs(urlsplit(url).query)["$top"] == ["100"]
    assert pages == 3  # 100 + 100 + 50: Graph's default page size
    assert [g["id"] for g in seen] == list(group_ids("lynne", 250))
    # User.Read alone: directory objects the app may not read come with type and id only
    assert all(g["@odata.type"] == "#microsoft.graph.group" for g in seen)
    assert all(g["displayName"] is None for g in seen)


def test_member_of_in_full_with_group_member_read_all_and_top(
    sandbox: Sandbox, loopback: Loopback
) -> None:
    token = _token(sandbox, loopback, ["GroupMember.Read.All"], OVERAGE_UPN)
    url = f"{sandbox.info.graph_endpoint}/me/memberOf"
    body = get(sandbox, f"{url}?$top=999", token).json()
    assert len(body["value"]) == 250
    assert "@odata.nextLink" not in body
    assert body["value"][0]["displayName"] == "All Company"
    assert body["value"][9]["displayName"] == "Identity Admins 2"
    bad_top = get(sandbox, f"{url}?$top=1000", token)
    assert bad_top.status_code == 400
    assert bad_top.json()["error"]["code"] == "Request_BadRequest"
    bad_token = get(sandbox, f"{url}?$skiptoken=not-ours", token)
    assert bad_token.status_code == 400
    assert bad_token.json()["error"]["message"] == "Skip token is malformed."


def test_one_order_and_unknown_paths_answer_in_graph_shape(
    sandbox: Sandbox, loopback: Loopback
) -> None:
    api = _token(sandbox, loopback, [sandbox.info.api_scope], OVERAGE_UPN)
    orders = f"{sandbox.info.api_endpoint}/orders"
    one = get(sandbox, f"{orders}/so-1002", api)
    assert one.status_code == 200
    assert one.json()["id"] == "SO-1002"
    assert one.json()["owner"] == OVERAGE_UPN
    missing = get(sandbox, f"{orders}/SO-9", api)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "NotFound"
    assert missing.json()["error"]["innerError"]["request-id"] == missing.headers["request-id"]
    assert get(sandbox, f"{sandbox.info.api_endpoint}/invoices", api).status_code == 404
    # the API's token is not for Graph (and the other way round)
    assert get(sandbox, f"{sandbox.info.graph_endpoint}/me", api).status_code == 401

    graph = _token(sandbox, loopback, ["User.Read"], OVERAGE_UPN)
    assert get(sandbox, orders, graph).status_code == 401
    unknown = get(sandbox, f"{sandbox.info.graph_endpoint}/me/nothing", graph)
    assert unknown.status_code == 400
    assert unknown.json()["error"] == {
        **unknown.json()["error"],
        "code": "BadRequest",
        "message": "Resource not found for the segment 'nothing'.",
    }


def test_member_of_and_one_order_take_faults(sandbox: Sandbox, loopback: Loopback) -> None:
    graph = _token(sandbox, loopback, ["User.Read"], OVERAGE_UPN)
    sandbox.add_fault(FaultSpec("member-of", status=429, retry_after=7))
    throttled = get(sandbox, f"{sandbox.info.graph_endpoint}/me/memberOf", graph)
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "7"
    assert throttled.json()["error"]["code"] == "TooManyRequests"
    api = _token(sandbox, loopback, [sandbox.info.api_scope], OVERAGE_UPN)
    sandbox.add_fault(FaultSpec("api", status=403))
    denied = get(sandbox, f"{sandbox.info.api_endpoint}/orders/SO-1001", api)
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "Authorization_RequestDenied"
