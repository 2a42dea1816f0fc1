"""The console's request checks: each mistake named by its field, and any text an answer."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.graph.api_request import (
    MAX_REQUEST_BODY,
    RESERVED_HEADERS,
    ApiRequest,
    ApiRequestError,
    parse_headers,
    validate_request,
    write_scope,
)

GRAPH = "https://graph.microsoft.com/v1.0"


def refused(**fields: str) -> ApiRequestError:
    texts = {"url": f"{GRAPH}/me", "scopes": "User.Read", **fields}
    with pytest.raises(ApiRequestError) as caught:
        validate_request(
            texts["url"],
            texts["scopes"],
            GRAPH,
            texts.get("method", "GET"),
            texts.get("headers", ""),
            texts.get("body", ""),
        )
    return caught.value


def test_a_post_with_json_gets_its_content_type_and_keeps_the_headers_in_order() -> None:
    request = validate_request(
        f" {GRAPH}/me/getMemberObjects ",
        "User.Read",
        GRAPH,
        "post",
        "ConsistencyLevel: eventual\n\nPrefer:  return=minimal ",
        '{"securityEnabledOnly": false}',
    )
    assert request.method == "POST" and request.changes_something
    assert request.headers == (
        ("ConsistencyLevel", "eventual"),
        ("Prefer", "return=minimal"),
        ("Content-Type", "application/json"),
    )
    assert request.body == b'{"securityEnabledOnly": false}'
    given_type = validate_request(
        f"{GRAPH}/me", "User.Read", GRAPH, "PATCH", "content-type: text/plain", "not json"
    )
    assert given_type.body == b"not json" and given_type.header("Content-Type") == "text/plain"
    assert [k for k, _ in given_type.headers].count("content-type") == 1
    page = request.with_url(f"{GRAPH}/next")
    assert (page.method, page.body, page.url) == ("GET", None, f"{GRAPH}/next")


@pytest.mark.parametrize(
    ("fields", "field", "start"),
    [
        ({"method": "FETCH"}, "method", "Method: use one of GET, POST, PUT, PATCH, DELETE"),
        ({"headers": "no colon here"}, "headers", "Headers, line 1: write each header as"),
        ({"headers": "\n\nBad Name: 1"}, "headers", "Headers, line 3: a header name is"),
        ({"headers": "X-A: one\x01two"}, "headers", "Headers, line 1: the value has a control"),
        ({"headers": "authorization: Bearer x"}, "headers", "Headers, line 1: leave out"),
        ({"headers": "Host: evil.test"}, "headers", "Headers, line 1: leave out Host; HTTP"),
        ({"method": "GET", "body": "{}"}, "body", "Body: a GET request sends no body"),
        ({"method": "DELETE", "body": "{}"}, "body", "Body: a DELETE request sends no body"),
        ({"method": "POST", "body": '{\n "a": tru\n}'}, "body", "Body: not valid JSON at line 2"),
        ({"method": "POST", "body": "[" * 100_000}, "body", "Body: "),
        ({"url": "http://graph.microsoft.com/v1.0/me"}, "url", "Endpoint URL: an https://"),
        ({"url": "https://evil.test/me"}, "url", "Endpoint URL: a Microsoft Graph token"),
        ({"scopes": "openid User.Read"}, "scopes", "Scopes: leave out openid"),
    ],
)
def test_each_mistake_names_its_field(fields: dict[str, str], field: str, start: str) -> None:
    error = refused(**fields)
    assert error.field == field
    assert error.message.startswith(start), error.message


def test_every_reserved_header_is_refused_in_any_case() -> None:
    for name in RESERVED_HEADERS:
        for spelled in (name, name.upper(), name.title()):
            assert refused(headers=f"{spelled}: x").field == "headers"


def test_a_body_over_graphs_limit_is_refused() -> None:
    big = '"' + "a" * MAX_REQUEST_BODY + '"'
    assert refused(method="POST", body=big).message.startswith("Body: at most 4 MB")


def test_the_write_scope_beside_a_read_one() -> None:
    assert write_scope("api://x/Orders.Read") == "api://x/Orders.ReadWrite"
    assert write_scope("api://x/.default") == ""


@settings(max_examples=300, deadline=None)
@given(
    url=st.text(max_size=80) | st.just(f"{GRAPH}/me"),
    scopes=st.text(max_size=40) | st.just("User.Read"),
    method=st.text(max_size=8) | st.sampled_from(["GET", "post", "Patch"]),
    headers=st.text(max_size=200),
    body=st.text(max_size=200) | st.just('{"a": [1, {"b": null}]}'),
)
def test_any_text_is_a_request_or_a_named_refusal(
    url: str, scopes: str, method: str, headers: str, body: str
) -> None:
    error: ApiRequestError | None = None
    try:
        request = validate_request(url, scopes, GRAPH, method, headers, body)
    except ApiRequestError as exc:
        error = exc
    if error is not None:
        assert error.field in ("url", "scopes", "method", "headers", "body")
        assert error.message
        return
    assert isinstance(request, ApiRequest)
    for name, value in request.headers:  # nothing a header could smuggle a second one with
        assert "\r" not in value and "\n" not in value and ":" not in name
        assert name.lower() not in RESERVED_HEADERS


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=20), st.text(max_size=40)), max_size=8))
def test_header_lines_parse_or_are_refused_by_line(pairs: list[tuple[str, str]]) -> None:
    text = "\n".join(f"{name}: {value}" for name, value in pairs)
    error: ApiRequestError | None = None
    try:
        parsed = parse_headers(text)
    except ApiRequestError as exc:
        error = exc
    if error is not None:
        assert error.field == "headers" and error.message.startswith("Headers")
        return
    assert all(name and name == name.strip() for name, _ in parsed)
