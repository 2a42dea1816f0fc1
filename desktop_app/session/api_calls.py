"""ApiCalls: the "Call an API" panel's requests, and Grant access when an API needs consent.

The token for a request's scopes comes from the auth worker (silent first); the HTTP call runs
on the network pool. A claims challenge in the answer (continuous access evaluation) gets a
token with those claims and one more call. When only a person can give the token (consent for a
new API, MFA...), the panel offers Grant access: an InteractiveSignIn in the browser for just
those scopes, as the same account, then the call again. Only the latest call's outcome is shown.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, Signal

from desktop_app.auth.errors import WrongAccount
from desktop_app.core.errors import ErrorKind, InteractionReason, LanyardError
from desktop_app.graph.api_call import (
    ApiFailure,
    ApiRequest,
    ApiRequestError,
    ApiResponse,
    scope_resource,
    validate_request,
)
from desktop_app.session import errors
from desktop_app.session.sign_in import Browser, InteractiveSignIn
from desktop_app.session.state import MAY_CALL_API, SessionView, State
from desktop_app.session.workers import CancelToken, Jobs

if TYPE_CHECKING:
    from desktop_app.auth.models import Account, TokenResult

log = logging.getLogger(__name__)
T = TypeVar("T")

# A call is made once, when the person presses Call: the session's "Lanyard tries again
# shortly" (true of a refresh or a profile load) would be false in the panel
RETRIES_ITSELF = "Lanyard tries again shortly"


def for_one_call(exc: LanyardError) -> LanyardError:
    """``exc`` with advice that is true for a call nobody retries by itself."""
    if RETRIES_ITSELF not in exc.recommendation:
        return exc
    advice = exc.recommendation.replace(RETRIES_ITSELF, "Call it again in a moment")
    return dataclasses.replace(exc, recommendation=advice)


class ApiCalls(QObject):
    call_started = Signal(object)  # ApiRequest
    answered = Signal(object)  # ApiResponse: the API answered (any HTTP status)
    failed = Signal(object)  # ApiFailure: no answer (bad request, no token, unreachable)
    consent_waiting = Signal(bool)  # the browser is open for Grant access
    notice = Signal(object)  # LanyardError: Grant access turned a response away; still waiting

    def __init__(
        self,
        session: SessionView,
        jobs: Jobs,
        browser: Browser,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._jobs = jobs
        self._auth, self._net, self._generation = jobs.auth, jobs.net, jobs.generation
        self._browser = browser
        self._call_id = 0  # only the latest call's outcome is shown
        self._in_flight: list[CancelToken] = []
        self._grant: tuple[ApiRequest, LanyardError] | None = None  # what Grant access is for
        self._attempt: InteractiveSignIn | None = None  # Grant access under way

    @property
    def graph_endpoint(self) -> str | None:
        services = self._session.services
        return services.config.graph_endpoint if services else None

    @property
    def consent_pending(self) -> bool:
        return self._attempt is not None and self._attempt.waiting_for_browser

    # -- a call ----------------------------------------------------------------------------------

    def call(self, url: str, scopes: tuple[str, ...] | str) -> None:
        """Call ``url`` with a token for ``scopes``; answers with ``answered`` or ``failed``."""
        session = self._session
        services, account, graph_endpoint = session.services, session.account, self.graph_endpoint
        scope_text = scopes if isinstance(scopes, str) else " ".join(scopes)
        try:
            request = validate_request(url, scope_text, graph_endpoint or "")
        except ApiRequestError as exc:
            error = errors.invalid_api_request(exc.message, exc.field)
            self.failed.emit(ApiFailure(error, field=exc.field))
            return
        if (
            services is None
            or services.api is None
            or account is None
            or session.state not in MAY_CALL_API
        ):
            self.failed.emit(ApiFailure(errors.api_needs_sign_in(), request))
            return
        self._call_id += 1
        self._grant = None
        self.call_started.emit(request)
        self._get_token(request, self._call_id)

    def _latest(self, call_id: int, callback: Callable[[T], None]) -> Callable[[T], None]:
        """``callback``, unless a newer call was made or the person signed out meanwhile."""

        def deliver(value: T) -> None:
            if call_id == self._call_id:
                callback(value)

        return self._generation.current(deliver)

    def _get_token(self, request: ApiRequest, call_id: int, claims: str = "") -> None:
        services, account = self._session.services, self._session.account
        if services is None or account is None:
            return
        auth = services.auth

        def silent(_: CancelToken) -> TokenResult:
            return auth.silent(account, scopes=request.scopes, claims_challenge=claims or None)

        def got(token: TokenResult) -> None:
            self._send(request, token, call_id, after_challenge=bool(claims))

        def failed(exc: LanyardError) -> None:
            self._token_failed(request, exc)

        self._in_flight = [
            self._auth.submit(
                silent, self._latest(call_id, got), self._latest(call_id, failed), name="api_token"
            )
        ]

    def _token_failed(self, request: ApiRequest, exc: LanyardError) -> None:
        exc = for_one_call(exc)
        can_grant = exc.kind is ErrorKind.INTERACTION_REQUIRED
        if can_grant:
            if exc.reason is InteractionReason.CONSENT:
                exc = errors.api_needs_consent(request.scopes, exc)
            self._grant = (request, exc)
        self.failed.emit(ApiFailure(exc, request, can_grant=can_grant))

    def _send(
        self, request: ApiRequest, token: TokenResult, call_id: int, after_challenge: bool = False
    ) -> None:
        services = self._session.services
        if services is None or services.api is None:
            return
        caller, access_token = services.api, token.access_token
        graph = scope_resource(request.scopes[0], self.graph_endpoint or "") == "graph"
        service = "Microsoft Graph" if graph else request.host
        log.info("Calling an API on %s", request.host)  # never the token, nor the query

        def call(_: CancelToken) -> ApiResponse:
            return caller.call(request, access_token, service)

        def answered(response: ApiResponse) -> None:
            problem = response.problem
            if problem is not None and problem.claims_challenge and not after_challenge:
                # continuous access evaluation: a token with the claims asked for, then once more
                self._get_token(request, call_id, problem.claims_challenge)
                return
            self.answered.emit(response)

        def failed(exc: LanyardError) -> None:
            self.failed.emit(ApiFailure(for_one_call(exc), request))

        self._in_flight.append(
            self._net.submit(
                call,
                self._latest(call_id, answered),
                self._latest(call_id, failed),
                name="api_call",
            )
        )

    # -- Grant access: a browser sign-in for the request's scopes only, as the same account -----

    def grant_access(self) -> None:
        services, account, grant = self._session.services, self._session.account, self._grant
        if services is None or account is None or grant is None or self._attempt is not None:
            return
        request, problem = grant
        attempt = self._attempt = InteractiveSignIn(
            services.auth,
            self._jobs,
            self._browser,
            self,
            job_prefix="api_",
            wait_after_wrong_account=False,  # the panel offers Grant access again instead
        )
        attempt.succeeded.connect(lambda token: self._granted(request, account, token))
        attempt.failed.connect(self._grant_failed)
        attempt.refused.connect(self.notice)
        attempt.browser_failed.connect(lambda: self._grant_failed(errors.no_browser_for_grant()))
        attempt.start_browser(
            login_hint=account.username,
            claims=problem.claims_challenge or None,
            scopes=request.scopes,
        )
        self.consent_waiting.emit(True)

    def _granted(self, request: ApiRequest, account: Account, token: TokenResult) -> None:
        if token.account is None or token.account.home_account_id != account.home_account_id:
            who = token.account.username if token.account else "another account"
            self._grant_failed(errors.granted_as_another_account(who, account.username))
            return
        self._end_grant()
        self._grant = None
        self._call_id += 1  # the call again, with the token just granted
        self.call_started.emit(request)
        self.consent_waiting.emit(False)
        self._send(request, token, self._call_id)

    def _grant_failed(self, exc: LanyardError) -> None:
        if isinstance(exc, WrongAccount):  # refused, and removed from the cache, by auth
            exc = errors.granted_as_another_account(
                exc.details.get("received_account") or "another account",
                exc.details.get("asked_for", ""),
            )
        self.stop()
        self.consent_waiting.emit(False)
        if exc.kind is ErrorKind.CANCELLED and not exc.details:
            return  # the person pressed Cancel
        grant = self._grant
        request = grant[0] if grant else None
        self.failed.emit(ApiFailure(exc, request, can_grant=grant is not None))

    def cancel_consent(self) -> None:
        """Cancel Grant access at once: the receiver stops listening, jobs emit nothing."""
        if self._attempt is None:
            return
        self.stop()
        self.consent_waiting.emit(False)

    def on_state(self, state: State) -> None:
        if state is State.SIGNED_OUT:  # signed out (here or elsewhere): nothing to grant now
            self._grant = None
            self.cancel_consent()

    def _end_grant(self) -> None:
        if self._attempt is not None:
            self._attempt.close()
            self._attempt = None

    def stop(self) -> None:
        """Nothing in flight emits any more (Cancel, a failed grant, quitting)."""
        for job in self._in_flight:
            job.cancel()
        self._in_flight = []
        self._end_grant()
