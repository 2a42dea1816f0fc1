"""What a client receives when a fault answers in place of the endpoint.

Error bodies take the endpoint's own shape: Entra's JSON (`error`, AADSTS code, trace ids) for the
identity endpoints, an HTML error page for the browser pages, Graph's error envelope with a
`request-id` header for Graph and the second API. An identity endpoint's 429 answers in plain
text unless told otherwise (SANDBOX.md: msal cannot parse it); Graph's 429 is its JSON
`TooManyRequests`. "malformed" is a 200 (or
the given status) whose JSON body is cut off halfway.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from desktop_app.sandbox import pages
from desktop_app.sandbox.errors import (
    NO_STORE,
    AadError,
    Trace,
    describe,
    graph_error_body,
    graph_headers,
    token_error_body,
)
from desktop_app.sandbox.faults import GRAPH, IDENTITY_JSON, PAGES, Fault
from desktop_app.sandbox.web import Request, Response, html_response, json_response

_AAD_ERRORS: dict[int, tuple[str, int, str]] = {
    400: ("invalid_request", 9002313, "Invalid request. Request is malformed or invalid."),
    429: ("temporarily_unavailable", 90033, "A transient error has occurred. Please try again."),
    500: (
        "server_error",
        50000,
        "There was an error issuing a token or an issue with our sign-in service.",
    ),
    503: ("temporarily_unavailable", 90033, "A transient error has occurred. Please try again."),
}
_GRAPH_ERRORS: dict[int, tuple[str, str]] = {
    400: ("BadRequest", "Invalid request."),
    401: ("InvalidAuthenticationToken", "Access token validation failure."),
    403: ("Authorization_RequestDenied", "Insufficient privileges to complete the operation."),
    404: ("Request_ResourceNotFound", "Resource could not be discovered."),
    429: ("TooManyRequests", "Too many requests, please retry after some time."),
    500: ("InternalServerError", "An internal server error occurred."),
    502: ("BadGateway", "The server received an invalid response from the upstream server."),
    503: ("ServiceNotAvailable", "The service is temporarily unavailable. Try again later."),
    504: ("GatewayTimeout", "The gateway did not receive a timely response."),
}
_PHOTO_NOT_FOUND = (
    "ImageNotFound",
    "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.",
)
# Stand-ins for responses that would carry secrets: shaped like the real thing, no real values.
_SYNTHETIC = {
    "token": {
        "token_type": "Bearer",
        "scope": "User.Read openid profile email offline_access",
        "expires_in": 3599,
        "ext_expires_in": 3599,
        "access_token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.fault-injected-not-a-token",
    },
    "devicecode": {
        "user_code": "FAULTCODE",
        "device_code": "fault-injected-not-a-device-code",
        "verification_uri": "https://localhost/devicelogin",
        "expires_in": 900,
        "interval": 5,
    },
}


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def truncated(body: bytes) -> bytes:
    """The first half of a body (at least one byte short of complete JSON)."""
    return body[: max(1, len(body) // 2)]


def malformed(fault: Fault, real: Response | None) -> Response:
    """A body cut off halfway: the real answer's, or a secret-free stand-in for token endpoints."""
    if real is None:
        sample = _SYNTHETIC.get(fault.endpoint, {"error": "fault"})
        text = json.dumps(sample, indent=1).encode()
        response = Response(
            fault.status or 200,
            truncated(text),
            [("Content-Type", "application/json; charset=utf-8"), *NO_STORE],
        )
    else:
        response = real
        response.body = truncated(real.body)
        if fault.status is not None:
            response.status = fault.status
    _retry_after(fault, response)
    return response


def fault_response(fault: Fault, req: Request, base_url: str) -> Response:
    """The answer of a status fault (hang and reset are acted out by the socket layer)."""
    status = fault.status if fault.status is not None else 200
    throttled_text = status == 429 and fault.endpoint not in GRAPH  # Graph's 429 is JSON
    body = fault.body or ("text" if throttled_text else "json")
    if body == "empty":
        response = Response(status, b"", [("Content-Type", "application/json; charset=utf-8")])
    elif body == "text":
        text = f"{status} {_reason(status)}".encode()
        response = Response(status, text, [("Content-Type", "text/plain; charset=utf-8")])
    elif fault.endpoint in GRAPH:
        response = _graph_error(fault, status, req, base_url)
    elif fault.endpoint in PAGES and fault.body is None:
        response = _page_error(status, req)
    else:
        assert fault.endpoint in IDENTITY_JSON or fault.endpoint in PAGES
        response = _aad_error(status, req, base_url, fault.message)
    _retry_after(fault, response)
    return response


