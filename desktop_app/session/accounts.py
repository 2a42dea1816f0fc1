"""AccountList: the accounts saved in the token cache, as this window knows them, and their removal.

Read on the auth worker at start and again whenever another Lanyard process (a second window,
``lanyard whoami``, a sign-out elsewhere) may have changed the cache: the cache watcher says when
to look (cache_watcher.py); the list changes only when what is read differs. If the account on
screen is gone from it, ``gone`` says so and the controller signs this window out. Signing out
removes accounts from the cache and forgets their profile snapshots (``remove``); another saved
account, if there is one, is shown next (``remaining``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from desktop_app.graph.snapshot import SnapshotStore, forget_snapshot
from desktop_app.session.cache_watcher import CacheWatcher
from desktop_app.session.sign_in import Browser
from desktop_app.session.state import SessionView, State
from desktop_app.session.workers import CancelToken, Jobs

if TYPE_CHECKING:
    from desktop_app.auth.models import Account, CacheEntry


class AccountList(QObject):
    changed = Signal(object)  # list[Account]: the accounts in the cache
    gone = Signal()  # the account shown was removed by another process
    error = Signal(object)  # LanyardError: an account could not be removed

    def __init__(
        self, session: SessionView, jobs: Jobs, browser: Browser, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._session, self._jobs, self._browser = session, jobs, browser
        self.accounts: list[Account] = []
        self._stopped = False

    def watch(self) -> None:
        """Once the services are there: follow the cache's files, and read the list now."""
        services = self._session.services
        files = services.auth.watched_paths() if services is not None else []
        if files:
            watcher = CacheWatcher(files, self)
            watcher.changed.connect(self.reload)
        self.reload()

    def reload(self) -> None:
        """Re-read the cache on the auth worker (another process may have changed it)."""
        services = self._session.services
        if services is None or self._stopped:
            return
        auth = services.auth

        def reread(_: CancelToken) -> list[Account]:
            auth.reload_cache()
            return auth.accounts()

        self._jobs.auth.submit(reread, self._on_reloaded, name="reload_accounts")

    def _on_reloaded(self, accounts: list[Account]) -> None:
        if accounts != self.accounts:
            self.accounts = accounts
            self.changed.emit(accounts)
        current = self._session.account
        ids = {a.home_account_id for a in accounts}
        if (
            current is not None
            and current.home_account_id not in ids
            and self._session.state is not State.SIGNING_IN
        ):
            self.gone.emit()

    def inventory(self, deliver: Callable[[list[CacheEntry]], None]) -> None:
        """The token cache's items (never secrets), read on the auth thread, for the Admin view."""
        services = self._session.services
        if services is None:
            deliver([])
            return
        auth = services.auth
        self._jobs.auth.submit(
            lambda _: auth.inventory(),
            self._jobs.generation.current(deliver),
            name="cache_inventory",
        )

    def remove(
        self, leaving: list[Account], snapshots: SnapshotStore | None, end_browser_session: bool
    ) -> None:
        """Sign ``leaving`` out of the token cache and forget their profile snapshots, on the
        auth thread (even if Lanyard quits meanwhile), then read the list again. Tokens already
        issued stay valid on the server until they expire; ``end_browser_session`` also opens
        the identity provider's sign-out page so the browser forgets the sign-in."""
        services = self._session.services
        if services is None or not leaving:
            return
        auth = services.auth
        launch_browser = self._browser.launch

        def remove(_: CancelToken) -> str:
            # the sign-out page's address reads the account's ID token (its login_hint claim)
            # from the cache: here on the auth thread, before the account leaves the cache
            url = auth.end_session_url(leaving[0]) if end_browser_session else ""
            for gone in leaving:
                auth.sign_out(gone)
                forget_snapshot(snapshots, gone.home_account_id)
            return url

        def removed(url: str) -> None:
            if url:
                self._jobs.net.submit(
                    lambda _: launch_browser(url), None, name="end_browser_session"
                )

        self._jobs.auth.submit(remove, removed, self.error.emit, name="sign_out", must_finish=True)
        self.reload()

    def remaining(self, leaving: list[Account]) -> Account | None:
        """The account to show after ``leaving`` sign out: the first other one in the cache."""
        gone = {a.home_account_id for a in leaving}
        return next((a for a in self.accounts if a.home_account_id not in gone), None)

    def stop(self) -> None:
        """Quitting: no more re-reads."""
        self._stopped = True
