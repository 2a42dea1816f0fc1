"""msal's failures as LanyardErrors: its error dicts and the exceptions it raises.

msal reports most failures as result dicts, but raises for some: a 429 or 5xx with a plain-text
body (ValueError from its JSON parse), connection errors and timeouts (from requests),
MsalServiceError, BrowserInteractionTimeoutError. All of it becomes one LanyardError: a message
for people, what to do, and the details support asks for (AADSTS codes, trace and correlation ids,
the time). No msal import: msal's exception types are recognised only if msal is loaded.

It also builds every other LanyardError the auth layer shows (the sign-in receiver, the token
cache and its store, the client), so each is worded in one place. requests is imported only when
an exception is read (from_exception): the window imports this module while it starts.

Why one module of ~490 lines: it is a catalogue of short builders (each a few lines of wording),
grouped by section below, and read as one place where the auth layer's words live; splitting it
would scatter that wording over modules that every caller imports as ``failures`` anyway.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from desktop_app.core.errors import (
    ErrorKind,
    InteractionReason,
    LanyardError,
    ResponseSummary,
    interaction_needed,
    support_details,
)
from desktop_app.core.i18n import N_, _
from desktop_app.core.stores import StoreUnavailable

# AADSTS codes that mean: only a person, in the browser, can fix this
MFA_CODES = frozenset({50076, 50079, 50158, 50078, 53003, 50133})
CONSENT_CODES = frozenset({65001})
EXPIRED_CODES = frozenset({700082, 50173, 70043, 50132})
INTERACTION_CODES = MFA_CODES | CONSENT_CODES | EXPIRED_CODES

_ID_RE = {
    "trace_id": re.compile(r"Trace ID: ([0-9a-fA-F-]+)"),
    "correlation_id": re.compile(r"Correlation ID: ([0-9a-fA-F-]+)"),
    "timestamp": re.compile(r"Timestamp: ([0-9:\- Z]+)"),
}


def _int_list(value: object) -> list[int]:
    if isinstance(value, list):
        return [item for item in value if isinstance(item, int) and not isinstance(item, bool)]
    return []


def interaction_reason(error: str, codes: list[int], suberror: str) -> InteractionReason | None:
    """Why only a person can continue, or None when the failure is not one of those."""
    code_set = set(codes)
    if suberror == "consent_required" or error == "consent_required" or code_set & CONSENT_CODES:
        return InteractionReason.CONSENT
    if suberror == "basic_action" or code_set & MFA_CODES:
        return InteractionReason.MFA
    if suberror == "bad_token" or code_set & EXPIRED_CODES:
        return InteractionReason.EXPIRED
    if error == "login_required":
        return InteractionReason.LOGIN
    if error == "interaction_required":
        return InteractionReason.EXPIRED
    return None


def from_msal_result(result: Mapping[str, Any], action: str) -> LanyardError:
    """An msal error dict as a LanyardError. ``action`` says what was being done."""
    error = str(result.get("error") or "unknown_error")
    description = str(result.get("error_description") or "")
    codes = _int_list(result.get("error_codes"))
    suberror = str(result.get("suberror") or "")
    found = {}
    for key, pattern in _ID_RE.items():
        match = pattern.search(description)
        found[key] = str(result.get(key) or (match.group(1) if match else "")).strip()
    details = support_details(
        error=error,
        codes=", ".join(f"AADSTS{code}" for code in codes),
        suberror=suberror,
        **found,
    )
    # first line of Entra's description, without the trailing ids already listed above
    summary = description.split("\r\n")[0].split("\n")[0].split(" Trace ID:")[0].strip()

    if error in {"access_denied", "authorization_declined"} and (
        "65004" in description or not codes or error == "authorization_declined"
    ):
        return LanyardError(
            _("{action} was cancelled in the browser.").format(action=action),
            _("Sign in again and accept the requested permissions to continue."),
            ErrorKind.CANCELLED,
            details,
        )
    if error == "expired_token":
        return LanyardError(
            _("{action} took too long: the code expired before it was used.").format(action=action),
            _("Start the sign-in again."),
            ErrorKind.TIMEOUT,
            details,
        )
    reason = interaction_reason(error, codes, suberror)
    if reason is not None:
        claims = result.get("claims")
        return interaction_needed(reason, claims if isinstance(claims, str) else "", details)
    if error in {"unauthorized_client", "invalid_client"} or 700016 in codes:
        return LanyardError(
            _("{action} failed: the identity provider does not know this application.").format(
                action=action
            ),
            _(
                "Check the client id (Application ID) in Lanyard's settings and that the app "
                "registration is in the tenant you sign in to."
            ),
            ErrorKind.CONFIG,
            details,
        )
    if error == "temporarily_unavailable":
        return LanyardError(
            _("{action} failed: the identity provider is temporarily unavailable.").format(
                action=action
            ),
            _("Lanyard tries again shortly."),
            ErrorKind.SERVICE,
            details,
        )
    if not summary:  # a bare code ("not_found"): said in words, as every other failure is
        words, advice = _UNEXPLAINED.get(error, _UNEXPLAINED_OTHER)
        return LanyardError(
            _("{action} failed: {words}.").format(
                action=action, words=_(words).format(error=error)
            ),
            _(advice),
            ErrorKind.SERVICE,
            details,
        )
    return LanyardError(
        _("{action} failed: {summary}").format(action=action, summary=summary),
        _("Try again. If it keeps failing, copy the details for your administrator."),
        ErrorKind.SERVICE,
        details,
    )


_TRY_AGAIN = N_("Try again. If it keeps failing, copy the details for your administrator.")
_NOT_OFFERED = N_(
    "Check the authority (tenant) in Lanyard's settings. If it is right, this identity provider "
    "does not offer this way of signing in: use the other one (the browser, or a device code)."
)
# OAuth's error codes (RFC 6749 5.2, RFC 8628 3.5) and a server's 404, when sent with no
# error_description: what they mean, and what helps
_UNEXPLAINED = {
    "not_found": (
        N_("the identity provider has nothing at the address Lanyard used ({error})"),
        _NOT_OFFERED,
    ),
    "unsupported_grant_type": (
        N_("the identity provider does not offer this way of signing in ({error})"),
        _NOT_OFFERED,
    ),
    "unsupported_response_type": (
        N_("the identity provider does not offer this way of signing in ({error})"),
        _NOT_OFFERED,
    ),
    "invalid_scope": (
        N_("the identity provider does not accept a permission Lanyard asked for ({error})"),
        N_(
            "Check the scopes in Lanyard's settings (--scopes), or ask your administrator which "
            "permissions the app registration has."
        ),
    ),
    "invalid_request": (
        N_("the identity provider could not accept the request ({error})"),
        _TRY_AGAIN,
    ),
    "invalid_grant": (N_("the identity provider did not accept the sign-in ({error})"), _TRY_AGAIN),
    "server_error": (N_("the identity provider had an internal error ({error})"), _TRY_AGAIN),
}
_UNEXPLAINED_OTHER = (
    N_("the identity provider answered with the error '{error}' and no explanation"),
    _TRY_AGAIN,
)


def _msal_exception(exc: Exception) -> str:
    """'service', 'browser_timeout' or '' for an exception msal defined (when msal is loaded)."""
    if "msal" not in sys.modules:
        return ""
    import msal
    from msal.oauth2cli.oauth2 import BrowserInteractionTimeoutError

    if isinstance(exc, BrowserInteractionTimeoutError):
        return "browser_timeout"
    if isinstance(exc, msal.exceptions.MsalServiceError):
        return "service"
    return ""


def from_exception(
    exc: Exception,
    action: str,
    service: str = "the identity provider",
    last: ResponseSummary | None = None,
) -> LanyardError:
    """What msal or requests raised, worded for people. ``last`` is the HTTP answer that made a
    parse fail (msal raises ValueError on a plain-text 429 without telling the status)."""
    name = exc.__class__.__name__
    kind = _msal_exception(exc)
    if kind == "browser_timeout":
        return LanyardError(
            _("{action} timed out: the browser did not return to Lanyard.").format(action=action),
            _("If you closed the browser tab, select Sign in to start again."),
            ErrorKind.TIMEOUT,
            support_details(error=name),
        )
    from desktop_app.core.http_errors import from_http_exception, unreadable_answer

    known = from_http_exception(exc, action, service, last)
    if known is not None:
        return known
    if kind == "service":
        return LanyardError(
            _("{action} failed: {service} reported an error.").format(
                action=action, service=service
            ),
            _("Try again. If it keeps failing, copy the details for your administrator."),
            ErrorKind.SERVICE,
            support_details(error=str(getattr(exc, "_error", "") or name)),  # msal keeps it private
        )
    if is_local_os_error(exc):
        return local_failure(exc, action)  # type: ignore[arg-type]  # an OSError: checked above
    return unreadable_answer(exc, action, service, last)


# -- failures of this computer (files, disk, locks), not of the network or a service ------------


def is_local_os_error(exc: BaseException) -> bool:
    """An OSError of this computer's files (a full disk, a lock file that cannot be opened, no
    permission), as opposed to one of the network: requests' exceptions, sockets, TLS and
    timeouts are OSErrors too, and stay the network's."""
    import socket
    import ssl

    if not isinstance(exc, OSError):
        return False
    network: tuple[type[BaseException], ...] = (
        ConnectionError,
        TimeoutError,
        socket.gaierror,
        socket.herror,
        ssl.SSLError,
    )
    if "requests" in sys.modules:
        import requests

        network += (requests.RequestException,)
    return not isinstance(exc, network)


