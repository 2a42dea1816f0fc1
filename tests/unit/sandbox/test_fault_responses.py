from __future__ import annotations

import json

import pytest

from desktop_app.sandbox.fault_responses import fault_response, malformed
from desktop_app.sandbox.faults import FaultSpec, new_fault
from desktop_app.sandbox.web import Request, json_response

BASE = "https://localhost:4443"


def request(**headers: str) -> Request:
    return Request(
        method="POST",
        path="/x",
        query={},
        form={},
        headers={k.lower(): v for k, v in headers.items()},
        cookies={},
        body=b"",
        secure=True,
        origin=BASE,
    )


@pytest.mark.parametrize(
    ("status", "error", "code"),
    [
        (500, "server_error", 50000),
        (503, "temporarily_unavailable", 90033),
        (502, "server_error", 50000),
        (400, "invalid_request", 9002313),
    ],
)
def test_identity_endpoints_answer_entra_json(status: int, error: str, code: int) -> None:
    response = fault_response(new_fault(FaultSpec("token", status=status)), request(), BASE)
    body = json.loads(response.body)
    assert response.status == status
    assert (body["error"], body["error_codes"]) == (error, [code])
    assert body["error_description"].startswith(f"AADSTS{code}: ")
    assert "Trace ID: " in body["error_description"]
    assert body["trace_id"] == response.header("x-ms-request-id")
    assert response.header("Retry-After") is None


def test_429_is_plain_text_with_retry_after() -> None:
    fault = new_fault(FaultSpec("token", status=429, retry_after=7))
    response = fault_response(fault, request(), BASE)
    assert response.status == 429
    assert response.header("Content-Type") == "text/plain; charset=utf-8"
    assert response.body == b"429 Too Many Requests"
    assert response.header("Retry-After") == "7"
    with pytest.raises(ValueError):
        json.loads(response.body)


def test_429_json_when_asked() -> None:
    response = fault_response(
        new_fault(FaultSpec("token", status=429, body="json")), request(), BASE
    )
    assert json.loads(response.body)["error"] == "temporarily_unavailable"


@pytest.mark.parametrize(
    ("endpoint", "status", "code"),
    [
        ("me", 401, "InvalidAuthenticationToken"),
        ("me", 403, "Authorization_RequestDenied"),
        ("photo", 404, "ImageNotFound"),
        ("me", 404, "Request_ResourceNotFound"),
        ("api", 429, "TooManyRequests"),
        ("me", 500, "InternalServerError"),
        ("me", 503, "ServiceNotAvailable"),
        ("me", 418, "UnknownError"),
    ],
)
def test_graph_endpoints_answer_the_graph_envelope(endpoint: str, status: int, code: str) -> None:
    fault = new_fault(FaultSpec(endpoint, status=status))
    response = fault_response(fault, request(**{"client-request-id": "c-1"}), BASE)
    error = json.loads(response.body)["error"]
    assert response.status == status
    assert error["code"] == code
    assert error["message"]
    assert error["innerError"]["request-id"] == response.header("request-id")
    assert error["innerError"]["client-request-id"] == "c-1"
    assert error["innerError"]["date"]
    challenge = response.header("WWW-Authenticate")
    assert (challenge is not None) == (status == 401)


def test_pages_answer_an_html_error_page() -> None:
    response = fault_response(new_fault(FaultSpec("authorize", status=503)), request(), BASE)
    assert response.status == 503
    assert response.header("Content-Type") == "text/html; charset=utf-8"
    assert b"AADSTS90033" in response.body


def test_text_and_empty_bodies() -> None:
    text = fault_response(new_fault(FaultSpec("me", status=502, body="text")), request(), BASE)
    assert text.body == b"502 Bad Gateway"
    empty = fault_response(new_fault(FaultSpec("token", status=500, body="empty")), request(), BASE)
    assert empty.body == b""


def test_malformed_token_response_is_a_truncated_stand_in() -> None:
    response = malformed(new_fault(FaultSpec("token", body="malformed")), None)
    assert response.status == 200
    text = response.body.decode()
    assert text.startswith('{\n "token_type": "Bearer"')
    with pytest.raises(ValueError):
        json.loads(text)


def test_malformed_real_answer_is_cut_in_half_with_the_given_status() -> None:
    real = json_response(200, {"displayName": "Megan Bowen", "id": "x" * 40})
    whole = len(real.body)
    response = malformed(
        new_fault(FaultSpec("me", body="malformed", status=500, retry_after=2)), real
    )
    assert response.status == 500
    assert len(response.body) == whole // 2
    assert response.header("Retry-After") == "2"
    with pytest.raises(ValueError):
        json.loads(response.body)
