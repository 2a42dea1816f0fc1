"""``lanyard api``'s command line: its flags, and the request they describe (no network, no Qt).

cli.py registers the subcommand on every start, so this imports only the request layer
(graph/api_request.py), which checks the request as it checks the window's API console; its
messages name the console's fields and are reworded here to name the flags ("--body: ...").
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from desktop_app.core.i18n import N_, _
from desktop_app.graph.api_request import (
    MAX_PAGES,
    MAX_REQUEST_BODY,
    METHODS,
    ApiRequest,
    ApiRequestError,
    netloc_of,
    validate_request,
    write_scope,
)

EXIT_HTTP = 7  # the API answered, with a status that is not 2xx (its body is still printed)
API_EXIT_CODES = (
    "exit status: 0 the API answered 2xx; 1 no answer (network, identity provider, an answer too "
    "large); 2 bad command line (a flag's message names it); 3 a setting is wrong or missing; "
    "4 not signed in, or a permission must be granted first (the message says the command to "
    "run); 5 the saved sign-in cannot be read now; 6 --account names no signed-in account; "
    f"{EXIT_HTTP} the API answered with an error status (4xx, 5xx, or a redirect not followed): "
    "its body is on stdout, the error in words on stderr; 130 interrupted"
)
API_EXAMPLES = N_("""examples:
  lanyard api /me                                   # GET {graph endpoint}/me
  lanyard api /me/memberOf --all                    # every page, merged into one document
  lanyard api POST /me/getMemberObjects --body '{"securityEnabledOnly": false}'
  lanyard api PATCH https://contoso.example/api/orders/7 --scopes api://orders/Orders.ReadWrite \\
      --header 'If-Match: *' --body @change.json -i
  lanyard api '/me/photo/$value' --output me.jpg

The JSON body goes to stdout, pretty-printed (text as it came; binary only to --output or a pipe);
-i adds the status line and headers on stderr, --verbose the request line and timing too.
""")


def add_api_parser(commands: Any, add_settings: Callable[..., None]) -> None:
    """The ``api`` subcommand, registered by cli.py (``add_settings``: its settings flags, among
    them --scopes: the scopes of the token sent, as for ``token``)."""
    from desktop_app.cli import API_SUMMARY  # the summary a parser without this command shows too

    api = commands.add_parser(
        "api",
        help=_(API_SUMMARY),
        usage="lanyard api [METHOD] URL [--scopes ...] [--header 'Name: value']... "
        "[--body JSON|@FILE|-] [--all] [--output FILE] [-i]",
        description=_filled(
            _(
                "Call an API with a token from the same saved sign-in as the window and "
                "print the answer. METHOD is GET (the default), POST, PUT, PATCH or DELETE. URL is an "
                "https:// address, or a path after the configured Microsoft Graph endpoint (/me). "
                "--scopes defaults to the configured scopes for Microsoft Graph (and, in the offline "
                "demo, to the Orders API's scope for its URLs); any other API needs --scopes. The token "
                "is sent only to the API it is for, and never printed."
            )
        ),
        epilog=f"{_filled(API_EXIT_CODES)}\n\n{_(API_EXAMPLES)}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    api.add_argument("target", nargs="+", metavar="[METHOD] URL", help=argparse.SUPPRESS)
    api.add_argument(
        "-H",
        "--header",
        dest="headers",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help=_("a request header (repeat for more); Authorization is Lanyard's own"),
    )
    api.add_argument(
        "--body",
        metavar="JSON|@FILE|-",
        help=_(
            "the request body: JSON text, @FILE to read it from a file, or - from stdin "
            "(sent as application/json unless --header gives another Content-Type)"
        ),
    )
    api.add_argument(
        "--all",
        action="store_true",
        help=_(
            "follow @odata.nextLink (same address only, at most {max_pages} pages) and print one document with every page's items in value"
        ).format(max_pages=MAX_PAGES),
    )
    api.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help=_("write the body to this file instead of stdout ('-': stdout, binary too)"),
    )
    api.add_argument(
        "-i",
        "--include",
        action="store_true",
        help=_(
            "also write the status line and response headers, to stderr (stdout stays the body)"
        ),
    )
    api.add_argument(
        "--account", help=_("the signed-in account to use (user name); default the first")
    )
    add_settings(api, in_subcommand=True)


def _filled(text: str) -> str:
    import textwrap

    return textwrap.fill(text, 79)  # the raw formatter keeps the examples' lines as they are


class UsageError(ValueError):
    """A command line that describes no request; the message names the flag."""


@dataclass(frozen=True)
class DefaultScopes:
    """Where a token's scopes come from when --scopes is not given."""

    graph_endpoint: str
    graph_scopes: tuple[str, ...]  # the configured scopes
    api_endpoint: str = ""  # the offline demo's Orders API, when there
    api_scope: str = ""


def split_target(words: list[str]) -> tuple[str, str]:
    """``[METHOD] URL`` as (method, url)."""
    if len(words) == 1:
        return "GET", words[0]
    if len(words) == 2:
        method, url = words
        if method.strip().upper() not in METHODS:
            raise UsageError(
                _("METHOD: use one of {join} (not {strip!r}), then the URL.").format(
                    join=", ".join(METHODS), strip=method.strip()[:20]
                )
            )
        return method.strip().upper(), url
    raise UsageError(
        _("give [METHOD] URL: at most a method and one URL (quote a URL with spaces).")
    )


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def resolve_url(url: str, graph_endpoint: str) -> str:
    """An absolute URL as it is; anything else is a path after the Graph endpoint (like az
    rest's URLs relative to its resource)."""
    url = url.strip()
    if not url or _SCHEME.match(url):
        return url
    return f"{graph_endpoint.rstrip('/')}/{url.lstrip('/')}"


