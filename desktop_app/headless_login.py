"""``lanyard login``, ``lanyard logout`` and ``lanyard accounts``: signing in from a terminal.

No Qt. The sign-in is the window's (session/sign_in.py), run on this thread: the same AuthClient
calls (auth code + PKCE with Lanyard's loopback receiver and the system browser, or a device
code), the same cache and settings, so the window and whoami/token find the account afterwards.
What the person must do goes to stderr as it happens; the outcome goes to stdout.
"""

from __future__ import annotations

import argparse
import json
import secrets
import time
from typing import TYPE_CHECKING, TextIO

from desktop_app.cli import command_line
from desktop_app.core.errors import ErrorKind, LanyardError
from desktop_app.core.i18n import _
from desktop_app.core.text import shown
from desktop_app.headless import EXIT_OK, EXIT_SIGN_IN, choose

if TYPE_CHECKING:
    from desktop_app.auth.client import AuthClient
    from desktop_app.auth.models import Account, TokenResult
    from desktop_app.session.services import Services

BROWSER_TIMEOUT_S = 300.0  # the window's: a closed browser tab is given up after five minutes


def _say(err: TextIO, text: str, limit: int = 4096) -> None:
    err.write(shown(text, limit=limit) + "\n")
    err.flush()  # a person (or a script reading the code) sees it while Lanyard waits


def _open(services: Services) -> AuthClient:
    """The cache as whoami reads it: a saved sign-in that cannot be read now stops here (a new
    one would not be saved either), then the msal app."""
    auth = services.auth
    auth.open_cache()
    problem = auth.saved_sign_in_problem()
    if problem is not None:
        raise problem
    auth.open()
    return auth


# -- login -------------------------------------------------------------------------------------


