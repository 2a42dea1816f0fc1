"""ApiCaller over real HTTPS: where the token goes on redirects, what is shown, and the sandbox's
APIs with tokens from a real sign-in."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from desktop_app.core import net
from desktop_app.core.errors import ErrorKind, LanyardError
from desktop_app.graph.api_call import (
    MAX_BODY_BYTES,
    MAX_REDIRECTS,
    TOKEN_PLACEHOLDER,
    ApiCaller,
    ApiRequest,
)
from desktop_app.sandbox import Sandbox, pki
from desktop_app.sandbox.directory import READER_UPN
from tests.support.sandbox_helpers import auth_client, browser_sign_in

TOKEN = "eyJ0eXAiOiJKV1QifQ.not-a-real-token.signature"


@dataclass
class Server:
    """An HTTPS server on loopback that redirects and echoes; records who sent a token."""

    port: int = 0
    seen: list[tuple[str, str | None]] = field(default_factory=list)  # (path, Authorization)
    # every request as (method, path, Authorization, body, Content-Type)
    calls: list[tuple[str, str, str | None, bytes, str | None]] = field(default_factory=list)
    other: Server | None = None

    def url(self, path: str) -> str:
        return f"https://localhost:{self.port}{path}"


def _serve(tmp_path: Path, server: Server) -> ThreadingHTTPServer:
    material = pki.load_or_create(tmp_path / "pki")
    context = pki.server_context(material)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _changes(self) -> None:
            """POST, PUT, PATCH, DELETE: /rNNN redirects with that status, /xNNN to the other
            server; anything else echoes the method and body."""
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            record = (self.command, self.path, self.headers.get("Authorization"))
            server.calls.append((*record, body, self.headers.get("Content-Type")))
            other = server.other
            assert other is not None
            if self.path[:2] in ("/r", "/x") and self.path[2:].isdigit():
                target = "/echo" if self.path[1] == "r" else other.url("/echo")
                self.send_response(int(self.path[2:]))
                self.send_header("Location", target)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            answer = json.dumps({"method": self.command, "body": body.decode()}).encode()
            self.send_response(201 if self.command == "POST" else 200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Location", server.url("/echo/1"))
            self.send_header("X-Custom", "kept")
            self.send_header("Set-Cookie", "session=abc")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        do_POST = do_PUT = do_PATCH = do_DELETE = _changes

        def do_GET(self) -> None:
            server.seen.append((self.path, self.headers.get("Authorization")))
            server.calls.append(("GET", self.path, self.headers.get("Authorization"), b"", None))
            other = server.other
            assert other is not None
            routes = {
                "/same": ("302", f"/echo?from={server.port}"),
                "/cross": ("302", other.url("/echo")),
                "/downgrade": ("302", f"http://localhost:{other.port}/echo"),
                "/loop": ("302", "/loop"),
            }
            if self.path in routes:
                self.send_response(int(routes[self.path][0]))
                self.send_header("Location", routes[self.path][1])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if self.path == "/big":
                body = json.dumps({"value": ["x" * 1000] * 3000}).encode()
            else:  # /echo: what many test APIs do, the request's headers sent back
                body = json.dumps(
                    {"path": self.path, "authorization": self.headers.get("Authorization")}
                ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("request-id", "echo-1")
            self.send_header("Set-Cookie", "session=abc")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    server.port = httpd.server_address[1]
    return httpd


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[Server, Server, str]]:
    first, second = Server(), Server()
    first.other, second.other = second, first
    running = [_serve(tmp_path, first), _serve(tmp_path, second)]
    threads = [
        threading.Thread(target=h.serve_forever, kwargs={"poll_interval": 0.05}) for h in running
    ]
    for thread in threads:
        thread.start()
    yield first, second, str(tmp_path / "pki" / pki.CA_FILE)
    for httpd, thread in zip(running, threads, strict=True):
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def _call(ca_file: str, url: str) -> Any:
    session = net.make_session(ca_file, proxy=None)
    try:
        return ApiCaller(session).call(ApiRequest(url, ("api://x/Read",)), TOKEN)
    finally:
        session.close()


def test_the_token_follows_a_same_origin_redirect_only(servers) -> None:  # type: ignore[no-untyped-def]
    first, second, ca_file = servers
    same = _call(ca_file, first.url("/same"))
    assert same.status == 200
    assert first.seen == [
        ("/same", f"Bearer {TOKEN}"),
        (f"/echo?from={first.port}", f"Bearer {TOKEN}"),
    ]
    # the echoed token is not shown
    assert same.document["authorization"] == f"Bearer {TOKEN_PLACEHOLDER}"
    assert TOKEN not in same.text
    assert same.final_url == first.url(f"/echo?from={first.port}")
    assert same.request_id == "echo-1"
    assert same.header("set-cookie") == ""

    first.seen.clear()
    cross = _call(ca_file, first.url("/cross"))
    assert cross.status == 200
    assert first.seen == [("/cross", f"Bearer {TOKEN}")]
    assert second.seen == [("/echo", None)]  # another port is another origin: no token
    assert cross.document["authorization"] is None


def test_a_redirect_to_plain_http_is_shown_not_followed(servers) -> None:  # type: ignore[no-untyped-def]
    first, second, ca_file = servers
    response = _call(ca_file, first.url("/downgrade"))
    assert response.status == 302
    assert response.header("location") == f"http://localhost:{second.port}/echo"
    assert second.seen == []


def test_redirect_loops_stop(servers) -> None:  # type: ignore[no-untyped-def]
    first, _second, ca_file = servers
    response = _call(ca_file, first.url("/loop"))
    assert response.status == 302
    assert len(first.seen) == MAX_REDIRECTS + 1


def test_a_large_body_is_cut_off_and_not_parsed(servers) -> None:  # type: ignore[no-untyped-def]
    first, _second, ca_file = servers
    response = _call(ca_file, first.url("/big"))
    assert response.status == 200
    assert response.truncated and not response.is_json
    assert response.size == MAX_BODY_BYTES + 1
    assert "more than 2.0 MB" in response.status_line()


def test_an_untrusted_server_is_a_network_error(servers) -> None:  # type: ignore[no-untyped-def]
    first, _second, _ca_file = servers
    session = net.make_session(net.trust_bundle(None, Path()), proxy=None)  # public roots only
    with pytest.raises(LanyardError) as caught:
        ApiCaller(session).call(ApiRequest(first.url("/echo"), ("api://x/Read",)), TOKEN)
    session.close()
    assert caught.value.kind is ErrorKind.NETWORK
    assert "not trusted" in caught.value.message
    assert TOKEN not in caught.value.support_text()


def test_the_orders_api_and_graph_with_real_tokens(
    sandbox: Sandbox, tmp_path: Path, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    info = sandbox.info
    standin_browser(info.ca_file, READER_UPN)
    client = auth_client(sandbox, tmp_path, scopes=(info.api_scope,))
    api_token = browser_sign_in(client, login_hint=READER_UPN).access_token
    session = net.make_session(info.ca_file, proxy=None)
    caller = ApiCaller(session)
    orders = caller.call(ApiRequest(f"{info.api_endpoint}/orders", (info.api_scope,)), api_token)
    assert orders.status == 200 and orders.is_json
    assert orders.document["owner"] == READER_UPN
    assert [o["id"] for o in orders.document["value"]] == ["SO-1001", "SO-1002", "SO-1003"]
    assert orders.request_id

    missing = caller.call(
        ApiRequest(f"{info.api_endpoint}/orders/SO-9", (info.api_scope,)), api_token, "Orders API"
    )
    assert missing.status == 404
    assert missing.problem is not None
    assert missing.problem.details["code"] == "NotFound"
    assert missing.problem.details["request_id"] == missing.request_id

    # the API's token is refused by Graph: a 401 worded as such
    wrong = caller.call(ApiRequest(f"{info.graph_endpoint}/me", ("User.Read",)), api_token)
    assert wrong.status == 401
    assert wrong.problem is not None and wrong.problem.kind is ErrorKind.INTERACTION_REQUIRED
    session.close()
    assert api_token not in json.dumps([orders.text, missing.text, wrong.text])


def _send(ca_file: str, url: str, method: str, body: bytes | None = None) -> Any:
    session = net.make_session(ca_file, proxy=None)
    headers = (("X-Trace", "t-1"), ("Content-Type", "application/json"))
    try:
        request = ApiRequest(url, ("api://x/Write",), method, headers, body)
        return ApiCaller(session).call(request, TOKEN)
    finally:
        session.close()


def test_any_method_sends_its_body_and_headers_and_shows_every_header_but_cookies(
    servers,  # type: ignore[no-untyped-def]
) -> None:
    first, _, ca_file = servers
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        body = b'{"n": 1}' if method != "DELETE" else None
        response = _send(ca_file, first.url("/orders"), method, body)
        assert response.document == {"method": method, "body": (body or b"").decode()}
        assert first.calls[-1][:4] == (method, "/orders", f"Bearer {TOKEN}", body or b"")
        assert first.calls[-1][4] == ("application/json" if body else None)
        assert response.header("x-custom") == "kept"
        assert response.header("location") == first.url("/echo/1")
        assert response.header("set-cookie") == ""
    assert _send(ca_file, first.url("/orders"), "POST", b"{}").status == 201


def test_307_and_308_repeat_the_change_303_and_a_posts_302_become_a_get(
    servers,  # type: ignore[no-untyped-def]
) -> None:
    first, _, ca_file = servers
    for status in (307, 308):
        first.calls.clear()
        response = _send(ca_file, first.url(f"/r{status}"), "PATCH", b'{"a": 2}')
        assert [c[:4] for c in first.calls] == [
            ("PATCH", f"/r{status}", f"Bearer {TOKEN}", b'{"a": 2}'),
            ("PATCH", "/echo", f"Bearer {TOKEN}", b'{"a": 2}'),
        ]
        assert response.document == {"method": "PATCH", "body": '{"a": 2}'}
    for status, method in ((303, "PUT"), (302, "POST"), (301, "POST")):
        first.calls.clear()
        response = _send(ca_file, first.url(f"/r{status}"), method, b'{"a": 3}')
        assert [c[:2] for c in first.calls] == [(method, f"/r{status}"), ("GET", "/echo")]
        assert first.calls[1][3] == b"" and first.calls[1][4] is None  # no body, no type
        assert response.status == 200


def test_a_change_is_not_repeated_to_another_origin(servers) -> None:  # type: ignore[no-untyped-def]
    first, second, ca_file = servers
    response = _send(ca_file, first.url("/x307"), "POST", b'{"secret": "body"}')
    assert response.status == 307  # shown, not followed
    assert response.header("location") == second.url("/echo")
    assert second.calls == []  # neither the token nor the body went there