def _retry_after(fault: Fault, response: Response) -> None:
    if fault.retry_after is not None:
        response.headers.append(("Retry-After", str(fault.retry_after)))


def _aad_failure(status: int) -> AadError:
    default = _AAD_ERRORS[500] if status >= 500 else _AAD_ERRORS[400]
    error, code, message = _AAD_ERRORS.get(status, default)
    return AadError(error, code, message, status=status)


def _aad_error(status: int, req: Request, base_url: str, message: str | None) -> Response:
    trace = Trace.new(req.header("client-request-id"))
    failure = _aad_failure(status)
    if message is not None:
        failure = AadError(failure.error, failure.code, message, status=status)
    body = token_error_body(failure, trace, base_url)
    return json_response(status, body, [*NO_STORE, ("x-ms-request-id", trace.trace_id)])


def _page_error(status: int, req: Request) -> Response:
    trace = Trace.new(req.header("client-request-id"))
    html = pages.error(
        headline="Sorry, but we're having trouble signing you in.",
        description=describe(_aad_failure(status), trace).split("\r\n")[0],
        details=[
            ("Request Id", trace.trace_id),
            ("Correlation Id", trace.correlation_id),
            ("Timestamp", trace.timestamp),
        ],
    )
    return html_response(status, html)


def _graph_error(fault: Fault, status: int, req: Request, base_url: str) -> Response:
    request_id = str(uuid.uuid4())
    if fault.endpoint == "photo" and status == 404:
        code, message = _PHOTO_NOT_FOUND
    else:
        default = ("UnknownError", _reason(status))
        code, message = _GRAPH_ERRORS.get(status, default)
    message = fault.message if fault.message is not None else message
    now = dt.datetime.now(dt.UTC)
    body = graph_error_body(code, message, request_id, req.header("client-request-id"), now)
    headers = graph_headers(req, request_id, now)
    if status == 401:
        authorize = f"{base_url}/common/oauth2/v2.0/authorize"
        headers.append(
            (
                "WWW-Authenticate",
                f'Bearer realm="", authorization_uri="{authorize}", error="invalid_token"',
            )
        )
    return json_response(status, body, headers)


Resign = Callable[[str, Callable[[dict[str, Any]], dict[str, Any]]], str]
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_CASES: dict[str, Callable[[str], str]] = {
    "upper": str.upper,
    "lower": str.lower,
    "swap": str.swapcase,
}


def rewritten(payload: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    """``payload`` (a JSON answer or an ID token's claims) as ``answer`` says: top-level numbers
    as strings, one-item lists as their item, GUIDs and the scope in another case, fields set."""
    out = dict(payload)
    for key, value in payload.items():
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if answer.get("numbers_as_strings") and number:
            out[key] = str(value)
        if answer.get("singletons") and isinstance(value, list) and len(value) == 1:
            out[key] = value[0]
        guid_case = answer.get("guid_case")
        if guid_case and isinstance(value, str) and _GUID.match(value):
            out[key] = _CASES[guid_case](value)
    case = answer.get("scope_case")
    if case is not None and isinstance(out.get("scope"), str):
        out["scope"] = _CASES[case](out["scope"])
    out.update(answer.get("set") or {})
    return out


def unusual(fault: Fault, real: Response, resign: Resign | None = None) -> Response:
    """The real successful JSON answer rewritten as fault.answer says (legal but unusual:
    numbers as strings, singletons, cases, fields replaced or added, an ID token whose claims
    take such shapes, signed again); other answers unchanged."""
    answer = fault.answer or {}
    if real.status != 200 or "json" not in (real.header("Content-Type") or ""):
        return real
    try:
        payload = json.loads(real.body)
    except ValueError:
        return real
    if not isinstance(payload, dict):
        return real
    payload = rewritten(payload, {k: v for k, v in answer.items() if k != "id_token"})
    claims_answer = answer.get("id_token")
    if claims_answer and resign is not None and isinstance(payload.get("id_token"), str):
        payload["id_token"] = resign(payload["id_token"], lambda c: rewritten(c, claims_answer))
    response = json_response(
        200,
        payload,
        [h for h in real.headers if h[0].lower() not in ("content-length", "content-type")],
    )
    response.kind, response.grant_type, response.log = real.kind, real.grant_type, real.log
    return response
