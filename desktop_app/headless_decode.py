"""``lanyard decode [TOKEN|-]``: the Token inspector in the terminal, without Qt.

The token comes from the argument or stdin ('-', or nothing with stdin not a terminal), is read
by auth/token_inspect.py, and its signature checked through the configured CA and proxy
(auth/token_verify.py). No client id is needed: any token can be decoded. The exit status says
whether the signature verified (see DECODE_EXIT_CODES). The token itself is never printed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from desktop_app.auth.signature import NOT_VERIFIED, VERIFIED, SignatureCheck
from desktop_app.core.i18n import N_, _

if TYPE_CHECKING:  # loaded only when a token is decoded: cli.py registers this on every start
    from desktop_app.auth.token_inspect import Inspection
    from desktop_app.auth.token_verify import KeyDirectory

EXIT_VERIFIED = 0
EXIT_NOT_VERIFIED = 1  # tampered, unsigned, or a key its issuer does not publish
EXIT_USAGE = 2  # argparse's own; also: no token given
EXIT_CONFIG = 3  # a setting is wrong
EXIT_CANNOT_CHECK = 6  # offline, an issuer with no discovery, an opaque or encrypted token
DECODE_EXIT_CODES = N_(
    "exit status: 0 the signature verified; 1 it did NOT verify (changed, unsigned, or a key "
    "the issuer does not publish); 2 bad command line or no token; 3 a setting is wrong; "
    "6 the signature cannot be checked (offline, an issuer Lanyard cannot ask, an opaque or "
    "encrypted token)"
)


def add_decode_parser(commands: Any, add_settings: Callable[..., None]) -> None:
    """The ``decode`` subcommand, registered by cli.py (``add_settings``: its settings flags)."""
    # its summary is cli.py's: a parser built without this command shows it too
    from desktop_app.cli import DECODE_SUMMARY

    decode = commands.add_parser(
        "decode",
        help=_(DECODE_SUMMARY),
        description=_(
            "Decode a token (an ID or access token, a JWT from anywhere) like jwt.ms: "
            "its header and claims in plain words, and its signature checked against the keys its "
            "issuer publishes (OpenID discovery and JWKS, through the configured CA and proxy)."
        ),
        epilog=_(DECODE_EXIT_CODES),
    )
    decode.add_argument(
        "token_text",
        metavar="TOKEN",
        nargs="?",
        default="-",
        help=_(
            "the token ('-' or nothing: read it from stdin); a 'Bearer ' prefix, quotes and "
            "line breaks are fine"
        ),
    )
    decode.add_argument("--json", action="store_true", help=_("print JSON"))
    add_settings(decode, in_subcommand=True)


def _read_token(args: argparse.Namespace, stdin: TextIO) -> str | None:
    text = str(getattr(args, "token_text", "-"))
    if text != "-":
        return text
    if stdin.isatty():
        return None
    from desktop_app.auth.token_inspect import MAX_TOKEN_CHARS

    return stdin.read(4 * MAX_TOKEN_CHARS + 1)  # beyond it inspect() says "too long"


def _keys(args: argparse.Namespace) -> tuple[KeyDirectory, Callable[[], None]]:
    """The key directory for the settings in force (the demo sandbox's CA with --sandbox)."""
    from desktop_app.auth.token_verify import KeyDirectory, session_for
    from desktop_app.cli import config_flags
    from desktop_app.core.config import load_config
    from desktop_app.session import services

    config = load_config(config_flags(args))
    stop: Callable[[], None] = lambda: None  # noqa: E731 - nothing to stop
    if args.sandbox and args.sandbox_info:
        config, _throwaway = services.running_sandbox(
            replace(config, sandbox=True), Path(args.sandbox_info), True
        )
    elif args.sandbox:
        config, sandbox = services.start_sandbox(replace(config, sandbox=True), True)
        stop = sandbox.stop
    return KeyDirectory(session_for(config), config.authority), stop


def report(inspection: Inspection, check: SignatureCheck) -> dict[str, Any]:
    """What --json prints (values as the token holds them; json.dumps escapes what a terminal
    would obey)."""
    return {
        "kind": inspection.kind,
        "summary": inspection.summary,
        "header": inspection.header,
        "payload": inspection.payload,
        "problem": inspection.problem or None,
        "notes": list(inspection.notes),
        "signature": {
            "outcome": check.outcome,
            "verified": check.verified,
            "reason": check.reason,
            "keysUrl": check.keys_url or None,
        },
    }


def _print_text(inspection: Inspection, check: SignatureCheck, out: TextIO) -> None:
    from desktop_app.core.text import shown

    def line(text: str) -> None:
        out.write(shown(text, one_line=True, limit=4000) + "\n")

    line(inspection.summary)
    line(check.words)
    for note in inspection.notes:
        line(_("Note: {note}").format(note=note))
    for title, rows in (
        (_("Header"), inspection.header_rows()),
        (_("Payload"), inspection.payload_rows()),
    ):
        if not rows:
            continue
        out.write(f"\n{title}:\n")
        width = min(max(len(r.name) for r in rows), 24)
        for row in rows:
            line(f"  {row.name:<{width}}  {row.value}")


def run(
    args: argparse.Namespace,
    out: TextIO | None = None,
    err: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    from desktop_app.auth.token_inspect import inspect
    from desktop_app.core.errors import LanyardError
    from desktop_app.core.text import shown

    out, err, stdin = out or sys.stdout, err or sys.stderr, stdin or sys.stdin
    try:
        text = _read_token(args, stdin)
    except (OSError, UnicodeDecodeError) as exc:
        err.write(f"lanyard decode: cannot read the token from stdin ({exc.__class__.__name__}).\n")
        return EXIT_USAGE
    if text is None or not text.strip():
        err.write(
            "lanyard decode: give a token: 'lanyard decode TOKEN', or pipe one in "
            "('... | lanyard decode -').\n"
        )
        return EXIT_USAGE
    inspection = inspect(text)
    stop: Callable[[], None] = lambda: None  # noqa: E731 - nothing to stop yet
    try:
        keys, stop = _keys(args)
        check = keys.check(inspection)
    except LanyardError as exc:
        err.write(f"lanyard decode: {shown(exc.message, one_line=True)}\n")
        if exc.recommendation:
            err.write(f"  {shown(exc.recommendation, one_line=True)}\n")
        return EXIT_CONFIG
    finally:
        stop()
    if args.json:
        answer = report(inspection, check)
        try:
            printed = json.dumps(answer, indent=2, ensure_ascii=True, allow_nan=False)
        except (ValueError, RecursionError):  # NaN, or nested beyond printing: said, not raised
            answer.update(
                header=None, payload=None, problem="Its claims cannot be printed as JSON."
            )
            printed = json.dumps(answer, indent=2, ensure_ascii=True)
        out.write(printed + "\n")
    else:
        _print_text(inspection, check, out)
    if check.outcome == VERIFIED:
        return EXIT_VERIFIED
    return EXIT_NOT_VERIFIED if check.outcome == NOT_VERIFIED else EXIT_CANNOT_CHECK