def os_error_text(exc: BaseException) -> str:
    """What the OS said, in its words, and the file it was about: "No space left on device",
    "Permission denied: /home/me/.local/share/lanyard/token_cache.lock"."""
    if not isinstance(exc, OSError):
        return str(exc) or exc.__class__.__name__
    said = exc.strerror or str(exc) or exc.__class__.__name__
    return f"{said}: {exc.filename}" if exc.filename else said


def local_failure(exc: OSError, action: str) -> LanyardError:
    """A file of Lanyard's on this computer failed: never worded, or retried, as the network."""
    return LanyardError(
        _("{action} failed on this computer: {os_error_text}.").format(
            action=action, os_error_text=os_error_text(exc)
        ),
        _(
            "This is not a network or identity provider problem, so waiting will not fix it: "
            "free some disk space, or give your user account access to Lanyard's folder, then try "
            "again."
        ),
        ErrorKind.CACHE,
        support_details(
            error=exc.__class__.__name__,
            errno=str(exc.errno or ""),
            file=str(exc.filename or ""),
        ),
    )


# -- the sign-in receiver (loopback.py) ---------------------------------------------------------


def sign_in_cancelled() -> LanyardError:
    return LanyardError(_("Sign-in was cancelled."), "", ErrorKind.CANCELLED)


