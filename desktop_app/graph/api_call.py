"""Call an API: the request a person asks for, checked; the answer as a value the window shows.

No Qt and no msal: the access token comes from the caller (who got it on the auth thread), and the
call runs on the network pool with the session's timeouts. Two rules about the token:

- it goes only to the origin (scheme, host, port) that was asked for: redirects are followed here,
  one hop at a time, and the Authorization header is left off any hop to another origin (and a
  redirect to plain http is not followed at all);
- a Microsoft Graph token is sent only to the configured Graph host (``validate_request``), so a
  mistyped or pasted URL cannot carry it elsewhere;
- it is never part of what is shown: an API that echoes request headers gets the token replaced
  in the text before anything reads it.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from desktop_app.core.errors import LanyardError
from desktop_app.core.i18n import N_, _, number
from desktop_app.core.scopes import Scopes

# the request side lives in api_request.py; its names are re-exported for the callers of old
from desktop_app.graph.api_request import (
    GRAPH_HOSTS,
    ApiRequest,
    ApiRequestError,
    scope_resource,
    validate_request,
    write_scope,
)
from desktop_app.graph.json_tree import JsonValue

if TYPE_CHECKING:
    # requests (and failures, which uses it) load with the first call, on the network pool:
    # the window's first paint does not wait for them (tests/unit/test_import_weight.py)
    import requests

__all__ = [
    "GRAPH_HOSTS",
    "ApiCaller",
    "ApiFailure",
    "ApiPreset",
    "ApiRequest",
    "ApiRequestError",
    "ApiResponse",
    "build_response",
    "scope_resource",
    "validate_request",
]

MAX_BODY_BYTES = 2 * 1024 * 1024  # more is cut off (and not parsed): this is a viewer
MAX_REDIRECTS = 5
TOKEN_PLACEHOLDER = "[access token removed]"  # noqa: S105 - what replaces it
ACTION = N_("Calling the API")
# every response header is shown but these: a cookie the API sets is a secret of its own
HIDDEN_HEADERS = frozenset({"set-cookie", "set-cookie2"})
_BINARY_TYPES = ("image/", "audio/", "video/", "application/octet-stream", "application/pdf")


def origin_of(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port; a URL that does not parse (an unmatched bracket, a port that is
    not a number: urlsplit and .port raise ValueError) is an origin of its own, matching none."""
    try:
        parts = urlsplit(url)
        port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    except ValueError:
        return ("", url, -1)
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def _join(url: str, location: str) -> str:
    """Where a redirect leads; "" for a Location that is not a URL (it is shown, not followed)."""
    try:
        target = urljoin(url, location)
        _ = urlsplit(target).port
    except ValueError:
        return ""
    return target


@dataclass(frozen=True)
class ApiFailure:
    """A call that got no answer from the API: the request was wrong, no token could be had, or
    the API could not be reached."""

    error: LanyardError
    request: ApiRequest | None = None
    field: str = ""  # a request that could not be sent: which field is wrong ("url", "scopes")
    # only a person can continue (consent, MFA...): offer a sign-in for just these scopes
    can_grant: bool = False
    # a later page failed: the pages read so far stay on screen, the problem beside them
    keeps_answer: bool = False


@dataclass(frozen=True)
class ApiResponse:
    """What the API answered (any status): shown as a status line, headers and the body."""

    request: ApiRequest
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    elapsed_ms: float
    size: int  # bytes received (at most MAX_BODY_BYTES + 1 when truncated)
    truncated: bool
    text: str  # the body as text, or a note for a binary body
    document: JsonValue = field(repr=False)  # parsed JSON; None when not JSON (see is_json)
    is_json: bool
    final_url: str
    problem: LanyardError | None = None  # for a status >= 400: the error worded for people
    # a binary body (an image, a PDF...): its bytes, shown as an image or saved, never as text
    binary: bytes = field(default=b"", repr=False)
    is_binary: bool = False

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def header(self, name: str) -> str:
        wanted = name.lower()
        return next((value for key, value in self.headers if key == wanted), "")

    @property
    def content_type(self) -> str:
        return self.header("content-type")

    @property
    def request_id(self) -> str:
        return self.header("request-id") or self.header("x-ms-request-id")

    def status_line(self) -> str:
        """E.g. "200 OK · 84 ms · 1.2 KB · request-id 5f0c…"."""
        parts = [
            f"{self.status} {self.reason}".strip(),
            _("{elapsed_ms} ms").format(elapsed_ms=number(self.elapsed_ms)),
        ]
        size = format_size(self.size)
        parts.append(f"more than {format_size(MAX_BODY_BYTES)}" if self.truncated else size)
        if self.request_id:
            parts.append(f"request-id {self.request_id}")
        return " · ".join(parts)


