"""``lanyard whoami`` and ``lanyard token``: the signed-in user and access tokens, for scripts.

No Qt: these run from the same config and the same token cache as the window, on this thread,
and exit. The token is written only by ``token``, to stdout (its purpose, like ``az account
get-access-token``); it is never logged. Every failure is a message on stderr and an exit code,
never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from desktop_app.auth.errors import saving_state
from desktop_app.cli import config_flags
from desktop_app.core import demo, errors
from desktop_app.core.config import Config
from desktop_app.core.errors import ErrorKind, LanyardError
from desktop_app.core.text import shown

if TYPE_CHECKING:
    from desktop_app.auth.models import Account, TokenResult
    from desktop_app.session.services import Services

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1  # network, identity provider, Graph, anything unexpected
EXIT_USAGE = 2  # argparse's own
EXIT_CONFIG = 3  # a setting is wrong or missing
EXIT_SIGN_IN = 4  # nobody signed in, or the sign-in must be renewed by a person
# a sign-in may be saved but cannot be read or used now (keyring locked or not running, a cache
# or lock file Lanyard may not use): fix that and run the command again; do not sign in again
EXIT_STORE = 5

SIGN_IN_ADVICE = "Run lanyard to sign in (it opens your browser), then run this command again."


def _fail(message: str, recommendation: str, code: int, err: TextIO) -> int:
    # a message can quote a server's words: no escape sequence or override reaches the terminal
    err.write(f"lanyard: {shown(message)}\n")
    if recommendation:
        err.write(f"{shown(recommendation)}\n")
    return code


# A command runs once: the window's "Lanyard tries again shortly" (and "Lanyard waits as asked
# and tries again", said of a 429) would be false here
RETRIES_ITSELF = ("Lanyard tries again shortly", "Lanyard waits as asked and tries again")
MAX_STATED_WAIT_S = 3600  # msal's own cap on a Retry-After; a longer one is stated as this


def retry_after_s(exc: LanyardError) -> int | None:
    """The server's Retry-After for this failure, in whole seconds, capped; None if none."""
    from desktop_app.core.errors import retry_after_seconds

    value = exc.details.get("retry_after")
    seconds = retry_after_seconds(str(value)) if value is not None else None
    return None if seconds is None else max(0, min(int(seconds), MAX_STATED_WAIT_S))


def headless_advice(exc: LanyardError) -> str:
    """The recommendation as true for a command that does not retry: when to run it again."""
    advice = exc.recommendation
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


def _report(exc: LanyardError, err: TextIO) -> int:
    advice = headless_advice(exc)
    if exc.kind is ErrorKind.CONFIG:
        return _fail(exc.message, advice, EXIT_CONFIG, err)
    if exc.kind is ErrorKind.INTERACTION_REQUIRED:
        err.write(f"lanyard: {shown(exc.message)}\n{SIGN_IN_ADVICE}\n")
        code = EXIT_SIGN_IN
    elif exc.kind is ErrorKind.CACHE:  # this computer's store or files, not the network
        code = _fail(exc.message, advice, EXIT_STORE, err)
    else:
        code = _fail(exc.message, advice, EXIT_FAILED, err)
    for key, value in exc.details.items():  # codes and ids support asks for; never secrets
        err.write(f"  {key}: {shown(value, one_line=True)}\n")
    return code


def _config(args: argparse.Namespace) -> tuple[Config, bool]:
    # the demo chosen in the window, as the window would open it (core/demo.py)
    config = demo.start_config(config_flags(args), bool(args.sandbox))
    explicit_profile = demo.explicit_profile(args.profile_dir)
    return config, explicit_profile


def _choose(accounts: list[Account], wanted: str | None) -> Account:
    if not accounts:
        raise errors.nobody_signed_in()
    if not wanted:
        return accounts[0]  # the account the window signs in silently at start
    for account in accounts:
        if wanted.lower() in (account.username.lower(), account.home_account_id.lower()):
            return account
    raise errors.no_such_account(wanted, [a.username for a in accounts])


class _Notices:
    """What the cache had to say (a damaged cache moved aside, a keyring that cannot take a
    save), written to stderr before the command's own outcome: a script's user is told, not
    only the next window."""

    def __init__(self) -> None:
        self.told: list[LanyardError] = []

    def __call__(self, notice: LanyardError) -> None:
        self.told.append(notice)

    def write(self, err: TextIO, outcome: LanyardError | None = None) -> None:
        for notice in self.told:
            saving = saving_state(notice)
            if saving is not None and (saving[0] or outcome is not None):
                continue  # "saved again"; or the outcome says it (a store that cannot be read)
            err.write(f"lanyard: {notice.message}\n")
            if notice.recommendation:
                err.write(f"{notice.recommendation}\n")
        self.told.clear()


