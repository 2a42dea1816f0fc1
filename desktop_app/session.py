"""SessionController: the session's state machine; the UI listens to its signals and calls its slots.

It runs on the GUI thread and never blocks: msal work goes to the auth worker, Graph calls and the
wait for the browser go to the network pool, and results come back as queued signals.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal

from desktop_app.auth.browser import open_browser
from desktop_app.auth.client import PendingSignIn
from desktop_app.auth.loopback import LoopbackReceiver
from desktop_app.auth.results import Account, TokenResult
from desktop_app.cache_watcher import CacheWatcher
from desktop_app.errors import ErrorKind, LanyardError
from desktop_app.graph.client import Photo
from desktop_app.graph.profile import Profile
from desktop_app.services import Services
from desktop_app.workers import CancelToken, Worker

log = logging.getLogger(__name__)

BROWSER_TIMEOUT_S = 300.0
REFRESH_MARGIN_S = 300  # msal treats a token with less than 5 minutes left as expired
RETRY_AFTER_FAILURE_S = 60


class State(enum.Enum):
    STARTING = "Starting…"
    NOT_CONFIGURED = "Not set up"
    SIGNED_OUT = "Signed out"
    SIGNING_IN = "Waiting for the browser…"
    SIGNED_IN = "Signed in"
    REFRESHING = "Refreshing…"
    SIGN_IN_NEEDED = "Sign-in needed"
    OFFLINE = "Offline"
    ERROR = "Error"


@dataclass(frozen=True)
class TokenInfo:
    """What the window may know about the access token: never the token itself."""

    expires_on: float
    refresh_on: float | None
    scopes: tuple[str, ...]
    source: str


def next_refresh_delay(token: TokenResult, now: float) -> float:
    """Seconds until the next silent refresh: min(refresh_on, expires_on - 300 s).

    Earlier than that msal hands back the same cached token, so an earlier timer only loops.
    """
    due = token.expires_on - REFRESH_MARGIN_S
    if token.refresh_on is not None:
        due = min(due, token.refresh_on)
    return max(1.0, due - now)


class SessionController(QObject):
    state_changed = Signal(object)  # State
    identity_changed = Signal(object)  # Identity | None
    profile_changed = Signal(object)  # Profile | None
    photo_changed = Signal(object)  # Photo | None
    token_changed = Signal(object)  # TokenInfo | None
    error = Signal(object)  # LanyardError: something failed; shown in the window
    notice = Signal(object)  # LanyardError: worth telling, nothing failed (e.g. cache reset)
    sign_in_url = Signal(str)  # the URL the browser was asked to open (copyable)
    protection_changed = Signal(str, bool)  # how the token cache is protected, encrypted?
    accounts_changed = Signal(object)  # list[Account]: the accounts in the cache

    def __init__(
        self,
        services_factory: Callable[[Callable[[LanyardError], None]], Services],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._factory = services_factory
        self._services: Services | None = None
        self.state = State.STARTING
        self.account: Account | None = None
        self.accounts: list[Account] = []
        self._token: TokenResult | None = None
        self._receiver: LoopbackReceiver | None = None
        self._pending: PendingSignIn | None = None
        self._sign_in_jobs: list[CancelToken] = []
        self._auth = Worker("auth", threads=1)
        self._net = Worker("net", threads=2)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.timeout.connect(self.refresh)
        self._closed = False

    # -- state --------------------------------------------------------------------------------

    def _set_state(self, state: State) -> None:
        if state != self.state:
            log.info("Session state: %s -> %s", self.state.name, state.name)
            self.state = state
            self.state_changed.emit(state)

    @property
    def services(self) -> Services | None:
        return self._services

    # -- start ----------------------------------------------------------------------------------

    def start(self) -> None:
        """Open the caches and sign in silently if an account is saved."""
        self._set_state(State.STARTING)

        def bootstrap(
            _: CancelToken,
        ) -> tuple[Services, TokenResult | None, Account | None, LanyardError | None]:
            services = self._factory(self.notice.emit)
            services.auth.open()
            accounts = services.auth.accounts()
            if not accounts:
                return services, None, None, None
            try:
                return services, services.auth.silent(accounts[0]), accounts[0], None
            except LanyardError as exc:
                return services, None, accounts[0], exc

        self._auth.submit(bootstrap, self._on_started, self._on_start_failed, name="bootstrap")

    def _on_started(
        self, outcome: tuple[Services, TokenResult | None, Account | None, LanyardError | None]
    ) -> None:
        services, token, account, problem = outcome
        self._services = services
        self.protection_changed.emit(
            services.auth.protection,
            services.auth.token_cache is not None and services.auth.token_cache.store.encrypted,
        )
        self.account = account
        self._watch_cache(services)
        if token is not None:
            self._accept_token(token)
        elif problem is not None:
            self._handle_refresh_error(problem)
        else:
            self._set_state(State.SIGNED_OUT)

    def _on_start_failed(self, exc: LanyardError) -> None:
        self._set_state(State.NOT_CONFIGURED if exc.kind is ErrorKind.CONFIG else State.ERROR)
        self.error.emit(exc)

    # -- interactive sign-in ------------------------------------------------------------------------

    def sign_in(self) -> None:
        services = self._services
        if services is None or self.state in (State.SIGNING_IN, State.STARTING):
            return
        self._set_state(State.SIGNING_IN)
        receiver = LoopbackReceiver()  # a loopback bind: no network, no waiting
        self._receiver = receiver
        hint = self.account.username if self.account else None

        def begin(_: CancelToken) -> PendingSignIn:
            return services.auth.begin_sign_in(
                receiver.redirect_uri,
                login_hint=hint,
                prompt="select_account" if not hint else None,
            )

        self._sign_in_jobs = [
            self._auth.submit(
                begin, self._on_sign_in_begun, self._on_sign_in_failed, name="begin_sign_in"
            )
        ]

    def _on_sign_in_begun(self, pending: PendingSignIn) -> None:
        receiver = self._receiver
        if receiver is None:
            return
        receiver.expected_state = pending.state
        self._pending = pending
        self.sign_in_url.emit(pending.auth_uri)

        def launch(_: CancelToken) -> bool:
            return open_browser(pending.auth_uri)

        def wait(_: CancelToken) -> dict[str, str]:
            return receiver.wait(BROWSER_TIMEOUT_S)

        self._sign_in_jobs += [
            self._net.submit(launch, self._on_browser_launched, name="open_browser"),
            self._net.submit(
                wait, self._on_browser_answered, self._on_sign_in_failed, name="wait_for_browser"
            ),
        ]

    def _on_browser_launched(self, opened: bool) -> None:
        if not opened and self.state is State.SIGNING_IN:
            self.notice.emit(
                LanyardError(
                    "Lanyard could not open a web browser.",
                    "Copy the sign-in link and open it in a browser on this computer.",
                    ErrorKind.BROWSER,
                )
            )

    def _on_browser_answered(self, response: dict[str, str]) -> None:
        pending, services = self._pending, self._services
        self._close_receiver()
        if pending is None or services is None:
            return

        def finish(_: CancelToken) -> TokenResult:
            return services.auth.finish_sign_in(pending, response)

        self._sign_in_jobs.append(
            self._auth.submit(
                finish, self._on_signed_in, self._on_sign_in_failed, name="finish_sign_in"
            )
        )

    def _on_signed_in(self, token: TokenResult) -> None:
        self._pending = None
        self._sign_in_jobs = []
        self.account = token.account
        self._accept_token(token)

    def _on_sign_in_failed(self, exc: LanyardError) -> None:
        self._close_receiver()
        self._pending = None
        self._sign_in_jobs = []
        self._set_state(State.SIGNED_OUT if self._token is None else State.SIGNED_IN)
        if exc.kind is not ErrorKind.CANCELLED or exc.details:
            self.error.emit(exc)

    def cancel_sign_in(self) -> None:
        """Cancel returns at once: the receiver stops listening and pending jobs emit nothing."""
        if self.state is not State.SIGNING_IN:
            return
        for job in self._sign_in_jobs:
            job.cancel()
        self._sign_in_jobs = []
        self._close_receiver()
        self._pending = None
        self._set_state(
            State.SIGN_IN_NEEDED if self.account and self._token is None else State.SIGNED_OUT
        )

    def _close_receiver(self) -> None:
        if self._receiver is not None:
            self._receiver.close()
            self._receiver = None

    # -- signed in ----------------------------------------------------------------------------------

    def _accept_token(self, token: TokenResult) -> None:
        services = self._services
        assert services is not None
        self._token = token
        self.token_changed.emit(
            TokenInfo(token.expires_on, token.refresh_on, token.scopes, token.source)
        )
        if token.id_claims is not None:
            self.identity_changed.emit(services.auth.identity(token.id_claims))
        self._set_state(State.SIGNED_IN)
        self._schedule_refresh(next_refresh_delay(token, time.time()))
        self.load_profile()

    def _schedule_refresh(self, seconds: float) -> None:
        self._refresh_timer.start(int(min(seconds, 24 * 3600) * 1000))

    def load_profile(self) -> None:
        services, token = self._services, self._token
        if services is None or token is None:
            return
        access_token = token.access_token

        def fetch(_: CancelToken) -> tuple[Profile, Photo | None]:
            profile = services.graph.me(access_token)
            try:
                photo = services.graph.photo(access_token)
            except LanyardError as exc:
                log.info("No photo: %s", exc.message)
                photo = None
            return profile, photo

        self._net.submit(fetch, self._on_profile, self._on_profile_failed, name="load_profile")

    def _on_profile(self, result: tuple[Profile, Photo | None]) -> None:
        profile, photo = result
        self.profile_changed.emit(profile)
        self.photo_changed.emit(photo)

    def _on_profile_failed(self, exc: LanyardError) -> None:
        self.error.emit(exc)

    def refresh(self, force: bool = False) -> None:
        """Silent refresh (timer or the Refresh button); keeps the last good state visible."""
        services, account = self._services, self.account
        if (
            services is None
            or account is None
            or self.state in (State.SIGNING_IN, State.REFRESHING)
        ):
            return
        self._set_state(State.REFRESHING)

        def silent(_: CancelToken) -> TokenResult:
            return services.auth.silent(account, force_refresh=force)

        self._auth.submit(silent, self._accept_token, self._handle_refresh_error, name="refresh")

    def _handle_refresh_error(self, exc: LanyardError) -> None:
        if exc.kind is ErrorKind.INTERACTION_REQUIRED:
            self._refresh_timer.stop()
            self._set_state(State.SIGN_IN_NEEDED)
        elif exc.kind is ErrorKind.NETWORK:
            self._set_state(State.OFFLINE)
            self._schedule_refresh(RETRY_AFTER_FAILURE_S)
        else:
            self._set_state(State.ERROR)
            self._schedule_refresh(RETRY_AFTER_FAILURE_S)
        self.error.emit(exc)

    # -- changes made by other Lanyard processes ---------------------------------------------------

    def _watch_cache(self, services: Services) -> None:
        files = services.auth.watched_paths()
        if files:
            watcher = CacheWatcher(files, self)
            watcher.changed.connect(self.reload_accounts)
        self.reload_accounts()

    def reload_accounts(self) -> None:
        """Re-read the cache on the auth worker (another process may have changed it)."""
        services = self._services
        if services is None or self._closed:
            return

        def reread(_: CancelToken) -> list[Account]:
            services.auth.reload_cache()
            return services.auth.accounts()

        self._auth.submit(reread, self._on_accounts_reloaded, name="reload_accounts")

    def _on_accounts_reloaded(self, accounts: list[Account]) -> None:
        if accounts != self.accounts:
            self.accounts = accounts
            self.accounts_changed.emit(accounts)
        current = self.account
        ids = {a.home_account_id for a in accounts}
        if (
            current is not None
            and current.home_account_id not in ids
            and self.state is not State.SIGNING_IN
        ):
            log.info("The signed-in account was removed by another Lanyard process")
            self._clear_sign_in()
            self.notice.emit(
                LanyardError(
                    "You were signed out by another Lanyard window or command.",
                    "Select Sign in to continue.",
                    ErrorKind.CACHE,
                )
            )

    # -- sign-out and shutdown ----------------------------------------------------------------------

    def _clear_sign_in(self) -> None:
        self._refresh_timer.stop()
        self._token = None
        self.account = None
        self.token_changed.emit(None)
        self.identity_changed.emit(None)
        self.profile_changed.emit(None)
        self.photo_changed.emit(None)
        self._set_state(State.SIGNED_OUT)

    def sign_out(self) -> None:
        services, account = self._services, self.account
        if services is None:
            return
        if self.state is State.SIGNING_IN:
            self.cancel_sign_in()
        self._clear_sign_in()
        if account is None:
            return

        def remove(_: CancelToken) -> None:
            services.auth.sign_out(account)

        self._auth.submit(remove, None, self.error.emit, name="sign_out", must_finish=True)

    def shutdown(self, timeout: float = 2.0) -> bool:
        """Stop timers, cancel what waits, and end the worker threads within ``timeout`` seconds."""
        if self._closed:
            return True
        self._closed = True
        self._refresh_timer.stop()
        for job in self._sign_in_jobs:
            job.cancel()
        self._close_receiver()
        deadline = time.monotonic() + timeout
        services = self._services
        ok = self._auth.stop(timeout / 2)
        ok = self._net.stop(max(0.0, deadline - time.monotonic())) and ok
        if services is not None:
            services.close()
        return ok