def format_size(size: int) -> str:
    if size < 1024:
        return _("{size} B").format(size=size)
    if size < 1024 * 1024:
        return _("{value:.1f} KB").format(value=size / 1024)
    return _("{value:.1f} MB").format(value=size / (1024 * 1024))


def _read_capped(response: requests.Response, limit: int) -> tuple[bytes, bool]:
    """At most ``limit`` + 1 bytes of the body, against the session's whole-response deadline
    (core/net.py: a body that trickles in is given up on, not waited for)."""
    from desktop_app.core.net import read_body

    return read_body(response, limit)


def _looks_binary(content_type: str, body: bytes) -> bool:
    return content_type.lower().startswith(_BINARY_TYPES) or b"\x00" in body[:4096]


def _scrub(text: str, token: str) -> str:
    return text.replace(token, TOKEN_PLACEHOLDER) if token else text


def build_response(
    request: ApiRequest,
    *,
    status: int,
    reason: str,
    headers: Mapping[str, str],
    body: bytes,
    truncated: bool,
    elapsed_ms: float,
    final_url: str,
    encoding: str | None = None,
    token: str = "",
    service: str = "",
) -> ApiResponse:
    """The value the window shows, from what came over the wire. ``token`` is removed from every
    text shown (an API may echo the request's headers back)."""
    kept = tuple(
        (key.lower(), _scrub(str(value), token))
        for key, value in headers.items()
        if key.lower() not in HIDDEN_HEADERS
    )
    content_type = next((v for k, v in kept if k == "content-type"), "")
    document: JsonValue = None
    is_json = False
    is_binary = _looks_binary(content_type, body)
    if is_binary:
        text = _("[{size} of {kind}, not shown as text]").format(
            size=format_size(len(body)), kind=content_type or _("binary data")
        )
    else:
        text = _scrub(body.decode(encoding or "utf-8", errors="replace"), token)
        looks_json = "json" in content_type.lower() or text.lstrip()[:1] in ("{", "[")
        if looks_json and not truncated and text.strip():
            try:
                document = json.loads(text)
                is_json = True
            except ValueError:
                document = None
    problem = None
    if status >= 400:
        from desktop_app.graph.errors import graph_error

        problem = graph_error(
            status,
            dict(kept),
            document if is_json else None,
            _(ACTION),
            service or request.host,
        )
        if status == 429 or status >= 500:
            # nothing retries a call made by hand: say what the person can do
            wait = next((v for k, v in kept if k == "retry-after"), "")
            problem = replace(
                problem,
                recommendation=f"Wait {wait} s and call it again."
                if wait.isdigit()
                else "Wait a little and call it again.",
            )
    return ApiResponse(
        request=request,
        status=status,
        reason=reason,
        headers=kept,
        elapsed_ms=elapsed_ms,
        size=len(body),
        truncated=truncated,
        text=text,
        document=document,
        is_json=is_json,
        final_url=final_url,
        problem=problem,
        binary=body if is_binary else b"",
        is_binary=is_binary,
    )


# a redirect that turns the request into a GET without its body (RFC 9110 15.4; 301 and 302
# for a POST, as every browser and requests do); 307 and 308 repeat the method and body
_BECOMES_GET = {303: frozenset(("POST", "PUT", "PATCH", "DELETE")), 301: {"POST"}, 302: {"POST"}}


def _next_hop(request: ApiRequest, status: int, method: str) -> tuple[str, bytes | None]:
    if method in _BECOMES_GET.get(status, ()):
        return "GET", None
    return method, request.body if method == request.method else None