def _signed_in(services: Services, wanted: str | None) -> tuple[Account, TokenResult]:
    auth = services.auth
    auth.open_cache()  # no network yet: what is saved, or why it cannot be read
    problem = auth.saved_sign_in_problem()
    if problem is not None:
        raise problem
    if auth.token_cache is not None and not auth.token_cache.holds_accounts():
        raise errors.nobody_signed_in()
    auth.open()
    account = _choose(auth.accounts(), wanted)
    return account, auth.silent(account)


def whoami(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    account, token = _signed_in(services, args.account)
    profile = services.graph.me(token.access_token)
    if args.json:
        document = {
            "account": {"username": account.username, "home_account_id": account.home_account_id},
            "profile": profile.to_json(),
        }
        if profile.wrong_types:  # what Graph sent that is no text: said, not dropped
            document["notShown"] = {name: sent for name, sent in profile.wrong_types}
        text = json.dumps(document, indent=2, ensure_ascii=False)
        out.write(shown(text, for_json=True, limit=10 * len(text)) + "\n")
        return EXIT_OK
    from desktop_app.graph.profile import PROFILE_FIELDS

    width = max(len(label) for _, label in PROFILE_FIELDS)
    for name, label in PROFILE_FIELDS:
        value = profile.display_value(name)
        sent = profile.wrong_type(name)
        if not value and sent:
            value = f"(not shown: Microsoft Graph sent {sent}, not text)"
        if value:
            out.write(f"{label + ':':<{width + 1}} {_one_line(value)}\n")
    return EXIT_OK


def _one_line(text: str) -> str:
    """Directory text is untrusted: no control or format character reaches the terminal."""
    return shown(text, one_line=True)


def token(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    account, result = _signed_in(services, args.account)
    if args.json:
        document = {
            "accessToken": result.access_token,
            "tokenType": "Bearer",
            "expiresOn": int(result.expires_on),
            # msal reports no scopes for a token from its cache: those asked for, then
            "scopes": list(result.scopes or services.auth.settings.scopes),
            "account": account.username,
        }
        problem = result.lifetime_problem()
        if problem is not None:  # expires_in of 0 or a few seconds: say so, do not hide it
            document["warning"] = problem
        out.write(json.dumps(document, indent=2) + "\n")
    else:
        out.write(result.access_token + "\n")
        problem = result.lifetime_problem()
        if problem is not None:  # stdout is the token alone; the warning goes beside it
            sys.stderr.write(f"lanyard: warning: {problem}\n")
    return EXIT_OK


COMMANDS = {"whoami": whoami, "token": token}


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run a headless command; the exit code says how it went (see EXIT_*)."""
    out = out or sys.stdout
    err = err or sys.stderr
    from desktop_app.core.logs import configure_logging

    configure_logging(None, args.verbose)
    if not args.verbose:  # stderr is for this command's own messages
        logging.getLogger().setLevel(logging.ERROR)
    services: Services | None = None
    notices = _Notices()
    try:
        config, explicit_profile = _config(args)
        from desktop_app.session.services import build_services

        sandbox_info = Path(args.sandbox_info) if args.sandbox_info else None
        services = build_services(config, explicit_profile, notices, sandbox_info)
        services.auth.headless = True
        services.auth.command = f"'lanyard {args.command}'"
        code = COMMANDS[args.command](services, args, out)
        notices.write(err)
        return code
    except LanyardError as exc:
        notices.write(err, exc if exc.kind is ErrorKind.CACHE else None)
        if getattr(args, "json", False):
            # a script reading --json learns the failure and when to try again, not only stderr
            failure = {"error": shown(exc.message, one_line=True), "retryAfter": retry_after_s(exc)}
            out.write(json.dumps(failure, indent=2) + "\n")
        return _report(exc, err)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        log.debug("lanyard %s failed", args.command, exc_info=True)
        return _fail(
            f"Something unexpected went wrong ({exc.__class__.__name__}).",
            "Run it again with --verbose for details, and report it if it keeps happening.",
            EXIT_FAILED,
            err,
        )
    finally:
        if services is not None:
            services.close()
        _say_folder_warnings(args, err)


def _say_folder_warnings(args: argparse.Namespace, err: TextIO) -> None:
    """A profile folder other users can read, or another user's: one line each on stderr (with
    --verbose the log line on stderr says it already). stdout, which scripts read, is untouched."""
    if args.verbose:
        return
    from desktop_app.core.paths import folder_warnings

    for warning in folder_warnings():
        err.write(f"lanyard: warning: {warning}\n")