def _under(url: str, base: str) -> bool:
    base = base.rstrip("/")
    if not base or netloc_of(url) != netloc_of(base):
        return False
    return url == base or url.startswith((base + "/", base + "?"))


def default_scopes(url: str, defaults: DefaultScopes, method: str = "GET") -> str:
    """The scopes for ``url`` when --scopes is not given; UsageError for another API's URL.
    A change to the demo's Orders API takes its write permission (Orders.ReadWrite)."""
    if defaults.api_scope and _under(url, defaults.api_endpoint):
        writing = write_scope(defaults.api_scope) if method.upper() != "GET" else ""
        return writing or defaults.api_scope
    if netloc_of(url) == netloc_of(defaults.graph_endpoint) or not netloc_of(url):
        return " ".join(defaults.graph_scopes)  # (no host: validate_request says what is wrong)
    raise UsageError(
        _(
            "--scopes: {netloc_of} is not Microsoft Graph; give the scopes of the API it is, e.g. --scopes api://APP-ID/.default (the token asked for is sent only there)."
        ).format(netloc_of=netloc_of(url))
    )


def read_body_source(text: str | None, stdin: TextIO) -> str:
    """--body as the text to send: itself, @FILE's contents, or stdin's for '-'."""
    if text is None:
        return ""
    if text == "-":
        try:
            return stdin.read(MAX_REQUEST_BODY + 1)  # beyond it validate_request says "too large"
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(
                _("--body -: stdin cannot be read ({name}).").format(name=exc.__class__.__name__)
            ) from None
    if text.startswith("@"):
        return _read_file(text[1:])
    return text


def _read_file(name: str) -> str:
    from desktop_app.core.files import read_bounded

    if not name:
        raise UsageError(_("--body @FILE: name the file after the @."))
    try:
        data = read_bounded(Path(name), MAX_REQUEST_BODY)
    except FileNotFoundError:
        raise UsageError(_("--body @{name}: there is no such file.").format(name=name)) from None
    except OSError as exc:  # a folder, a pipe, too large, no permission: said in words
        why = str(exc.args[-1]) if exc.args else exc.__class__.__name__
        raise UsageError(
            _("--body @{name}: cannot be read ({why}).").format(name=name, why=why)
        ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(_("--body @{name}: is not UTF-8 text.").format(name=name)) from None


def header_lines(headers: list[str]) -> str:
    """The --header values as the console's header text, one per line: a value with a line
    break of its own would become two headers, so it is refused here."""
    for given in headers:
        if not given.strip():
            raise UsageError(_("--header: empty; write it as 'Name: value'."))
        if len(given.splitlines()) > 1 or given.endswith(("\n", "\r")):
            raise UsageError(
                _("--header {quoted}: has a line break; one header each.").format(
                    quoted=_quoted(given)
                )
            )
    return "\n".join(headers)


def _quoted(text: str) -> str:
    from desktop_app.core.text import shown

    return repr(shown(text, one_line=True, limit=60))


# the console's field labels at the start of validate_request's messages, and the flags
_LABELS = (
    (re.compile(r"^Endpoint URL: "), "URL: "),
    (re.compile(r"^Scopes: "), "--scopes: "),
    (re.compile(r"^Method: "), "METHOD: "),
    (re.compile(r"^Body: "), "--body: "),
    (re.compile(r"^Headers: "), "--header: "),
)
_HEADER_LINE = re.compile(r"^Headers, line (\d+): ")


def flag_words(error: ApiRequestError, headers: list[str]) -> str:
    """validate_request's message with the flag named instead of the console's field."""
    message = error.message.replace(
        "clear it, or choose POST or PATCH", "leave out --body, or give a METHOD such as POST"
    )
    found = _HEADER_LINE.match(message)
    if found is not None:
        index = int(found.group(1)) - 1
        named = _quoted(headers[index]) if 0 <= index < len(headers) else ""
        return _("--header {named}: {message}").format(named=named, message=message[found.end() :])
    for label, flag in _LABELS:
        message = label.sub(flag, message, count=1)
    return message


def request_from_args(
    args: argparse.Namespace, defaults: DefaultScopes, stdin: TextIO
) -> ApiRequest:
    """The request the command line describes, checked; UsageError names what is wrong."""
    method, url_text = split_target(list(args.target))
    url = resolve_url(url_text, defaults.graph_endpoint)
    given = getattr(args, "scopes", None)
    scopes = given if given else default_scopes(url, defaults, method)
    headers = list(getattr(args, "headers", None) or [])
    headers_text = header_lines(headers)
    body_text = read_body_source(getattr(args, "body", None), stdin)
    if body_text and not body_text.strip():
        raise UsageError(_("--body: is empty (only white space); leave it out to send no body."))
    try:
        return validate_request(
            url, scopes, defaults.graph_endpoint, method, headers_text, body_text
        )
    except ApiRequestError as exc:
        raise UsageError(flag_words(exc, headers)) from None