class ApiCaller:
    """Send a request with a bearer token, on the network pool (a blocking call)."""

    def __init__(self, session: requests.Session, max_body: int = MAX_BODY_BYTES) -> None:
        self._session = session
        self._max_body = max_body

    def reading_at_most(self, max_body: int) -> ApiCaller:
        """The same caller keeping up to ``max_body`` bytes of a body (``lanyard api`` saves a
        whole photo or export; the window's viewer keeps MAX_BODY_BYTES)."""
        return ApiCaller(self._session, max_body)

    @property
    def max_body(self) -> int:
        return self._max_body

    def call(self, request: ApiRequest, token: str, service: str = "") -> ApiResponse:
        import requests

        from desktop_app.graph.errors import from_exception

        origin = origin_of(request.url)
        url, method, body = request.url, request.method, request.body
        started = time.monotonic()
        for hop in range(MAX_REDIRECTS + 1):
            headers = requests.structures.CaseInsensitiveDict({"Accept": "application/json"})
            headers.update(request.headers)  # checked: never Authorization, Host or a length
            if body is None:
                headers.pop("Content-Type", None)
            same_origin = origin_of(url) == origin
            if same_origin:  # never to another host, port or scheme
                headers["Authorization"] = f"Bearer {token}"
            try:
                response = self._session.request(
                    method, url, headers=headers, data=body, allow_redirects=False, stream=True
                )
            except requests.RequestException as exc:
                raise from_exception(exc, _(ACTION), service or request.host) from None
            with response:
                location = response.headers.get("Location", "")
                if response.is_redirect and location and hop < MAX_REDIRECTS:
                    target = _join(url, location)
                    next_method, next_body = _next_hop(request, response.status_code, method)
                    # a change (POST, PATCH...) is repeated only where it was sent: its body does
                    # not go to another origin; an http:// redirect is shown, not followed
                    follow = next_method == "GET" or origin_of(target) == origin
                    if target and urlsplit(target).scheme.lower() == "https" and follow:
                        url, method, body = target, next_method, next_body
                        continue
                try:
                    received, truncated = _read_capped(response, self._max_body)
                except requests.RequestException as exc:
                    raise from_exception(exc, _(ACTION), service or request.host) from None
                return build_response(
                    request,
                    status=response.status_code,
                    reason=response.reason or "",
                    headers=response.headers,
                    body=received,
                    truncated=truncated,
                    elapsed_ms=(time.monotonic() - started) * 1000,
                    final_url=url,
                    encoding=response.encoding,
                    token=token,
                    service=service,
                )
        raise AssertionError("unreachable: the last hop always returns")  # pragma: no cover


@dataclass(frozen=True)
class ApiPreset:
    name: str
    url: str
    scopes: Scopes
    method: str = "GET"
    body: str = ""


MEMBER_OBJECTS_BODY = '{\n  "securityEnabledOnly": false\n}'
NEW_ORDER_BODY = '{\n  "item": "Lanyard lanyards",\n  "quantity": 25\n}'


def presets(
    graph_endpoint: str,
    scopes: Scopes,
    api_endpoint: str | None = None,
    api_scope: str | None = None,
) -> list[ApiPreset]:
    """The samples offered in the console: Graph's, and the sandbox's second API when there.
    Each with the least privileged permission Microsoft documents for it (User.Read, which
    covers /me, its groups, manager and photo, and the organization's basic properties)."""
    graph = graph_endpoint.rstrip("/")
    found = [
        ApiPreset(_("Microsoft Graph: my profile (/me)"), f"{graph}/me", scopes),
        ApiPreset(
            _("Microsoft Graph: my groups and roles (/me/memberOf)"), f"{graph}/me/memberOf", scopes
        ),
        ApiPreset(
            _("Microsoft Graph: all my group IDs (POST /me/getMemberObjects)"),
            f"{graph}/me/getMemberObjects",
            scopes,
            "POST",
            MEMBER_OBJECTS_BODY,
        ),
        ApiPreset(
            _("Microsoft Graph: my organization (/organization)"), f"{graph}/organization", scopes
        ),
        ApiPreset(_("Microsoft Graph: my manager (/me/manager)"), f"{graph}/me/manager", scopes),
        ApiPreset(
            _("Microsoft Graph: my photo (/me/photo/$value)"), f"{graph}/me/photo/$value", scopes
        ),
    ]
    if api_endpoint and api_scope:
        orders = f"{api_endpoint.rstrip('/')}/orders"
        found.append(ApiPreset(_("Orders API (sandbox): my orders"), orders, (api_scope,)))
        writing = write_scope(api_scope)
        if writing:
            found.append(
                ApiPreset(
                    _("Orders API (sandbox): place an order (POST)"),
                    orders,
                    (writing,),
                    "POST",
                    NEW_ORDER_BODY,
                )
            )
    return found


def to_template(url: str, bases: Mapping[str, str]) -> str:
    """A URL to remember, with a known base written as {name}: the sandbox's port changes every
    run, so "{graph}/me" is remembered rather than https://localhost:41234/v1.0/me."""
    for name, base in bases.items():
        base = base.rstrip("/")
        if base and (url == base or url.startswith(base + "/") or url.startswith(base + "?")):
            return "{" + name + "}" + url[len(base) :]
    return url


def from_template(text: str, bases: Mapping[str, str]) -> str | None:
    """The URL a remembered template stands for now; None when its base is not known now."""
    match = re.match(r"^\{(\w+)\}", text)
    if match is None:
        return text
    base = bases.get(match.group(1))
    return base.rstrip("/") + text[match.end() :] if base else None
