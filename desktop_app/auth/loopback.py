"""Lanyard's own loopback redirect receiver for the browser sign-in.

Not msal's AuthCodeReceiver: that one binds 0.0.0.0 whenever /.dockerenv exists and its close()
does not wake a waiter. This one binds 127.0.0.1 only, accepts the form_post (and a query
redirect), answers the browser with a landing page, and ``close()`` wakes ``wait()`` at once
(that is how Cancel works).

Any local program can connect to it, so it trusts nothing it is sent:
- it exists only with the ``state`` it waits for, and accepts only a response carrying that
  state, once (until ``rearm()``);
- on Linux it drops connections from other users' sockets before reading a byte (core/peers.py)
  and reports the first such refusal to its waiter, who tells the person;
- each request is read within bounds and one deadline (http_request.py); at most
  ``max_connections`` are served at once, one thread each, and further ones are closed at once.
"""

from __future__ import annotations

import contextlib
import hmac
import http
import logging
import os
import selectors
import socket
import socketserver
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from desktop_app.auth import errors as failures
from desktop_app.auth.http_request import (
    ConnectionEnded,
    Request,
    RequestRejected,
    read_request,
)
from desktop_app.auth.landing import landing_page as default_page
from desktop_app.core import peers
from desktop_app.core.errors import LanyardError
from desktop_app.core.i18n import _

log = logging.getLogger(__name__)

REQUEST_DEADLINE_S = 10.0  # a browser's form post arrives in milliseconds
REPLY_S = 2.0  # then this long to take the answer
MAX_CONNECTIONS = 16  # a browser opens a few at most
MAX_FIELDS = 64
_RESPONSE_FIELDS = ("code", "state", "error")
LandingPage = Callable[[dict[str, str]], str]


@dataclass(frozen=True)
class Refused:
    """Something the receiver turned away that the person should hear of (it goes on waiting)."""

    error: LanyardError


