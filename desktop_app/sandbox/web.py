"""Plain request/response values, so the protocol code never touches sockets (and tests need none)."""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

# Pages must not leak the authorization code through Referer, nor be framed (clickjacking).
_PAGE_HEADERS = (
    ("Cache-Control", "no-store"),
    ("Pragma", "no-cache"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
)


@dataclass
class Request:
    method: str
    path: str  # percent-decoded, without the query
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    cookies: dict[str, str]
    body: bytes
    secure: bool  # arrived over HTTPS
    origin: str  # scheme://host:port the client used to reach this listener
    # the client's port: the request log tells a request that came through a (test) proxy
    # from one that came direct
    peer_port: int = 0

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def param(self, name: str) -> str | None:
        """A parameter from the query or, for form posts, from the body (query wins, as in Entra)."""
        value = self.query.get(name)
        return value if value is not None else self.form.get(name)

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    # What the request log records about it (never secrets).
    kind: str = "page"
    grant_type: str | None = None
    log: dict[str, Any] = field(default_factory=dict)
    # Injected faults the socket layer acts out instead of writing a response:
    # "hang" (answer nothing until `release` is set, then close) or "reset" (close with RST).
    action: str | None = None
    release: threading.Event | None = None
    slow_body_s: float = 0.0  # seconds over which the body is sent in eight pieces
    # a trickle fault: the body is written one byte every trickle_s seconds, until `release`
    trickle_s: float = 0.0

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


def json_response(
    status: int, payload: Any, headers: list[tuple[str, str]] | None = None
) -> Response:
    try:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (hostile test data): send it as \ud800
        body = json.dumps(payload).encode("ascii")
    return Response(
        status,
        body,
        [("Content-Type", "application/json; charset=utf-8"), *(headers or [])],
    )


def html_response(
    status: int, html: str, headers: list[tuple[str, str]] | None = None, script_nonce: str = ""
) -> Response:
    script = f"'nonce-{script_nonce}'" if script_nonce else "'none'"
    csp = f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src {script}"
    return Response(
        status,
        html.encode("utf-8"),
        [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Security-Policy", csp),
            *_PAGE_HEADERS,
            *(headers or []),
        ],
    )


def redirect(location: str, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(302, b"", [("Location", location), *_PAGE_HEADERS, *(headers or [])])


def with_params(url: str, params: dict[str, str], fragment: bool = False) -> str:
    if fragment:
        return f"{url}#{urlencode(params)}"
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}{urlencode(params)}"


def new_nonce() -> str:
    return secrets.token_urlsafe(16)
