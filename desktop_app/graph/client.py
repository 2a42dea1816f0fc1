"""Microsoft Graph calls Lanyard makes: /me and the photo. No msal, no Qt.

Each call takes the access token from its caller (who got it from the auth thread) and runs on
the network pool with the session's timeouts. The Authorization header is sent only to the
configured Graph host: requests drops it on a redirect to another host.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from desktop_app.errors import ErrorKind, LanyardError
from desktop_app.graph.profile import Profile

MAX_PHOTO_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Photo:
    data: bytes
    content_type: str
    etag: str


def graph_error(response: requests.Response, action: str) -> LanyardError:
    details = {"status": str(response.status_code)}
    request_id = response.headers.get("request-id")
    code = ""
    message = ""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        code = str(error.get("code") or "")
        message = str(error.get("message") or "")
        inner = error.get("innerError")
        if isinstance(inner, dict):
            request_id = request_id or str(inner.get("request-id") or "")
            if inner.get("date"):
                details["date"] = str(inner["date"])
    if code:
        details["code"] = code
    if request_id:
        details["request_id"] = request_id
    if response.status_code == 401:
        return LanyardError(
            f"{action} failed: Microsoft Graph did not accept your sign-in.",
            "Refresh, or sign in again if it keeps happening.",
            ErrorKind.INTERACTION_REQUIRED,
            details,
        )
    if response.status_code == 403:
        return LanyardError(
            f"{action} failed: you do not have permission ({code or 'Forbidden'}).",
            "Ask your administrator to grant Lanyard the needed permission.",
            ErrorKind.SERVICE,
            details,
        )
    if response.status_code == 429:
        retry_after = response.headers.get("Retry-After", "")
        if retry_after:
            details["retry_after"] = retry_after
        return LanyardError(
            f"{action} failed: Microsoft Graph is throttling requests.",
            "Wait a little and refresh.",
            ErrorKind.SERVICE,
            details,
        )
    return LanyardError(
        f"{action} failed: {message or f'Microsoft Graph answered {response.status_code}'}",
        "Try again. If it keeps failing, copy the details for your administrator.",
        ErrorKind.SERVICE,
        details,
    )


def _transport_error(exc: requests.RequestException, action: str) -> LanyardError:
    return LanyardError(
        f"{action} failed: Microsoft Graph could not be reached.",
        "Check your network connection and try again.",
        ErrorKind.NETWORK,
        {"error": exc.__class__.__name__},
    )


class GraphClient:
    def __init__(self, session: requests.Session, endpoint: str) -> None:
        self._session = session
        self.endpoint = endpoint.rstrip("/")

    def _get(
        self, path: str, token: str, headers: dict[str, str] | None = None
    ) -> requests.Response:
        try:
            return self._session.get(
                f"{self.endpoint}{path}",
                headers={"Authorization": f"Bearer {token}", **(headers or {})},
                allow_redirects=True,
            )
        except requests.RequestException as exc:
            raise _transport_error(exc, "Loading your profile") from None

    def me(self, token: str) -> Profile:
        response = self._get("/me", token)
        if response.status_code != 200:
            raise graph_error(response, "Loading your profile")
        try:
            data: Any = response.json()
        except ValueError:  # JSONDecodeError included
            data = None
        if not isinstance(data, dict):
            raise LanyardError(
                "Loading your profile failed: Microsoft Graph sent an answer Lanyard could not read.",
                "Try again later.",
                ErrorKind.SERVICE,
                {"status": str(response.status_code)},
            )
        return Profile.from_graph(data)

    def photo(self, token: str, etag: str | None = None) -> Photo | None:
        """The photo; None when the user has none. ``etag`` given and unchanged: raises NotModified."""
        response = self._get("/me/photo/$value", token, {"If-None-Match": etag} if etag else None)
        if response.status_code == 304:
            raise NotModifiedError()
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise graph_error(response, "Loading your photo")
        if len(response.content) > MAX_PHOTO_BYTES:
            return None
        return Photo(
            data=response.content,
            content_type=response.headers.get("Content-Type", ""),
            etag=response.headers.get("ETag", ""),
        )


class NotModifiedError(Exception):
    """The cached photo is still current."""
