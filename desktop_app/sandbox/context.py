"""What every identity-provider endpoint shares: the directory, the state, the token issuer and
the two base URLs (API-facing HTTPS, and the one a person's browser uses)."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.sandbox.directory import Directory
from desktop_app.sandbox.state import SandboxState
from desktop_app.sandbox.tokens import TokenIssuer


@dataclass(frozen=True)
class IdpContext:
    directory: Directory
    state: SandboxState
    tokens: TokenIssuer
    base_url: str
    browser_base_url: str
