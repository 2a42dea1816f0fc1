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
    other: Server | None = None

    def url(self, path: str) -> str:
        return f"https://localhost:{self.port}{path}"


def _serve(tmp_path: Path, server: Server) -> ThreadingHTTPServer:
    material = pki.load_or_create(tmp_path / "pki")
    context = pki.server_context(material)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            server.seen.append((self.path, self.headers.get("Authorization")))
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