def sign_in_from_another_user(uid: int) -> LanyardError:
    """The receiver dropped a connection of another user of this computer."""
    return LanyardError(
        _(
            "Lanyard turned away a sign-in response from another user of this computer (user id {uid}). Your own sign-in was not affected."
        ).format(uid=uid),
        _(
            "Finish signing in in your browser. If this keeps happening, someone else on this "
            "computer may be trying to sign you in to their account: tell your administrator."
        ),
        ErrorKind.BROWSER,
        {"sender_uid": str(uid)},
    )


class WrongAccount(LanyardError):
    """The browser's response was for another account than the one the sign-in asked for."""


def signed_in_as_another_account(received: str, asked_for: str) -> WrongAccount:
    return WrongAccount(
        _(
            "The sign-in that reached Lanyard was for {value}, not for {asked_for}, so Lanyard did not use it."
        ).format(value=received or "another account", asked_for=asked_for),
        _(
            "Lanyard is still waiting: sign in as {asked_for} in the browser (open the sign-in link again if the page has closed), or cancel. If you did not sign in as {value}, someone else on this computer may have sent it."
        ).format(asked_for=asked_for, value=received or "that account"),
        ErrorKind.BROWSER,
        {"received_account": received, "asked_for": asked_for},
    )


def sign_in_timed_out(waited_seconds: float) -> LanyardError:
    return LanyardError(
        _("Sign-in timed out: the browser did not return to Lanyard."),
        _("If you closed the browser tab, select Sign in to start again."),
        ErrorKind.TIMEOUT,
        {"waited_seconds": str(int(waited_seconds))},
    )


