"""``lanyard api [METHOD] URL``: the API console in the terminal, like ``az rest`` (issue 17).

No Qt. headless.run builds the services (the window's config, cache and trusted network
session) and hands them here. The request is checked by the console's own rules
(headless_api_args.py), the token comes silently from the shared cache for the request's scopes
(a claims challenge in a 401 gets one more silent try with those claims, as the window's
session/api_calls.py does), and the call is the console's ApiCaller. stdout is the body alone;
what a person reads (progress, -i's headers, errors) goes to stderr. The token is never written.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import TYPE_CHECKING, BinaryIO, TextIO

from desktop_app.core.errors import ErrorKind, InteractionReason, LanyardError
from desktop_app.core.i18n import _, number
from desktop_app.core.text import shown
from desktop_app.headless import EXIT_FAILED, EXIT_OK, EXIT_USAGE, signed_in_account
from desktop_app.headless_advice import headless_advice
from desktop_app.headless_api_args import (
    EXIT_HTTP,
    DefaultScopes,
    UsageError,
    request_from_args,
)

if TYPE_CHECKING:
    from desktop_app.auth.models import Account
    from desktop_app.graph.api_call import ApiCaller, ApiResponse
    from desktop_app.graph.api_request import ApiRequest
    from desktop_app.graph.json_tree import JsonValue
    from desktop_app.session.services import Services

log = logging.getLogger(__name__)

# a terminal command saves what it is sent (a photo, an export); the window's viewer keeps 2 MB
MAX_SAVED_BODY = 64 * 1024 * 1024


def defaults_of(services: Services) -> DefaultScopes:
    demo_api = services.demo_api
    return DefaultScopes(
        services.config.graph_endpoint,
        tuple(services.config.scopes),
        demo_api.endpoint if demo_api else "",
        demo_api.scope if demo_api else "",
    )


class _Call:
    """One request's token and calls (the first page and, with --all, the next ones)."""

    def __init__(
        self, services: Services, account: Account, request: ApiRequest, args: argparse.Namespace
    ) -> None:
        from desktop_app.graph.api_request import scope_resource

        assert services.api is not None  # build_services always makes one
        self._services, self._account, self._args = services, account, args
        self._caller: ApiCaller = services.api.reading_at_most(MAX_SAVED_BODY)
        graph = scope_resource(request.scopes[0], services.config.graph_endpoint) == "graph"
        self._service = "Microsoft Graph" if graph else request.host
        self._scopes = request.scopes
        self._token = self._silent()

    def _silent(self, claims: str = "") -> str:
        try:
            token = self._services.auth.silent(
                self._account, scopes=self._scopes, claims_challenge=claims or None
            )
        except LanyardError as exc:
            raise self._for_these_scopes(exc) from None
        return token.access_token

    def _for_these_scopes(self, exc: LanyardError) -> LanyardError:
        """A permission never granted: the advice is to grant these scopes (login --scopes)."""
        if exc.kind is ErrorKind.INTERACTION_REQUIRED and exc.reason is InteractionReason.CONSENT:
            from desktop_app.session.errors import api_needs_consent

            # headless_advice words "Grant access" with the scopes on the command line: these
            self._args.scopes = " ".join(self._scopes)
            return api_needs_consent(self._scopes, exc)
        return exc

    def send(self, request: ApiRequest, err: TextIO) -> ApiResponse:
        verbose = bool(getattr(self._args, "verbose", False))
        if verbose:
            err.write(f"> {request.method} {shown(request.url, one_line=True, limit=2000)}\n")
        log.info("lanyard api: calling %s", request.host)  # never the token, nor the query
        response = self._caller.call(request, self._token, self._service)
        problem = response.problem
        if problem is not None and problem.claims_challenge:
            # continuous access evaluation: a token with the claims asked for, then once more
            self._token = self._silent(problem.claims_challenge)
            response = self._caller.call(request, self._token, self._service)
        if verbose or getattr(self._args, "include", False):
            _write_head(response, err, verbose)
        return response


def _write_head(response: ApiResponse, err: TextIO, verbose: bool) -> None:
    """The status line and headers, as curl -i shows them (the headers, lower-cased, as the
    console keeps them: every one but cookies)."""
    err.write(shown(f"HTTP {response.status} {response.reason}".strip(), one_line=True) + "\n")
    for name, value in response.headers:
        err.write(shown(f"{name}: {value}", one_line=True, limit=4000) + "\n")
    if verbose:
        err.write(f"< {shown(response.status_line(), one_line=True)}\n")
    err.write("\n")
    err.flush()


def _all_pages(call: _Call, first: ApiResponse, err: TextIO) -> tuple[ApiResponse, JsonValue]:
    """Every page from ``first`` on; the last response read and the merged document."""
    from desktop_app.graph.api_pages import MAX_PAGES, Pages

    pages = Pages.start(first)
    last = first
    while pages.can_load_more:
        err.write(
            _("lanyard: page {value} ({len} items so far)…\n").format(
                value=number(pages.count + 1), len=number(len(pages.items))
            )
        )
        err.flush()
        last = call.send(first.request.with_url(pages.next.url), err)
        if not last.ok:
            err.write(
                _(
                    "lanyard: page {value} failed; the {len} items of the pages before it are not printed.\n"
                ).format(value=number(pages.count + 1), len=number(len(pages.items)))
            )
            return last, last.document
        pages.add(last)
    err.write(_("lanyard: {summary}.\n").format(summary=pages.summary()))
    if pages.next.refused:
        err.write(
            _("lanyard: warning: not every page was read: {refused}\n").format(
                refused=pages.next.refused
            )
        )
    elif pages.next.url and pages.count >= MAX_PAGES:
        err.write(
            _(
                "lanyard: warning: stopped at {MAX_PAGES} pages; the document's @odata.nextLink is the next one.\n"
            ).format(MAX_PAGES=MAX_PAGES)
        )
    return last, pages.document()


