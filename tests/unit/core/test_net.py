"""The shared HTTP session: abort wakes a hung request at once; Graph retries honour a short
Retry-After and hand a long one back to the caller. Against a real local HTTP server."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import certifi
import pytest
import requests

from desktop_app.core import net


class Script:
    """What the server answers, in order; "hang" holds the connection until released."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, dict[str, str]] | str] = []
        self.hits = 0
        self.release = threading.Event()


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            script.hits += 1
            answer = script.answers.pop(0) if script.answers else (200, {})
            if answer == "hang":
                script.release.wait(30)
                return
            assert not isinstance(answer, str)
            status, headers = answer
            body = b"{}"
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", script
    script.release.set()
    httpd.shutdown()
    httpd.server_close()


def test_abort_wakes_a_request_hanging_on_a_server_that_never_answers(
    server: tuple[str, Script],
) -> None:
    url, script = server
    script.answers = ["hang"]
    session = net.make_session(certifi.where(), timeout=(5.0, 30.0), proxy=None)
    outcome: list[BaseException] = []

    def call() -> None:
        try:
            session.get(url)
        except requests.RequestException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=call)
    thread.start()
    while script.hits == 0:
        time.sleep(0.01)
    started = time.monotonic()
    session.abort()
    thread.join(5)
    assert not thread.is_alive()
    assert time.monotonic() - started < 2.0
    assert isinstance(outcome[0], requests.ConnectionError)
    with pytest.raises(net.SessionAbortedError):
        session.get(url)


def test_graph_session_retries_a_503_with_a_short_retry_after(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(503, {"Retry-After": "0"}), (200, {})]
    response = net.make_session(certifi.where(), retry_statuses=True, proxy=None).get(url)
    assert response.status_code == 200
    assert script.hits == 2


def test_graph_session_hands_back_a_long_retry_after_without_sleeping(
    server: tuple[str, Script],
) -> None:
    url, script = server
    script.answers = [(429, {"Retry-After": "120"})]
    started = time.monotonic()
    response = net.make_session(certifi.where(), retry_statuses=True, proxy=None).get(url)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "120"
    assert script.hits == 1
    assert time.monotonic() - started < 2.0


def test_graph_session_gives_up_after_its_retries(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(500, {}), (500, {}), (500, {}), (200, {})]
    response = net.make_session(certifi.where(), retry_statuses=True, proxy=None).get(url)
    assert response.status_code == 500
    assert script.hits == 3


def test_identity_provider_session_never_retries_a_status(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(503, {"Retry-After": "0"}), (200, {})]
    response = net.make_session(certifi.where(), proxy=None).get(url)
    assert response.status_code == 503
    assert script.hits == 1
