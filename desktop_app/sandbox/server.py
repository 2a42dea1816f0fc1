"""Sandbox: owns the keys, listeners, state and faults, hands each request to the Router, and
offers in-process the same controls as the control API (control_api.py documents them)."""

from __future__ import annotations

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
    User,
)
from desktop_app.sandbox.faults import FaultSet, FaultSpec, new_fault
from desktop_app.sandbox.idp import IdentityProvider
from desktop_app.sandbox.pki import load_or_create, server_context
from desktop_app.sandbox.resources import Resources
from desktop_app.sandbox.routing import Router
from desktop_app.sandbox.scopes import parse
from desktop_app.sandbox.state import SandboxState
from desktop_app.sandbox.tokens import TokenIssuer
from desktop_app.sandbox.transport import Listener
from desktop_app.sandbox.web import Request, Response


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
        browser_port: int = 0,
        access_token_lifetime: int = 3600,
        refresh_in: int | None = None,
        extra_users: int = 0,
    ) -> None:
        self._port = port
        self._browser_http = browser_http
        self._browser_port = browser_port  # the plain-HTTP sign-in pages' (0: any free one)
        # Without a state_dir, keys live in a temp dir that goes away on stop (or at exit).
        self._temp = (
            tempfile.TemporaryDirectory(prefix="lanyard-sandbox-") if state_dir is None else None
        )
        self._state_dir = Path(self._temp.name if self._temp else state_dir or ".")
        self._state_dir.mkdir(parents=True, exist_ok=True)
        self.directory = Directory(extra_users)
        self.state = SandboxState(self._state_dir, access_token_lifetime, refresh_in)
        self._faults = FaultSet()
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []
        self._info: SandboxInfo | None = None
        self._idp: IdentityProvider | None = None
        self._router: Router | None = None
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
                try:
                    plain = Listener(self._browser_port, self._dispatch_browser, None)
                except OSError:
                    https.server_close()
                    self._listeners.clear()
                    raise
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
            resources = Resources(self.directory, tokens, self.state, base_url)
            self._router = Router(
                self._idp, resources, self.state, self._faults, base_url, self._control
            )
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
        self._faults.close()  # releases hung connections and cuts injected latency short
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

    def _user(self, upn: str) -> User:
        user = self.directory.user(upn)
        if user is None:
            raise KeyError(upn)
        return user

    def revoke_refresh_tokens(self, upn: str) -> None:
        """Every refresh token issued to the user so far stops working (AADSTS50173)."""
        user = self._user(upn)
        with self.state.lock:
            self.state.revoked_before[user.oid] = time.time()

    def require_mfa(self, upn: str) -> None:
        """A conditional access policy now demands MFA: refreshing with any refresh token issued
        so far answers invalid_grant [50076] basic_action + claims, and the user's next
        interactive sign-in shows an "Approve sign-in request" step, which satisfies it."""
        user = self._user(upn)
        with self.state.lock:
            self.state.mfa_required_since[user.oid] = time.time()
            self.state.mfa_pending.add(user.oid)

    def assign_roles(
        self, upn: str, roles: list[str], client_id: str = LANYARD_CLIENT_ID
    ) -> list[str]:
        """Replace the user's app roles in an app (an administrator's new assignment): tokens
        issued from now on carry them; tokens already issued keep the old ones."""
        user = self._user(upn)
        return self.directory.assign_roles(client_id, user.upn, roles)

    def revoke_consent(
        self, upn: str, client_id: str | None = None, scopes: list[str] | None = None
    ) -> list[str]:
        """Withdraw the user's consent (for one client, or all; for some scopes, or all).
        A refresh for a withdrawn scope then answers invalid_grant [65001] consent_required.
        Returns the consent keys removed ("<resource>/<scope>", or an OIDC scope)."""
        user = self._user(upn)
        keys: tuple[str, ...] | None = None
        if scopes is not None:
            found: list[str] = []
            for scope in scopes:  # one at a time: each may name a different resource
                found.extend(parse(scope, self.directory.resources).consent_keys())
            keys = tuple(found)
        return self.state.revoke_consent(user.oid, client_id, keys)

    def claims_challenge(self, upn: str) -> int:
        """Record a critical event for the user now (continuous access evaluation); returns its
        epoch second. Graph and the API then answer tokens issued before that second with 401:
        an insufficient_claims challenge for tokens with xms_cc cp1, a plain one otherwise."""
        user = self._user(upn)
        event = int(time.time())
        with self.state.lock:
            self.state.critical_events[user.oid] = event
        return event

    def set_profile(
        self, upn: str, properties: dict[str, Any] | None = None, remove: list[str] | None = None
    ) -> None:
        """Graph /me answers ``properties`` (any JSON values: HTML, megabyte strings, numbers
        where Graph has strings) over the seeded profile, without the ``remove`` properties.
        Replaces an earlier override; ``reset_profile`` restores the seeded one."""
        user = self._user(upn)
        with self.state.lock:
            self.state.profile_overrides[user.oid] = (dict(properties or {}), tuple(remove or ()))

    def reset_profile(self, upn: str) -> None:
        user = self._user(upn)
        with self.state.lock:
            self.state.profile_overrides.pop(user.oid, None)

    def set_device_code_interval(self, interval: int) -> None:
        """The polling `interval` the device code endpoint tells clients (Entra: 5)."""
        if interval < 1:
            raise ValueError("interval must be at least 1 second")
        with self.state.lock:
            self.state.device_code_interval = interval

    def set_device_code_lifetime(self, expires_in: int) -> None:
        """How long new device codes live (Entra: 900 seconds)."""
        if expires_in < 1:
            raise ValueError("expires_in must be at least 1 second")
        with self.state.lock:
            self.state.device_code_lifetime = expires_in

    # -- faults (see faults.ENDPOINTS for the names)
    def add_fault(self, spec: FaultSpec) -> dict[str, Any]:
        """Inject a fault; raises FaultSpecError (a ValueError) for a description that makes no
        sense. Returns the fault as the control API lists it (with its `id`)."""
        return self._faults.add(new_fault(spec)).as_json()

    def faults(self) -> list[dict[str, Any]]:
        return self._faults.active()

    def clear_faults(self) -> int:
        """Remove every fault and release hung connections; returns how many were active."""
        return self._faults.clear()

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

    # ------------------------------------------------------------------ requests
    def _dispatch_https(self, req: Request, started: float) -> Response:
        assert self._router is not None
        return self._router.dispatch(req, started, browser_only=False)

    def _dispatch_browser(self, req: Request, started: float) -> Response:
        assert self._router is not None
        return self._router.dispatch(req, started, browser_only=True)

    def _control(self, req: Request, parts: tuple[str, ...]) -> Response:
        return control_api.handle(self, req, parts)
