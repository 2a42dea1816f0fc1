"""Sandbox: owns the keys, the listeners and the state, and routes each request to its endpoint."""

from __future__ import annotations

import datetime as dt
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from desktop_app.sandbox import control_api
from desktop_app.sandbox.directory import (
    API_SCOPE,
    LANYARD_CLIENT_ID,
    TENANT_ID,
    AppRegistration,
    Directory,
)
from desktop_app.sandbox.idp import IdentityProvider
from desktop_app.sandbox.pki import load_or_create, server_context
from desktop_app.sandbox.resources import Resources
from desktop_app.sandbox.state import SandboxState
from desktop_app.sandbox.tokens import TokenIssuer
from desktop_app.sandbox.transport import Listener
from desktop_app.sandbox.web import Request, Response, json_response

# Paths a person's browser visits; with browser_http they are also served over plain HTTP.
_BROWSER_ENDPOINTS = {
    ("oauth2", "v2.0", "authorize"),
    ("oauth2", "v2.0", "logout"),
    ("login",),
    ("consent",),
}


@dataclass(frozen=True)
class SandboxInfo:
    base_url: str
    authority: str
    graph_endpoint: str
    api_endpoint: str
    api_scope: str
    ca_file: str
    client_id: str
    tenant_id: str
    control_url: str
    browser_base_url: str

    def as_json(self) -> dict[str, str]:
        return asdict(self)