# -- the client (client.py) ---------------------------------------------------------------------


def account_gone() -> LanyardError:
    return LanyardError(
        _("You are not signed in on this computer any more."),
        _("Select Sign in to continue."),
        ErrorKind.INTERACTION_REQUIRED,
    )


def no_usable_token() -> LanyardError:
    return LanyardError(
        _("Your saved sign-in has no usable token."),
        _("Select Sign in to continue."),
        ErrorKind.INTERACTION_REQUIRED,
    )


def http_cache_reset(moved_to: Path) -> LanyardError:
    return LanyardError(
        _("Lanyard's saved network metadata was damaged and has been reset."),
        _("Nothing to do: it is fetched again automatically."),
        ErrorKind.CACHE,
        {"moved_to": str(moved_to)},
    )


# -- the token cache and its store (token_cache.py, cache_store.py) ---------------------------


def session_only_cache(reason: str, advice: str, protection: str) -> LanyardError:
    """No store can keep the cache (plaintext refused, or the OS store is locked or failing)."""
    return LanyardError(
        _(
            "Your sign-in will not be saved: {reason}. You are signed in for this session only."
        ).format(reason=reason),
        advice,
        ErrorKind.CACHE,
        {"protection": protection},
    )


# A change the store could not take (StoreUnavailable: a reason, and what to do) is kept in memory
# and saved as soon as the store works again; these word the local reasons.

SAVES_LATER = N_("Lanyard keeps your sign-in in memory meanwhile and saves it as soon as it can.")


def cache_busy(lock: Path, holder: str, waited_seconds: float) -> StoreUnavailable:
    """Another process held the cache's lock too long; ``holder``: its process id, if known."""
    return StoreUnavailable(
        _("another Lanyard process")
        + (_(" (process {holder})").format(holder=holder) if holder else "")
        + _(" has held the token cache for more than {waited_seconds:.0f} seconds").format(
            waited_seconds=waited_seconds
        ),
        _(
            "Close other Lanyard windows or commands. If it keeps happening, end the process named here. {SAVES_LATER}"
        ).format(SAVES_LATER=_(SAVES_LATER)),
        detail=_("lock {lock}").format(lock=lock)
        + (_(", held by process {holder}").format(holder=holder) if holder else ""),
    )


def lock_unusable(lock: Path, exc: BaseException) -> StoreUnavailable:
    """The lock file cannot be opened or locked (a folder in its place, no permission, a full
    disk, a file system without locks)."""
    return StoreUnavailable(
        _("its lock file cannot be used ({os_error_text})").format(
            os_error_text=os_error_text(exc)
        ),
        _(
            "{lock} must be a file your user account can write, in a folder with free space. "
        ).format(lock=lock)
        + _(SAVES_LATER),
        detail=f"lock {lock}: {exc!r}",
    )


def cache_write_failed(location: Path, exc: BaseException) -> StoreUnavailable:
    return StoreUnavailable(
        _("the cache file could not be written ({os_error_text})").format(
            os_error_text=os_error_text(exc)
        ),
        _("Check free disk space and the permissions of {parent}. {SAVES_LATER}").format(
            parent=location.parent, SAVES_LATER=_(SAVES_LATER)
        ),
        detail=repr(exc),
    )


