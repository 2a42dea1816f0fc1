"""Every LanyardError the session (and the window, about the session) words itself. No Qt.

The failures of msal, requests and Graph are worded where they are caught (auth/errors.py,
core/http_errors.py, graph/errors.py); these are the ones the session decides on: a browser that
would not open, a code that expired, an API called before signing in, access granted as the
wrong account, a start cut short by Quit.
"""

from __future__ import annotations

from collections.abc import Iterable

from desktop_app.core.errors import ErrorKind, InteractionReason, LanyardError, retry_after_seconds
from desktop_app.core.i18n import N_, _

_NO_BROWSER = N_("Lanyard could not open a web browser on this computer.")


def retry_after(exc: LanyardError) -> float | None:
    """The seconds a server asked to wait (its Retry-After) before trying again, if it did."""
    return retry_after_seconds(exc.details.get("retry_after", ""))


# -- start and sign-in ---------------------------------------------------------------------------


def quitting() -> LanyardError:
    """Quit came while the services were being built: the start ends here, unseen."""
    return LanyardError(_("Lanyard is quitting."), "", ErrorKind.CANCELLED)


def no_browser_for_sign_in() -> LanyardError:
    """A notice: the sign-in goes on with a device code."""
    return LanyardError(
        _(_NO_BROWSER),
        _(
            "Sign in with the code below on any device with a browser, or copy the sign-in "
            "link into a browser here."
        ),
        ErrorKind.BROWSER,
    )


def device_code_expired() -> LanyardError:
    return LanyardError(
        _("The sign-in code expired before it was used."),
        _("Start the sign-in again to get a new code."),
        ErrorKind.TIMEOUT,
    )


def token_expired_on_arrival() -> LanyardError:
    """The identity provider answered with an access token that is already expired
    (expires_in of 0 or less): there is no usable token in hand."""
    return LanyardError(
        _(
            "The identity provider issued an access token that is already expired (its lifetime "
            "was 0 seconds or less), so Lanyard has no usable token."
        ),
        _(
            "Lanyard asks again, less and less often (down to once a minute); if this goes on, "
            "the identity provider's token lifetime settings need a look."
        ),
        ErrorKind.SERVICE,
    )


def token_expired_before_renewal() -> LanyardError:
    """A short-lived token ran out before its (backed-off) renewal: none usable meanwhile."""
    return LanyardError(
        _(
            "Your access token expired before Lanyard could renew it: the identity provider "
            "issues tokens that last only seconds."
        ),
        _("Lanyard renews it shortly; until then there is no usable token."),
        ErrorKind.SERVICE,
    )


def sign_in_needed() -> LanyardError:
    """What the window says in SIGN_IN_NEEDED when the session kept no reason."""
    return LanyardError(
        _("Your sign-in has expired or needs to be confirmed."),
        _("Sign in again to continue; Lanyard keeps showing what it last loaded."),
        ErrorKind.INTERACTION_REQUIRED,
    )


def claims_need_sign_in(refusal: LanyardError, claims: str) -> LanyardError:
    """A silent token for Graph's claims challenge was refused as needing a person: the sign-in
    must carry Graph's claims when the refusal named none of its own."""
    if refusal.claims_challenge:
        return refusal
    return LanyardError(
        refusal.message,
        refusal.recommendation,
        refusal.kind,
        refusal.details,
        reason=refusal.reason or InteractionReason.CLAIMS,
        claims_challenge=claims,
    )


def signed_out_elsewhere() -> LanyardError:
    return LanyardError(
        _("You were signed out by another Lanyard window or command."),
        _("Select Sign in to continue."),
        ErrorKind.CACHE,
    )


def unexpected(job: str) -> LanyardError:
    """A bug in a worker job (logged with its traceback where it happened)."""
    return LanyardError(
        _("Something unexpected went wrong."),
        _("Try again. If it keeps happening, save diagnostics and report it."),
        ErrorKind.INTERNAL,
        {"job": job},
    )


# -- Call an API ---------------------------------------------------------------------------------


def invalid_api_request(message: str, field: str) -> LanyardError:
    """The URL or the scopes typed in the panel, refused before anything is sent."""
    return LanyardError(message, "", ErrorKind.CONFIG, {"field": field})


def page_not_read(status: int) -> LanyardError:
    """A next page answered with a status that is neither a page nor an error Graph words."""
    return LanyardError(
        _(
            "The next page answered {status} instead of a page; the pages read so far are shown."
        ).format(status=status),
        _("Select Load next page to try again."),
        ErrorKind.SERVICE,
    )


def api_needs_sign_in() -> LanyardError:
    return LanyardError(
        _("Sign in first: Lanyard calls the API as the signed-in account."),
        _("Sign in (or sign in again), then call the API."),
        ErrorKind.INTERACTION_REQUIRED,
    )


def api_needs_consent(scopes: Iterable[str], refusal: LanyardError) -> LanyardError:
    """The identity provider wants consent for an API's scopes: worded as what Grant access is."""
    return LanyardError(
        _("This API needs your consent first: {join}.").format(join=" ".join(scopes)),
        _("Select Grant access to give it in your browser; Lanyard then calls the API."),
        refusal.kind,
        refusal.details,
        reason=refusal.reason,
        claims_challenge=refusal.claims_challenge,
    )


def no_browser_for_grant() -> LanyardError:
    return LanyardError(
        _(_NO_BROWSER),
        _("Set a default browser (or BROWSER), then select Grant access again."),
        ErrorKind.BROWSER,
    )


def granted_as_another_account(who: str, signed_in_as: str) -> LanyardError:
    return LanyardError(
        _("Access was granted as {who}, but Lanyard is signed in as {signed_in_as}.").format(
            who=who, signed_in_as=signed_in_as
        ),
        _("Select Grant access again and choose {signed_in_as} in the browser.").format(
            signed_in_as=signed_in_as
        ),
        ErrorKind.INTERACTION_REQUIRED,
    )
