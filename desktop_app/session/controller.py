"""SessionController: the session's state machine, and the one object the window talks to.

It runs on the GUI thread and never blocks: msal work goes to the auth worker (one thread, so
msal calls run in order), Graph calls and the wait for the browser go to the network pool, and
results come back as queued signals. It makes every state transition and wires its parts, whose
signals it re-emits: RefreshScheduler (refresh.py), ProfileLoader (profile.py), AccountList
(accounts.py), ApiCalls (api_calls.py), and an InteractiveSignIn per sign-in (sign_in.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from desktop_app.auth import errors as auth_errors
from desktop_app.auth.broker import SignInPath
from desktop_app.auth.browser import open_browser
from desktop_app.core.errors import ErrorKind, LanyardError
from desktop_app.session import errors
from desktop_app.session.accounts import AccountList
from desktop_app.session.api_calls import ApiCalls
from desktop_app.session.bootstrap import Started, open_session
from desktop_app.session.inspector import TokenInspectorService
from desktop_app.session.policy import Backoff, ClockJumpDetector
from desktop_app.session.profile import ProfileLoader
from desktop_app.session.refresh import RefreshScheduler
from desktop_app.session.sign_in import BROWSER_TIMEOUT_S, Browser, InteractiveSignIn
from desktop_app.session.state import (
    MAY_REFRESH,
    TRANSITIONS,
    InvalidTransitionError,
    Schedule,
    SessionSetup,
    State,
    TokenInfo,
)
from desktop_app.session.workers import CancelToken, Generation, Jobs, Worker

if TYPE_CHECKING:
    # msal and requests come with these: the auth worker imports them, never the GUI thread
    # while the window starts (see services_factory)
    from desktop_app.auth.models import Account, CacheEntry, TokenResult
    from desktop_app.graph.api_request import ApiRequest
    from desktop_app.session.services import Services

    _Done = Callable[[TokenResult], None]
    _Failed = Callable[[LanyardError], None]

log = logging.getLogger(__name__)


class SessionController(QObject):
    state_changed = Signal(object)  # State
    identity_changed = Signal(object)  # Identity | None
    profile_changed = Signal(object)  # Profile | None
    photo_changed = Signal(object)  # Photo | None
    organization_changed = Signal(object)  # Organization | None: the tenant's name
    token_changed = Signal(object)  # TokenInfo | None
    schedule_changed = Signal(object)  # Schedule | None
    error = Signal(object)  # LanyardError: something failed; shown in the window
    notice = Signal(object)  # LanyardError: worth telling, nothing failed (e.g. cache reset)
    sign_in_url = Signal(str)  # the URL the browser was asked to open (copyable)
    device_code = Signal(object)  # DeviceCodePrompt | None
    sign_in_method = Signal(str)  # "broker", "browser" or "device_code": the page to show
    sign_in_path = Signal(object)  # SignInPath: the OS sign-in broker or the system browser
    protection_changed = Signal(str, bool)  # how the token cache is protected, encrypted?
    accounts_changed = Signal(object)  # list[Account]: the accounts in the cache
    profile_freshness = Signal(float, bool)  # fetched_at, True when shown from the snapshot
    api_call_started = Signal(object)  # ApiRequest
    api_answered = Signal(object)  # ApiResponse: the API answered (any HTTP status)
    api_failed = Signal(object)  # ApiFailure: no answer (bad request, no token, unreachable)
    api_consent_waiting = Signal(bool)  # the browser is open for "Grant access"
    api_paging = Signal(object)  # Paging: how far the pages of the last answer are read

    def __init__(
        self,
        services_factory: Callable[[Callable[[LanyardError], None]], Services],
        parent: QObject | None = None,
        *,
        browser_timeout: float = BROWSER_TIMEOUT_S,
        clock: ClockJumpDetector | None = None,
        backoff: Backoff | None = None,
        launch_browser: Callable[[str], bool] = open_browser,
    ) -> None:
        super().__init__(parent)
        self._factory = services_factory
        self._services: Services | None = None  # the auth thread's: never read by the window
        self.setup: SessionSetup | None = None  # what the window shows of them, once started
        self.state = State.STARTING
        self.account: Account | None = None
        self._token: TokenResult | None = None
        # the last refresh's failure, until the identity provider itself answers again
        self._refresh_failure: LanyardError | None = None
        self.interaction: LanyardError | None = None  # why a sign-in is needed
        self.preferred_account_id = ""  # the account the window showed last (home_account_id)
        self._state_before_sign_in = State.SIGNED_OUT
        self._attempt: InteractiveSignIn | None = None  # an interactive sign-in under way
        self._closed = False
        self._booting: Services | None = None
        # the window's native handle, for the sign-in broker's window to open over it
        self.window_id: Callable[[], int | None] = lambda: None
        self.path: SignInPath = SignInPath()  # how the next interactive sign-in goes
        # the parts share the workers and the guard that drops results for an account that left
        jobs = self._jobs = Jobs(Worker("auth", threads=1), Worker("net", threads=2), Generation())
        self._auth, self._net, self._current = jobs.auth, jobs.net, jobs.generation.current
        self._browser = Browser(launch_browser, browser_timeout)
        self._scheduler = RefreshScheduler(clock, backoff, self)
        self._profile = ProfileLoader(self, jobs, self)
        self._api = ApiCalls(self, jobs, self._browser, self)
        self._accounts = AccountList(self, jobs, self._browser, self)
        self.inspector = TokenInspectorService(self, jobs)  # the Token inspector panel's
        self._accounts.gone.connect(self._on_account_gone)
        self.state_changed.connect(self._api.on_state)  # first: before the window's slots
        for part_signal, relayed in (
            (self._scheduler.schedule_changed, self.schedule_changed),
            (self._profile.profile_changed, self.profile_changed),
            (self._profile.photo_changed, self.photo_changed),
            (self._profile.organization_changed, self.organization_changed),
            (self._profile.profile_freshness, self.profile_freshness),
            (self._profile.error, self.error),
            (self._api.call_started, self.api_call_started),
            (self._api.answered, self.api_answered),
            (self._api.failed, self.api_failed),
            (self._api.consent_waiting, self.api_consent_waiting),
            (self._api.paging, self.api_paging),
            (self._api.notice, self.notice),
            (self._accounts.changed, self.accounts_changed),
            (self._accounts.error, self.error),
        ):
            part_signal.connect(relayed)
        self._scheduler.refresh_due.connect(self.refresh)
        self._scheduler.start_due.connect(self.start)
        self._scheduler.token_expired.connect(self._token_ran_out)
        self._profile.challenged.connect(self._answer_claims_challenge)
        self.notice.connect(self._follow_broker)  # a sign-out the broker did not answer
        self._profile.needs_sign_in.connect(self._need_sign_in)

    # -- state --------------------------------------------------------------------------------

    def _set_state(self, state: State) -> None:
        if state == self.state:
            return
        if state not in TRANSITIONS[self.state]:
            raise InvalidTransitionError(f"{self.state.name} -> {state.name}")
        log.info("Session state: %s -> %s", self.state.name, state.name)
        self.state = state
        self.state_changed.emit(state)

    @property
    def services(self) -> Services | None:
        return self._services

    @property
    def token(self) -> TokenResult | None:
        """The access token in use (TokenResult's repr hides it): for the session's parts."""
        return self._token

    @property
    def schedule(self) -> Schedule | None:
        return self._scheduler.schedule

    # -- start ----------------------------------------------------------------------------------

    def start(self) -> None:
        """Open the caches and sign in silently if an account is saved."""
        factory, notice = self._factory, self.notice.emit

        def bootstrap(_: CancelToken) -> Started:
            services = factory(notice)
            self._booting = services  # so that Quit can abort a discovery request that hangs
            if self._closed:  # quit while the services were being built: nobody will use them
                services.close()
                raise errors.quitting()
            return open_session(services, self.preferred_account_id)

        self._auth.submit(bootstrap, self._on_started, self._on_start_failed, name="bootstrap")

    def _on_started(self, started: Started) -> None:
        self._services, self.setup = started.services, started.setup
        self.protection_changed.emit(started.setup.protection, started.setup.encrypted)
        self.path = started.setup.sign_in_path
        self.sign_in_path.emit(self.path)
        self.account = started.account
        self._profile.store = started.snapshots
        self._accounts.watch()
        if started.snapshot is not None:
            self._profile.show_snapshot(started.snapshot)
        if started.token is not None:
            self._accept_token(started.token)
        elif started.problem is not None:
            if started.identity is not None:
                self.identity_changed.emit(started.identity)
            self._refresh_failed(started.problem)
        else:
            self._set_state(State.SIGNED_OUT)

    def _on_start_failed(self, exc: LanyardError) -> None:
        self._set_state(State.NOT_CONFIGURED if exc.kind is ErrorKind.CONFIG else State.ERROR)
        self.error.emit(exc)
        if exc.kind in (ErrorKind.NETWORK, ErrorKind.SERVICE) and not self._closed:
            # e.g. offline at start with no cached discovery: the message says Lanyard tries
            # again, so it does
            self._scheduler.retry_start(exc)

    # -- interactive sign-in (the machinery: sign_in.py) -------------------------------------------

    def sign_in(self, use_device_code: bool = False, add_account: bool = False) -> None:
        """The system browser, or a code to enter elsewhere. After an interaction-required failure
        it asks for the same account (login_hint) with the claims the identity provider or Graph
        asked for; ``add_account`` lets the person pick or enter another account instead."""
        services = self._services
        if services is None or State.SIGNING_IN not in TRANSITIONS[self.state]:
            return
        self._state_before_sign_in = self.state
        self._scheduler.pause()
        self._set_state(State.SIGNING_IN)
        attempt = self._attempt = InteractiveSignIn(services.auth, self._jobs, self._browser, self)
        for part_signal, relayed in (
            (attempt.method, self.sign_in_method),
            (attempt.url, self.sign_in_url),
            (attempt.device_code, self.device_code),
        ):
            part_signal.connect(relayed)
        attempt.browser_failed.connect(self._on_no_browser)
        attempt.succeeded.connect(self._on_signed_in)
        attempt.failed.connect(self._on_sign_in_failed)
        attempt.refused.connect(self.notice)  # turned away; the sign-in goes on
        attempt.broker_failed.connect(self._on_broker_failed)
        if use_device_code:
            attempt.start_device_code(self._sign_in_claims())
            return
        hint = self.account.username if self.account and not add_account else None
        claims = None if add_account else self._sign_in_claims()
        prompt = None if hint else "select_account"
        if self.path.broker is not None:
            attempt.start_broker(self.window_id(), hint, prompt, claims)
            return
        if self.path.requested:  # asked for, not available: said each time it matters
            self.notice.emit(auth_errors.broker_not_used(self.path.unavailable))
        attempt.start_browser(hint, prompt, claims)

    def _on_broker_failed(self, exc: LanyardError) -> None:
        """The broker could not sign in; the attempt goes on in the browser, as do later ones."""
        self._follow_broker(exc)
        self.notice.emit(exc)

    def _follow_broker(self, exc: LanyardError) -> None:
        """A refresh or sign-out the broker did not answer turned it off in the client
        (auth/client.py): the status bar and the Admin view stop naming it."""
        path = self.path.after(exc.details)
        if path != self.path:
            self.path = path
            self.sign_in_path.emit(path)

    def _sign_in_claims(self) -> str | None:
        return self.interaction.claims_challenge or None if self.interaction else None

    def _on_no_browser(self) -> None:
        if self.state is State.SIGNING_IN and self._attempt and self._attempt.waiting_for_browser:
            self.notice.emit(errors.no_browser_for_sign_in())
            self.use_device_code()

    def use_device_code(self) -> None:
        """Switch a pending browser sign-in to a device code (the person chose it, or no
        browser could be opened)."""
        attempt = self._attempt
        if self.state is State.SIGNING_IN and attempt is not None and not attempt.has_device_code:
            attempt.start_device_code(self._sign_in_claims())

    def _on_signed_in(self, token: TokenResult) -> None:
        self._end_sign_in()
        self.interaction = None
        if token.account is not None and token.account != self.account:
            if self.account is not None:
                self._jobs.generation.advance()  # results still in flight were for the other account
                self._profile.show_nothing()
            self.account = token.account
        self._accept_token(token, reload_profile=True)
        self.reload_accounts()

    def _on_sign_in_failed(self, exc: LanyardError) -> None:
        self._end_sign_in()
        self._return_from_sign_in()
        if exc.kind is not ErrorKind.CANCELLED or exc.details:
            self.error.emit(exc)

    def cancel_sign_in(self) -> None:
        """Cancel returns at once: the receiver stops listening and pending jobs emit nothing."""
        if self.state is State.SIGNING_IN:
            self._end_sign_in()
            self._return_from_sign_in()

    def _return_from_sign_in(self) -> None:
        previous = self._state_before_sign_in
        if previous in MAY_REFRESH and self._token is not None:
            self._set_state(State.SIGNED_IN)
            self._scheduler.refresh_before_expiry(self._token)
        elif previous is State.SIGN_IN_NEEDED or (self.account and self._token is None):
            self._set_state(State.SIGN_IN_NEEDED)
        else:
            self._set_state(State.SIGNED_OUT)

    def _end_sign_in(self) -> None:
        if self._attempt is not None:
            self._attempt.close()
            self._attempt = None

    # -- signed in: the token, its refresh, a claims challenge from Graph ---------------------

    def _accept_token(self, token: TokenResult, reload_profile: bool = False) -> None:
        services = self._services
        assert services is not None
        first = self._token is None
        self._token = token
        if token.source == "identity_provider":
            self._refresh_failure = None
        self._scheduler.succeeded()
        self.token_changed.emit(TokenInfo.of(token))
        if token.id_claims is not None:
            self.identity_changed.emit(services.auth.identity(token.id_claims))
        if token.expires_on <= time.time():
            # expires_in 0 or less: no usable token, so not "Signed in"; asked again on the
            # short-lived back-off (refresh.py), the state and banner saying why meanwhile
            failure = errors.token_expired_on_arrival()
            self._refresh_failure = failure
            self._set_state(State.ERROR)
            self._scheduler.refresh_before_expiry(token)
            self.error.emit(failure)
            return
        self._set_state(State.SIGNED_IN)
        self._scheduler.refresh_before_expiry(token)
        if first or reload_profile or not self._profile.loaded:
            self._profile.load()

    def _token_ran_out(self) -> None:
        """A short-lived token expired before its renewal (scheduled on the back-off): no
        usable token, so no longer "Signed in" until the renewal brings one."""
        token = self._token
        if self.state is State.SIGNED_IN and token is not None and token.expires_on <= time.time():
            failure = errors.token_expired_before_renewal()
            self._refresh_failure = failure
            self._set_state(State.ERROR)
            self.error.emit(failure)

    def check_for_wake(self) -> None:
        """After the computer slept, refresh at once if a refresh is due (refresh.py)."""
        self._scheduler.check_for_wake()

    def refresh(self, force: bool = False, reload_profile: bool = False) -> None:
        """Silent refresh (timer, wake, retry, or the Refresh button): what was last loaded stays
        on screen meanwhile. Never in SIGN_IN_NEEDED: only a person can fix that."""
        if self.state is State.REFRESHING or State.REFRESHING not in TRANSITIONS[self.state]:
            return

        failure = self._refresh_failure
        # While the identity provider is failing, every refresh asks it: one "satisfied" by
        # msal's cache (the old token is still valid) would say nothing about whether it works.
        force = force or failure is not None

        def done(token: TokenResult) -> None:
            current = self._refresh_failure
            if token.source == "cache" and current is not None:
                # msal fell back to the cached token (its refresh failed): usable, but the
                # identity provider is still failing, and the state and banner say so.
                self._token = token
                self.token_changed.emit(TokenInfo.of(token))
                self._set_state(State.OFFLINE if current.kind is ErrorKind.NETWORK else State.ERROR)
                self._scheduler.retry_refresh(current)
                return
            self._accept_token(token, reload_profile=reload_profile)

        self._renew("refresh", done, self._refresh_failed, force=force)

    def _renew(
        self, name: str, done: _Done, failed: _Failed, force: bool = False, claims: str = ""
    ) -> None:
        """REFRESHING, nothing scheduled: a silent token for the account, on the auth thread."""
        services, account = self._services, self.account
        if services is None or account is None:
            return
        auth = services.auth
        self._scheduler.unschedule()
        self._set_state(State.REFRESHING)

        def silent(_: CancelToken) -> TokenResult:
            return auth.silent(account, force_refresh=force, claims_challenge=claims or None)

        self._auth.submit(silent, self._current(done), self._current(failed), name=name)

    def _refresh_failed(self, exc: LanyardError) -> None:
        self._follow_broker(exc)
        if exc.kind is ErrorKind.INTERACTION_REQUIRED:
            self._need_sign_in(exc)
            return
        self._refresh_failure = exc
        self._set_state(State.OFFLINE if exc.kind is ErrorKind.NETWORK else State.ERROR)
        self._scheduler.retry_refresh(exc)
        self.error.emit(exc)

    def _need_sign_in(self, exc: LanyardError) -> None:
        self._follow_broker(exc)
        self._scheduler.unschedule()
        self.interaction = exc
        self._set_state(State.SIGN_IN_NEEDED)
        self.error.emit(exc)

    def load_profile(self, after_challenge: bool = False) -> None:
        """/me and the photo with the current token (profile.py)."""
        self._profile.load(after_challenge)

    def _answer_claims_challenge(self, challenge: LanyardError) -> None:
        """Graph revoked the token (continuous access evaluation): get a token that carries the
        claims it asks for, then call it once more. If that needs a person, ask them once."""
        if self._services is None or self.account is None or self.state is State.REFRESHING:
            return
        log.info("Graph sent a claims challenge; getting a new token")
        claims = challenge.claims_challenge

        def done(token: TokenResult) -> None:
            self._accept_token(token)
            self._profile.load(after_challenge=True)

        def failed(exc: LanyardError) -> None:
            if exc.kind is ErrorKind.INTERACTION_REQUIRED:
                # the interactive sign-in must carry Graph's claims if the refusal named none
                self._need_sign_in(errors.claims_need_sign_in(exc, claims))
            else:
                self._refresh_failed(exc)

        self._renew("claims_challenge", done, failed, claims=claims)

    # -- the accounts in the cache (accounts.py) ---------------------------------------------------

    @property
    def accounts(self) -> list[Account]:
        return self._accounts.accounts

    def reload_accounts(self) -> None:
        """Re-read the cache on the auth worker (another process may have changed it)."""
        self._accounts.reload()

    def _on_account_gone(self) -> None:
        log.info("The signed-in account was removed by another Lanyard process")
        self._clear_sign_in()
        self.notice.emit(errors.signed_out_elsewhere())
        staying = self._accounts.remaining([])  # the list just read: the account is not in it
        if staying is not None:
            self.switch_account(staying)

    def cache_inventory(self, deliver: Callable[[list[CacheEntry]], None]) -> None:
        """The token cache's items (never secrets), for the Admin view."""
        self._accounts.inventory(deliver)

    # -- sign-out and shutdown ----------------------------------------------------------------------

    def _clear_sign_in(self) -> None:
        """Forget the signed-in account in this window (signed out here or elsewhere)."""
        if self.state is State.SIGNING_IN:
            self._end_sign_in()
        self._scheduler.unschedule()
        self._token = None
        self._refresh_failure = None
        self.account = None
        self.interaction = None
        self.token_changed.emit(None)
        self.identity_changed.emit(None)
        self._profile.clear()
        self._jobs.generation.advance()  # a refresh or profile load still in flight is for nobody now
        self._set_state(State.SIGNED_OUT)

    def access_token(self) -> str | None:
        """The current access token, only for an explicit Reveal or Copy in the window."""
        return self._token.access_token if self._token is not None else None

    def switch_account(self, account: Account) -> None:
        """Show another account saved in the cache: signed in silently, or asked to sign in."""
        if self._services is None or account == self.account or self.state is State.SIGNING_IN:
            return
        if self.account is not None or self.state is not State.SIGNED_OUT:
            self._clear_sign_in()
        self.account = account
        self.refresh()

    def sign_out(self, everyone: bool = False, end_browser_session: bool = False) -> None:
        """Forget the account (or every account) here, then remove it from the token cache with
        its profile snapshot (accounts.py); ``end_browser_session`` ends the browser's too.
        Another account saved in the cache is shown next (silently, as a switch would)."""
        account = self.account
        if self._services is None:
            return
        self._clear_sign_in()
        leaving = list(self.accounts) if everyone else [account] if account else []
        self._accounts.remove(leaving, self._profile.store, end_browser_session)
        staying = self._accounts.remaining(leaving)
        if staying is not None:
            # queued on the auth thread after the removal: it cannot race it
            self.switch_account(staying)

    def shutdown(self, timeout: float = 2.0) -> bool:
        """Stop timers, cancel what waits, abort requests in flight (a hung server included),
        and end the worker threads within ``timeout`` seconds."""
        if self._closed:
            return True
        self._closed = True
        deadline = time.monotonic() + timeout
        for part in (self._accounts, self._scheduler, self._profile, self._api):
            part.stop()
        self._end_sign_in()
        services = self._services or self._booting
        if services is not None:
            services.abort()
        ok = self._auth.stop(timeout / 2)
        ok = self._net.stop(max(0.0, deadline - time.monotonic())) and ok
        services = self._services or self._booting  # the bootstrap may have finished meanwhile
        if services is not None:
            services.close()
        return ok

    # -- Call an API (api_calls.py): the panel's requests, and Grant access ----------------------

    @property
    def api_consent_pending(self) -> bool:
        return self._api.consent_pending

    def check_api_request(
        self,
        url: str,
        scopes: tuple[str, ...] | str,
        method: str = "GET",
        headers: str = "",
        body: str = "",
    ) -> ApiRequest | None:
        """The checked request; None when a field is wrong (``api_failed`` names it). The
        panel asks the person before a change, then ``send_api_request``."""
        return self._api.check(url, scopes, method, headers, body)

    def send_api_request(self, request: ApiRequest) -> None:
        self._api.send(request)

    def load_more_api_pages(self, all_pages: bool = False) -> None:
        self._api.load_more(all_pages)

    def stop_api_paging(self) -> None:
        self._api.stop_paging()

    def grant_api_access(self) -> None:
        self._api.grant_access()

    def cancel_api_consent(self) -> None:
        self._api.cancel_consent()