def cache_unreadable(location: Path, exc: BaseException) -> StoreUnavailable:
    """The OS refused to read the cache (no permission, a folder in its place...): that says
    nothing about its content, so it is left as it is, never moved aside as damage."""
    where = getattr(exc, "filename", None) or location
    return StoreUnavailable(
        _("Lanyard may not read the token cache ({os_error_text})").format(
            os_error_text=os_error_text(exc)
        ),
        _(
            "Lanyard left {where} as it is. Make it readable and writable by your user account (a cache created by another user or with sudo belongs to them); Lanyard reads it again as soon as it can."
        ).format(where=where),
        detail=repr(exc),
    )


def profile_unusable(directory: Path, exc: BaseException) -> StoreUnavailable:
    return StoreUnavailable(
        _("the profile folder cannot be used ({os_error_text})").format(
            os_error_text=os_error_text(exc)
        ),
        _(
            "Check that {directory} is a folder your user account can write, on a disk with free space, or choose another with --profile-dir."
        ).format(directory=directory),
        detail=repr(exc),
    )


def cache_damaged(why: str, cache: Path, moved_to: str | None) -> LanyardError:
    """The cache could not be read and a fresh one was started; ``moved_to``: where the damaged
    one was kept (a path or a keyring item), if anywhere."""
    return LanyardError(
        _("The saved sign-in could not be used: {why}. A fresh cache was started.").format(why=why),
        _("Sign in again.")
        + (
            _(" The damaged cache was kept for diagnosis as {moved_to}.").format(moved_to=moved_to)
            if moved_to
            else ""
        ),
        ErrorKind.CACHE,
        {"cache": str(cache)} | ({"moved_to": moved_to} if moved_to else {}),
    )


# notices that say whether the token cache is being saved: the window's status bar follows them
SAVED = "saved"  # details key: "no" while changes cannot be saved, "yes" once they are again
SAVED_WHY = "why"  # details key: the short reason, with SAVED "no"


def saving_state(notice: LanyardError) -> tuple[bool, str] | None:
    """(saved, why) if ``notice`` says whether the token cache is being saved, else None."""
    value = notice.details.get(SAVED)
    if value not in ("yes", "no"):
        return None
    return value == "yes", notice.details.get(SAVED_WHY, "")


def cache_not_saved(reason: str, advice: str, cache: Path) -> LanyardError:
    """The store refused a write (e.g. the keyring got locked): kept in memory until it works."""
    return LanyardError(
        _(
            "Your sign-in cannot be saved right now: {reason}. Lanyard keeps you signed in until it quits."
        ).format(reason=reason),
        advice,
        ErrorKind.CACHE,
        {"cache": str(cache), SAVED: "no", SAVED_WHY: reason},
    )


def cache_not_read(reason: str, advice: str, cache: Path) -> LanyardError:
    """The store refused a read (a locked or stopped keyring, no permission): the saved sign-in
    is still there, unread; nothing is moved or overwritten."""
    return LanyardError(
        _("Lanyard cannot read your saved sign-in right now: {reason}.").format(reason=reason),
        _("{advice} Until then, a new sign-in lasts only until Lanyard quits.").format(
            advice=advice
        ),
        ErrorKind.CACHE,
        {"cache": str(cache), SAVED: "no", SAVED_WHY: reason},
    )


def cache_works_again(protection: str) -> LanyardError:
    """The store that failed works again: everything kept in memory has been saved."""
    return LanyardError(
        _("Your sign-in is saved again ({protection}).").format(protection=protection),
        "",
        ErrorKind.CACHE,
        {SAVED: "yes"},
    )


def saved_sign_in_unavailable(problem: StoreUnavailable, cache: Path) -> LanyardError:
    """For the terminal commands: a sign-in may be saved, but its store cannot be read now.
    Not 'nobody is signed in': that would send the person to sign in again for nothing."""
    return LanyardError(
        _("Your saved sign-in cannot be read right now: {reason}.").format(reason=problem.reason),
        _("{advice} You do not need to sign in again.").format(advice=problem.advice),
        ErrorKind.CACHE,
        {"cache": str(cache)},
    )


