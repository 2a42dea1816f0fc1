"""ProfileLoader: the signed-in account's Graph profile (/me), photo and organization name, and
their snapshot.

A warm start shows the stored snapshot at once (``show_snapshot``), then a fresh /me replaces
it; the photo is revalidated with its ETag at most daily (graph/snapshot.py), the tenant's name
(/organization) asked for at most daily too. The photo and the name are jobs of their own, started
once /me has been shown: a slow or failing one never holds up the profile (issue 14, item 3);
until it arrives the one already shown (or none) stays. A name that cannot be read costs only
the name: the tenant is shown by its ID and nothing is reported. Each fresh profile
is stored again on the auth thread, in order with a sign-out's deletion. A network or service
failure is retried on a timer with its own backoff; a claims challenge is handed to the
controller (``challenged``), which gets a token that satisfies it and loads once more.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from desktop_app.core.errors import ErrorKind, LanyardError
from desktop_app.graph.snapshot import Snapshot, SnapshotStore, fetch_photo, write_snapshot
from desktop_app.session import errors
from desktop_app.session.policy import Backoff
from desktop_app.session.state import SessionView
from desktop_app.session.workers import CancelToken, Jobs

if TYPE_CHECKING:
    from collections.abc import Callable

    from desktop_app.graph.client import GraphClient, Photo
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

        def loaded(snapshot: Snapshot) -> None:
            self._on_loaded(snapshot)
            self._load_extras(graph, access_token, snapshot)

        self._net.submit(
            fetch,
            self._generation.current(loaded),
            self._generation.current(failed),
            name="load_profile",
        )

    def _on_loaded(self, snapshot: Snapshot) -> None:
        self._loaded = True
        self._backoff.reset()
        self.profile_changed.emit(snapshot.profile)
        self.profile_freshness.emit(snapshot.fetched_at, False)
        # the photo and name we had stay until their jobs end; said again only when there is
        # one (nothing is shown otherwise: a None would say "none" before the job knows)
        if snapshot.photo is not None:
            self.photo_changed.emit(snapshot.photo)
        if snapshot.organization is not None:
            self.organization_changed.emit(snapshot.organization)
        self._keep(snapshot)

    def _load_extras(self, graph: GraphClient, access_token: str, snapshot: Snapshot) -> None:
        """The photo and the tenant's name, each a job on the network pool after /me was shown;
        each skipped while the one shown is less than a day old. A failure costs that one only:
        asked again next time."""
        now = snapshot.fetched_at
        account_id = snapshot.home_account_id

        def keep(update: Callable[[Snapshot], Snapshot]) -> bool:
            current = self._snapshot
            if current is None or current.home_account_id != account_id:
                return False  # another account is shown by now
            self._keep(update(current))
            return True

        def fetched_photo(result: tuple[Photo | None, float]) -> None:
            photo, checked_at = result
            if keep(lambda s: replace(s, photo=photo, photo_checked_at=checked_at)):
                self.photo_changed.emit(photo)

        def fetched_organization(result: tuple[Organization | None, float]) -> None:
            name, checked_at = result
            if keep(lambda s: replace(s, organization=name, organization_checked_at=checked_at)):
                self.organization_changed.emit(name)

        def no_photo(exc: LanyardError) -> None:
            log.info("No photo: %s", exc.message)

        if not snapshot.photo_is_fresh(now):
            self._net.submit(
                lambda _: fetch_photo(graph, access_token, snapshot, now),
                self._generation.current(fetched_photo),
                self._generation.current(no_photo),
                name="load_photo",
            )
        if not snapshot.organization_is_fresh(now):
            self._net.submit(
                lambda _: _organization(graph, access_token, snapshot, now),
                self._generation.current(fetched_organization),
                name="load_organization",
            )

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
    """/me (on the network pool), with the photo and the tenant's name already known for the
    account, if any: each is fetched by a job of its own (ProfileLoader._load_extras)."""
    fetched_at = time.time()
    profile = graph.me(access_token)
    if cached is None:
        return Snapshot(account_id, profile, fetched_at)
    return replace(cached, home_account_id=account_id, profile=profile, fetched_at=fetched_at)


def _organization(
    graph: GraphClient, access_token: str, cached: Snapshot, now: float
) -> tuple[Organization | None, float]:
    """The tenant's name: the stored one while less than a day old, else /organization. On a
    failure (no permission: 403; Graph down) the stored name stays, or there is none."""
    if cached.organization_is_fresh(now):
        return cached.organization, cached.organization_checked_at
    try:
        return graph.organization(access_token), now
    except LanyardError as exc:
        log.info("No organization name: %s", exc.message)
        return cached.organization, 0.0
