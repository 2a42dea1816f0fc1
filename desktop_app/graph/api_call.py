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

from desktop_app.core.config import CLOUDS
from desktop_app.core.errors import LanyardError
from desktop_app.core.scopes import RESERVED_SCOPES, Scopes, parse_scopes
from desktop_app.graph.json_tree import JsonValue

if TYPE_CHECKING:
    # requests (and failures, which uses it) load with the first call, on the network pool:
    # the window's first paint does not wait for them (tests/unit/test_import_weight.py)
    import requests

MAX_BODY_BYTES = 2 * 1024 * 1024  # more is cut off (and not parsed): this is a viewer
MAX_REDIRECTS = 5
TOKEN_PLACEHOLDER = "[access token removed]"  # noqa: S105 - what replaces it
ACTION = "Calling the API"
# the response headers worth showing (never Set-Cookie and the like)
SHOWN_HEADERS = (
    "content-type",
    "content-length",
    "request-id",
    "client-request-id",
    "x-ms-request-id",
    "x-ms-ags-diagnostic",
    "date",
    "etag",
    "location",
    "retry-after",
    "www-authenticate",
)
_BINARY_TYPES = ("image/", "audio/", "video/", "application/octet-stream", "application/pdf")
GRAPH_HOSTS = frozenset(urlsplit(cloud.graph_endpoint).hostname or "" for cloud in CLOUDS.values())


class ApiRequestError(ValueError):
    """A request that cannot be sent; ``field`` names the bad one ("url" or "scopes")."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ApiRequest:
    url: str
    scopes: Scopes

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc.lower()


def _origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port; a URL that does not parse (an unmatched bracket, a port that is
    not a number: urlsplit and .port raise ValueError) is an origin of its own, matching none."""
    try:
        parts = urlsplit(url)
        port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    except ValueError:
        return ("", url, -1)
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def _host(url: str) -> str:
    """The host of ``url`` in lower case; "" when it has none or does not parse."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:  # an unmatched [ or ]
        return ""


def _netloc(url: str) -> str:
    try:
        return (urlsplit(url).netloc or "").lower()
    except ValueError:
        return ""


def _join(url: str, location: str) -> str:
    """Where a redirect leads; "" for a Location that is not a URL (it is shown, not followed)."""
    try:
        target = urljoin(url, location)
        _ = urlsplit(target).port
    except ValueError:
        return ""
    return target


def scope_resource(scope: str, graph_endpoint: str) -> str:
    """Which API a scope is for: "graph" (a bare name like User.Read, or a Graph resource URL),
    else the resource part of the scope (``api://…``, ``https://host``, an app id)."""
    if "/" not in scope:
        return "graph"
    resource = scope.rsplit("/", 1)[0]
    host, graph_host = _host(resource), _host(graph_endpoint)
    if resource.lower().startswith("https://") and host in GRAPH_HOSTS | {graph_host}:
        return "graph"
    return resource


def validate_request(url_text: str, scopes_text: str, graph_endpoint: str) -> ApiRequest:
    """The request, or ApiRequestError naming the field that is wrong and how."""
    url = url_text.strip()
    if not url:
        raise ApiRequestError("url", "Endpoint URL: enter the address of the API to call.")
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises for a port that is not a number
    except ValueError:
        raise ApiRequestError(
            "url",
            "Endpoint URL: this is not a valid address (an unmatched [ or ], or a port that is "
            "not a number).",
        ) from None
    if parts.scheme.lower() != "https" or not parts.hostname:
        raise ApiRequestError(
            "url",
            "Endpoint URL: an https:// address is required (the token is never sent "
            "over plain http).",
        )
    if any(c.isspace() for c in url):
        raise ApiRequestError("url", "Endpoint URL: remove the spaces from the address.")
    if parts.username or parts.password:
        raise ApiRequestError("url", "Endpoint URL: leave the user name and password out.")
    scopes = parse_scopes(scopes_text)
    if not scopes:
        raise ApiRequestError(
            "scopes", "Scopes: name at least one permission the API needs, e.g. User.Read."
        )
    reserved = sorted(RESERVED_SCOPES.intersection(s.lower() for s in scopes))
    if reserved:
        raise ApiRequestError(
            "scopes",
            f"Scopes: leave out {', '.join(reserved)}; Lanyard always asks for them itself.",
        )
    resources = {scope_resource(s, graph_endpoint) for s in scopes}
    for resource in resources:
        if resource.lower().startswith("https://") and not _host(resource):
            raise ApiRequestError(
                "scopes", f"Scopes: {resource} is not a valid address (an unmatched [ or ]?)."
            )
    if len(resources) > 1:
        raise ApiRequestError(
            "scopes",
            "Scopes: a token is for one API; ask for one API's permissions at a time.",
        )
    (resource,) = resources
    if resource == "graph":
        expected = _netloc(graph_endpoint)
        if parts.netloc.lower() != expected:
            raise ApiRequestError(
                "url",
                f"Endpoint URL: a Microsoft Graph token ({' '.join(scopes)}) is only sent to "
                f"{expected}; use that host, or the scopes of the API you want to call.",
            )
    elif resource.lower().startswith("https://"):
        expected = _netloc(resource)
        if parts.netloc.lower() != expected:
            raise ApiRequestError(
                "url",
                f"Endpoint URL: a token for {resource} is only sent to {expected}.",
            )
    return ApiRequest(url, scopes)


@dataclass(frozen=True)
class ApiFailure:
    """A call that got no answer from the API: the request was wrong, no token could be had, or
    the API could not be reached."""

    error: LanyardError
    request: ApiRequest | None = None
    field: str = ""  # a request that could not be sent: which field is wrong ("url", "scopes")
    # only a person can continue (consent, MFA...): offer a sign-in for just these scopes
    can_grant: bool = False


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
        parts = [f"{self.status} {self.reason}".strip(), f"{self.elapsed_ms:,.0f} ms"]
        size = format_size(self.size)
        parts.append(f"more than {format_size(MAX_BODY_BYTES)}" if self.truncated else size)
        if self.request_id:
            parts.append(f"request-id {self.request_id}")
        return " · ".join(parts)


def format_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


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
        if key.lower() in SHOWN_HEADERS
    )
    content_type = next((v for k, v in kept if k == "content-type"), "")
    document: JsonValue = None
    is_json = False
    if _looks_binary(content_type, body):
        text = f"[{format_size(len(body))} of {content_type or 'binary data'}, not shown]"
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
            ACTION,
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
    )