def earlier_damage(record: Mapping[str, Any]) -> LanyardError:
    """What a terminal command (or another process) found and did while no window was open,
    told once by the next window."""
    when = str(record.get("time") or "earlier")
    by = str(record.get("by") or _("another Lanyard process"))
    moved_to = str(record.get("moved_to") or "")
    return LanyardError(
        _(
            "Your saved sign-in was found damaged ({value}) by {by} at {when}, and a fresh cache was started."
        ).format(value=record.get("why") or "unreadable", by=by, when=when),
        _("Sign in again.")
        + (
            _(" The damaged cache was kept for diagnosis as {moved_to}.").format(moved_to=moved_to)
            if moved_to
            else ""
        ),
        ErrorKind.CACHE,
        {"cache": str(record.get("cache") or "")} | ({"moved_to": moved_to} if moved_to else {}),
    )


# -- the OS sign-in broker (broker.py, client.sign_in_with_broker) ---------------------------


class BrokerFailed(LanyardError):
    """The sign-in broker could not sign in: the caller signs in through the browser instead.
    ``details["broker"]`` says why, in words."""


def broker_failed(why: str) -> BrokerFailed:
    return BrokerFailed(
        _("The sign-in broker could not sign you in ({why}).").format(why=why),
        _("Lanyard signs you in through the system browser instead."),
        ErrorKind.BROWSER,
        {"broker": why},
    )


def broker_redirect_uri_missing(redirect_uri: str) -> BrokerFailed:
    why = _("the app registration lacks the redirect URI {redirect_uri}").format(
        redirect_uri=redirect_uri
    )
    return BrokerFailed(
        _("The sign-in broker could not sign you in: {why}.").format(why=why),
        _(
            "Lanyard signs you in through the system browser instead. To use the broker, ask your administrator to add {redirect_uri} as a Mobile and desktop redirect URI."
        ).format(redirect_uri=redirect_uri),
        ErrorKind.CONFIG,
        {"broker": why, "redirect_uri": redirect_uri},
    )


def broker_not_used(why: str) -> LanyardError:
    """Told when a sign-in goes to the browser although the broker setting asked for it."""
    return LanyardError(
        _(
            "The sign-in broker is not available ({why}): signing in through the system browser."
        ).format(why=why),
        _(
            "Nothing to do to sign in now. A device that Conditional Access requires to be managed "
            "needs the broker: ask your administrator."
        ),
        ErrorKind.BROWSER,
        {"broker": why},
    )


def from_broker_result(result: Mapping[str, Any], action: str) -> LanyardError:
    """msal's answer from the broker without a token: the person cancelled in the broker's
    window; the broker failed (BrokerFailed: the browser next); or the identity provider's own
    error, as from the browser."""
    if result.get("error") != "broker_error":
        return from_msal_result(result, action)
    status = str(result.get("_broker_status") or "")
    if status.endswith("UserCanceled"):
        return LanyardError(_("Sign-in was cancelled."), "", ErrorKind.CANCELLED)
    # "<context>. Status: …, Error code: …, Tag: …" (msal/broker.py _convert_error)
    description = str(result.get("error_description") or "").split(". Status:")[0]
    why = " ".join(description.split())[:200] or status.rpartition(".")[2] or _("no reason given")
    return broker_failed(why)


def broker_silent_no_answer(why: str) -> LanyardError:
    """A refresh the sign-in broker took and did not answer: msal is without the broker for
    the rest of the session, so the sign-in asked for goes through the browser."""
    return LanyardError(
        _("The sign-in broker did not refresh your sign-in ({why}).").format(why=why),
        _("Sign in again: Lanyard uses the system browser for the rest of this session."),
        ErrorKind.INTERACTION_REQUIRED,
        {"broker": why},
    )


def broker_sign_out_no_answer(why: str) -> LanyardError:
    """A sign-out the sign-in broker took and did not answer: Lanyard's own cache has
    forgotten the account all the same."""
    return LanyardError(
        _("The sign-in broker did not answer the sign-out ({why}).").format(why=why),
        _(
            "You are signed out of Lanyard. The broker may still keep the account: Lanyard uses "
            "the system browser for the rest of this session."
        ),
        ErrorKind.BROWSER,
        {"broker": why},
    )
