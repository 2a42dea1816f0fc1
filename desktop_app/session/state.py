"""The session's states, the transitions between them, and the values the window is shown. No Qt.

The SessionController (controller.py) makes the transitions; the window and the session's parts
read the predicates below instead of keeping their own copies of them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from desktop_app.auth.broker import SignInPath  # stdlib only: msal is not loaded with it
from desktop_app.core.i18n import N_

if TYPE_CHECKING:
    from desktop_app.auth.models import Account, TokenResult
    from desktop_app.core.config import Config
    from desktop_app.graph.api_call import ApiPreset
    from desktop_app.session.services import Services


class State(enum.Enum):
    STARTING = N_("Starting…")
    NOT_CONFIGURED = N_("Not set up")
    SIGNED_OUT = N_("Signed out")
    SIGNING_IN = N_("Waiting for the browser…")
    SIGNED_IN = N_("Signed in")
    REFRESHING = N_("Refreshing…")
    SIGN_IN_NEEDED = N_("Sign-in needed")
    OFFLINE = N_("Offline")
    ERROR = N_("Error")


_S = State
# Every transition the session makes. Anything else is a bug, raised where it happens.
TRANSITIONS: dict[State, frozenset[State]] = {
    _S.STARTING: frozenset(
        {_S.NOT_CONFIGURED, _S.SIGNED_OUT, _S.SIGNED_IN, _S.SIGN_IN_NEEDED, _S.OFFLINE, _S.ERROR}
    ),
    _S.NOT_CONFIGURED: frozenset({_S.STARTING}),
    # REFRESHING: a saved account picked from the account list signs in silently
    _S.SIGNED_OUT: frozenset({_S.SIGNING_IN, _S.STARTING, _S.REFRESHING}),
    # a cancelled or failed sign-in returns to where it started
    # (ERROR: the sign-in's answer held a token that was already expired)
    _S.SIGNING_IN: frozenset({_S.SIGNED_IN, _S.SIGNED_OUT, _S.SIGN_IN_NEEDED, _S.ERROR}),
    _S.SIGNED_IN: frozenset(
        {_S.REFRESHING, _S.SIGNING_IN, _S.SIGNED_OUT, _S.SIGN_IN_NEEDED, _S.OFFLINE, _S.ERROR}
    ),
    _S.REFRESHING: frozenset(
        {_S.SIGNED_IN, _S.SIGN_IN_NEEDED, _S.OFFLINE, _S.ERROR, _S.SIGNED_OUT}
    ),
    # only a person can leave this one: no timer, no retry, no loop
    _S.SIGN_IN_NEEDED: frozenset({_S.SIGNING_IN, _S.SIGNED_OUT}),
    _S.OFFLINE: frozenset(
        {_S.REFRESHING, _S.SIGNING_IN, _S.SIGNED_OUT, _S.SIGN_IN_NEEDED, _S.SIGNED_IN}
    ),
    # (OFFLINE: a start that failed is retried, and may then find the network gone)
    _S.ERROR: frozenset(
        {_S.REFRESHING, _S.SIGNING_IN, _S.SIGNED_OUT, _S.SIGN_IN_NEEDED, _S.SIGNED_IN, _S.OFFLINE}
    ),
}

# States in which what was last loaded stays on screen
SHOWS_ACCOUNT = frozenset({_S.SIGNED_IN, _S.REFRESHING, _S.OFFLINE, _S.ERROR, _S.SIGN_IN_NEEDED})
# States with a token in hand: an API may be called as the account ("Call an API")
MAY_CALL_API = frozenset({_S.SIGNED_IN, _S.REFRESHING, _S.OFFLINE, _S.ERROR})
# States a person may refresh from (the Refresh button); a cancelled sign-in started in one of
# them returns to SIGNED_IN with the token it had
MAY_REFRESH = frozenset({_S.SIGNED_IN, _S.OFFLINE, _S.ERROR})


class InvalidTransitionError(RuntimeError):
    pass


@dataclass(frozen=True)
class TokenInfo:
    """What the window may know about the access token: never the token itself."""

    expires_on: float
    refresh_on: float | None
    scopes: tuple[str, ...]
    source: str
    # why its lifetime is unusual (issued already expired, or short-lived), as the panel says
    lifetime_note: str | None = None

    @classmethod
    def of(cls, token: TokenResult) -> TokenInfo:
        return cls(
            token.expires_on, token.refresh_on, token.scopes, token.source, token.lifetime_problem()
        )


@dataclass(frozen=True)
class DeviceCodePrompt:
    """What the window shows for a device code sign-in (never the device code itself)."""

    user_code: str
    verification_uri: str
    expires_at: float


@dataclass(frozen=True)
class Schedule:
    """The next automatic step: a refresh, or a retry after a failure, at a wall-clock time."""

    at: float
    retry: bool


@dataclass(frozen=True)
class SessionSetup:
    """What the window shows of the session in force (the Admin view's app registration, the
    token cache's protection, diagnostics, what the API panel offers), read on the auth thread
    when the session started: the window never reaches into the services, which belong there."""

    config: Config
    client_id: str
    authority: str
    scopes: tuple[str, ...]
    protection: str  # how the token cache is protected, in words
    encrypted: bool
    api_presets: tuple[ApiPreset, ...] = ()  # Graph's /me, /me/memberOf; the sandbox's API
    # the endpoints a remembered URL may be written against ({graph}/me)
    api_bases: Mapping[str, str] = field(default_factory=dict)
    # the OS sign-in broker or the system browser, and why not the broker when asked for
    sign_in_path: SignInPath = field(default_factory=SignInPath)


class SessionView(Protocol):
    """What the session's parts may read of the session (the controller is one): the services
    once started, the state, the account shown and its token. Never written through."""

    @property
    def state(self) -> State: ...

    @property
    def services(self) -> Services | None: ...

    @property
    def account(self) -> Account | None: ...

    @property
    def token(self) -> TokenResult | None: ...
