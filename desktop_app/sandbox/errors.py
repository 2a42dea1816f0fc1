"""Error shapes of Entra ID (OAuth 2.0 token endpoint) and Microsoft Graph, exactly as clients see them."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from desktop_app.sandbox.directory import TENANT_NAME
from desktop_app.sandbox.web import Request, Response, json_response

NO_STORE = [("Cache-Control", "no-store"), ("Pragma", "no-cache")]


class AadError(Exception):
    """An Entra protocol error: `error` + AADSTS code, rendered as JSON or sent back via redirect."""

    def __init__(
        self,
        error: str,
        code: int,
        message: str,
        *,
        status: int = 400,
        suberror: str | None = None,
        claims: str | None = None,
    ) -> None:
        super().__init__(f"AADSTS{code}: {message}")
        self.error = error
        self.code = code
        self.message = message
        self.status = status
        self.suberror = suberror
        self.claims = claims


def missing_parameter(name: str) -> AadError:
    return AadError(
        "invalid_request",
        900144,
        f"The request body must contain the following parameter: '{name}'.",
    )


def unknown_client(client_id: str) -> AadError:
    return AadError(
        "unauthorized_client",
        700016,
        f"Application with identifier '{client_id}' was not found in the directory "
        f"'{TENANT_NAME}'. This can happen if the application has not been installed by the "
        "administrator of the tenant or consented to by any user in the tenant. You may have sent "
        "your authentication request to the wrong tenant.",
    )


def timestamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")


@dataclass(frozen=True)
class Trace:
    """Ids support asks for; Entra echoes the client's `client-request-id` as the correlation id."""

    trace_id: str
    correlation_id: str
    timestamp: str

    @classmethod
    def new(cls, client_request_id: str | None) -> Trace:
        try:
            correlation = str(uuid.UUID(client_request_id or ""))
        except ValueError:
            correlation = str(uuid.uuid4())
        return cls(str(uuid.uuid4()), correlation, timestamp())


def describe(err: AadError, trace: Trace) -> str:
    return (
        f"AADSTS{err.code}: {err.message}\r\nTrace ID: {trace.trace_id}\r\n"
        f"Correlation ID: {trace.correlation_id}\r\nTimestamp: {trace.timestamp}"
    )


def token_error_body(err: AadError, trace: Trace, base_url: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "error": err.error,
        "error_description": describe(err, trace),
        "error_codes": [err.code],
        "timestamp": trace.timestamp,
        "trace_id": trace.trace_id,
        "correlation_id": trace.correlation_id,
        "error_uri": f"{base_url}/error?code={err.code}",
    }
    if err.suberror:
        body["suberror"] = err.suberror
    if err.claims:
        body["claims"] = err.claims
    return body


def aad_json_error(err: AadError, req: Request, base_url: str) -> Response:
    """The token endpoint's error response: JSON body, no-store, request and correlation ids."""
    trace = Trace.new(req.header("client-request-id"))
    body = token_error_body(err, trace, base_url)
    headers = [*NO_STORE, ("x-ms-request-id", trace.trace_id)]
    if req.header("client-request-id"):
        headers.append(("client-request-id", trace.correlation_id))
    return json_response(err.status, body, headers)


def graph_error_body(
    code: str,
    message: str,
    request_id: str,
    client_request_id: str | None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Graph's error object: code, message and an innerError with the request's date, its
    request-id and the caller's client-request-id (learn.microsoft.com/graph/errors)."""
    when = now or dt.datetime.now(dt.UTC)
    return {
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": when.strftime("%Y-%m-%dT%H:%M:%S"),
                "request-id": request_id,
                "client-request-id": client_request_id or request_id,
            },
        }
    }


def graph_headers(
    req: Request, request_id: str, now: dt.datetime | None = None
) -> list[tuple[str, str]]:
    """What every Graph answer carries: its request-id, the caller's client-request-id echoed
    (a new one when none was sent), and the Date its innerError repeats: the error resource's
    innerError holds "request-id", "client-request-id" and "date" (learn.microsoft.com/graph/
    errors#error-resource-type)."""
    when = now or dt.datetime.now(dt.UTC)
    return [
        ("request-id", request_id),
        ("client-request-id", req.header("client-request-id") or request_id),
        ("Date", when.strftime("%a, %d %b %Y %H:%M:%S GMT")),
    ]
