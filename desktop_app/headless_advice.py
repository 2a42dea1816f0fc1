"""What the terminal commands advise, worded for a command that runs once and for the command
line the person typed: "run `lanyard --sandbox --profile-dir /x login`", not "select Sign in".

The errors are worded once for the window (core/errors.py, auth/errors.py); this turns their
window words (Sign in, Grant access, "Lanyard tries again shortly") into the terminal's. An
advice is known by its identity, the msgid it was translated from (i18n.msgid_of), never by its
words in the language shown: each window advice that says so has its terminal wording below, a
message of its own in the catalog. An advice put together from parts is no msgid; its English
words are still rewritten by the patterns.
"""

from __future__ import annotations

import argparse
import re

from desktop_app.cli import command_line
from desktop_app.core.errors import InteractionReason, LanyardError
from desktop_app.core.i18n import N_, _, msgid_of, number

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


# a window advice (its msgid) -> the terminal's, {command} the login command line
SIGN_IN_ADVICE: dict[str, str] = {
    "Sign in again and accept the requested permissions to continue.": N_(
        "Sign in again with `{command}` and accept the requested permissions to continue."
    ),
    "If you closed the browser tab, select Sign in to start again.": N_(
        "If you closed the browser tab, sign in again with `{command}`."
    ),
    "Select Sign in to continue.": N_("Sign in again with `{command}`."),
    "Sign in again.": N_("Sign in again with `{command}`."),
    "Sign in again: Lanyard uses the system browser for the rest of this session.": N_(
        "Sign in again with `{command}`: Lanyard uses the system browser for the rest of this "
        "session."
    ),
    "Sign in again to continue; Lanyard keeps showing what it last loaded.": N_(
        "Sign in again with `{command}`; Lanyard keeps showing what it last loaded."
    ),
    "Sign in again and complete the extra step in your browser.": N_(
        "Sign in again with `{command}` and complete the extra step in your browser."
    ),
    "Sign in again and accept the requested permissions.": N_(
        "Sign in again with `{command}` and accept the requested permissions."
    ),
    "Sign in again to continue.": N_("Sign in again with `{command}`."),
}
# a window advice that says Lanyard retries by itself -> the terminal's, {again} when to run
# the command again (a sentence without its full stop)
RETRY_ADVICE: dict[str, str] = {
    "Lanyard tries again shortly.": N_("{again}."),
    "Lanyard tries again shortly": N_("{again}"),
    "Lanyard waits as asked and tries again.": N_("{again}."),
    "The server or the network is very slow. Lanyard tries again shortly.": N_(
        "The server or the network is very slow. {again}."
    ),
    "Check your connection. Lanyard tries again shortly.": N_("Check your connection. {again}."),
    "Check your network connection. Lanyard tries again shortly.": N_(
        "Check your network connection. {again}."
    ),
    "Lanyard tries again shortly; the service may be busy.": N_(
        "{again}; the service may be busy."
    ),
}


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
    return _(
        "Run `{command}` to sign in (it opens your browser; add --device-code on a "
        "computer without one), then run this command again."
    ).format(command=login_command(args))


def consent_advice(args: argparse.Namespace) -> str:
    """A permission was never granted: granting it, not signing in, is what helps."""
    scopes = getattr(args, "scopes", None)
    grant = login_command(args, *(("--scopes", scopes) if scopes else ()))
    return _(
        "Grant access: run `{command}` and accept the requested permissions in the browser (or "
        "use Grant access in the Lanyard window), then run this command again."
    ).format(command=grant)


def terminal_words(advice: str, args: argparse.Namespace) -> str:
    """The window's "Sign in again" / "select Sign in" as the login command to run."""
    return _WINDOW_SIGN_IN.sub(
        lambda found: (
            f"{'S' if found.group()[0] == 'S' else 's'}ign in again with `{login_command(args)}`"
        ),
        advice,
    )


def run_again(exc: LanyardError) -> str:
    """When to run the command again: after the server's Retry-After, or in a moment."""
    wait = retry_after_s(exc)
    if not wait:
        return _("Run the command again in a moment")
    if wait == MAX_STATED_WAIT_S:
        return _(
            "Run the command again in {seconds} s (the server's Retry-After, capped at {cap} s)"
        ).format(seconds=number(wait), cap=number(MAX_STATED_WAIT_S))
    return _("Run the command again in {seconds} s (the server's Retry-After)").format(
        seconds=number(wait)
    )


def headless_advice(exc: LanyardError, args: argparse.Namespace | None = None) -> str:
    """The recommendation as true for a command that does not retry: when to run it again, and
    the command line to sign in with."""
    advice = exc.recommendation
    if args is not None and exc.reason is InteractionReason.CONSENT:
        return consent_advice(args)
    msgid = msgid_of(advice)
    if args is not None and msgid in SIGN_IN_ADVICE:
        return _(SIGN_IN_ADVICE[msgid]).format(command=login_command(args))
    if msgid in RETRY_ADVICE:
        return _(RETRY_ADVICE[msgid]).format(again=run_again(exc))
    # an advice put together from parts: its English words, rewritten where they are found
    if args is not None:
        advice = terminal_words(advice, args)
    phrase = next((p for p in RETRIES_ITSELF if p in advice), None)
    if phrase is None:
        return advice
    return advice.replace(phrase, run_again(exc))
