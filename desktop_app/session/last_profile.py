"""The last profile a start shows first: the snapshot of the account the window showed last,
read on a thread of its own while the window is being built, so that a warm start has it on
screen in its first frames instead of after msal's import and the token cache (bootstrap.py).

Qt-free. The snapshot store is the token cache's kind of store (graph/snapshot.py): a file
read, or a keyring asked. What is read here is only shown: the bootstrap reads the snapshot
again with the account it actually signs in, and that one (or nobody) replaces it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.core import demo, paths
from desktop_app.core.stores import StoreUnavailable

if TYPE_CHECKING:
    from desktop_app.core.config import Config
    from desktop_app.graph.snapshot import Snapshot, SnapshotStore

log = logging.getLogger(__name__)


def snapshot_store_for(
    profile_dir: Path, allow_plaintext: bool = True, quiet: bool = False
) -> SnapshotStore:
    """The profile snapshot store the token cache's choice of store gives this profile directory
    (a keyring probe; ``quiet``: its findings not logged as warnings, as the bootstrap's own
    open reports them). Raises OSError or StoreUnavailable."""
    from desktop_app.auth.cache_store import open_token_store
    from desktop_app.graph.snapshot import SNAPSHOT_FILE, SnapshotStore

    directory = paths.ensure_private_dir(profile_dir)
    choice = open_token_store(
        directory, SNAPSHOT_FILE, allow_plaintext=allow_plaintext, quiet=quiet
    )
    return SnapshotStore(choice.store)


def session_profile_dir(
    config: Config, explicit_profile: bool, sandbox_info: Path | None
) -> Path | None:
    """The profile folder the session's services will use (services.py), or None when it is a
    new throwaway one (a sandbox in another process, no profile folder given): nothing kept."""
    if not config.sandbox:
        return config.profile_dir
    if sandbox_info is not None:  # running_sandbox
        return config.profile_dir / "profile" if explicit_profile else None
    return demo.demo_home(config, explicit_profile) / "profile"  # start_sandbox


def read_last_profile(
    config: Config, explicit_profile: bool, sandbox_info: Path | None, account_id: str
) -> Snapshot | None:
    """The snapshot of ``account_id``, or None (no such account, none kept, any failure: a
    start without it shows the profile when the bootstrap has it, as before)."""
    profile_dir = session_profile_dir(config, explicit_profile, sandbox_info)
    if not account_id or profile_dir is None or not profile_dir.is_dir():
        return None
    from desktop_app.graph.snapshot import read_snapshot

    try:
        store = snapshot_store_for(profile_dir, config.allow_plaintext_cache, quiet=True)
    except (OSError, StoreUnavailable) as exc:
        log.debug("Last profile not read at start: %s", exc)
        return None
    return read_snapshot(store, account_id)


def read_in_background(
    read: Callable[[], Snapshot | None], deliver: Callable[[Snapshot | None], None]
) -> threading.Thread:
    """Run ``read`` on a daemon thread and hand its result to ``deliver`` (on that thread: the
    caller makes it reach the GUI thread). A failure delivers None; it never escapes."""

    def run() -> None:
        try:
            snapshot = read()
        except Exception:  # an unexpected failure costs the early profile only
            log.exception("Reading the last profile at start failed")
            snapshot = None
        deliver(snapshot)

    thread = threading.Thread(target=run, name="last-profile", daemon=True)
    thread.start()
    return thread
