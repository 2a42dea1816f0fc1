"""ApiCalls: the "Call an API" panel's requests, and Grant access when an API needs consent.

The token for a request's scopes comes from the auth worker (silent first); the HTTP call runs
on the network pool. A claims challenge in the answer (continuous access evaluation) gets a
token with those claims and one more call. When only a person can give the token (consent for a
new API, MFA...), the panel offers Grant access: an InteractiveSignIn in the browser for just
those scopes, as the same account, then the call again. Only the latest call's outcome is shown.

A collection answered a page at a time (``@odata.nextLink``) is followed only on request:
``load_more`` reads the next page (or, with ``all``, every page up to api_pages.MAX_PAGES) with a
token for the same scopes, and ``paging`` says how far it got; ``stop_paging`` ends it and keeps
what was read.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, Signal

from desktop_app.auth.errors import WrongAccount
from desktop_app.core.errors import ErrorKind, InteractionReason, LanyardError
from desktop_app.core.i18n import N_, _
from desktop_app.graph.api_call import (
    ApiFailure,
    ApiRequest,
    ApiRequestError,
    ApiResponse,
    scope_resource,
    validate_request,
)
from desktop_app.graph.api_pages import MAX_PAGES, Pages
from desktop_app.graph.json_tree import JsonValue
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
RETRIES_ITSELF = N_("Lanyard tries again shortly")


def for_one_call(exc: LanyardError) -> LanyardError:
    """``exc`` with advice that is true for a call nobody retries by itself."""
    if _(RETRIES_ITSELF) not in exc.recommendation:
        return exc
    advice = exc.recommendation.replace(_(RETRIES_ITSELF), _("Call it again in a moment"))
    return dataclasses.replace(exc, recommendation=advice)


@dataclass(frozen=True)
class Paging:
    """How far the pages of the last answer have been read (``ApiCalls.paging``)."""

    document: JsonValue  # every item read so far, as one document
    summary: str  # "250 items in 3 pages"
    pages: int
    can_load_more: bool
    loading: bool  # a page is being read now
    loading_all: bool  # ...and more after it, up to ``cap``
    cap: int = MAX_PAGES
    refused: str = ""  # a next link there is, not followed (another origin)


class ApiCalls(QObject):
    call_started = Signal(object)  # ApiRequest
    answered = Signal(object)  # ApiResponse: the API answered (any HTTP status)
    failed = Signal(object)  # ApiFailure: no answer (bad request, no token, unreachable)
    consent_waiting = Signal(bool)  # the browser is open for Grant access
    notice = Signal(object)  # LanyardError: Grant access turned a response away; still waiting
    paging = Signal(object)  # Paging: the last answer is a page of a collection

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
        self._pages: Pages | None = None  # the last answer, when it is a page of a collection
        self._page_jobs: list[CancelToken] = []
        self._loading_all = False

    @property
    def graph_endpoint(self) -> str | None:
        services = self._session.services
        return services.config.graph_endpoint if services else None

    @property
    def consent_pending(self) -> bool:
        return self._attempt is not None and self._attempt.waiting_for_browser

    # -- a call ----------------------------------------------------------------------------------

    def check(
        self,
        url: str,
        scopes: tuple[str, ...] | str,
        method: str = "GET",
        headers: str = "",
        body: str = "",
    ) -> ApiRequest | None:
        """The request, checked; None (and ``failed`` naming the field) when it cannot be sent."""
        scope_text = scopes if isinstance(scopes, str) else " ".join(scopes)
        try:
            return validate_request(
                url, scope_text, self.graph_endpoint or "", method, headers, body
            )
        except ApiRequestError as exc:
            error = errors.invalid_api_request(exc.message, exc.field)
            self.failed.emit(ApiFailure(error, field=exc.field))
            return None

    def call(
        self,
        url: str,
        scopes: tuple[str, ...] | str,
        method: str = "GET",
        headers: str = "",
        body: str = "",
    ) -> None:
        """Check and send the request; answers with ``answered`` (then ``paging`` for a page
        of a collection) or ``failed``."""
        request = self.check(url, scopes, method, headers, body)
        if request is not None:
            self.send(request)

    def send(self, request: ApiRequest) -> None:
        """Send a checked request (``check``)."""
        session = self._session
        if (
            session.services is None
            or session.services.api is None
            or session.account is None
            or session.state not in MAY_CALL_API
        ):
            self.failed.emit(ApiFailure(errors.api_needs_sign_in(), request))
            return
        self._call_id += 1
        self._grant = None
        self._end_paging()
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
        service = "Microsoft Graph" if self._is_graph(request) else request.host
        # never the token, nor the query or body
        log.info("Calling an API on %s: %s", request.host, request.method)

        def call(_: CancelToken) -> ApiResponse:
            return caller.call(request, access_token, service)

        def answered(response: ApiResponse) -> None:
            problem = response.problem
            if problem is not None and problem.claims_challenge and not after_challenge:
                # continuous access evaluation: a token with the claims asked for, then once more
                self._get_token(request, call_id, problem.claims_challenge)
                return
            self.answered.emit(response)
            self._start_paging(response)

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

    # -- the pages of a collection (@odata.nextLink) ---------------------------------------------

    def _start_paging(self, response: ApiResponse) -> None:
        pages = Pages.start(response)
        if pages.next.url or pages.next.refused:
            self._pages = pages
            self._emit_paging()

    def _emit_paging(self, loading: bool = False) -> None:
        pages = self._pages
        if pages is None:
            return
        self.paging.emit(
            Paging(
                document=pages.document(),
                summary=pages.summary(),
                pages=pages.count,
                can_load_more=pages.can_load_more,
                loading=loading,
                loading_all=loading and self._loading_all,
                refused=pages.next.refused,
            )
        )

    @property
    def paging_now(self) -> bool:
        return bool(self._page_jobs)

    def load_more(self, all_pages: bool = False) -> None:
        """Read the next page (``all_pages``: every page, up to MAX_PAGES)."""
        pages, services, account = self._pages, self._session.services, self._session.account
        if pages is None or not pages.can_load_more or self._page_jobs:
            return
        if services is None or services.api is None or account is None:
            return
        self._loading_all = all_pages
        self._next_page(pages, self._call_id)

    def _next_page(self, pages: Pages, call_id: int) -> None:
        services, account = self._session.services, self._session.account
        if services is None or services.api is None or account is None:
            return
        auth, caller = services.auth, services.api
        request = pages.first.request.with_url(pages.next.url)
        service = "Microsoft Graph" if self._is_graph(request) else request.host

        def token(_: CancelToken) -> TokenResult:
            # for the scopes of the first page, from the cache (silent; it may renew)
            return auth.silent(account, scopes=request.scopes)

        def fetch(got_token: TokenResult) -> None:
            def call(_: CancelToken) -> ApiResponse:
                return caller.call(request, got_token.access_token, service)

            self._page_jobs.append(
                self._net.submit(
                    call, self._latest(call_id, got), self._latest(call_id, failed), name="api_page"
                )
            )

        def got(response: ApiResponse) -> None:
            self._page_jobs = []
            if not response.ok:
                self._page_failed(
                    request, response.problem or errors.page_not_read(response.status)
                )
                return
            pages.add(response)
            more = self._loading_all and pages.can_load_more
            self._emit_paging(loading=more)
            if more:
                self._next_page(pages, call_id)
            else:
                self._loading_all = False

        def failed(exc: LanyardError) -> None:
            self._page_jobs = []
            self._page_failed(request, for_one_call(exc))

        self._page_jobs = [
            self._auth.submit(
                token, self._latest(call_id, fetch), self._latest(call_id, failed), name="api_token"
            )
        ]
        self._emit_paging(loading=True)

    def _page_failed(self, request: ApiRequest, exc: LanyardError) -> None:
        self._loading_all = False
        self._emit_paging()
        self.failed.emit(ApiFailure(exc, request, keeps_answer=True))

    def stop_paging(self) -> None:
        """Stop reading pages; what was read stays."""
        for job in self._page_jobs:
            job.cancel()
        was_loading = bool(self._page_jobs)
        self._page_jobs = []
        self._loading_all = False
        if was_loading:
            self._call_id += 1  # the page in flight is not shown when it arrives
            self._emit_paging()

    def _end_paging(self) -> None:
        for job in self._page_jobs:
            job.cancel()
        self._page_jobs = []
        self._pages = None
        self._loading_all = False

    def _is_graph(self, request: ApiRequest) -> bool:
        return scope_resource(request.scopes[0], self.graph_endpoint or "") == "graph"

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
            who = token.account.username if token.account else _("another account")
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
                exc.details.get("received_account") or _("another account"),
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
            self._end_paging()
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
        self._end_paging()
        self._end_grant()
