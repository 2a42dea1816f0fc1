"""Real msal and real requests against the sandbox over HTTPS on loopback: nothing is mocked."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import msal
import pytest
import requests

from desktop_app.sandbox import Sandbox
from desktop_app.sandbox.directory import ADMIN_UPN
from tests.support.standin_browser import run as browse


class VerifiedSession(requests.Session):
    """What the app gives msal: every request pins trust to the sandbox CA (env cannot override)."""

    def __init__(self, ca_file: str, timeout: float = 10) -> None:
        super().__init__()
        self.ca_file = ca_file
        self.timeout = timeout

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs["verify"] = self.ca_file
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, *args, **kwargs)


@dataclass
class Loopback:
    """The app's redirect URI: accepts the form_post (or a query redirect) like a real app would."""

    server: http.server.HTTPServer
    received: dict[str, str] = field(default_factory=dict)
    host: str = "localhost"

    @property
    def redirect_uri(self) -> str:
        return f"http://{self.host}:{self.server.server_port}"


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


def make_app(
    sandbox: Sandbox,
    client_id: str | None = None,
    *,
    client_capabilities: list[str] | None = None,
    timeout: float = 10,
) -> msal.PublicClientApplication:
    info = sandbox.info
    return msal.PublicClientApplication(
        client_id or info.client_id,
        authority=info.authority,
        instance_discovery=False,
        http_client=VerifiedSession(info.ca_file, timeout),
        http_cache={},  # msal replays identical 400s for 60 s from this cache: never share it
        token_cache=msal.TokenCache(),
        client_capabilities=client_capabilities,
    )


@pytest.fixture
def own_sandbox() -> Iterator[Sandbox]:
    """A sandbox for one test, for tests that change its state (faults, MFA, consent, events)."""
    with Sandbox() as sb:
        yield sb


def assert_aad_error(result: dict[str, Any], error: str, code: int) -> None:
    """Entra's token endpoint error shape, with the given error and AADSTS code."""
    assert result["error"] == error, result
    assert result["error_codes"] == [code]
    assert result["error_description"].startswith(f"AADSTS{code}: ")
    assert "Trace ID: " in result["error_description"]
    assert "Correlation ID: " in result["error_description"]
    assert "Timestamp: " in result["error_description"]
    assert {"timestamp", "trace_id", "correlation_id", "error_uri"} <= set(result)


def authorize(
    sandbox: Sandbox,
    app: msal.PublicClientApplication,
    loopback: Loopback,
    scopes: list[str] | None = None,
    user: str = ADMIN_UPN,
    decline: bool = False,
    **flow_kwargs: Any,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Front channel only: the flow and what the browser delivered to the loopback."""
    flow = app.initiate_auth_code_flow(
        scopes or ["User.Read"],
        redirect_uri=loopback.redirect_uri,
        response_mode="form_post",
        **flow_kwargs,
    )
    browse(flow["auth_uri"], user=user, decline_consent=decline, ca_file=sandbox.info.ca_file)
    return flow, dict(loopback.received)


def sign_in(
    sandbox: Sandbox,
    app: msal.PublicClientApplication,
    loopback: Loopback,
    scopes: list[str] | None = None,
    user: str = ADMIN_UPN,
) -> dict[str, Any]:
    flow, response = authorize(sandbox, app, loopback, scopes, user)
    result: dict[str, Any] = app.acquire_token_by_auth_code_flow(flow, response)
    assert "access_token" in result, result.get("error_description")
    return result


def get(sandbox: Sandbox, url: str, token: str | None = None, **headers: str) -> requests.Response:
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return requests.get(url, headers=headers, verify=sandbox.info.ca_file, timeout=10)


def post_token(sandbox: Sandbox, data: dict[str, str]) -> requests.Response:
    url = f"{sandbox.info.authority}/oauth2/v2.0/token"
    return requests.post(url, data=data, verify=sandbox.info.ca_file, timeout=10)
