"""Graph's failures as LanyardErrors: its error envelope, its headers, its claims challenges."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping

import requests

from desktop_app.core.errors import (
    ErrorKind,
    InteractionReason,
    LanyardError,
    interaction_needed,
    support_details,
)
from desktop_app.core.http_errors import from_exception
from desktop_app.core.i18n import _

__all__ = ["from_exception", "from_graph_response", "graph_error", "parse_claims_challenge"]

_CHALLENGE_PARAM = re.compile(r'(\w+)="([^"]*)"')


def parse_claims_challenge(header: str) -> str | None:
    """The claims JSON of a `WWW-Authenticate: Bearer ... error="insufficient_claims",
    claims="<base64>"` challenge, decoded; None when the header is not such a challenge."""
    params = {key.lower(): value for key, value in _CHALLENGE_PARAM.findall(header or "")}
    if params.get("error") != "insufficient_claims" or not params.get("claims"):
        return None
    encoded = params["claims"]
    try:
        decoded = base64.b64decode(encoded + "=" * (-len(encoded) % 4), altchars=b"-_")
        text = decoded.decode("utf-8")
        if not isinstance(json.loads(text), dict):
            return None
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return text


def _header(headers: Mapping[str, str], name: str) -> str:
    """A header by name, whatever its case (requests' headers ignore case; a plain dict not)."""
    wanted = name.lower()
    return next((str(v) for k, v in headers.items() if k.lower() == wanted), "")


def from_graph_response(
    response: requests.Response, action: str, service: str = "Microsoft Graph"
) -> LanyardError:
    try:
        body = response.json()
    except ValueError:
        body = None
    return graph_error(response.status_code, response.headers, body, action, service)


def graph_error(
    status: int,
    headers: Mapping[str, str],
    body: object,
    action: str,
    service: str = "Microsoft Graph",
) -> LanyardError:
    """An error answer in Graph's shape (``{"error": {"code", "message", "innerError"}}``),
    from Graph or another API that answers the same way; ``body`` is the parsed JSON or None."""
    code = message = inner_request_id = date = ""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        code = str(error.get("code") or "")
        message = str(error.get("message") or "")[:300]
        inner = error.get("innerError")
        if isinstance(inner, dict):
            inner_request_id = str(inner.get("request-id") or "")
            date = str(inner.get("date") or "")
    details = support_details(
        status=str(status),
        code=code,
        request_id=_header(headers, "request-id") or inner_request_id,
        date=date,
    )
    if status == 401:
        claims = parse_claims_challenge(_header(headers, "WWW-Authenticate"))
        if claims is not None:
            return interaction_needed(InteractionReason.CLAIMS, claims, details)
        return LanyardError(
            _("{action} failed: {service} did not accept your sign-in.").format(
                action=action, service=service
            ),
            _("Refresh, or sign in again if it keeps happening."),
            ErrorKind.INTERACTION_REQUIRED,
            details,
            reason=InteractionReason.EXPIRED,
        )
    if status == 403:
        return LanyardError(
            _("{action} failed: you do not have permission ({value}).").format(
                action=action, value=code or "Forbidden"
            ),
            _("Ask your administrator to grant Lanyard the needed permission."),
            ErrorKind.SERVICE,
            details,
        )
    if status == 429:
        details["retry_after"] = _header(headers, "Retry-After")
        return LanyardError(
            _("{action} failed: {service} is throttling requests.").format(
                action=action, service=service
            ),
            _("Lanyard waits as asked and tries again."),
            ErrorKind.SERVICE,
            {k: v for k, v in details.items() if v},
        )
    if status >= 500:
        return LanyardError(
            _("{action} failed: {service} is having problems (HTTP {status}).").format(
                action=action, service=service, status=status
            ),
            _("Lanyard tries again shortly."),
            ErrorKind.SERVICE,
            details,
        )
    return LanyardError(
        _("{action} failed: {value}").format(
            action=action, value=message or f"{service} answered {status}"
        ),
        _("Try again. If it keeps failing, copy the details for your administrator."),
        ErrorKind.SERVICE,
        details,
    )


def unreadable_graph_answer(action: str, status: int) -> LanyardError:
    return LanyardError(
        _("{action} failed: Microsoft Graph sent an answer Lanyard could not read.").format(
            action=action
        ),
        _("Lanyard tries again shortly."),
        ErrorKind.SERVICE,
        support_details(status=str(status)),
    )