def body_bytes(response: ApiResponse, document: JsonValue, to_terminal: bool) -> bytes:
    """What stdout (or --output) gets: JSON pretty-printed, text as it came (made safe for a
    terminal when it goes to one), binary as it came."""
    if response.is_binary:
        return response.binary
    if response.is_json:
        text = json.dumps(document, indent=2, ensure_ascii=False)
        # escapes what a terminal would obey, in JSON's own escapes: still the same document
        return (shown(text, for_json=True, limit=10 * len(text) + 16) + "\n").encode("utf-8")
    text = response.text
    if to_terminal:
        text = shown(text, limit=10 * len(text) + 16)
    if text and not text.endswith("\n"):
        text += "\n"
    return text.encode("utf-8", errors="replace")


def _binary_stdout(out: TextIO) -> BinaryIO | None:
    buffer = getattr(out, "buffer", None)
    return buffer if buffer is not None else None


def _deliver(
    response: ApiResponse, document: JsonValue, args: argparse.Namespace, out: TextIO, err: TextIO
) -> int | None:
    """Write the body where it goes; an exit code when it could not be, else None."""
    from desktop_app.graph.api_call import format_size

    target = getattr(args, "output", None)
    to_terminal = target in (None, "") and out.isatty()
    if response.is_binary and to_terminal:
        kind = response.content_type.split(";")[0].strip() or _("binary data")
        err.write(
            _("lanyard: {format_size} of {shown}, not printed; use --output FILE.\n").format(
                format_size=format_size(len(response.binary)), shown=shown(kind, one_line=True)
            )
        )
        return None
    data = body_bytes(response, document, to_terminal)
    if target and target != "-":
        try:
            with open(target, "wb") as file:  # not replaced: --output /dev/null stays a device
                file.write(data)
        except OSError as exc:
            err.write(
                _("lanyard: --output {shown}: cannot be written ({shown2}).\n").format(
                    shown=shown(target, one_line=True),
                    shown2=shown(exc.strerror or exc.__class__.__name__, one_line=True),
                )
            )
            return EXIT_FAILED
        err.write(
            _("lanyard: saved {format_size} to {shown}.\n").format(
                format_size=format_size(len(data)), shown=shown(target, one_line=True)
            )
        )
        return None
    if not data:
        return None
    out.flush()
    binary = _binary_stdout(out)
    if binary is not None:
        binary.write(data)
        binary.flush()
    else:  # a text stream without bytes beneath (a test's StringIO)
        out.write(data.decode("utf-8", errors="replace"))
    return None


def _http_error(response: ApiResponse, args: argparse.Namespace, err: TextIO) -> int:
    problem = response.problem
    line = (
        _("HTTP {status} {reason}").format(status=response.status, reason=response.reason).strip()
    )
    if problem is None:  # a redirect not followed (to http://, or a change to another address)
        where = response.header("location")
        err.write(_("lanyard: the API answered {shown}").format(shown=shown(line, one_line=True)))
        err.write(
            _(", to {shown}: not followed.\n").format(shown=shown(where, one_line=True))
            if where
            else ".\n"
        )
        return EXIT_HTTP
    err.write(
        _("lanyard: {shown}: {shown2}\n").format(
            shown=shown(line, one_line=True), shown2=shown(problem.message)
        )
    )
    advice = headless_advice(problem, args)
    if advice:
        err.write(f"{shown(advice)}\n")
    for key, value in problem.details.items():  # codes and ids support asks for; never secrets
        err.write(f"  {key}: {shown(value, one_line=True)}\n")
    return EXIT_HTTP


def api(
    services: Services,
    args: argparse.Namespace,
    out: TextIO,
    err: TextIO,
    stdin: TextIO | None = None,
) -> int:
    """headless.run's command: LanyardError (no answer) is raised for it to report."""
    try:
        request = request_from_args(args, defaults_of(services), stdin or sys.stdin)
    except UsageError as exc:
        err.write(_("lanyard api: {shown}\n").format(shown=shown(str(exc))))
        return EXIT_USAGE
    account = signed_in_account(services, getattr(args, "account", None))
    call = _Call(services, account, request, args)
    response = call.send(request, err)
    document = response.document
    if response.ok and getattr(args, "all", False):
        response, document = _all_pages(call, response, err)
    if response.truncated:
        from desktop_app.graph.api_call import format_size

        err.write(
            _(
                "lanyard: the answer is larger than {format_size}; Lanyard does not print or save a part of it.\n"
            ).format(format_size=format_size(MAX_SAVED_BODY))
        )
        return EXIT_FAILED
    failed = _deliver(response, document, args, out, err)
    if failed is not None:
        return failed
    return EXIT_OK if response.ok else _http_error(response, args, err)
