"""A typed client for the sandbox's control API, for tests and for a sandbox in another process.

Trust is explicit: every request passes `verify=<the sandbox CA>` so neither REQUESTS_CA_BUNDLE
nor any other environment setting decides it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests

from desktop_app.sandbox.faults import FaultSpec

_TIMEOUT = 10


class SandboxControl:
    def __init__(
        self, control_url: str, ca_file: str, session: requests.Session | None = None
    ) -> None:
        self._url = control_url.rstrip("/")
        self._ca_file = ca_file
        if session is None:
            session = requests.Session()
            session.trust_env = False  # loopback: never through the environment's HTTPS_PROXY
        self._session = session

    def _call(self, method: str, path: str, payload: Any = None) -> Any:
        response = self._session.request(
            method,
            f"{self._url}{path}",
            json=payload,
            verify=self._ca_file,
            timeout=_TIMEOUT,
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def info(self) -> dict[str, str]:
        result: dict[str, str] = self._call("GET", "")
        return result

    def requests(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("GET", "/requests")
        return result

    def clear_requests(self) -> None:
        self._call("DELETE", "/requests")

    def issued_tokens(self) -> list[dict[str, str]]:
        result: list[dict[str, str]] = self._call("GET", "/tokens")
        return result

    def add_app(
        self,
        client_id: str | None = None,
        display_name: str = "Sandbox test app",
        redirect_uris: list[str] | None = None,
        app_roles: list[str] | None = None,
        role_assignments: dict[str, list[str]] | None = None,
    ) -> str:
        payload: dict[str, Any] = {
            "display_name": display_name,
            "redirect_uris": redirect_uris or ["http://localhost"],
            "app_roles": app_roles or [],
            "role_assignments": role_assignments or {},
        }
        if client_id:
            payload["client_id"] = client_id
        return str(self._call("POST", "/apps", payload)["client_id"])

    def set_token_lifetime(
        self,
        access_token_lifetime: int,
        refresh_in: int | None = None,
        refresh_token_lifetime: int | None = None,
    ) -> None:
        payload = {
            "access_token": access_token_lifetime,
            "refresh_in": refresh_in,
            "refresh_token": refresh_token_lifetime,
        }
        self._call("POST", "/lifetimes", payload)

    def revoke_refresh_tokens(self, upn: str) -> None:
        self._call("POST", f"{_user(upn)}/revoke")

    def require_mfa(self, upn: str) -> None:
        self._call("POST", f"{_user(upn)}/require-mfa")

    def revoke_consent(
        self, upn: str, client_id: str | None = None, scopes: list[str] | None = None
    ) -> list[str]:
        payload: dict[str, Any] = {}
        if client_id is not None:
            payload["client_id"] = client_id
        if scopes is not None:
            payload["scopes"] = scopes
        removed: list[str] = self._call("POST", f"{_user(upn)}/revoke-consent", payload)["removed"]
        return removed

    def assign_roles(self, upn: str, roles: list[str], client_id: str | None = None) -> list[str]:
        payload: dict[str, Any] = {"roles": roles}
        if client_id is not None:
            payload["client_id"] = client_id
        assigned: list[str] = self._call("POST", f"{_user(upn)}/roles", payload)["roles"]
        return assigned

    def claims_challenge(self, upn: str) -> int:
        return int(self._call("POST", f"{_user(upn)}/claims-challenge")["event_time"])

    def set_profile(
        self, upn: str, properties: dict[str, Any] | None = None, remove: list[str] | None = None
    ) -> None:
        self._call(
            "POST",
            f"{_user(upn)}/profile",
            {"properties": properties or {}, "remove": remove or []},
        )

    def reset_profile(self, upn: str) -> None:
        self._call("DELETE", f"{_user(upn)}/profile")

    def set_device_code_interval(self, interval: int) -> None:
        self._call("POST", "/device-code", {"interval": interval})

    def set_device_code_lifetime(self, expires_in: int) -> None:
        self._call("POST", "/device-code", {"expires_in": expires_in})

    def add_fault(self, spec: FaultSpec) -> dict[str, Any]:
        fault: dict[str, Any] = self._call("POST", "/faults", spec.as_json())
        return fault

    def faults(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("GET", "/faults")
        return result

    def clear_faults(self) -> int:
        return int(self._call("DELETE", "/faults")["cleared"])

    def close(self) -> None:
        self._session.close()


def _user(upn: str) -> str:
    return f"/users/{quote(upn, safe='@')}"
