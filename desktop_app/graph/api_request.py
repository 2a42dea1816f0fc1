"""A request a person writes in the API console (or ``lanyard api``), checked field by field.

Everything here is pure: the window and the terminal hand in the texts people typed (URL, scopes,
method, headers, body) and get an ApiRequest back, or ApiRequestError naming the field that is
wrong and how. Where the token may go is decided here too (``validate_request``): a Microsoft
Graph token only to the configured Graph host, a token for ``https://host/...`` only to that host.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from desktop_app.core.config import CLOUDS
from desktop_app.core.i18n import _
from desktop_app.core.scopes import RESERVED_SCOPES, Scopes, parse_scopes

# "Load all" stops here: 5,000 items at Graph's page size of 100 (api_pages.py follows the pages;
# kept here, with the request's other limits, so `lanyard --help` need not import api_call.py)
MAX_PAGES = 50
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# what sends a body; a GET or DELETE with one is refused (Graph ignores or rejects it)
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
MAX_REQUEST_BODY = 4 * 1024 * 1024  # Graph's own limit for a request body
MAX_HEADERS = 50
# set by Lanyard or by HTTP itself: a person's value would be wrong (Host, lengths) or a way to
# send a token of their own choosing past the origin rule (Authorization, cookies)
RESERVED_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "host",
        "content-length",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "upgrade",
        "te",
        "trailer",
        "expect",
    }
)
# RFC 9110 field names: tchar only
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
GRAPH_HOSTS = frozenset(urlsplit(cloud.graph_endpoint).hostname or "" for cloud in CLOUDS.values())


class ApiRequestError(ValueError):
    """A request that cannot be sent; ``field`` names the bad one: "url", "scopes", "method",
    "headers" or "body"."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ApiRequest:
    url: str
    scopes: Scopes
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()  # as written, in order; never Authorization
    body: bytes | None = None  # UTF-8 JSON, checked

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc.lower()

    @property
    def changes_something(self) -> bool:
        """Anything but GET may change data: the window asks before the first such call."""
        return self.method != "GET"

    def header(self, name: str) -> str:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), "")

    def with_url(self, url: str) -> ApiRequest:
        """The same request to ``url`` (a next page: always a GET without a body)."""
        return ApiRequest(url, self.scopes, "GET", self.headers, None)


