"""Lanyard's MSAL client: one PublicClientApplication, its persistent caches, no Qt.

Every method here may do network or file I/O: call them only on the auth worker thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import msal
import requests

from desktop_app import paths
from desktop_app.auth import http_cache
from desktop_app.auth.cache_store import open_token_store
from desktop_app.auth.claims import ClaimsError, IdTokenClaims, check_id_token
from desktop_app.auth.results import Account, TokenResult, error_from_result, token_from_result
from desktop_app.auth.token_cache import PersistentTokenCache
from desktop_app.errors import ErrorKind, LanyardError

log = logging.getLogger(__name__)

HTTP_CACHE_FILE = "msal_http_cache.json"
TOKEN_CACHE_FILE = "token_cache.bin"  # noqa: S105 - a file name
TOKEN_CACHE_LOCK = "token_cache.lock"  # noqa: S105 - a file name


@dataclass(frozen=True)
class AuthSettings:
    client_id: str
    authority: str
    scopes: tuple[str, ...]
    profile_dir: Path
    instance_discovery: bool = True
    allow_plaintext_cache: bool = True  # False: no OS encryption means session-only sign-in


@dataclass(frozen=True)
class PendingSignIn:
    """An interactive sign-in waiting for the browser. ``flow`` holds the PKCE verifier."""

    auth_uri: str
    state: str
    redirect_uri: str
    flow: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class Identity:
    """Who is signed in, from the ID token: shown only when ``problems`` is empty."""

    claims: IdTokenClaims
    problems: tuple[str, ...] = ()

    @property
    def trusted(self) -> bool:
        return not self.problems


def network_error(exc: Exception, action: str) -> LanyardError:
    if isinstance(exc, requests.exceptions.SSLError):
        return LanyardError(
            f"{action} failed: the server's certificate is not trusted.",
            "If your network inspects TLS, set ca_bundle in Lanyard's settings to your "
            "organisation's CA certificate.",
            ErrorKind.NETWORK,
            {"error": exc.__class__.__name__},
        )
    if isinstance(exc, requests.exceptions.Timeout):
        return LanyardError(
            f"{action} failed: the server did not answer in time.",
            "Check your connection and try again.",
            ErrorKind.NETWORK,
            {"error": exc.__class__.__name__},
        )
    if isinstance(exc, requests.exceptions.RequestException):
        return LanyardError(
            f"{action} failed: the identity provider could not be reached.",
            "Check your network connection and try again.",
            ErrorKind.NETWORK,
            {"error": exc.__class__.__name__},
        )
    return LanyardError(
        f"{action} failed: the identity provider sent an answer Lanyard could not read.",
        "Try again in a minute; the service may be busy.",
        ErrorKind.SERVICE,
        {"error": exc.__class__.__name__},
    )


# What msal raises when the transport or the service misbehaves (rather than returning a dict)
TRANSPORT_ERRORS: tuple[type[Exception], ...] = (
    requests.exceptions.RequestException,
    ValueError,  # JSONDecodeError from a plain-text 429 or a malformed body
    msal.exceptions.MsalServiceError,
)


class AuthClient:
    def __init__(
        self,
        settings: AuthSettings,
        http_client: requests.Session,
        on_notice: Callable[[LanyardError], None] | None = None,
    ) -> None:
        self.settings = settings
        self._http_client = http_client
        self._on_notice = on_notice
        self._app: msal.PublicClientApplication | None = None
        self._http_cache: dict[str, Any] = {}
        self.token_cache: PersistentTokenCache | None = None
        self.protection = ""
        self.protection_fallback_reason = ""
        self.protection_advice = ""

    # -- set-up --------------------------------------------------------------------------------

    @property
    def _http_cache_path(self) -> Path:
        return self.settings.profile_dir / HTTP_CACHE_FILE

    def open(self) -> None:
        """Open the caches and build the msal app (a discovery request unless cached)."""
        if self._app is not None:
            return
        profile = paths.ensure_private_dir(self.settings.profile_dir)
        choice = open_token_store(
            profile, TOKEN_CACHE_FILE, allow_plaintext=self.settings.allow_plaintext_cache
        )
        self.protection = choice.store.protection
        self.protection_fallback_reason = choice.fallback_reason
        self.protection_advice = choice.advice
        lock = profile / TOKEN_CACHE_LOCK if choice.store.persisted else None
        self.token_cache = PersistentTokenCache(choice.store, lock, self._on_notice)
        self.token_cache.reload_if_changed()
        plaintext = profile / TOKEN_CACHE_FILE
        if choice.store.encrypted and choice.store.location != plaintext and plaintext.exists():
            self.token_cache.adopt_plaintext(plaintext)
        if choice.session_only and self._on_notice:
            self._on_notice(
                LanyardError(
                    f"Your sign-in will not be saved: {choice.fallback_reason}. You are signed "
                    "in for this session only.",
                    choice.advice,
                    ErrorKind.CACHE,
                    {"protection": choice.store.protection},
                )
            )
        self._http_cache, moved = http_cache.load_http_cache(self._http_cache_path)
        if moved and self._on_notice:
            self._on_notice(
                LanyardError(
                    "Lanyard's saved network metadata was damaged and has been reset.",
                    "Nothing to do: it is fetched again automatically.",
                    ErrorKind.CACHE,
                    {"moved_to": str(moved)},
                )
            )
        try:
            self._app = msal.PublicClientApplication(
                self.settings.client_id,
                authority=self.settings.authority,
                token_cache=self.token_cache,
                http_client=self._http_client,
                http_cache=self._http_cache,
                instance_discovery=self.settings.instance_discovery,
            )
        except TRANSPORT_ERRORS as exc:
            raise network_error(exc, "Contacting the identity provider") from None
        self.save_http_cache()

    @property
    def app(self) -> msal.PublicClientApplication:
        if self._app is None:
            self.open()
        assert self._app is not None
        return self._app

    def reload_cache(self) -> bool:
        """Re-read the token cache if another process changed it; True when it was re-read."""
        return self.token_cache is not None and self.token_cache.reload_if_changed()

    def watched_paths(self) -> list[Path]:
        """Files whose change means another process changed the cache (none for memory only)."""
        if self.token_cache is None or not self.token_cache.store.persisted:
            return []
        return [self.token_cache.store.location]

    def save_http_cache(self) -> None:
        try:
            http_cache.save_http_cache(self._http_cache_path, self._http_cache)
        except OSError as exc:
            log.warning("Could not save msal's HTTP cache: %s", exc.strerror)

    # -- accounts and tokens ------------------------------------------------------------------

    def _msal_accounts(self) -> list[dict[str, Any]]:
        return list(self.app.get_accounts())

    def accounts(self) -> list[Account]:
        return [Account.from_msal(a) for a in self._msal_accounts()]

    def _find_msal_account(self, account: Account) -> dict[str, Any] | None:
        for candidate in self._msal_accounts():
            if candidate.get("home_account_id") == account.home_account_id:
                return candidate
        return None

    def silent(self, account: Account, force_refresh: bool = False) -> TokenResult:
        """A valid token from the cache, refreshed if needed. Raises LanyardError."""
        action = "Refreshing your sign-in"
        msal_account = self._find_msal_account(account)
        if msal_account is None:
            raise LanyardError(
                "You are not signed in on this computer any more.",
                "Select Sign in to continue.",
                ErrorKind.INTERACTION_REQUIRED,
            )
        try:
            result = self.app.acquire_token_silent_with_error(
                list(self.settings.scopes), msal_account, force_refresh=force_refresh
            )
        except TRANSPORT_ERRORS as exc:
            raise network_error(exc, action) from None
        if not result:
            raise LanyardError(
                "Your saved sign-in has no usable token.",
                "Select Sign in to continue.",
                ErrorKind.INTERACTION_REQUIRED,
            )
        return self._with_claims(token_from_result(result, account, action))

    def begin_sign_in(
        self, redirect_uri: str, login_hint: str | None = None, prompt: str | None = None
    ) -> PendingSignIn:
        try:
            flow = self.app.initiate_auth_code_flow(
                list(self.settings.scopes),
                redirect_uri=redirect_uri,
                login_hint=login_hint,
                prompt=prompt,
                response_mode="form_post",
            )
        except TRANSPORT_ERRORS as exc:
            raise network_error(exc, "Starting sign-in") from None
        if "auth_uri" not in flow:
            raise error_from_result(flow, "Starting sign-in")
        return PendingSignIn(str(flow["auth_uri"]), str(flow["state"]), redirect_uri, dict(flow))

    def finish_sign_in(self, pending: PendingSignIn, response: dict[str, str]) -> TokenResult:
        action = "Signing in"
        try:
            result = self.app.acquire_token_by_auth_code_flow(dict(pending.flow), response)
        except TRANSPORT_ERRORS as exc:
            raise network_error(exc, action) from None
        if "access_token" not in result:
            raise error_from_result(result, action)
        account = self._account_for_result(result)
        return self._with_claims(token_from_result(result, account, action))

    def _account_for_result(self, result: dict[str, Any]) -> Account | None:
        # home_account_id is "<uid>.<utid>" from client_info; uid is the user's oid
        oid = (result.get("id_token_claims") or {}).get("oid")
        accounts = self.accounts()
        for candidate in accounts:
            if candidate.home_account_id.startswith(f"{oid}."):
                return candidate
        return accounts[0] if len(accounts) == 1 else None

    def _with_claims(self, token: TokenResult) -> TokenResult:
        if token.id_claims is not None or token.account is None:
            return token
        claims = self.cached_id_claims(token.account)
        if claims is None:
            return token
        return replace(token, id_claims=claims)

    def cached_id_claims(self, account: Account) -> IdTokenClaims | None:
        """The account's ID-token claims from the cache: msal returns none on a cache hit."""
        if self.token_cache is None:
            return None
        msal_account = self._find_msal_account(account) or {}
        query = {
            "home_account_id": account.home_account_id,
            "environment": account.environment,
            "client_id": self.settings.client_id,
        }
        if msal_account.get("realm"):
            query["realm"] = msal_account["realm"]
        for entry in self.token_cache.search(msal.TokenCache.CredentialType.ID_TOKEN, query=query):
            try:
                return IdTokenClaims.from_token(str(entry.get("secret", "")))
            except ClaimsError:
                continue
        return None

    def identity(self, claims: IdTokenClaims) -> Identity:
        problems = check_id_token(claims, self.settings.client_id, self.settings.authority)
        return Identity(claims, tuple(problems))

    def sign_out(self, account: Account) -> None:
        msal_account = self._find_msal_account(account)
        if msal_account is not None:
            self.app.remove_account(msal_account)
