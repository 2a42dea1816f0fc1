"""A tiny HTTP proxy on loopback for tests: CONNECT tunnels (what requests uses for https) and
plain-http forwarding is refused. It records every CONNECT target (asked for, and carried), and can demand a user name
and password (Proxy-Authorization: Basic), answering 407 otherwise."""

from __future__ import annotations

import base64
import contextlib
import select
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ConnectProxy:
    def __init__(self, credentials: tuple[str, str] | None = None) -> None:
        self.asked: list[str] = []  # "host:port" of each CONNECT asked for, carried or not
        self.tunnels: list[str] = []  # ...and of each it carried
        # the local port of each connection it made upstream: a server that logs its clients'
        # ports (the sandbox's request log) shows which requests came through this proxy
        self.upstream_ports: set[int] = set()
        self.refused = 0
        self._credentials = credentials
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_CONNECT(self) -> None:
                proxy.asked.append(self.path)
                if not proxy._authorised(self.headers.get("Proxy-Authorization", "")):
                    proxy.refused += 1
                    self.send_response(407)
                    self.send_header("Proxy-Authenticate", 'Basic realm="test"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                host, _, port = self.path.rpartition(":")
                try:
                    upstream = socket.create_connection((host, int(port)), timeout=5)
                except OSError:
                    self.send_error(502)
                    return
                proxy.tunnels.append(self.path)
                proxy.upstream_ports.add(upstream.getsockname()[1])
                self.send_response(200, "Connection established")
                self.end_headers()
                _pipe(self.connection, upstream)

            def do_GET(self) -> None:
                self.send_error(501, "only CONNECT")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _authorised(self, header: str) -> bool:
        if self._credentials is None:
            return True
        expected = base64.b64encode(":".join(self._credentials).encode()).decode()
        return header == f"Basic {expected}"

    def url_with(self, user: str, password: str) -> str:
        return self.url.replace("://", f"://{user}:{password}@")

    def __enter__(self) -> ConnectProxy:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def _pipe(client: socket.socket, upstream: socket.socket) -> None:
    """Copy bytes both ways until either side closes."""
    with upstream:
        sockets = [client, upstream]
        while True:
            readable, _, broken = select.select(sockets, [], sockets, 30)
            if broken or not readable:
                return
            for sock in readable:
                try:
                    data = sock.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                other = upstream if sock is client else client
                with contextlib.suppress(OSError):
                    other.sendall(data)


def unused_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
