"""InteractiveSignIn: one interactive sign-in attempt, in the system browser or with a device code.

The sign-in (controller.py) and Grant access (api_calls.py) both use it, so the machinery exists
once: Lanyard's own loopback receiver, the begin job on the auth thread, the browser launched on
the network pool, the wait for its redirect there, the code redeemed on the auth thread; or a
device code polled once per job on a timer. Nothing waits on the auth thread.

The receiver is created with the state the identity provider is then asked to echo, so it
accepts nothing else from its first moment. What it turns away that the person should hear of
(another user's connection; a response for another account than the one asked for, after it was
redeemed) comes as ``refused``, and the attempt goes on waiting for the browser.

An attempt ends once: ``succeeded`` or ``failed`` (it has cleaned up before either), or
``cancel()`` by its owner, which returns at once and leaves nothing to emit. Its owner keeps it
while it runs, and lets it go with ``close()``.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal

from desktop_app.auth.browser import open_browser
from desktop_app.session import errors
from desktop_app.session.state import DeviceCodePrompt
from desktop_app.session.workers import CancelToken, Jobs, Worker

if TYPE_CHECKING:
    from desktop_app.auth.client import AuthClient
    from desktop_app.auth.loopback import LoopbackReceiver, Refused
    from desktop_app.auth.models import DeviceCode, PendingSignIn, TokenResult
    from desktop_app.core.errors import LanyardError

log = logging.getLogger(__name__)
T = TypeVar("T")

BROWSER_TIMEOUT_S = 300.0  # a closed browser tab: give up waiting after five minutes


@dataclass(frozen=True)
class Browser:
    """How an interactive sign-in reaches the person: the system browser's launcher (False when
    none could be started; it blocks, so it runs on the network pool) and how long to wait."""

    launch: Callable[[str], bool] = open_browser
    timeout: float = BROWSER_TIMEOUT_S


class InteractiveSignIn(QObject):
    method = Signal(str)  # "broker", "browser" or "device_code": what the person is asked to do
    url = Signal(str)  # the URL the browser was asked to open (copyable)
    browser_failed = Signal()  # no browser could be opened; the attempt still waits
    device_code = Signal(object)  # DeviceCodePrompt, then None when the code is done with
    succeeded = Signal(object)  # TokenResult
    failed = Signal(object)  # LanyardError (a timeout included; Cancel emits nothing)
    refused = Signal(object)  # LanyardError: a response was turned away; still waiting
    # BrokerFailed: the sign-in broker could not sign in; the attempt goes on in the browser
    broker_failed = Signal(object)

    def __init__(
        self,
        auth_client: AuthClient,
        jobs: Jobs,
        browser: Browser,
        parent: QObject | None = None,
        job_prefix: str = "",
        wait_after_wrong_account: bool = True,
    ) -> None:
        """``job_prefix`` tells this attempt's jobs apart in the log (Grant access: "api_").
        ``wait_after_wrong_account``: a response for another account is told (``refused``) and
        the wait goes on; False: it fails the attempt (Grant access offers to start again)."""
        super().__init__(parent)
        self._wait_after_wrong_account = wait_after_wrong_account
        self._client = auth_client
        self._auth, self._net, self._generation = jobs.auth, jobs.net, jobs.generation
        self._browser = browser
        self._prefix = job_prefix
        self._jobs: list[CancelToken] = []
        self._receiver: LoopbackReceiver | None = None
        self._pending: PendingSignIn | None = None
        self._browser_deadline = 0.0  # time.monotonic() when the wait for the browser ends
        self._device: DeviceCode | None = None
        self._poll_timer = QTimer(self)
        self._poll_timer.setSingleShot(True)
        self._poll_timer.timeout.connect(self._poll)

    @property
    def waiting_for_browser(self) -> bool:
        return self._receiver is not None

    @property
    def has_device_code(self) -> bool:
        return self._device is not None

    def _submit(
        self,
        worker: Worker,
        fn: Callable[[CancelToken], T],
        on_result: Callable[[T], None],
        name: str,
        fails_the_attempt: bool = True,
        on_error: Callable[[LanyardError], None] | None = None,
    ) -> None:
        """``on_error``: instead of failing the attempt."""
        current = self._generation.current
        handle_error = on_error or (self._fail if fails_the_attempt else None)
        token = worker.submit(
            fn,
            current(on_result),
            current(handle_error) if handle_error else None,
            name=self._prefix + name,
        )
        self._jobs.append(token)

    # -- the OS sign-in broker ----------------------------------------------------------------------

    def start_broker(
        self,
        window_id: int | None,
        login_hint: str | None = None,
        prompt: str | None = None,
        claims: str | None = None,
    ) -> None:
        """Through the OS sign-in broker, whose own window asks the person; when it cannot
        sign in, the same attempt goes on in the system browser (``broker_failed`` says why).

        The one job that waits on a person on the auth thread: msal's broker call blocks until
        the broker's window is done with (it has its own Cancel), and pymsalruntime's cache
        and msal's must see the sign-in in order with the other msal calls. Cancel here drops
        its result; the broker's window stays until the person closes it."""
        self.method.emit("broker")
        client = self._client

        def sign_in(_: CancelToken) -> TokenResult:
            return client.sign_in_with_broker(window_id, login_hint, prompt, claims)

        def failed(exc: LanyardError) -> None:
            from desktop_app.auth.errors import BrokerFailed

            if not isinstance(exc, BrokerFailed):
                self._fail(exc)
                return
            self._jobs = []  # the broker's job is done
            self.broker_failed.emit(exc)
            self.start_browser(login_hint, prompt, claims)

        self._submit(self._auth, sign_in, self._succeed, "broker_sign_in", on_error=failed)

    # -- the system browser ------------------------------------------------------------------------

    def start_browser(
        self,
        login_hint: str | None = None,
        prompt: str | None = None,
        claims: str | None = None,
        scopes: tuple[str, ...] | None = None,
    ) -> None:
        """Listen on a loopback port, then ask the identity provider for the URL to open.
        ``scopes``: another API's (Grant access) instead of the configured ones; the browser's
        landing page then says access was granted, not that the person signed in."""
        self.method.emit("browser")
        from desktop_app.auth.landing import GRANT_ACCESS, SIGN_IN, page_for
        from desktop_app.auth.loopback import LoopbackReceiver

        state = secrets.token_urlsafe(32)
        flow = GRANT_ACCESS if scopes else SIGN_IN
        # a loopback bind: no network, no waiting
        receiver = LoopbackReceiver(state, landing_page=page_for(flow))
        self._receiver = receiver
        client = self._client

        def begin(_: CancelToken) -> PendingSignIn:
            return client.begin_sign_in(
                receiver.redirect_uri,
                state,
                login_hint=login_hint,
                prompt=prompt,
                claims_challenge=claims,
                scopes=scopes,
            )

        self._submit(self._auth, begin, self._on_begun, "begin_sign_in")

    def _on_begun(self, pending: PendingSignIn) -> None:
        receiver = self._receiver
        if receiver is None:
            return
        self._pending = pending
        self.url.emit(pending.auth_uri)
        launch_browser = self._browser.launch
        self._browser_deadline = time.monotonic() + self._browser.timeout

        def launch(_: CancelToken) -> bool:
            return launch_browser(pending.auth_uri)

        # a launcher that raises is logged by the worker; the wait goes on (copy the URL)
        self._submit(self._net, launch, self._on_launched, "open_browser", fails_the_attempt=False)
        self._wait_for_browser()

    def _wait_for_browser(self) -> None:
        receiver, timeout = self._receiver, self._browser.timeout
        if receiver is None:
            return
        until = self._browser_deadline

        def wait(_: CancelToken) -> dict[str, str] | Refused:
            return receiver.wait_event(timeout, until=until)

        self._submit(self._net, wait, self._on_answered, "wait_for_browser")

    def _on_launched(self, opened: bool) -> None:
        if not opened:
            self.browser_failed.emit()

    def _on_answered(self, event: dict[str, str] | Refused) -> None:
        from desktop_app.auth.loopback import Refused

        pending = self._pending
        if pending is None or self._receiver is None:
            return
        if isinstance(event, Refused):
            self.refused.emit(event.error)
            self._wait_for_browser()
            return
        client = self._client

        def finish(_: CancelToken) -> TokenResult:
            return client.finish_sign_in(pending, event)

        self._submit(
            self._auth, finish, self._succeed, "finish_sign_in", on_error=self._finish_failed
        )

    def _finish_failed(self, exc: LanyardError) -> None:
        from desktop_app.auth.errors import WrongAccount

        if (
            isinstance(exc, WrongAccount)
            and self._wait_after_wrong_account
            and self._receiver is not None
        ):
            self.refused.emit(exc)  # the browser may still send the right one: keep waiting
            self._receiver.rearm()
            self._wait_for_browser()
            return
        self._fail(exc)

    # -- a device code -----------------------------------------------------------------------------

    def start_device_code(self, claims: str | None = None) -> None:
        """A code to enter on another device; ends a browser sign-in this attempt had begun."""
        self._stop_jobs()
        self.method.emit("device_code")
        client = self._client

        def begin(_: CancelToken) -> DeviceCode:
            return client.begin_device_flow(claims_challenge=claims)

        self._submit(self._auth, begin, self._on_device_code, "begin_device_code")

    def _on_device_code(self, device: DeviceCode) -> None:
        self._device = device
        self.device_code.emit(
            DeviceCodePrompt(device.user_code, device.verification_uri, device.expires_at)
        )
        self._poll_timer.start(int(device.interval * 1000))

    def _poll(self) -> None:
        """One poll on the auth thread; the wait between polls is this timer, so Cancel is
        immediate and the auth thread stays free for everything else."""
        device, client = self._device, self._client
        if device is None:
            return
        if time.time() > device.expires_at:  # msal set it from the real clock
            self._fail(errors.device_code_expired())
            return

        def poll(_: CancelToken) -> TokenResult | None:
            return client.poll_device_flow(device)

        self._jobs = []  # the previous poll is done
        self._submit(self._auth, poll, self._on_polled, "poll")

    def _on_polled(self, token: TokenResult | None) -> None:
        if token is not None:
            self._succeed(token)
        elif self._device is not None:
            self._poll_timer.start(int(self._device.interval * 1000))

    # -- the end -----------------------------------------------------------------------------------

    def _succeed(self, token: TokenResult) -> None:
        self.cancel()
        self.succeeded.emit(token)

    def _fail(self, exc: LanyardError) -> None:
        self.cancel()
        self.failed.emit(exc)

    def cancel(self) -> None:
        """End the attempt now: the receiver stops listening, jobs still running emit nothing,
        polling stops, the code shown is withdrawn. Idempotent."""
        self._stop_jobs()
        self._poll_timer.stop()
        if self._device is not None:
            self._device = None
            self.device_code.emit(None)

    def close(self) -> None:
        """The owner is done with the attempt: cancelled, and deleted on the GUI thread."""
        self.cancel()
        self.deleteLater()

    def _stop_jobs(self) -> None:
        for job in self._jobs:
            job.cancel()
        self._jobs = []
        self._close_receiver()
        self._pending = None

    def _close_receiver(self) -> None:
        if self._receiver is not None:
            self._receiver.close()
            self._receiver = None