def host_of(url: str) -> str:
    """The host of ``url`` in lower case; "" when it has none or does not parse."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:  # an unmatched [ or ]
        return ""


def netloc_of(url: str) -> str:
    try:
        return (urlsplit(url).netloc or "").lower()
    except ValueError:
        return ""


def scope_resource(scope: str, graph_endpoint: str) -> str:
    """Which API a scope is for: "graph" (a bare name like User.Read, or a Graph resource URL),
    else the resource part of the scope (``api://…``, ``https://host``, an app id)."""
    if "/" not in scope:
        return "graph"
    resource = scope.rsplit("/", 1)[0]
    host, graph_host = host_of(resource), host_of(graph_endpoint)
    if resource.lower().startswith("https://") and host in GRAPH_HOSTS | {graph_host}:
        return "graph"
    return resource


def write_scope(read_scope: str) -> str:
    """The write permission beside a read one: …/Orders.Read → …/Orders.ReadWrite ("" if none)."""
    return read_scope[: -len(".Read")] + ".ReadWrite" if read_scope.endswith(".Read") else ""


def parse_method(text: str) -> str:
    method = text.strip().upper()
    if method not in METHODS:
        raise ApiRequestError(
            "method",
            _("Method: use one of {join} (not {strip!r}).").format(
                join=", ".join(METHODS), strip=text.strip()[:20]
            ),
        )
    return method


def parse_headers(text: str) -> tuple[tuple[str, str], ...]:
    """``Name: value`` lines (blank lines skipped) as pairs; a bad line is named by its number."""
    found: list[tuple[str, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        name, value = name.strip(), value.strip()
        where = _("Headers, line {number}").format(number=number)
        if not colon or not name:
            raise ApiRequestError(
                "headers", _("{where}: write each header as Name: value.").format(where=where)
            )
        if not _TOKEN.match(name):
            raise ApiRequestError(
                "headers",
                _(
                    "{where}: a header name is letters, digits and - (no spaces or symbols like : ( ) @)."
                ).format(where=where),
            )
        if any((ord(c) < 0x20 and c != "\t") or ord(c) == 0x7F for c in value):
            raise ApiRequestError(
                "headers", _("{where}: the value has a control character.").format(where=where)
            )
        if name.lower() in RESERVED_HEADERS:
            why = (
                _("Lanyard sends the token itself, only to the API it is for")
                if "authorization" in name.lower() or name.lower() == "cookie"
                else _("HTTP sets it itself")
            )
            raise ApiRequestError(
                "headers",
                _("{where}: leave out {name}; {why}.").format(where=where, name=name, why=why),
            )
        found.append((name, value))
    if len(found) > MAX_HEADERS:
        raise ApiRequestError(
            "headers", _("Headers: at most {MAX_HEADERS}.").format(MAX_HEADERS=MAX_HEADERS)
        )
    return tuple(found)


def parse_body(text: str, method: str, content_type: str = "") -> bytes | None:
    """The body as UTF-8 bytes, or None when empty; JSON is checked (a mistake named by its line
    and column) unless the headers say the body is something else."""
    if not text.strip():
        return None
    if method not in BODY_METHODS:
        raise ApiRequestError(
            "body",
            _("Body: a {method} request sends no body; clear it, or choose POST or PATCH.").format(
                method=method
            ),
        )
    data = text.encode("utf-8", errors="surrogatepass")
    if len(data) > MAX_REQUEST_BODY:
        raise ApiRequestError("body", _("Body: at most 4 MB (Microsoft Graph's own limit)."))
    if not content_type or "json" in content_type.lower():
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise ApiRequestError(
                "body",
                _("Body: not valid JSON at line {lineno}, column {colno}: {msg}.").format(
                    lineno=exc.lineno, colno=exc.colno, msg=exc.msg
                ),
            ) from None
        except RecursionError:
            raise ApiRequestError("body", _("Body: nested too deeply to be JSON.")) from None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiRequestError("body", _("Body: has characters that are not text.")) from None
    return data


def _check_url(url: str) -> None:
    if not url:
        raise ApiRequestError("url", _("Endpoint URL: enter the address of the API to call."))
    try:
        parts = urlsplit(url)
        _port = parts.port  # raises for a port that is not a number
    except ValueError:
        raise ApiRequestError(
            "url",
            _(
                "Endpoint URL: this is not a valid address (an unmatched [ or ], or a port that is "
                "not a number)."
            ),
        ) from None
    if parts.scheme.lower() != "https" or not parts.hostname:
        raise ApiRequestError(
            "url",
            _(
                "Endpoint URL: an https:// address is required (the token is never sent "
                "over plain http)."
            ),
        )
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        raise ApiRequestError("url", _("Endpoint URL: remove the spaces from the address."))
    if parts.username or parts.password:
        raise ApiRequestError("url", _("Endpoint URL: leave the user name and password out."))


def _check_scopes(scopes_text: str, graph_endpoint: str) -> tuple[Scopes, str]:
    """The scopes and the one API (resource) they are for."""
    scopes = parse_scopes(scopes_text)
    if not scopes:
        raise ApiRequestError(
            "scopes", _("Scopes: name at least one permission the API needs, e.g. User.Read.")
        )
    reserved = sorted(RESERVED_SCOPES.intersection(s.lower() for s in scopes))
    if reserved:
        raise ApiRequestError(
            "scopes",
            _("Scopes: leave out {join}; Lanyard always asks for them itself.").format(
                join=", ".join(reserved)
            ),
        )
    resources = {scope_resource(s, graph_endpoint) for s in scopes}
    for resource in resources:
        if resource.lower().startswith("https://") and not host_of(resource):
            raise ApiRequestError(
                "scopes",
                _("Scopes: {resource} is not a valid address (an unmatched [ or ]?).").format(
                    resource=resource
                ),
            )
    if len(resources) > 1:
        raise ApiRequestError(
            "scopes",
            _("Scopes: a token is for one API; ask for one API's permissions at a time."),
        )
    (resource,) = resources
    return scopes, resource


def validate_request(
    url_text: str,
    scopes_text: str,
    graph_endpoint: str,
    method: str = "GET",
    headers_text: str = "",
    body_text: str = "",
) -> ApiRequest:
    """The request, or ApiRequestError naming the field that is wrong and how (the fields in
    the order the console shows them)."""
    url = url_text.strip()
    chosen = parse_method(method)
    _check_url(url)
    scopes, resource = _check_scopes(scopes_text, graph_endpoint)
    netloc = urlsplit(url).netloc.lower()
    if resource == "graph":
        expected = netloc_of(graph_endpoint)
        if netloc != expected:
            raise ApiRequestError(
                "url",
                _(
                    "Endpoint URL: a Microsoft Graph token ({join}) is only sent to {expected}; use that host, or the scopes of the API you want to call."
                ).format(join=" ".join(scopes), expected=expected),
            )
    elif resource.lower().startswith("https://"):
        expected = netloc_of(resource)
        if netloc != expected:
            raise ApiRequestError(
                "url",
                _("Endpoint URL: a token for {resource} is only sent to {expected}.").format(
                    resource=resource, expected=expected
                ),
            )
    headers = parse_headers(headers_text)
    content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
    body = parse_body(body_text, chosen, content_type)
    if body is not None and not content_type:
        headers += (("Content-Type", "application/json"),)
    return ApiRequest(url, scopes, chosen, headers, body)
