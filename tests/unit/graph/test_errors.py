"""graph/errors.py: Graph's answers (the error envelope, throttling, the claims challenge) become
one LanyardError."""

from __future__ import annotations

import base64
import json

import pytest
import requests

from desktop_app.core.errors import ErrorKind, InteractionReason
from desktop_app.graph.errors import from_graph_response, parse_claims_challenge


def _graph_response(
    status: int, body: object, headers: dict[str, str] | None = None
) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response.headers.update(headers or {})
    return response


GRAPH_BODY = {
    "error": {
        "code": "Authorization_RequestDenied",
        "message": "Insufficient privileges to complete the operation.",
        "innerError": {"date": "2026-11-21T10:00:00", "request-id": "inner-id"},
    }
}


def test_graph_envelope_and_request_id() -> None:
    error = from_graph_response(
        _graph_response(403, GRAPH_BODY, {"request-id": "hdr-id"}), "Loading"
    )
    assert error.kind is ErrorKind.SERVICE
    assert error.details["code"] == "Authorization_RequestDenied"
    assert error.details["request_id"] == "hdr-id"
    assert error.details["date"] == "2026-11-21T10:00:00"
    plain = from_graph_response(_graph_response(403, GRAPH_BODY), "Loading")
    assert plain.details["request_id"] == "inner-id"


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"error": "text"}', b""])
def test_graph_garbage_bodies_still_give_a_message(body: bytes) -> None:
    error = from_graph_response(_graph_response(500, body), "Loading your profile")
    assert error.kind is ErrorKind.SERVICE
    assert "500" in error.message


def test_graph_throttling() -> None:
    error = from_graph_response(_graph_response(429, GRAPH_BODY, {"Retry-After": "30"}), "Loading")
    assert error.details["retry_after"] == "30"


def _challenge(claims: str) -> str:
    encoded = base64.b64encode(claims.encode()).decode()
    return (
        'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/'
        f'authorize", error="insufficient_claims", claims="{encoded}"'
    )


CAE_CLAIMS = '{"access_token":{"nbf":{"essential":true, "value":"1604106651"}}}'


def test_claims_challenge_is_decoded_from_a_401() -> None:
    response = _graph_response(401, GRAPH_BODY, {"WWW-Authenticate": _challenge(CAE_CLAIMS)})
    error = from_graph_response(response, "Loading your profile")
    assert error.kind is ErrorKind.INTERACTION_REQUIRED
    assert error.reason is InteractionReason.CLAIMS
    assert error.claims_challenge == CAE_CLAIMS


@pytest.mark.parametrize(
    "header",
    [
        "",
        'Bearer realm="", error="invalid_token"',
        'Bearer error="insufficient_claims"',
        'Bearer error="insufficient_claims", claims="!!!notbase64"',
        'Bearer error="insufficient_claims", claims="' + base64.b64encode(b"[1]").decode() + '"',
    ],
)
def test_not_a_claims_challenge(header: str) -> None:
    assert parse_claims_challenge(header) is None
    error = from_graph_response(_graph_response(401, {}, {"WWW-Authenticate": header}), "Loading")
    assert error.claims_challenge == ""


def test_claims_challenge_accepts_unpadded_urlsafe_base64() -> None:
    encoded = base64.urlsafe_b64encode(CAE_CLAIMS.encode()).decode().rstrip("=")
    assert (
        parse_claims_challenge(f'Bearer error="insufficient_claims", claims="{encoded}"')
        == CAE_CLAIMS
    )