class ApiCaller:
    """GET an API with a bearer token, on the network pool (a blocking call)."""

    def __init__(self, session: requests.Session, max_body: int = MAX_BODY_BYTES) -> None:
        self._session = session
        self._max_body = max_body

    def call(self, request: ApiRequest, token: str, service: str = "") -> ApiResponse:
        import requests

        from desktop_app.graph.errors import from_exception

        origin = _origin(request.url)
        url = request.url
        started = time.monotonic()
        for hop in range(MAX_REDIRECTS + 1):
            headers = {"Accept": "application/json"}
            if _origin(url) == origin:  # never to another host, port or scheme
                headers["Authorization"] = f"Bearer {token}"
            try:
                response = self._session.get(
                    url, headers=headers, allow_redirects=False, stream=True
                )
            except requests.RequestException as exc:
                raise from_exception(exc, ACTION, service or request.host) from None
            with response:
                location = response.headers.get("Location", "")
                if response.is_redirect and location and hop < MAX_REDIRECTS:
                    target = _join(url, location)
                    if target and urlsplit(target).scheme.lower() == "https":
                        url = target
                        continue  # an http:// redirect is shown, not followed
                try:
                    body, truncated = _read_capped(response, self._max_body)
                except requests.RequestException as exc:
                    raise from_exception(exc, ACTION, service or request.host) from None
                return build_response(
                    request,
                    status=response.status_code,
                    reason=response.reason or "",
                    headers=response.headers,
                    body=body,
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


def presets(
    graph_endpoint: str,
    scopes: Scopes,
    api_endpoint: str | None = None,
    api_scope: str | None = None,
) -> list[ApiPreset]:
    """The endpoints offered in the window: Graph's, and the sandbox's second API when there."""
    graph = graph_endpoint.rstrip("/")
    found = [
        ApiPreset("Microsoft Graph: my profile (/me)", f"{graph}/me", scopes),
        ApiPreset(
            "Microsoft Graph: my groups and roles (/me/memberOf)", f"{graph}/me/memberOf", scopes
        ),
    ]
    if api_endpoint and api_scope:
        found.append(
            ApiPreset(
                "Orders API (sandbox): my orders",
                f"{api_endpoint.rstrip('/')}/orders",
                (api_scope,),
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
