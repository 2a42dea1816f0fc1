"""The token inspector's session part: the tokens Lanyard holds for the signed-in account (read
from msal's cache on the auth thread) and signature checks (on the network pool, never the GUI
thread). The panel gets both through callbacks on the GUI thread; stale results (another
account since) are dropped by the generation guard."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from desktop_app.auth.signature import CANNOT_CHECK, SignatureCheck
from desktop_app.auth.token_inspect import Inspection
from desktop_app.core.i18n import _
from desktop_app.core.scopes import RESERVED_SCOPES
from desktop_app.graph.api_call import scope_resource
from desktop_app.session.workers import CancelToken, Jobs

if TYPE_CHECKING:
    from desktop_app.auth.models import Account
    from desktop_app.auth.token_verify import KeyDirectory
    from desktop_app.session.controller import SessionController


@dataclass(frozen=True)
class HeldToken:
    label: str  # "ID token", "Access token: Microsoft Graph (User.Read)", ...
    token: str = field(repr=False)  # a secret: never logged


def api_label(target: str, graph_endpoint: str) -> str:
    """An access token's cache 'target' (its scopes) as the API it is for."""
    scopes = [s for s in target.split() if s.lower() not in RESERVED_SCOPES]
    if not scopes:
        return _("Access token")
    resource = scope_resource(scopes[0], graph_endpoint)
    names = " ".join(s.rsplit("/", 1)[-1] for s in scopes)
    return _("Access token: {value} ({names})").format(
        value="Microsoft Graph" if resource == "graph" else resource, names=names
    )


class TokenInspectorService:
    def __init__(self, session: SessionController, jobs: Jobs) -> None:
        self._session = session
        self._jobs = jobs
        self._keys: KeyDirectory | None = None  # made on first use, on the network pool

    def held_tokens(self, deliver: Callable[[list[HeldToken]], None]) -> None:
        """The signed-in account's ID token and cached access tokens (current one first)."""
        services, account = self._session.services, self._session.account
        current = self._session.access_token()
        if services is None or account is None:
            deliver([])
            return
        auth, graph = services.auth, services.config.graph_endpoint

        def read(_: CancelToken) -> list[HeldToken]:
            return _from_cache(auth.token_cache, account, current, graph)

        self._jobs.auth.submit(read, self._jobs.generation.current(deliver), name="held_tokens")

    def check(self, inspection: Inspection, deliver: Callable[[SignatureCheck], None]) -> None:
        services = self._session.services
        if services is None:
            deliver(SignatureCheck(CANNOT_CHECK, _("Lanyard is not set up to reach the network.")))
            return
        config = services.config

        def verify(_: CancelToken) -> SignatureCheck:
            # requests and PyJWT load here, on the pool, the first time: not with the window
            from desktop_app.auth.token_verify import KeyDirectory, session_for

            if self._keys is None:
                self._keys = KeyDirectory(session_for(config), config.authority)
            return self._keys.check(inspection)

        def failed(exc: object) -> None:
            deliver(SignatureCheck(CANNOT_CHECK, _("the check itself failed; try again.")))

        self._jobs.net.submit(verify, deliver, failed, name="check_signature")


def _from_cache(
    cache: object, account: Account, current: str | None, graph: str
) -> list[HeldToken]:
    import msal

    found: list[HeldToken] = []
    seen: set[str] = set()

    def add(label: str, token: str) -> None:
        if token and token not in seen:
            seen.add(token)
            found.append(HeldToken(label, token))

    search = getattr(cache, "search", None)
    query = {"home_account_id": account.home_account_id}
    kinds = msal.TokenCache.CredentialType
    entries = {
        kind: list(search(kind, query=query)) if search is not None else []
        for kind in (kinds.ID_TOKEN, kinds.ACCESS_TOKEN)
    }
    for entry in entries[kinds.ID_TOKEN]:
        add(_("ID token"), str(entry.get("secret") or ""))
    if current:
        target = next(
            (
                str(e.get("target") or "")
                for e in entries[kinds.ACCESS_TOKEN]
                if e.get("secret") == current
            ),
            "",
        )
        add(_("{api_label}, the session's").format(api_label=api_label(target, graph)), current)
    for entry in entries[kinds.ACCESS_TOKEN]:
        add(api_label(str(entry.get("target") or ""), graph), str(entry.get("secret") or ""))
    return found
