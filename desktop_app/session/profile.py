"""ProfileLoader: the signed-in account's Graph profile (/me), photo and organization name, and
their snapshot.

A warm start shows the stored snapshot at once (``show_snapshot``), then a fresh /me replaces
it; the photo is revalidated with its ETag at most daily (graph/snapshot.py), the tenant's name
(/organization) asked for at most daily too. A name that cannot be read costs only the name: the
tenant is shown by its ID and nothing is reported. Each fresh profile
is stored again on the auth thread, in order with a sign-out's deletion. A network or service
failure is retried on a timer with its own backoff; a claims challenge is handed to the
controller (``challenged``), which gets a token that satisfies it and loads once more.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from desktop_app.core.errors import ErrorKind, LanyardError
from desktop_app.graph.snapshot import Snapshot, SnapshotStore, fetch_photo, write_snapshot
from desktop_app.session import errors
from desktop_app.session.policy import Backoff
from desktop_app.session.state import SessionView
from desktop_app.session.workers import CancelToken, Jobs

if TYPE_CHECKING:
    from desktop_app.graph.client import GraphClient
    from desktop_app.graph.organization import Organization

log = logging.getLogger(__name__)


class ProfileLoader(QObject):
    profile_changed = Signal(object)  # Profile | None
    photo_changed = Signal(object)  # Photo | None
    organization_changed = Signal(object)  # Organization | None: the tenant's name, if known
    profile_freshness = Signal(float, bool)  # fetched_at, True when shown from the snapshot
    error = Signal(object)  # LanyardError: /me failed (retried when it may pass by itself)
    challenged = Signal(object)  # LanyardError with Graph's claims: a new token is needed
    needs_sign_in = Signal(object)  # LanyardError: even the new token did not satisfy Graph

    def __init__(
        self,
        session: SessionView,
        jobs: Jobs,
        parent: QObject | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._auth, self._net, self._generation = jobs.auth, jobs.net, jobs.generation
        self._backoff = backoff or Backoff()  # its own: a failing /me does not slow refreshes
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.load)
        self._loaded = False  # a fresh /me was shown for the account
        self.store: SnapshotStore | None = None  # opened by the bootstrap (auth thread)
        self._snapshot: Snapshot | None = None  # the signed-in account's, as last shown

    @property
    def loaded(self) -> bool:
        return self._loaded

    def load(self, after_challenge: bool = False) -> None:
        """Fetch /me and the photo on the network pool with the current token."""
        services, token, account = (
            self._session.services,
            self._session.token,
            self._session.account,
        )
        if services is None or token is None:
            return
        self._timer.stop()
        access_token, graph = token.access_token, services.graph
        account_id = account.home_account_id if account else ""
        snapshot = self._snapshot
        cached = snapshot if snapshot and snapshot.home_account_id == account_id else None

        def fetch(_: CancelToken) -> Snapshot:
            return _fetch(graph, access_token, account_id, cached)

        def failed(exc: LanyardError) -> None:
            self._on_failed(exc, after_challenge)

        self._net.submit(
            fetch,
            self._generation.current(self._on_loaded),
            self._generation.current(failed),
            name="load_profile",
        )

    def _on_loaded(self, snapshot: Snapshot) -> None:
        self._loaded = True
        self._backoff.reset()
        self.profile_changed.emit(snapshot.profile)
        self.profile_freshness.emit(snapshot.fetched_at, False)
        self.photo_changed.emit(snapshot.photo)
        self.organization_changed.emit(snapshot.organization)
        self._keep(snapshot)

    def _on_failed(self, exc: LanyardError, after_challenge: bool) -> None:
        if exc.claims_challenge and not after_challenge:
            self.challenged.emit(exc)
            return
        if exc.kind is ErrorKind.INTERACTION_REQUIRED and exc.claims_challenge:
            self.needs_sign_in.emit(exc)  # a new token did not satisfy Graph: a person must
            return
        self.error.emit(exc)
        if exc.kind in (ErrorKind.NETWORK, ErrorKind.SERVICE):
            delay = self._backoff.next_delay(errors.retry_after(exc))
            self._timer.start(int(delay * 1000))

    # -- the snapshot: the last profile and photo, shown at once on a warm start --------------

    def show_snapshot(self, snapshot: Snapshot) -> None:
        """The stored profile and photo, until a fresh /me replaces them."""
        self._snapshot = snapshot
        self.profile_changed.emit(snapshot.profile)
        self.profile_freshness.emit(snapshot.fetched_at, True)
        self.photo_changed.emit(snapshot.photo)
        self.organization_changed.emit(snapshot.organization)

    def _keep(self, snapshot: Snapshot) -> None:
        """Store a fresh profile on the auth thread, in order with a sign-out's deletion (a
        profile that arrives after a sign-out is never delivered here: see Generation).

        The job refers to the store and the snapshot only, never to self: a job still queued
        must not keep this QObject alive to be destroyed on the worker thread."""
        self._snapshot = snapshot
        store = self.store
        if store is None or not snapshot.home_account_id:
            return

        def save(_: CancelToken) -> None:
            write_snapshot(store, snapshot)

        self._auth.submit(save, name="save_profile_snapshot")

    # -- another account, nobody, quitting -------------------------------------------------------

    def show_nothing(self) -> None:
        """Another account signed in: its profile is still to be loaded."""
        self._loaded = False
        self.profile_changed.emit(None)
        self.photo_changed.emit(None)
        self.organization_changed.emit(None)

    def clear(self) -> None:
        """Signed out (here or elsewhere): no retry, no snapshot in memory, nothing shown."""
        self._timer.stop()
        self._snapshot = None
        self.show_nothing()

    def stop(self) -> None:
        self._timer.stop()


def _fetch(
    graph: GraphClient, access_token: str, account_id: str, cached: Snapshot | None
) -> Snapshot:
    """/me, the photo and the organization (on the network pool); a photo or a name that fails
    costs only itself."""
    fetched_at = time.time()
    profile = graph.me(access_token)
    try:
        photo, checked_at = fetch_photo(graph, access_token, cached, fetched_at)
    except LanyardError as exc:
        if exc.claims_challenge:
            raise
        log.info("No photo: %s", exc.message)
        # keep the one we have; ask again next time
        photo, checked_at = (cached.photo if cached else None), 0.0
    organization, org_checked_at = _organization(graph, access_token, cached, fetched_at)
    return Snapshot(
        account_id, profile, fetched_at, photo, checked_at, organization, org_checked_at
    )


def _organization(
    graph: GraphClient, access_token: str, cached: Snapshot | None, now: float
) -> tuple[Organization | None, float]:
    """The tenant's name: the stored one while less than a day old, else /organization. On a
    failure (no permission: 403; Graph down) the stored name stays, or there is none."""
    if cached is not None and cached.organization_is_fresh(now):
        return cached.organization, cached.organization_checked_at
    try:
        return graph.organization(access_token), now
    except LanyardError as exc:
        if exc.claims_challenge:
            raise
        log.info("No organization name: %s", exc.message)
        return (cached.organization if cached else None), 0.0
