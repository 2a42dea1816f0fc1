"""A plain msal app of the sandbox's identity provider, as any app would build one: its loopback
redirect receiver, the front channel through the stand-in browser, raw GET and token POST, and the
shape of Entra's token endpoint errors."""

from __future__ import annotations

import http.server
from dataclasses import dataclass, field
from typing import Any

import msal
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
