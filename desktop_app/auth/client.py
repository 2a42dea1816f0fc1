"""Lanyard's MSAL client: one PublicClientApplication, its persistent caches, no Qt.

Every method here may do network or file I/O: call them only on the auth worker thread.

msal, requests and the cache modules are imported when first used, not with this module: the
window imports the values defined here (Identity...) while it starts, and must not pay the 0.2 s
those imports take on the GUI thread. The auth worker imports them when it builds the client.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode

from desktop_app.auth import broker as brokers
from desktop_app.auth import discovery_check
from desktop_app.auth import errors as failures
from desktop_app.auth.claims import ClaimsError, IdTokenClaims, check_id_token, seconds
from desktop_app.auth.models import (
    Account,
    CacheEntry,
    DeviceCode,
    Identity,
    PendingSignIn,
    TokenResult,
    token_from_result,
)
from desktop_app.core import paths
from desktop_app.core.errors import LanyardError, ResponseSummary
from desktop_app.core.i18n import N_, _
from desktop_app.core.scopes import Scopes

if TYPE_CHECKING:
    import msal
    import requests

    from desktop_app.auth.token_cache import PersistentTokenCache
    from desktop_app.core.stores import StoreUnavailable

log = logging.getLogger(__name__)

HTTP_CACHE_FILE = "msal_http_cache.json"
TOKEN_CACHE_FILE = "token_cache.bin"  # noqa: S105 - a file name
TOKEN_CACHE_LOCK = "token_cache.lock"  # noqa: S105 - a file name
# damage a terminal command moved aside, for the next window to tell once
DAMAGE_RECORD = "token_cache.damaged.json"


@dataclass(frozen=True)
class AuthSettings:
    client_id: str
    authority: str
    scopes: Scopes
    profile_dir: Path
    instance_discovery: bool = True
    allow_plaintext_cache: bool = True  # False: no OS encryption means session-only sign-in
    broker: str = "off"  # "auto": the OS sign-in broker where one works here (broker.py)


_INVENTORY_KINDS = (
    ("AccessToken", N_("Access token")),
    ("RefreshToken", N_("Refresh token")),
    ("IdToken", N_("ID token")),
)

# Lanyard handles claims challenges (continuous access evaluation): Graph may then revoke a token
# at once rather than at expiry, and says so in a 401 that Lanyard answers with a new token
CLIENT_CAPABILITIES = ["cp1"]
DEVICE_FLOW_PENDING = frozenset({"authorization_pending", "slow_down"})


def from_msal_result(result: dict[str, Any], action: str) -> LanyardError:
    return failures.from_msal_result(result, action)


def msal_failures() -> tuple[type[Exception], ...]:
    """What msal lets escape when the transport or the answer is bad, rather than returning a
    dict: requests' errors, ValueError (a plain-text or malformed body), KeyError/TypeError (JSON
    of the wrong shape), RuntimeError (BrowserInteractionTimeoutError), its own MsalError."""
    import msal
    import requests

    return (
        requests.RequestException,
        OSError,
        ValueError,
        KeyError,
        TypeError,
        RuntimeError,
        msal.exceptions.MsalError,
    )


T = TypeVar("T")


class _StaleDiscovery(Exception):
    """An endpoint named by the saved discovery refused the connection: discover again."""


class AuthClient:
    def __init__(
        self,
        settings: AuthSettings,
        http_client: requests.Session,  # net.TrustedSession in Lanyard
        on_notice: Callable[[LanyardError], None] | None = None,
    ) -> None:
        self.settings = settings
        self._http_client = http_client
        self._on_notice = on_notice
        self._app: msal.PublicClientApplication | None = None
        self._http_cache: dict[str, Any] = {}
        self._http_cache_saved: bytes | None = None  # what its file holds, as last read or written
        self.token_cache: PersistentTokenCache | None = None
        self.protection = ""
        self.protection_fallback_reason = ""
        self.protection_advice = ""
        # a terminal command (lanyard whoami / token), not the window: damage it moves aside is
        # also recorded for the next window, which tells it (and removes the record); set it
        # before open(). ``command`` names it in that record.
        self.headless = False
        self.command = _("the Lanyard window")
        # the store a saved sign-in is (or may be) in and that cannot be reached at all this
        # session: a missing keyring that held it, an unusable profile folder
        self._unreachable: StoreUnavailable | None = None
        self.profile_dir: Path | None = None  # resolved, once open
        # msal's discovery came from the file (http_cache.py), not from the identity provider
        # in this process: an endpoint it names that refuses connections makes it stale
        self._discovery_on_disk = False
        # how an interactive sign-in goes (the broker or the browser), decided in open()
        self.sign_in_path = brokers.SignInPath(requested=settings.broker == brokers.AUTO)
        # how long a broker's sign-in is waited for before the browser takes over
        self.broker_answer_s = brokers.ANSWER_S
        # and its answer to a call that asks nobody (a refresh, a sign-out)
        self.broker_silent_s = brokers.SILENT_S
        self._path_decided = False

    # -- set-up --------------------------------------------------------------------------------

    @contextmanager
    def _msal_call(self, action: str, stale_check: bool = False) -> Iterator[None]:
        """Turn whatever msal raises (transport errors, a plain-text 429 it cannot parse, its own
        exceptions) into a LanyardError. ``stale_check``: a refused connection while discovery
        came from the file raises _StaleDiscovery instead (see _retrying)."""
        try:
            yield
        except LanyardError:
            raise
        except msal_failures() as exc:
            if stale_check and self._discovery_on_disk and discovery_check.refused(exc):
                log.info("%s: an endpoint from saved discovery refused the connection", action)
                raise _StaleDiscovery() from None
            last_response = getattr(self._http_client, "last_response", None)
            last: ResponseSummary | None = last_response() if callable(last_response) else None
            log.info("%s: msal raised %s", action, exc.__class__.__name__)
            raise failures.from_exception(exc, action, last=last) from None

    def _retrying(self, action: str, call: Callable[[], T]) -> T:
        """``call`` (an msal call made through ``self.app``), made once more after discovering
        again when an endpoint named by the saved discovery refused the connection."""
        try:
            with self._msal_call(action, stale_check=True):
                return call()
        except _StaleDiscovery:
            self.rediscover()
        with self._msal_call(action):
            return call()

    def rediscover(self) -> None:
        """Drop the saved discovery and ask the identity provider again (once per process: the
        answer it gives now is the current one)."""
        from desktop_app.auth.http_cache import DiscoveryOnlyCache

        self._discovery_on_disk = False
        self._http_cache = DiscoveryOnlyCache()
        self._app = None
        self.open()  # discovers, and saves the new answer

    def _stale_authorize_endpoint(self) -> bool:
        """Whether the saved discovery's authorize endpoint refuses connections (checked
        before a browser is sent there: its failure would never reach Lanyard). Not through
        a proxy: a direct probe says nothing about what the proxy can reach."""
        authority = self.app.authority  # opens first: that is what reads the saved discovery
        if not self._discovery_on_disk or getattr(self._http_client, "proxied", False):
            return False
        endpoint = getattr(authority, "authorization_endpoint", "")
        return bool(endpoint) and discovery_check.endpoint_refuses(str(endpoint))

    @property
    def _http_cache_path(self) -> Path:
        return (self.profile_dir or self.settings.profile_dir) / HTTP_CACHE_FILE

    def open_cache(self) -> None:
        """Open the token cache and read it (no network): enough to know who is saved, or why
        the saved sign-in cannot be read."""
        if self.token_cache is not None:
            return
        from desktop_app.auth.cache_store import MemoryStore, StoreChoice, open_token_store
        from desktop_app.auth.token_cache import PersistentTokenCache

        typed = self.settings.profile_dir
        try:
            paths.ensure_private_dir(typed)
            usable = True
        except OSError as exc:
            usable = typed.is_dir()  # e.g. owned by someone else: its files say more
            problem = failures.profile_unusable(typed, exc)
            log.warning("Profile folder: %s (%s)", problem.reason, problem.detail)
        if usable:
            choice = open_token_store(
                typed, TOKEN_CACHE_FILE, allow_plaintext=self.settings.allow_plaintext_cache
            )
        else:
            choice = StoreChoice(
                MemoryStore(
                    typed / TOKEN_CACHE_FILE,
                    protection=_("not saved, this session only ({reason})").format(
                        reason=problem.reason
                    ),
                ),
                problem.reason,
                problem.advice,
                unreachable=problem,
            )
        self._unreachable = choice.unreachable
        profile = self.profile_dir = choice.directory  # resolved: the key of everything here
        self.protection = choice.store.protection
        self.protection_fallback_reason = choice.fallback_reason
        self.protection_advice = choice.advice
        persisted = choice.store.persisted and profile is not None
        lock = profile / TOKEN_CACHE_LOCK if persisted and profile else None
        record = profile / DAMAGE_RECORD if profile else None
        cache = self.token_cache = PersistentTokenCache(
            choice.store, lock, self._on_notice, damage_record=record if self.headless else None
        )
        cache.recorded_by = self.command
        if record is not None and not self.headless:
            for earlier in cache.take_damage_records(record):
                if self._on_notice:
                    self._on_notice(failures.earlier_damage(earlier))
        cache.reload_if_changed()
        plaintext = profile / TOKEN_CACHE_FILE if profile else None
        if (
            plaintext is not None
            and choice.store.encrypted
            and choice.store.location != plaintext
            and plaintext.exists()
        ):
            cache.adopt_plaintext(plaintext)
        if choice.session_only and self._on_notice:
            self._on_notice(
                failures.session_only_cache(
                    choice.fallback_reason, choice.advice, choice.store.protection
                )
            )
        if profile is not None:
            from desktop_app.auth import http_cache

            self._http_cache, moved = http_cache.load_http_cache(self._http_cache_path)
            self._http_cache_saved = http_cache.http_cache_bytes(self._http_cache)
            self._discovery_on_disk = any(k != http_cache.INDEX_KEY for k in self._http_cache)
            if moved and self._on_notice:
                self._on_notice(failures.http_cache_reset(moved))

    def saved_sign_in_problem(self) -> LanyardError | None:
        """Why a sign-in that may be saved cannot be read now (a locked or stopped keyring, a
        cache or profile folder Lanyard may not read), when none could be read: for the
        terminal commands, where "nobody is signed in" would send the person to sign in again
        although the account is intact. None when the cache was read (or holds accounts)."""
        self.open_cache()
        cache = self.token_cache
        assert cache is not None
        problem = cache.read_problem or self._unreachable
        if problem is None or cache.holds_accounts():
            return None
        return failures.saved_sign_in_unavailable(problem, cache.store.location)

    def open(self) -> None:
        """Open the caches and build the msal app (a discovery request unless cached)."""
        if self._app is not None:
            return
        import msal

        from desktop_app.auth.http_cache import DiscoveryOnlyCache
        from desktop_app.auth.wire_numbers import NumbersAsNumbers

        self.open_cache()
        # discovery answers only: Lanyard, not msal's replay of an error, owns a throttled
        # server's wait (http_cache.DiscoveryOnlyCache)
        if not isinstance(self._http_cache, DiscoveryOnlyCache):
            self._http_cache = DiscoveryOnlyCache(self._http_cache)
        if not self._path_decided:  # once: a rediscovery keeps what was found
            self.sign_in_path = brokers.choose(self.settings.broker)
            self._path_decided = True
        path = self.sign_in_path

        def build(options: dict[str, bool]) -> msal.PublicClientApplication:
            return msal.PublicClientApplication(
                self.settings.client_id,
                authority=self.settings.authority,
                token_cache=self.token_cache,
                # lifetimes sent as strings read as numbers before msal sees them (a string
                # refresh_in raises inside msal: wire_numbers.py)
                http_client=NumbersAsNumbers(self._http_client),
                http_cache=self._http_cache,
                instance_discovery=self.settings.instance_discovery,
                client_capabilities=CLIENT_CAPABILITIES,
                **options,
            )

        with self._msal_call(_("Contacting the identity provider")):
            try:
                self._app = build(path.msal_options())
            except (ImportError, OSError, RuntimeError) as exc:
                if path.broker is None:
                    raise
                # the probe loaded the broker, msal's own import of it did not: the browser
                log.info("msal could not start the sign-in broker: %s", exc.__class__.__name__)
                path = path.without_broker(
                    _("msal could not start it ({name})").format(name=exc.__class__.__name__)
                )
                self._app = build({})
        if path.broker is not None and not brokers.msal_uses_broker(self._app):
            path = path.without_broker(
                _(
                    "msal turned it off: an AD FS or Azure AD B2C authority, or pymsalruntime did "
                    "not start"
                )
            )
        self.sign_in_path = path
        self.save_http_cache()

    @property
    def app(self) -> msal.PublicClientApplication:
        if self._app is None:
            self.open()
        assert self._app is not None
        return self._app

    def reload_cache(self) -> bool:
        """Look at the token cache again (the window's watcher: another process, or someone
        from outside, may have changed it): re-read the store itself, not only its version --
        a keyring item deleted with secret-tool changes no file -- and save what it could not
        take before. True when it was re-read."""
        cache = self.token_cache
        if cache is None:
            return False
        reread = cache.reload_if_changed(force=True)
        cache.flush()
        return reread

    def watched_paths(self) -> list[Path]:
        """Files whose change means another process changed the cache (none for memory only)."""
        if self.token_cache is None or not self.token_cache.store.persisted:
            return []
        return [self.token_cache.store.location]

    def save_http_cache(self) -> None:
        from desktop_app.auth import http_cache

        if self.profile_dir is None:  # no usable profile folder: kept in memory
            return
        try:
            self._http_cache_saved = http_cache.save_http_cache(
                self._http_cache_path, self._http_cache, unless=self._http_cache_saved
            )
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

    def silent(
        self,
        account: Account,
        force_refresh: bool = False,
        claims_challenge: str | None = None,
        scopes: Scopes | None = None,
    ) -> TokenResult:
        """A valid token from the cache, refreshed if needed (always, with a claims challenge).
        ``scopes``: another API's scopes than the configured ones (Call an API). Raises
        LanyardError."""
        action = _("Refreshing your sign-in")
        self.open()
        if self.token_cache is not None:
            # the store itself, not only its signal file: its item may have been deleted from
            # outside, and a token for an account that is gone must not be handed out
            self.token_cache.reload_if_changed(force=True)
        msal_account = self._find_msal_account(account)
        if msal_account is None:
            raise failures.account_gone()

        def refresh() -> dict[str, Any] | None:
            try:
                answer: dict[str, Any] | None = self._broker_bounded(
                    lambda app: app.acquire_token_silent_with_error(
                        list(scopes or self.settings.scopes),
                        msal_account,
                        force_refresh=force_refresh,
                        claims_challenge=claims_challenge or None,
                    )
                )
            except brokers.NoAnswer as exc:  # the next sign-in: the browser's
                raise failures.broker_silent_no_answer(str(exc)) from None
            return answer

        result = self._retrying(action, refresh)
        if self._find_msal_account(account) is None:
            # removed while the refresh was in flight: its new tokens were not kept either
            raise failures.account_gone()
        if not result:
            raise failures.no_usable_token()
        token = token_from_result(result, account, action)
        if not token.scopes:  # a cache hit: msal's answer has no "scope"; its entry has them
            token = replace(token, scopes=self._cached_scopes(token.access_token))
        return self._with_claims(token)

    def _cached_scopes(self, access_token: str) -> tuple[str, ...]:
        """The scopes of a cached access token: its cache entry's ``target`` (what the identity
        provider granted, or what was asked for if it did not say). Empty when not found."""
        cache = self.app.token_cache
        for entry in cache.search(cache.CredentialType.ACCESS_TOKEN):
            if entry.get("secret") == access_token:
                return tuple(str(entry.get("target") or "").split())
        return ()

    def begin_sign_in(
        self,
        redirect_uri: str,
        state: str,
        login_hint: str | None = None,
        prompt: str | None = None,
        claims_challenge: str | None = None,
        scopes: Scopes | None = None,
    ) -> PendingSignIn:
        """``state``: the one the loopback receiver was created with (it accepts no other).
        ``scopes``: ask for another API's scopes (incremental consent), not the configured."""
        if self._stale_authorize_endpoint():
            log.info("Starting sign-in: the saved sign-in page address refuses connections")
            self.rediscover()
        with self._msal_call(_("Starting sign-in")):
            flow = self.app.initiate_auth_code_flow(
                list(scopes or self.settings.scopes),
                redirect_uri=redirect_uri,
                state=state,
                login_hint=login_hint,
                prompt=prompt,
                claims_challenge=claims_challenge or None,
                response_mode="form_post",
            )
        if "auth_uri" not in flow:
            raise from_msal_result(flow, _("Starting sign-in"))
        return PendingSignIn(
            str(flow["auth_uri"]), str(flow["state"]), redirect_uri, dict(flow), login_hint
        )

    def finish_sign_in(self, pending: PendingSignIn, response: dict[str, str]) -> TokenResult:
        """Redeem the browser's response. Raises WrongAccount (the pending sign-in stays
        usable) when a login_hint was sent and the tokens are another account's."""
        action = _("Signing in")
        before = {a.home_account_id for a in self.accounts()}
        result = self._retrying(
            action, lambda: self.app.acquire_token_by_auth_code_flow(dict(pending.flow), response)
        )
        if "access_token" not in result:
            raise from_msal_result(result, action)
        if pending.login_hint:
            self._refuse_another_account(result, pending.login_hint, before)
        account = self._account_for_result(result)
        return self._with_claims(token_from_result(result, account, action))

    def _broker_bounded(self, call: Callable[[msal.PublicClientApplication], T]) -> T:
        """``call(self.app)``, for an msal call that may hand over to the broker without asking
        the person: acquire_token_silent* for an account the broker signed in (or one of an
        older msal, with no account_source), remove_account for any account. msal waits for
        pymsalruntime without a bound, and on the auth thread one call left unanswered would
        hold every later refresh, account switch and sign-out: it is waited for
        ``broker_silent_s`` at most. Then NoAnswer, and msal without the broker for the rest of
        the session (_give_up_on_broker). Without the broker, just the call."""
        app = self.app
        if self.sign_in_path.broker is None:
            return call(app)
        try:
            return brokers.answer_within(self.broker_silent_s, lambda: call(app))
        except brokers.NoAnswer as exc:
            self._give_up_on_broker(app, str(exc))
            raise

    def _give_up_on_broker(self, app: msal.PublicClientApplication, why: str) -> None:
        """The broker took a call and did not answer it: msal is built again without it (the
        next call opens), and the app left waiting is cut off from Lanyard's cache, so a late
        answer neither fills it nor forgets an account signed in again since."""
        import msal

        log.info("The sign-in broker did not answer (%s): it is off for this session", why)
        self.sign_in_path = self.sign_in_path.without_broker(why)
        app.token_cache = msal.TokenCache()
        if self._app is app:
            self._app = None

    @property
    def uses_broker(self) -> bool:
        """Whether an interactive sign-in goes through the OS sign-in broker (once open)."""
        return self._app is not None and self.sign_in_path.broker is not None

    def sign_in_with_broker(
        self,
        window_id: int | None = None,
        login_hint: str | None = None,
        prompt: str | None = None,
        claims_challenge: str | None = None,
        scopes: Scopes | None = None,
    ) -> TokenResult:
        """An interactive sign-in through the OS sign-in broker, whose own window asks the
        person (over ``window_id``, the window's native handle; None from a terminal). Blocks
        until the broker answers. Raises BrokerFailed when the broker cannot sign in (the
        caller signs in through the browser instead, and so do later sign-ins of this session),
        another LanyardError otherwise."""
        import msal

        action = _("Signing in through the sign-in broker")
        broker = self.sign_in_path.broker
        if broker is None or self._app is None:
            raise failures.broker_failed(self.sign_in_path.unavailable or _("it is not turned on"))
        handle = brokers.window_handle(
            broker, window_id, msal.PublicClientApplication.CONSOLE_WINDOW_HANDLE
        )
        try:
            return self._broker_sign_in(
                action, broker, handle, login_hint, prompt, claims_challenge, scopes
            )
        except failures.BrokerFailed as exc:
            log.info("%s failed; the browser is used instead", action)
            self.sign_in_path = self.sign_in_path.without_broker(exc.details.get("broker", ""))
            raise

    def _broker_sign_in(
        self,
        action: str,
        broker: brokers.Broker,
        handle: object,
        login_hint: str | None,
        prompt: str | None,
        claims_challenge: str | None,
        scopes: Scopes | None,
    ) -> TokenResult:
        app = self.app
        with self._msal_call(action):
            try:
                result = brokers.answer_within(
                    self.broker_answer_s,
                    lambda: app.acquire_token_interactive(
                        list(scopes or self.settings.scopes),
                        prompt=prompt,
                        login_hint=login_hint,
                        claims_challenge=claims_challenge or None,
                        parent_window_handle=handle,
                    ),
                )
            except brokers.NoAnswer as exc:
                # msal sends later calls to the broker too (a sign-out, a broker account's
                # silent refresh), and this one would hold each for good: msal is built again
                # without it (open(), once the path below has lost its broker)
                self._app = None
                raise failures.broker_failed(str(exc)) from None
            except ValueError as exc:  # msal.broker.RedirectUriError (AADSTS50011) among them
                if exc.__class__.__name__ == "RedirectUriError":
                    raise failures.broker_redirect_uri_missing(
                        broker.redirect_uri(self.settings.client_id)
                    ) from None
                raise failures.broker_failed(exc.__class__.__name__) from None
            # what msal's adaptor raises on an answer of the native runtime it did not foresee,
            # and the runtime itself failing: the browser next, never a dead end
            except (
                AttributeError,
                LookupError,
                TypeError,
                ImportError,
                OSError,
                RuntimeError,
            ) as exc:
                log.info("The sign-in broker failed: %s", exc.__class__.__name__, exc_info=True)
                raise failures.broker_failed(exc.__class__.__name__) from None
        if "access_token" not in result:
            raise failures.from_broker_result(result, action)
        account = self._account_for_result(result)
        return self._with_claims(token_from_result(result, account, action))

    def _refuse_another_account(
        self, result: dict[str, Any], asked_for: str, before: set[str]
    ) -> None:
        """Another local user can post their own account's response to the receiver (the
        authorize URL, state included, is in the browser's command line). msal has cached it
        by now: an account that was not there before is removed again."""
        claims = result.get("id_token_claims") or {}
        # the username msal gives the account (token_cache._get_username), which is the hint
        received = str(claims.get("preferred_username") or claims.get("upn") or "")
        if same_username(received, asked_for):
            return
        oid = claims.get("oid")
        for account in self._msal_accounts():
            if str(account.get("home_account_id", "")).startswith(f"{oid}.") and (
                account.get("home_account_id") not in before
            ):
                self._remove_account(account, _("Signing in"))
        log.warning("A sign-in response for another account than the one asked for was refused")
        raise failures.signed_in_as_another_account(received, asked_for)

    def begin_device_flow(self, claims_challenge: str | None = None) -> DeviceCode:
        """Start a device code sign-in (for when no browser can be opened here)."""
        action = _("Starting sign-in with a code")
        flow = self._retrying(
            action,
            lambda: self.app.initiate_device_flow(
                list(self.settings.scopes), claims_challenge=claims_challenge or None
            ),
        )
        if "user_code" not in flow:
            raise from_msal_result(flow, action)
        return DeviceCode(
            user_code=str(flow["user_code"]),
            verification_uri=str(flow.get("verification_uri") or ""),
            message=str(flow.get("message") or ""),
            expires_at=float(flow.get("expires_at") or 0),
            flow=flow,
            claims_challenge=claims_challenge or None,
        )

    def poll_device_flow(self, device: DeviceCode) -> TokenResult | None:
        """One poll, no waiting: None while the person has not finished in the browser.

        The caller waits ``device.interval`` seconds between polls (msal warns when polled
        sooner), on a timer it can cancel, so the auth thread is never tied up by the wait.
        """
        action = _("Signing in with a code")
        with self._msal_call(action):
            result = self.app.acquire_token_by_device_flow(
                device.flow,
                claims_challenge=device.claims_challenge,
                exit_condition=lambda _flow: True,
            )
        if result.get("error") in DEVICE_FLOW_PENDING:
            return None
        if "access_token" not in result:
            raise from_msal_result(result, action)
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
        import msal

        for entry in self.token_cache.search(msal.TokenCache.CredentialType.ID_TOKEN, query=query):
            try:
                return IdTokenClaims.from_token(str(entry.get("secret", "")))
            except ClaimsError:
                continue
        return None

    def inventory(self) -> list[CacheEntry]:
        """What the token cache holds, for the Admin view: kinds, owners, scopes and expiries."""
        if self.token_cache is None:
            return []
        names = {a.home_account_id: a.username for a in self.accounts()}
        entries = []
        for credential_type, label in _INVENTORY_KINDS:
            for item in self.token_cache.search(credential_type):
                expires = item.get("expires_on")
                entries.append(
                    CacheEntry(
                        _(label),
                        names.get(str(item.get("home_account_id")), ""),
                        str(item.get("target") or ""),
                        # a time past any clock's (a hostile answer cached): not shown
                        seconds(expires) if str(expires or "").isdigit() else None,
                    )
                )
        return entries

    def identity(self, claims: IdTokenClaims) -> Identity:
        problems = check_id_token(claims, self.settings.client_id, self.settings.authority)
        return Identity(claims, tuple(problems))

    def end_session_url(self, account: Account) -> str:
        """The identity provider's sign-out page (OpenID Connect end session). msal keeps no
        end_session_endpoint; Entra serves it beside the authorize endpoint, as .../logout.
        logout_hint is the ID token's login_hint claim (Entra reads no username there); without
        that claim the page asks which account to sign out of."""
        authorize = str(self.app.authority.authorization_endpoint)
        base = authorize.rsplit("/", 1)[0] + "/logout"
        claims = self.cached_id_claims(account)
        hint = claims.login_hint if claims is not None else ""
        query = {"logout_hint": hint} if hint else {}
        return f"{base}?{urlencode(query)}" if query else base

    def sign_out(self, account: Account) -> None:
        msal_account = self._find_msal_account(account)
        if msal_account is not None:
            self._remove_account(msal_account, _("Signing out"))

    def _remove_account(self, msal_account: dict[str, Any], action: str) -> None:
        """msal's remove_account: with the broker on, msal asks it to sign the account out
        first and forgets it from the cache only then. A broker that does not answer is given
        up on (told through on_notice), and msal without it forgets the account."""
        with self._msal_call(action):
            try:
                self._broker_bounded(lambda app: app.remove_account(msal_account))
            except brokers.NoAnswer as exc:
                if self._on_notice:
                    self._on_notice(failures.broker_sign_out_no_answer(str(exc)))
                self.app.remove_account(msal_account)  # built again, without the broker


def same_username(received: str, asked_for: str) -> bool:
    """Usernames match case-insensitively in ASCII only: casefold() also maps the Kelvin sign,
    long s and ß onto ASCII letters, so a look-alike account would pass for the hint."""
    if received == asked_for:
        return bool(received)
    return received.isascii() and asked_for.isascii() and received.lower() == asked_for.lower()
