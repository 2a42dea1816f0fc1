"""Microsoft Graph calls Lanyard makes: /me, the photo, /organization. No msal, no Qt.

Each call takes the access token from its caller (who got it from the auth thread) and runs on
the network pool with the session's timeouts. The Authorization header is sent only to the
configured Graph host: requests drops it on a redirect to another host.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktop_app.core.i18n import _
from desktop_app.graph.organization import Organization
from desktop_app.graph.profile import Profile

if TYPE_CHECKING:  # requests is imported by whoever builds the session, off the GUI thread
    import requests

MAX_PHOTO_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Photo:
    data: bytes
    content_type: str
    etag: str


class GraphClient:
    def __init__(self, session: requests.Session, endpoint: str) -> None:
        self._session = session
        self.endpoint = endpoint.rstrip("/")

    def _get(
        self, path: str, token: str, headers: dict[str, str] | None = None
    ) -> requests.Response:
        import requests

        from desktop_app.graph.errors import from_exception

        try:
            return self._session.get(
                f"{self.endpoint}{path}",
                headers={"Authorization": f"Bearer {token}", **(headers or {})},
                allow_redirects=True,
            )
        except requests.RequestException as exc:
            raise from_exception(exc, _("Loading your profile"), "Microsoft Graph") from None

    def me(self, token: str) -> Profile:
        from desktop_app.graph.errors import from_graph_response, unreadable_graph_answer

        response = self._get("/me", token)
        if response.status_code != 200:
            raise from_graph_response(response, _("Loading your profile"))
        try:
            data: Any = response.json()
        except ValueError:  # JSONDecodeError included
            data = None
        if not isinstance(data, dict):
            raise unreadable_graph_answer(_("Loading your profile"), response.status_code)
        return Profile.from_graph(data)

    def organization(self, token: str) -> Organization | None:
        """The tenant's id and name (User.Read suffices: graph/organization.py); None when the
        answer names none. Raises LanyardError (a 403 without the permission, say)."""
        from desktop_app.graph.errors import from_graph_response

        response = self._get("/organization?$select=id,displayName", token)
        if response.status_code != 200:
            raise from_graph_response(response, _("Reading your organization's name"))
        try:
            data: Any = response.json()
        except ValueError:
            return None
        return Organization.from_graph(data)

    def photo(self, token: str, etag: str | None = None) -> Photo | None:
        """The photo; None when the user has none. ``etag`` given and unchanged: raises NotModified."""
        from desktop_app.graph.errors import from_graph_response

        response = self._get("/me/photo/$value", token, {"If-None-Match": etag} if etag else None)
        if response.status_code == 304:
            raise NotModifiedError()
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise from_graph_response(response, _("Loading your photo"))
        if len(response.content) > MAX_PHOTO_BYTES:
            return None
        return Photo(
            data=response.content,
            content_type=response.headers.get("Content-Type", ""),
            etag=response.headers.get("ETag", ""),
        )


class NotModifiedError(Exception):
    """The cached photo is still current."""
