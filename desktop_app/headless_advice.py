"""What the terminal commands advise, worded for a command that runs once and for the command
line the person typed: "run `lanyard --sandbox --profile-dir /x login`", not "select Sign in".

The errors are worded once for the window (core/errors.py, auth/errors.py); this turns their
window words (Sign in, Grant access, "Lanyard tries again shortly") into the terminal's.
"""

from __future__ import annotations

import argparse
import re

from desktop_app.cli import command_line
from desktop_app.core.errors import InteractionReason, LanyardError

# A command runs once: the window's "Lanyard tries again shortly" would be false here
# A command runs once: the window's "Lanyard tries again shortly" (and "Lanyard waits as asked
# and tries again", said of a 429) would be false here
RETRIES_ITSELF = ("Lanyard tries again shortly", "Lanyard waits as asked and tries again")
MAX_STATED_WAIT_S = 3600  # msal's own cap on a Retry-After; a longer one is stated as this

# the window's words for "sign in": its button to select, or a sentence that starts "Sign in
# again" (not "You do not need to sign in again")
_WINDOW_SIGN_IN = re.compile(
    r"[Ss]elect Sign in(?: to continue| to start again)?|(?:^|(?<=\. ))Sign in again(?: to continue)?"
)


def retry_after_s(exc: LanyardError) -> int | None:
    """The server's Retry-After for this failure, in whole seconds, capped; None if none."""
    from desktop_app.core.errors import retry_after_seconds

    value = exc.details.get("retry_after")
    seconds = retry_after_seconds(str(value)) if value is not None else None
    return None if seconds is None else max(0, min(int(seconds), MAX_STATED_WAIT_S))


def login_command(args: argparse.Namespace, *extra: str) -> str:
    return command_line(args, "login", *extra)


def sign_in_advice(args: argparse.Namespace) -> str:
    """What to do when nobody (or not this account) is signed in, or the sign-in must be renewed."""
    return (
        f"Run `{login_command(args)}` to sign in (it opens your browser; add --device-code on a "
        "computer without one), then run this command again."
    )


def consent_advice(args: argparse.Namespace) -> str:
    """A permission was never granted: granting it, not signing in, is what helps."""
    scopes = getattr(args, "scopes", None)
    grant = login_command(args, *(("--scopes", scopes) if scopes else ()))
    return (
        f"Grant access: run `{grant}` and accept the requested permissions in the browser (or "
        "use Grant access in the Lanyard window), then run this command again."
    )


def terminal_words(advice: str, args: argparse.Namespace) -> str:
    """The window's "Sign in again" / "select Sign in" as the login command to run."""
    return _WINDOW_SIGN_IN.sub(
        lambda found: (
            f"{'S' if found.group()[0] == 'S' else 's'}ign in again with `{login_command(args)}`"
        ),
        advice,
    )


def headless_advice(exc: LanyardError, args: argparse.Namespace | None = None) -> str:
    """The recommendation as true for a command that does not retry: when to run it again, and
    the command line to sign in with."""
    advice = exc.recommendation
    if args is not None:
        if exc.reason is InteractionReason.CONSENT:
            return consent_advice(args)
        advice = terminal_words(advice, args)
    phrase = next((p for p in RETRIES_ITSELF if p in advice), None)
    if phrase is None:
        return advice
    wait = retry_after_s(exc)
    again = (
        f"Run the command again in {wait} s (the server's Retry-After"
        + (f", capped at {MAX_STATED_WAIT_S} s)" if wait == MAX_STATED_WAIT_S else ")")
        if wait
        else "Run the command again in a moment"
    )
    return advice.replace(phrase, again)
