"""``lanyard whoami`` and ``lanyard token``: the signed-in user and access tokens, for scripts;
and ``run``, which builds the services for every terminal command that signs in (headless_login.py,
headless_api.py).

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
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from desktop_app.auth.errors import saving_state
from desktop_app.cli import config_flags
from desktop_app.core import demo, errors, i18n
from desktop_app.core.config import Config, with_request_scopes
from desktop_app.core.errors import ErrorKind, InteractionReason, LanyardError, NoSuchAccount
from desktop_app.core.i18n import _
from desktop_app.core.text import shown
from desktop_app.headless_advice import (
    headless_advice,
    login_command,
    retry_after_s,
    sign_in_advice,
    terminal_words,
)

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

EXIT_NO_ACCOUNT = 6  # --account names no signed-in account (the message lists those that are)


def _fail(message: str, recommendation: str, code: int, err: TextIO) -> int:
    # a message can quote a server's words: no escape sequence or override reaches the terminal
    err.write(f"lanyard: {shown(message)}\n")
    if recommendation:
        err.write(f"{shown(recommendation)}\n")
    return code


def _report(exc: LanyardError, err: TextIO, args: argparse.Namespace) -> int:
    advice = headless_advice(exc, args)
    if isinstance(exc, NoSuchAccount):
        return _fail(
            exc.message,
            _(
                "Give --account one of those, or run `{login_command}` to sign in as that account."
            ).format(login_command=login_command(args, "--account", args.account or "")),
            EXIT_NO_ACCOUNT,
            err,
        )
    if exc.kind is ErrorKind.CONFIG:
        return _fail(exc.message, advice, EXIT_CONFIG, err)
    if exc.kind is ErrorKind.INTERACTION_REQUIRED:
        if exc.reason is not InteractionReason.CONSENT:
            advice = sign_in_advice(args)
        code = _fail(exc.message, advice, EXIT_SIGN_IN, err)
    elif exc.kind is ErrorKind.CACHE:  # this computer's store or files, not the network
        code = _fail(exc.message, advice, EXIT_STORE, err)
    else:
        code = _fail(exc.message, advice, EXIT_FAILED, err)
    for key, value in exc.details.items():  # codes and ids support asks for; never secrets
        err.write(f"  {key}: {shown(value, one_line=True)}\n")
    return code


# commands whose --scopes asks for a token for those scopes, as the window's API console does:
# a request, not the scopes setting, so a policy that locks the setting does not refuse it
REQUEST_SCOPES_COMMANDS = frozenset({"token", "api", "login"})


def _config(args: argparse.Namespace) -> tuple[Config, bool]:
    flags = config_flags(args)
    asked = flags.get("scopes") if args.command in REQUEST_SCOPES_COMMANDS else None
    if asked:
        flags["scopes"] = None
    # the demo chosen in the window, as the window would open it (core/demo.py)
    config = demo.start_config(flags, bool(args.sandbox))
    if asked:
        config = with_request_scopes(config, str(asked))
    explicit_profile = demo.explicit_profile(args.profile_dir)
    return config, explicit_profile


def choose(accounts: list[Account], wanted: str | None) -> Account:
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

    def __init__(self, args: argparse.Namespace) -> None:
        self.told: list[LanyardError] = []
        self._args = args

    def __call__(self, notice: LanyardError) -> None:
        self.told.append(notice)

    def write(self, err: TextIO, outcome: LanyardError | None = None) -> None:
        for notice in self.told:
            saving = saving_state(notice)
            if saving is not None and (saving[0] or outcome is not None):
                continue  # "saved again"; or the outcome says it (a store that cannot be read)
            err.write(f"lanyard: {notice.message}\n")
            if notice.recommendation:
                err.write(f"{terminal_words(notice.recommendation, self._args)}\n")
        self.told.clear()


def signed_in_account(services: Services, wanted: str | None) -> Account:
    """The account a command acts as (``wanted``, else the first), from the saved sign-in."""
    auth = services.auth
    auth.open_cache()  # no network yet: what is saved, or why it cannot be read
    problem = auth.saved_sign_in_problem()
    if problem is not None:
        raise problem
    if auth.token_cache is not None and not auth.token_cache.holds_accounts():
        raise errors.nobody_signed_in()
    auth.open()
    return choose(auth.accounts(), wanted)


def signed_in(services: Services, wanted: str | None) -> tuple[Account, TokenResult]:
    account = signed_in_account(services, wanted)
    return account, services.auth.silent(account)


def whoami(services: Services, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    account, token = signed_in(services, args.account)
    profile = services.graph.me(token.access_token)
    if args.json:
        document: dict[str, object] = {
            "account": {"username": account.username, "home_account_id": account.home_account_id},
            "profile": profile.to_json(),
        }
        if profile.wrong_types:  # what Graph sent that is no text: said, not dropped
            document["notShown"] = {name: sent for name, sent in profile.wrong_types}
        roles, problems = _roles(services, token)
        document |= {"roles": roles, "rolesNotShown": problems}
        text = json.dumps(document, indent=2, ensure_ascii=False)
        out.write(shown(text, for_json=True, limit=10 * len(text)) + "\n")
        return EXIT_OK
    from desktop_app.graph.profile import PROFILE_FIELDS

    labels = [(name, _(label)) for name, label in PROFILE_FIELDS]
    roles_label = _("App roles:")
    width = max(len(roles_label) - 1, *(len(label) for _name, label in labels))
    for name, label in labels:
        value = profile.display_value(name)
        sent = profile.wrong_type(name)
        if not value and sent:
            value = _("(not shown: Microsoft Graph sent {sent}, not text)").format(sent=sent)
        if value:
            out.write(f"{label + ':':<{width + 1}} {_one_line(value)}\n")
    roles, problems = _roles(services, token)
    held = (
        ", ".join(roles) or _("none")
        if roles is not None
        else _("not shown: ") + "; ".join(problems)
    )
    out.write(f"{roles_label:<{width + 1}} {_one_line(held)}\n")
    return EXIT_OK


def _roles(services: Services, token: TokenResult) -> tuple[list[str] | None, list[str]]:
    """The ID token's app roles, after the checks the window's Roles panel makes (audience,
    issuer and tenant, expiry); None, and why, when the token fails them or none is saved."""
    if token.id_claims is None:
        return None, [_("no ID token is saved for this account")]
    identity = services.auth.identity(token.id_claims)
    if not identity.trusted:
        return None, list(identity.problems)
    return list(identity.claims.roles), []


def _one_line(text: str) -> str:
    """Directory text is untrusted: no control or format character reaches the terminal."""
    return shown(text, one_line=True)


def token(services: Services, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    account, result = signed_in(services, args.account)
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


def _command(name: str) -> Callable[[Services, argparse.Namespace, TextIO, TextIO], int]:
    """The command's function; the other commands' modules are not imported (whoami and token
    are the ones scripts run again and again)."""
    if name == "whoami":
        return whoami
    if name == "token":
        return token
    if name == "api":
        from desktop_app import headless_api

        return headless_api.api
    from desktop_app import headless_login

    commands = {
        "login": headless_login.login,
        "logout": headless_login.logout,
        "accounts": headless_login.accounts,
    }
    return commands[name]


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run a headless command; the exit code says how it went (see EXIT_*)."""
    out = out or sys.stdout
    err = err or sys.stderr
    from desktop_app.core.logs import configure_logging

    configure_logging(None, args.verbose)
    if not args.verbose:  # stderr is for this command's own messages
        logging.getLogger().setLevel(logging.ERROR)
    services: Services | None = None
    notices = _Notices(args)
    try:
        config, explicit_profile = _config(args)
        i18n.install(i18n.resolve(config.language))  # the file's or the policy's choice
        for problem in config.policy_problems:  # the administrator's mistake, said every time
            err.write(f"lanyard: warning: managed policy: {shown(problem, one_line=True)}\n")
        from desktop_app.session.services import build_services

        sandbox_info = Path(args.sandbox_info) if args.sandbox_info else None
        services = build_services(config, explicit_profile, notices, sandbox_info)
        services.auth.headless = True
        services.auth.command = f"'lanyard {args.command}'"
        code = _command(args.command)(services, args, out, err)
        notices.write(err)
        return code
    except LanyardError as exc:
        notices.write(err, exc if exc.kind is ErrorKind.CACHE else None)
        if getattr(args, "json", False):
            # a script reading --json learns the failure and when to try again, not only stderr
            failure = {"error": shown(exc.message, one_line=True), "retryAfter": retry_after_s(exc)}
            out.write(json.dumps(failure, indent=2) + "\n")
        return _report(exc, err, args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `lanyard api ... | head`: the reader left before the end
        _stdout_gone(out)
        return _fail(_("stdout was closed before everything was written."), "", EXIT_FAILED, err)
    except Exception as exc:
        log.debug("lanyard %s failed", args.command, exc_info=True)
        return _fail(
            _("Something unexpected went wrong ({name}).").format(name=exc.__class__.__name__),
            _("Run it again with --verbose for details, and report it if it keeps happening."),
            EXIT_FAILED,
            err,
        )
    finally:
        if services is not None:
            services.close()
        _say_folder_warnings(args, err)


def _stdout_gone(out: TextIO) -> None:
    """Point stdout at the null device: what is left in its buffer would otherwise fail again
    when the interpreter flushes it on exit (an "Exception ignored" report on stderr)."""
    import os

    try:
        fd = out.fileno()
    except (OSError, ValueError):  # not a real file (a test's StringIO)
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, fd)
    finally:
        os.close(null)


def _say_folder_warnings(args: argparse.Namespace, err: TextIO) -> None:
    """A profile folder other users can read, or another user's: one line each on stderr (with
    --verbose the log line on stderr says it already). stdout, which scripts read, is untouched."""
    if args.verbose:
        return
    from desktop_app.core.paths import folder_warnings

    for warning in folder_warnings():
        err.write(f"lanyard: warning: {warning}\n")
