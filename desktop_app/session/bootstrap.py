"""What a start finds, read on the auth thread: the caches opened, the account to show, its
token (or, offline, who it is from the cached ID token) and its last profile. No Qt.

The controller submits ``open_session`` as the start's job and shows what it returns; the
services it is given were just built (services.py), also on the auth thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop_app.core.errors import ErrorKind, LanyardError
from desktop_app.graph.api_call import presets
from desktop_app.graph.snapshot import Snapshot, SnapshotStore, read_snapshot
from desktop_app.session.state import SessionSetup

if TYPE_CHECKING:
    from desktop_app.auth.models import Account, Identity, TokenResult
    from desktop_app.session.services import Services


@dataclass(frozen=True)
class Started:
    """What the start found, built on the auth thread (cache reads included)."""

    services: Services
    setup: SessionSetup
    account: Account | None = None
    token: TokenResult | None = None
    problem: LanyardError | None = None
    identity: Identity | None = None
    snapshots: SnapshotStore | None = None
    snapshot: Snapshot | None = None  # the account's last profile, shown at once


def open_session(services: Services, preferred_account_id: str) -> Started:
    """Open the token cache and the snapshot store; sign the preferred account (else the first
    saved one) in silently. Raises LanyardError when the cache cannot be opened (the services
    are closed then: a start is retried with services built afresh)."""
    try:
        services.auth.open()
    except LanyardError:
        services.close()
        raise
    setup = setup_of(services)
    snapshots = services.open_snapshots()
    accounts = services.auth.accounts()
    if not accounts:
        return Started(services, setup, snapshots=snapshots)
    preferred = [a for a in accounts if a.home_account_id == preferred_account_id]
    account = (preferred or accounts)[0]
    snapshot = read_snapshot(snapshots, account.home_account_id)
    try:
        token = services.auth.silent(account)
        return Started(services, setup, account, token, snapshots=snapshots, snapshot=snapshot)
    except LanyardError as exc:
        # offline or failing: still show who it is, from the cached ID token
        claims = (
            services.auth.cached_id_claims(account)
            if exc.kind is not ErrorKind.INTERACTION_REQUIRED
            else None
        )
        identity = services.auth.identity(claims) if claims is not None else None
        return Started(
            services,
            setup,
            account,
            problem=exc,
            identity=identity,
            snapshots=snapshots,
            snapshot=snapshot if identity is not None else None,
        )


def setup_of(services: Services) -> SessionSetup:
    """What the window may show of the services, once the token cache is open."""
    auth, settings, config = services.auth, services.auth.settings, services.config
    encrypted = auth.token_cache is not None and auth.token_cache.store.encrypted
    demo_api = services.demo_api
    bases = {"graph": config.graph_endpoint} | ({"api": demo_api.endpoint} if demo_api else {})
    return SessionSetup(
        config,
        settings.client_id,
        settings.authority,
        settings.scopes,
        auth.protection,
        encrypted,
        tuple(
            presets(
                config.graph_endpoint,
                config.scopes,
                demo_api.endpoint if demo_api else None,
                demo_api.scope if demo_api else None,
            )
        ),
        bases,
        auth.sign_in_path,
    )
