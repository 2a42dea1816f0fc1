"""Sockets: a threaded HTTP(S) listener on 127.0.0.1 that turns bytes into web.Request values.

The TLS handshake runs on the connection's own thread (not in the accept loop), so a client that
connects and stalls cannot block everyone else. stop() also closes kept-alive connections, so a
stopped sandbox really stops answering. Injected faults that are not responses are acted out
here: a hang (read the request, answer nothing until released, then close) and a reset (close
with SO_LINGER 0, so the client's next read fails with ECONNRESET).
"""

from __future__ import annotations

import contextlib
import logging
import selectors
import socket
import socketserver
import ssl
import struct
import threading
import time
from collections.abc import Callable
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from desktop_app.sandbox.web import Request, Response, json_response

_log = logging.getLogger(__name__)
MAX_BODY = 1 << 20


def _first_values(query: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        values.setdefault(key, value)  # the first occurrence wins
    return values


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections are closed after this
    server: Listener

    def setup(self) -> None:
        # the headers and the body are two writes: with Nagle on, the body waits for the
        # client's delayed ACK of the headers (40 ms on Linux), on every answer. Entra and Graph
        # add no such wait, so every figure measured against the sandbox carried it
        with contextlib.suppress(OSError):
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(self.timeout)
            self.request.do_handshake()
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the sandbox keeps its own request log; stderr stays quiet

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def _serve(self) -> None:
        started = time.perf_counter()
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY or length < 0:
            self._write(json_response(413, {"error": "request body too large"}))
            self.close_connection = True
            return
        body = self.rfile.read(length) if length else b""
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        form: dict[str, str] = {}
        if content_type == "application/x-www-form-urlencoded":
            form = _first_values(body.decode("utf-8", "replace"))
        cookies: dict[str, str] = {}
        with contextlib.suppress(CookieError):
            jar: SimpleCookie = SimpleCookie(self.headers.get("Cookie") or "")
            cookies = {k: m.value for k, m in jar.items()}
        scheme = "https" if self.server.secure else "http"
        host = self.headers.get("Host") or f"127.0.0.1:{self.server.port}"
        request = Request(
            method=self.command,
            path=unquote(split.path),
            query=_first_values(split.query),
            form=form,
            headers={k.lower(): v for k, v in self.headers.items()},
            cookies=cookies,
            body=body,
            secure=self.server.secure,
            origin=f"{scheme}://{host}",
            peer_port=int(self.client_address[1]) if self.client_address else 0,
        )
        try:
            response = self.server.app(request, started)
        except Exception:  # noqa: BLE001 - one bad request must not kill the connection thread
            _log.exception("sandbox handler failed for %s %s", self.command, split.path)
            response = json_response(500, {"error": "sandbox_internal_error"})
        if response.action == "reset":
            self._reset()
        elif response.action == "hang":
            if response.release is not None:
                response.release.wait()
            self.close_connection = True  # no response ever; the connection just closes
        else:
            self._write(response)

    def _reset(self) -> None:
        """Abort the connection: with linger 0, close() sends RST instead of FIN."""
        self.close_connection = True
        sock = self.connection
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        # rfile holds a reference to the socket: the real close happens when both are closed.
        with contextlib.suppress(OSError):
            self.rfile.close()
        with contextlib.suppress(OSError):
            sock.close()

    def _write(self, response: Response) -> None:
        # not send_response: it adds "Server: BaseHTTP/0.6 Python/…" (Entra and Graph send no
        # such header) and a second Date beside the one the answer may have (errors.py)
        self.log_request(response.status)
        self.send_response_only(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        if not any(name.lower() == "date" for name, _ in response.headers):
            self.send_header("Date", self.date_time_string())
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if response.trickle_s and response.body:
            self._trickle(response)
        elif response.body and response.slow_body_s > 0:
            pieces = 8
            step = max(1, -(-len(response.body) // pieces))
            for start in range(0, len(response.body), step):
                self.wfile.write(response.body[start : start + step])
                self.wfile.flush()
                time.sleep(response.slow_body_s / pieces)
        elif response.body:
            self.wfile.write(response.body)

    def _trickle(self, response: Response) -> None:
        """One byte at a time (a trickle fault); stops when the fault is cleared or the sandbox
        stops (release), or when the client hangs up."""
        self.close_connection = True
        release = response.release or threading.Event()
        for at in range(len(response.body)):
            try:
                self.wfile.write(response.body[at : at + 1])
                self.wfile.flush()
            except OSError:
                return
            if release.wait(response.trickle_s):
                return


App = Callable[[Request, float], Response]


class Listener(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, port: int, app: App, context: ssl.SSLContext | None) -> None:
        self.app = app
        self.secure = context is not None
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        super().__init__(("127.0.0.1", port), _Handler)
        if context is not None:
            self.socket = context.wrap_socket(
                self.socket, server_side=True, do_handshake_on_connect=False
            )

    def server_bind(self) -> None:
        # HTTPServer.server_bind would call socket.getfqdn(), a reverse DNS lookup that can stall.
        socketserver.TCPServer.server_bind(self)
        self.server_name = "localhost"
        self.server_port = self.port

    @property
    def port(self) -> int:
        return int(self.socket.getsockname()[1])

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that hang up or fail the TLS handshake are routine; anything else is logged.
        _log.debug("sandbox connection error from %s", client_address, exc_info=True)

    def start(self, name: str) -> None:
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        """serve_forever without its poll: socketserver wakes every poll_interval to look for a
        shutdown (20 times a second per server, all day, in a demo nobody is using). Here the
        loop sleeps until a connection or stop()'s byte on the wake-up socket."""
        with selectors.DefaultSelector() as selector:
            selector.register(self.socket, selectors.EVENT_READ)
            selector.register(self._wake_reader, selectors.EVENT_READ)
            while True:
                for key, _ in selector.select():
                    if key.fileobj is self._wake_reader:
                        return
                    self.handle_request()  # readable: its own select returns at once

    def stop(self) -> None:
        if self._thread is not None:
            with contextlib.suppress(OSError):
                self._wake_writer.send(b"x")
            self._thread.join(timeout=2)
            self._wake_reader.close()
            self._wake_writer.close()
        self.server_close()
        with self._lock:
            connections, self._connections = list(self._connections), set()
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                conn.close()
