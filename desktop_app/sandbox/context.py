"""What every identity-provider endpoint shares: the directory, the state, the token issuer and
the two base URLs (API-facing HTTPS, and the one a person's browser uses)."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.sandbox.directory import AppRegistration, Directory
from desktop_app.sandbox.errors import AadError, missing_parameter, unknown_client
from desktop_app.sandbox.state import SandboxState
from desktop_app.sandbox.tokens import TokenIssuer
from desktop_app.sandbox.web import Request


@dataclass(frozen=True)
class IdpContext:
    directory: Directory
    state: SandboxState
    tokens: TokenIssuer
    base_url: str
    browser_base_url: str

    def posted_client(self, req: Request) -> AppRegistration:
        """The app that a POST to an OAuth endpoint (token, devicecode) names in ``client_id``.
        Raises AadError, as Entra answers: not a POST (900561), no client_id, unknown client."""
        if req.method != "POST":
            raise AadError(
                "invalid_request", 900561, "The endpoint only accepts POST, OPTIONS requests."
            )
        client_id = req.form.get("client_id")
        if not client_id:
            raise missing_parameter("client_id")
        app = self.directory.app(client_id)
        if app is None:
            raise unknown_client(client_id)
        return app
