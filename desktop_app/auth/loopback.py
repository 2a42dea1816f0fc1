"""Lanyard's own loopback redirect receiver for the browser sign-in.

Not msal's AuthCodeReceiver: that one binds 0.0.0.0 whenever /.dockerenv exists and its close()
does not wake a waiter. This one binds 127.0.0.1 only, accepts the form_post (and a query
redirect), answers the browser with a landing page, ignores responses whose ``state`` is not the
one it waits for, and ``close()`` wakes ``wait()`` at once (that is how Cancel works).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from desktop_app.auth import errors as failures
from desktop_app.auth.landing import landing_page as default_page

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
LandingPage = Callable[[dict[str, str]], str]


def _single_values(parsed: dict[str, list[str]]) -> dict[str, str]:
    return {key: values[0] for key, values in parsed.items() if values}


class LoopbackReceiver:
    def __init__(
        self, expected_state: str | None = None, landing_page: LandingPage | None = None
    ) -> None:
        self.expected_state = expected_state
        self._landing_page = landing_page or default_page
        self._done = threading.Event()
        self._response: dict[str, str] | None = None
        self._closed = False
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="lanyard-loopback",
            daemon=True,
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def redirect_uri(self) -> str:
        # Entra matches http://localhost redirect URIs ignoring the port
        return f"http://localhost:{self.port}"

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "Lanyard"
            sys_version = ""

            def log_message(self, format: str, *args: object) -> None:
                pass  # the request line carries the authorization code: never log it

            def do_GET(self) -> None:
                self._answer(_single_values(parse_qs(urlparse(self.path).query)))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length > MAX_BODY:
                    self._reply(413, "Too large")
                    return
                body = self.rfile.read(length).decode("utf-8", "replace")
                self._answer(_single_values(parse_qs(body)))

            def _answer(self, params: dict[str, str]) -> None:
                if "code" not in params and "error" not in params:
                    self._reply(404, "Not found")  # favicon, probes
                    return
                if (
                    receiver.expected_state is not None
                    and params.get("state") != receiver.expected_state
                ):
                    self._reply(400, "This sign-in response is not the one Lanyard is waiting for.")
                    return
                if receiver._done.is_set():
                    self._reply(409, "Lanyard already received the sign-in response.")
                    return
                receiver._response = params
                self._reply(200, receiver._landing_page(params), html_page=True)
                receiver._done.set()

            def _reply(self, status: int, text: str, html_page: bool = False) -> None:
                data = text.encode("utf-8")
                self.send_response(status)
                self.send_header(
                    "Content-Type",
                    "text/html; charset=utf-8" if html_page else "text/plain; charset=utf-8",
                )
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Cache-Control", "no-store")
                self.send_header("Referrer-Policy", "no-referrer")
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def wait(self, timeout: float) -> dict[str, str]:
        """The browser's response. Raises LanyardError on timeout or when closed (cancelled)."""
        self._done.wait(timeout)
        if self._response is not None:
            return self._response
        if self._closed:
            raise failures.sign_in_cancelled()
        raise failures.sign_in_timed_out(timeout)

    def close(self) -> None:
        """Stop listening and wake any waiter (Cancel)."""
        if self._closed:
            return
        self._closed = True
        self._done.set()
        self._server.shutdown()
        self._server.server_close()
