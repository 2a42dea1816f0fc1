"""Real msal and real requests against the sandbox over HTTPS on loopback: nothing is mocked."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from desktop_app.sandbox import Sandbox
from tests.support.idp_client import Loopback


@pytest.fixture
def loopback() -> Iterator[Loopback]:
    holder: dict[str, Loopback] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def _done(self, params: dict[str, str]) -> None:
            holder["lb"].received.clear()
            holder["lb"].received.update(params)
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "9")
            self.end_headers()
            self.wfile.write(b"signed in")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self._done(dict(parse_qsl(self.rfile.read(length).decode())))

        def do_GET(self) -> None:
            self._done(dict(parse_qsl(urlsplit(self.path).query)))

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    holder["lb"] = Loopback(server)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield holder["lb"]
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def own_sandbox() -> Iterator[Sandbox]:
    """A sandbox for one test, for tests that change its state (faults, MFA, consent, events)."""
    with Sandbox() as sb:
        yield sb