def login(services: Services, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    auth = services.auth
    auth.open_cache()
    if auth.token_cache is not None and not auth.token_cache.store.persisted:
        # the window keeps a session-only sign-in until it quits; this command ends at once
        raise LanyardError(
            _(
                "Lanyard did not sign you in: this computer cannot save the sign-in (see above), "
                "and a command's session ends with it."
            ),
            _("Fix what is said above, then run `{command_line}` again.").format(
                command_line=command_line(args, "login")
            ),
            ErrorKind.CACHE,
        )
    auth = _open(services)
    token = _with_device_code(auth, err) if args.device_code else _interactive(auth, args, err)
    account = token.account
    name = account.username if account is not None else _("your account")
    out.write(f"Signed in as {shown(name, one_line=True)}.\n")
    if token.id_claims is not None:
        identity = auth.identity(token.id_claims)
        if not identity.trusted:  # the window withholds the roles too
            _say(
                err,
                _("lanyard: warning: your app roles are not shown: ")
                + "; ".join(identity.problems),
            )
    return EXIT_OK


def _interactive(auth: AuthClient, args: argparse.Namespace, err: TextIO) -> TokenResult:
    """Through the OS sign-in broker when the setting asks for it and it works here (the
    window's InteractiveSignIn.start_broker), else, or when it fails, the system browser."""
    from desktop_app.auth.errors import BrokerFailed, broker_not_used

    path = auth.sign_in_path
    hint = args.account or None
    if path.broker is not None:
        _say(
            err,
            _("Signing in through the {name}: finish in its window…").format(
                name=_(path.broker.name)
            ),
        )
        try:
            return auth.sign_in_with_broker(
                None, login_hint=hint, prompt=None if hint else "select_account"
            )
        except BrokerFailed as exc:
            _say(
                err,
                _("lanyard: {message} {recommendation}").format(
                    message=exc.message, recommendation=exc.recommendation
                ),
            )
    elif path.requested:
        notice = broker_not_used(path.unavailable)
        _say(err, _("lanyard: {message}").format(message=notice.message))
    return _in_browser(auth, args, err)


def _in_browser(auth: AuthClient, args: argparse.Namespace, err: TextIO) -> TokenResult:
    """The window's browser sign-in (InteractiveSignIn.start_browser), waited for here."""
    from desktop_app.auth.browser import open_browser
    from desktop_app.auth.errors import WrongAccount
    from desktop_app.auth.loopback import LoopbackReceiver, Refused

    hint = args.account or None
    state = secrets.token_urlsafe(32)
    receiver = LoopbackReceiver(state)  # accepts only a response carrying this state
    try:
        pending = auth.begin_sign_in(
            receiver.redirect_uri, state, login_hint=hint, prompt=None if hint else "select_account"
        )
        _say(err, _("Opening your browser to sign in. If it does not open, go to:"))
        _say(err, f"  {pending.auth_uri}", limit=1 << 16)  # whole, or it cannot be opened
        if not open_browser(pending.auth_uri):
            _say(
                err,
                _(
                    "No browser could be opened here: open the address above yourself, or press Ctrl+C and run `{command_line}`."
                ).format(command_line=command_line(args, "login", "--device-code")),
            )
        _say(err, _("Waiting for the browser (Ctrl+C to cancel)…"))
        until = time.monotonic() + BROWSER_TIMEOUT_S
        while True:
            event = receiver.wait_event(BROWSER_TIMEOUT_S, until=until)
            if isinstance(event, Refused):  # another user's connection: told, still waiting
                _say(err, _("lanyard: {message}").format(message=event.error.message))
                continue
            try:
                return auth.finish_sign_in(pending, event)
            except WrongAccount as exc:  # the browser may still send the right one
                _say(err, _("lanyard: {message}").format(message=exc.message))
                receiver.rearm()
    finally:
        receiver.close()


def _with_device_code(auth: AuthClient, err: TextIO) -> TokenResult:
    """The window's device code sign-in (InteractiveSignIn.start_device_code), polled here."""
    from desktop_app.session.errors import device_code_expired

    device = auth.begin_device_flow()
    expires = time.strftime("%H:%M", time.localtime(device.expires_at))
    _say(
        err,
        _("To sign in, open {verification_uri} in a browser on any device").format(
            verification_uri=device.verification_uri
        ),
    )
    _say(
        err,
        _("and enter the code {user_code} (it expires at {expires}).").format(
            user_code=device.user_code, expires=expires
        ),
    )
    _say(err, _("Waiting for you to finish there (Ctrl+C to cancel)…"))
    while True:
        time.sleep(device.interval)  # msal raises the interval when told slow_down
        if time.time() > device.expires_at:  # msal set it from the real clock
            raise device_code_expired()
        token = auth.poll_device_flow(device)
        if token is not None:
            return token


# -- logout and accounts -------------------------------------------------------------------------


def _saved_accounts(services: Services) -> list[Account]:
    auth = services.auth
    auth.open_cache()
    problem = auth.saved_sign_in_problem()
    if problem is not None:
        raise problem
    if auth.token_cache is not None and not auth.token_cache.holds_accounts():
        return []  # no msal app (and no network) needed to say so
    auth.open()
    return auth.accounts()


def logout(services: Services, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Remove one account and its tokens from the cache, and its saved profile, as the window's
    Sign out does. Tokens already issued stay valid at the server until they expire."""
    from desktop_app.graph.snapshot import forget_snapshot

    everyone = _saved_accounts(services)
    account = choose(everyone, args.account)  # nobody, or no such account: raised
    auth = services.auth
    sign_out_page = auth.end_session_url(account)  # its hint is in the ID token sign_out removes
    auth.sign_out(account)
    forget_snapshot(services.open_snapshots(), account.home_account_id)
    if auth.token_cache is not None:
        auth.token_cache.flush()
    out.write(f"Signed out {shown(account.username, one_line=True)}: removed from this computer.\n")
    left = [a.username for a in auth.accounts()]
    if left:
        _say(err, _("Still signed in: ") + ", ".join(left))
    _say(
        err,
        _("Your browser may still be signed in to your organisation; to end that too, open ")
        + sign_out_page,
    )
    return EXIT_OK


def accounts(services: Services, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """The signed-in accounts, the default (the one whoami, token and the window use) first."""
    found = _saved_accounts(services)
    if args.json:
        listed = [
            {
                "username": account.username,
                "home_account_id": account.home_account_id,
                "environment": account.environment,
                "default": index == 0,
            }
            for index, account in enumerate(found)
        ]
        text = json.dumps(listed, indent=2, ensure_ascii=False)
        out.write(shown(text, for_json=True, limit=10 * len(text) + 16) + "\n")
    else:
        for index, account in enumerate(found):
            default = "  (default)" if index == 0 else ""
            out.write(f"{shown(account.username, one_line=True)}{default}\n")
    if not found:
        _say(
            err,
            _("Nobody is signed in. Run `{command_line}` to sign in.").format(
                command_line=command_line(args, "login")
            ),
        )
        return EXIT_SIGN_IN
    return EXIT_OK