def _params(request: Request) -> dict[str, str]:
    if request.method == "GET":
        text = urlsplit(request.target).query
    else:
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError:
            raise RequestRejected(400, "Bad request") from None
    try:  # blank values kept: "state=&state=<right>" is two states
        parsed = parse_qs(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError:
        raise RequestRejected(400, "Bad request") from None
    if any(len(parsed.get(name, ())) > 1 for name in _RESPONSE_FIELDS):
        raise RequestRejected(400, "Bad request")  # which state or code would count?
    return {key: values[0] for key, values in parsed.items() if values[0]}


class _Listener(socketserver.TCPServer):
    """The accept loop: it admits a connection (verify_request) and hands it to the receiver."""

    request_queue_size = 64  # a flood waits in the kernel to be refused, not in a SYN retry
    timeout = 0  # handle_request() after the accept loop saw the socket readable: never waits

    def __init__(self, receiver: LoopbackReceiver) -> None:
        self.receiver = receiver
        super().__init__(("127.0.0.1", 0), socketserver.BaseRequestHandler)

    def verify_request(self, request: Any, client_address: Any) -> bool:
        return self.receiver._admit(request)

    def process_request(self, request: Any, client_address: Any) -> None:
        self.receiver._start(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.warning("The sign-in receiver dropped a connection after an error")  # no traceback


class LoopbackReceiver:
    def __init__(
        self,
        expected_state: str,
        landing_page: LandingPage | None = None,
        request_deadline: float = REQUEST_DEADLINE_S,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        if not expected_state:
            raise ValueError("a receiver waits for one state: it needs it from the start")
        self.expected_state = expected_state
        self._landing_page = landing_page or default_page
        self._deadline = request_deadline
        self._slots = threading.BoundedSemaphore(max_connections)
        self._changed = threading.Condition()
        self._response: dict[str, str] | None = None  # waiting to be picked up
        self._accepted = False  # a response was accepted: others get 409 until rearm()
        self._refusal: Refused | None = None
        self._refusal_reported = False
        self._closed = False
        self._connections: set[socket.socket] = set()
        self.refused_peers = 0  # connections of other users, dropped unread
        self.turned_away = 0  # connections closed because all slots were busy
        self._server = _Listener(self)
        # close() wakes the accept loop with a byte here: socketserver's serve_forever looks for
        # a shutdown only every poll_interval, and its shutdown() waits that long, on the GUI
        # thread that closes the receiver when a sign-in ends (a 100-150 ms stall, measured)
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._thread = threading.Thread(
            target=self._accept_loop, name="lanyard-loopback", daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def redirect_uri(self) -> str:
        # Entra matches http://localhost redirect URIs ignoring the port
        return f"http://localhost:{self.port}"

    @property
    def open_connections(self) -> int:
        with self._changed:
            return len(self._connections)

    # -- the accept thread ---------------------------------------------------------------------

    def _accept_loop(self) -> None:
        """Sleeps until a connection arrives or close() writes to the wake-up socket."""
        with selectors.DefaultSelector() as selector:
            selector.register(self._server.socket, selectors.EVENT_READ)
            selector.register(self._wake_reader, selectors.EVENT_READ)
            while True:
                for key, _ in selector.select():
                    if key.fileobj is self._wake_reader:
                        return
                    self._server.handle_request()  # readable: its own select returns at once

    def _admit(self, sock: socket.socket) -> bool:
        try:
            uid = peers.tcp_peer_uid(sock.getsockname(), sock.getpeername())
        except OSError:
            return False  # gone already
        if uid is None or uid == os.geteuid():
            return True
        with self._changed:
            self.refused_peers += 1
            # a peer that closed before it was looked at (HIDDEN) is dropped without a word to
            # the person: it may be nothing more than a browser's unused connection
            if uid != peers.HIDDEN and self._refusal is None and not self._refusal_reported:
                self._refusal = Refused(failures.sign_in_from_another_user(uid))
                self._changed.notify_all()
        if uid == peers.HIDDEN:
            log.info("The sign-in receiver dropped a connection closed before it was accepted")
        else:
            log.warning("The sign-in receiver refused a connection from another user (uid %s)", uid)
        return False

    def _start(self, sock: socket.socket) -> None:
        if not self._slots.acquire(blocking=False):
            self.turned_away += 1
            self._server.shutdown_request(sock)
            return
        with self._changed:
            self._connections.add(sock)
        threading.Thread(
            target=self._serve, args=(sock,), name="lanyard-loopback-request", daemon=True
        ).start()

    # -- a connection's thread -----------------------------------------------------------------

    def _serve(self, sock: socket.socket) -> None:
        deadline = time.monotonic() + self._deadline
        try:
            try:
                status, text, page = self._answer(read_request(sock, deadline))
            except RequestRejected as rejected:
                status, text, page = rejected.status, rejected.reason, False
            self._reply(sock, status, text, page, max(deadline, time.monotonic()) + REPLY_S)
        except ConnectionEnded:
            pass
        except Exception as exc:  # noqa: BLE001 - a bug here must not print a traceback
            log.warning("The sign-in receiver dropped a connection (%s)", type(exc).__name__)
        finally:
            with self._changed:
                self._connections.discard(sock)
            self._server.shutdown_request(sock)
            self._slots.release()

    def _answer(self, request: Request) -> tuple[int, str, bool]:
        if request.method not in ("GET", "POST"):
            raise RequestRejected(405, "Method not allowed")
        params = _params(request)
        if not any(name in params for name in ("code", "error")):
            return 404, "Not found", False  # favicon, probes
        state = params.get("state", "")
        if not hmac.compare_digest(state.encode(), self.expected_state.encode()):
            return 400, _("This sign-in response is not the one Lanyard is waiting for."), False
        with self._changed:
            if self._accepted or self._closed:
                # what a person sees who reloads the page after signing in: in their language
                return 409, _("Lanyard already received the sign-in response."), False
            self._accepted = True
            self._response = params  # before the page: whatever happens to it, this counts
            self._changed.notify_all()
        return 200, self._landing_page(params), True

    @staticmethod
    def _reply(sock: socket.socket, status: int, text: str, page: bool, until: float) -> None:
        data = text.encode("utf-8")
        kind = "text/html" if page else "text/plain"
        head = (
            f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}\r\n"
            f"Content-Type: {kind}; charset=utf-8\r\n"
            f"Content-Length: {len(data)}\r\n"
            "Cache-Control: no-store\r\n"
            "Referrer-Policy: no-referrer\r\n"
            "X-Content-Type-Options: nosniff\r\n"
            "Connection: close\r\n\r\n"
        )
        sock.settimeout(max(0.01, until - time.monotonic()))
        try:
            sock.sendall(head.encode("ascii") + data)
        except OSError:
            raise ConnectionEnded("reply not taken") from None

    # -- the waiter ----------------------------------------------------------------------------

    def wait_event(self, timeout: float, until: float | None = None) -> dict[str, str] | Refused:
        """The browser's response, or a refusal to tell the person of (once; then the wait can
        go on). Raises LanyardError on timeout or when closed (cancelled). ``until``: the
        time.monotonic() deadline of a wait of ``timeout`` seconds begun earlier."""
        return self._next(time.monotonic() + timeout if until is None else until, timeout)

    def wait(self, timeout: float) -> dict[str, str]:
        """The browser's response (refusals are logged only). Raises LanyardError on timeout or
        when closed (cancelled)."""
        deadline = time.monotonic() + timeout
        while not isinstance(event := self._next(deadline, timeout), dict):
            pass
        return event

    def _next(self, deadline: float, timeout: float) -> dict[str, str] | Refused:
        with self._changed:
            while True:
                if self._response is not None:
                    response, self._response = self._response, None
                    return response
                if self._refusal is not None:
                    refusal, self._refusal = self._refusal, None
                    self._refusal_reported = True
                    return refusal
                if self._closed:
                    raise failures.sign_in_cancelled()
                left = deadline - time.monotonic()
                if left <= 0:
                    raise failures.sign_in_timed_out(timeout)
                self._changed.wait(left)

    def rearm(self) -> None:
        """Accept the next response with the expected state: the last one was turned down after
        it was redeemed (another account)."""
        with self._changed:
            self._accepted = False
            self._response = None

    def close(self) -> None:
        """Stop listening, wake any waiter (Cancel) and end the connections being served."""
        with self._changed:
            if self._closed:
                return
            self._closed = True
            self._changed.notify_all()
            connections = list(self._connections)
        with contextlib.suppress(OSError):
            self._wake_writer.send(b"x")
        # the loop wakes at once; a bound all the same, as this runs on the GUI thread
        self._thread.join(timeout=1.0)
        self._server.server_close()
        self._wake_reader.close()
        self._wake_writer.close()
        for sock in connections:  # their threads wake from recv() and end
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