class Sandbox:
    """A local Entra ID v2.0 + Graph emulator serving HTTPS on 127.0.0.1 from daemon threads."""

    def __init__(
        self,
        port: int = 0,
        state_dir: str | Path | None = None,
        browser_http: bool = False,
        access_token_lifetime: int = 3600,
        refresh_in: int | None = None,
    ) -> None:
        self._port = port
        self._browser_http = browser_http
        # Without a state_dir, keys live in a temp dir that goes away on stop (or at exit).
        self._temp = (
            tempfile.TemporaryDirectory(prefix="lanyard-sandbox-") if state_dir is None else None
        )
        self._state_dir = Path(self._temp.name if self._temp else state_dir or ".")
        self._state_dir.mkdir(parents=True, exist_ok=True)
        self.directory = Directory()
        self.state = SandboxState(self._state_dir, access_token_lifetime, refresh_in)
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []
        self._info: SandboxInfo | None = None
        self._idp: IdentityProvider | None = None
        self._resources: Resources | None = None
        self._stopped = False

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> SandboxInfo:
        with self._lock:
            if self._stopped:
                raise RuntimeError("a stopped Sandbox cannot be started again; make a new one")
            if self._info is not None:
                return self._info
            material = load_or_create(self._state_dir)
            https = Listener(self._port, self._dispatch_https, server_context(material))
            self._listeners.append(https)
            base_url = f"https://localhost:{https.port}"
            browser_base_url = base_url
            if self._browser_http:
                plain = Listener(0, self._dispatch_browser, None)
                self._listeners.append(plain)
                browser_base_url = f"http://127.0.0.1:{plain.port}"
            info = SandboxInfo(
                base_url=base_url,
                authority=f"{base_url}/{TENANT_ID}",
                graph_endpoint=f"{base_url}/v1.0",
                api_endpoint=f"{base_url}/api/v1",
                api_scope=API_SCOPE,
                ca_file=str(material.ca_file),
                client_id=LANYARD_CLIENT_ID,
                tenant_id=TENANT_ID,
                control_url=f"{base_url}/_sandbox",
                browser_base_url=browser_base_url,
            )
            tokens = TokenIssuer(
                base_url,
                info.graph_endpoint,
                material.signing_key,
                material.kid,
                material.refresh_secret,
            )
            self._idp = IdentityProvider(
                self.directory, self.state, tokens, base_url, browser_base_url
            )
            self._resources = Resources(self.directory, tokens)
            self._info = info
            for n, listener in enumerate(self._listeners):
                listener.start(f"sandbox-listener-{n}")
            return info

    def stop(self) -> None:
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            listeners, self._listeners = self._listeners, []
        for listener in listeners:
            listener.stop()
        if self._temp is not None:
            self._temp.cleanup()

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def info(self) -> SandboxInfo:
        if self._info is None:
            raise RuntimeError("the sandbox is not started")
        return self._info

    # ------------------------------------------------------------------ in-process control
    def requests(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return [dict(r) for r in self.state.requests]

    def clear_requests(self) -> None:
        with self.state.lock:
            self.state.requests.clear()

    def issued_tokens(self) -> list[dict[str, str]]:
        with self.state.lock:
            return [dict(t) for t in self.state.issued]

    def add_app(
        self,
        client_id: str | None = None,
        display_name: str = "Sandbox test app",
        redirect_uris: list[str] | None = None,
        app_roles: list[str] | None = None,
        role_assignments: dict[str, list[str]] | None = None,
    ) -> str:
        """Register another public client; returns its client id."""
        app = AppRegistration(
            client_id=client_id or str(uuid.uuid4()),
            display_name=display_name,
            redirect_uris=list(redirect_uris or ["http://localhost"]),
            app_roles=list(app_roles or []),
            role_assignments=dict(role_assignments or {}),
        )
        self.directory.add_app(app)
        return app.client_id

    def revoke_refresh_tokens(self, upn: str) -> None:
        """Every refresh token issued to the user so far stops working (AADSTS50173)."""
        user = self.directory.user(upn)
        if user is None:
            raise KeyError(upn)
        with self.state.lock:
            self.state.revoked_before[user.oid] = time.time()

    def set_token_lifetime(
        self,
        access_token_lifetime: int,
        refresh_in: int | None = None,
        refresh_token_lifetime: int | None = None,
    ) -> None:
        with self.state.lock:
            self.state.access_token_lifetime = access_token_lifetime
            self.state.refresh_in = refresh_in
            self.state.refresh_token_lifetime = refresh_token_lifetime

    # ------------------------------------------------------------------ routing
    def _dispatch_https(self, req: Request, started: float) -> Response:
        return self._logged(req, started, self._route(req, browser_only=False), "https")

    def _dispatch_browser(self, req: Request, started: float) -> Response:
        return self._logged(req, started, self._route(req, browser_only=True), "http")

    def _logged(self, req: Request, started: float, response: Response, listener: str) -> Response:
        self.state.log_request(
            {
                "method": req.method,
                "path": req.path,  # never the query: it can carry codes and hints
                "kind": response.kind,
                "grant_type": response.grant_type,
                "status": response.status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
                "listener": listener,
            }
        )
        return response

    def _route(self, req: Request, browser_only: bool) -> Response:
        idp, resources = self._idp, self._resources
        assert idp is not None
        assert resources is not None
        parts = tuple(p for p in req.path.split("/") if p)
        method = req.method
        if browser_only:
            if len(parts) >= 2 and parts[1:] in _BROWSER_ENDPOINTS:
                return self._route_tenant(req, parts, idp)
            return _not_found("page")
        if parts[:1] == ("_sandbox",):
            response = control_api.handle(self, req, parts[1:])
            response.kind = "control"
            return response
        if parts[:1] == ("v1.0",):
            response = _not_found("graph")
            if parts == ("v1.0", "me") and method == "GET":
                response = resources.me(req)
            elif parts == ("v1.0", "me", "photo", "$value") and method == "GET":
                response = resources.photo(req, metadata=False)
            elif parts == ("v1.0", "me", "photo") and method == "GET":
                response = resources.photo(req, metadata=True)
            elif len(parts) == 4 and parts[1] == "users" and parts[3] == "getMemberObjects":
                response = resources.member_objects(req, parts[2])
            response.kind = "graph"
            return response
        if parts == ("api", "v1", "orders") and method == "GET":
            response = resources.orders(req)
            response.kind = "api"
            return response
        if parts == ("common", "discovery", "instance"):
            response = idp.instance_discovery(req)
            response.kind = "idp"
            return response
        return self._route_tenant(req, parts, idp)

    def _route_tenant(
        self, req: Request, parts: tuple[str, ...], idp: IdentityProvider
    ) -> Response:
        if len(parts) < 2:
            return _not_found("page")
        tenant, rest = parts[0], parts[1:]
        page = rest in _BROWSER_ENDPOINTS
        if rest not in _BROWSER_ENDPOINTS | {
            ("v2.0", ".well-known", "openid-configuration"),
            ("discovery", "v2.0", "keys"),
            ("oauth2", "v2.0", "token"),
        }:
            return _not_found("page" if page else "idp")
        if not self.directory.known_tenant(tenant):
            response = (
                idp.unknown_tenant_page(tenant) if page else idp.unknown_tenant_json(tenant, req)
            )
        elif rest == ("v2.0", ".well-known", "openid-configuration"):
            response = idp.openid_configuration(tenant)
        elif rest == ("discovery", "v2.0", "keys"):
            response = idp.keys()
        elif rest == ("oauth2", "v2.0", "token"):
            response = idp.token(req, tenant)
        elif rest == ("oauth2", "v2.0", "authorize"):
            response = idp.authorize(req, tenant)
        elif rest == ("oauth2", "v2.0", "logout"):
            response = idp.logout(req, tenant)
        elif rest == ("login",):
            response = idp.sign_in(req, tenant)
        else:
            response = idp.consent(req, tenant)
        if response.kind == "page" and not page:
            response.kind = "idp"
        return response


def _not_found(kind: str) -> Response:
    response = json_response(404, {"error": "not_found"})
    response.kind = kind
    return response
