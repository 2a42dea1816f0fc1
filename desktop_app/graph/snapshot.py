"""The last profile and photo seen for each account, kept so a warm start shows them at once.

Qt-free. Kept in the same protected store as the tokens (open_token_store: the Secret Service,
DPAPI, the Keychain, or a 0600 file written atomically; memory only where the tokens are too),
because a profile is personal data. One JSON document holds every account's entry, keyed by
home_account_id:

    {"format": 1, "accounts": {"<home_account_id>": {"profile": {...Graph /me...},
     "fetched_at": epoch s, "photo": null | {"data": base64, "content_type", "etag"},
     "photo_checked_at": epoch s, "organization": null | {"id", "displayName"},
     "organization_checked_at": epoch s}}}

(An entry written before "organization" existed reads as having none: it is asked for again.)

Read and written only off the GUI thread (a keyring call may block). A damaged document is moved
aside (kept for diagnosis) and treated as empty: the next /me fills it again.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktop_app.core.i18n import _
from desktop_app.core.stores import CacheStore, StoreUnavailable
from desktop_app.graph.client import MAX_PHOTO_BYTES, Photo
from desktop_app.graph.organization import Organization
from desktop_app.graph.profile import Profile

if TYPE_CHECKING:
    from desktop_app.graph.client import GraphClient

log = logging.getLogger(__name__)

SNAPSHOT_FILE = "profile_snapshot.json"
FORMAT = 1
PHOTO_REVALIDATE_S = 24 * 3600  # the photo is asked about at most daily (with its ETag)
ORGANIZATION_REVALIDATE_S = 24 * 3600  # the tenant's name too: it seldom changes


class SnapshotDamaged(ValueError):
    pass


@dataclass(frozen=True)
class Snapshot:
    home_account_id: str
    profile: Profile
    fetched_at: float  # when /me answered with this profile
    photo: Photo | None = None
    photo_checked_at: float = 0.0  # when Graph last confirmed the photo (or that there is none)
    organization: Organization | None = None  # the tenant's name, when Graph gave it
    organization_checked_at: float = 0.0  # when /organization last answered with it

    def photo_is_fresh(self, now: float) -> bool:
        return 0 <= now - self.photo_checked_at < PHOTO_REVALIDATE_S

    def organization_is_fresh(self, now: float) -> bool:
        return (
            self.organization is not None
            and 0 <= now - self.organization_checked_at < ORGANIZATION_REVALIDATE_S
        )

    def to_json(self) -> dict[str, Any]:
        photo = self.photo
        return {
            "profile": self.profile.to_json(),
            "fetched_at": self.fetched_at,
            "photo": None
            if photo is None
            else {
                "data": base64.b64encode(photo.data).decode("ascii"),
                "content_type": photo.content_type,
                "etag": photo.etag,
            },
            "photo_checked_at": self.photo_checked_at,
            "organization": None if self.organization is None else self.organization.to_json(),
            "organization_checked_at": self.organization_checked_at,
        }

    @classmethod
    def from_json(cls, home_account_id: str, data: object) -> Snapshot:
        """Raises SnapshotDamaged for anything this module did not write."""
        if not isinstance(data, dict) or not isinstance(data.get("profile"), dict):
            raise SnapshotDamaged(_("entry has no profile"))
        fetched_at, checked_at = data.get("fetched_at"), data.get("photo_checked_at", 0.0)
        if not (_is_number(fetched_at) and _is_number(checked_at)):
            raise SnapshotDamaged(_("entry has no times"))
        assert isinstance(fetched_at, int | float)
        assert isinstance(checked_at, int | float)
        organization = Organization.from_json(data.get("organization"))
        org_checked = data.get("organization_checked_at", 0.0)
        return cls(
            home_account_id,
            Profile.from_graph(data["profile"]),  # untrusted text, parsed as Graph's
            float(fetched_at),
            _photo_from_json(data.get("photo")),
            float(checked_at),
            organization,
            float(org_checked) if organization is not None and _is_number(org_checked) else 0.0,
        )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _photo_from_json(data: object) -> Photo | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise SnapshotDamaged(_("photo is not an object"))
    raw, content_type, etag = data.get("data"), data.get("content_type"), data.get("etag")
    if not (isinstance(raw, str) and isinstance(content_type, str) and isinstance(etag, str)):
        raise SnapshotDamaged(_("photo has the wrong shape"))
    try:
        payload = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise SnapshotDamaged(_("photo is not base64")) from None
    if len(payload) > MAX_PHOTO_BYTES:
        raise SnapshotDamaged(_("photo is too large"))
    return Photo(payload, content_type, etag)


class SnapshotStore:
    """Every account's snapshot in one document of a CacheStore."""

    def __init__(self, store: CacheStore) -> None:
        self.store = store

    def _read(self) -> dict[str, Any]:
        """The accounts' raw entries; damage moves the document aside and reads as empty."""
        try:
            text = self.store.load()
            if text is None:
                return {}
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise SnapshotDamaged(_("unknown format"))
            accounts = data.get("accounts")
            if not isinstance(accounts, dict):
                raise SnapshotDamaged(_("no accounts"))
            return accounts
        except (ValueError, RecursionError, UnicodeError) as exc:  # SnapshotDamaged included
            self._move_aside(str(exc) or exc.__class__.__name__)
            return {}

    def _move_aside(self, why: str) -> None:
        try:
            moved = self.store.move_aside()
        except OSError as exc:
            moved = _("nowhere ({strerror})").format(strerror=exc.strerror)
        log.warning("Profile snapshot damaged (%s); moved aside to %s", why, moved)

    def _write(self, accounts: dict[str, Any]) -> None:
        self.store.save(json.dumps({"format": FORMAT, "accounts": accounts}))

    def load(self, home_account_id: str) -> Snapshot | None:
        entry = self._read().get(home_account_id)
        if entry is None:
            return None
        try:
            return Snapshot.from_json(home_account_id, entry)
        except SnapshotDamaged as exc:
            self._move_aside(str(exc))
            return None

    def save(self, snapshot: Snapshot) -> None:
        accounts = self._read()
        accounts[snapshot.home_account_id] = snapshot.to_json()
        self._write(accounts)

    def delete(self, home_account_id: str) -> bool:
        """Forget one account (signed out); True when there was something to forget."""
        accounts = self._read()
        if accounts.pop(home_account_id, None) is None:
            return False
        self._write(accounts)
        return True


def fetch_photo(
    graph: GraphClient, access_token: str, cached: Snapshot | None, now: float | None = None
) -> tuple[Photo | None, float]:
    """The photo and when Graph last confirmed it: the cached one without a request while it is
    less than a day old, else revalidated with its ETag (a 304 keeps it). Raises LanyardError."""
    from desktop_app.graph.client import NotModifiedError

    now = time.time() if now is None else now
    if cached is not None and cached.photo_is_fresh(now):
        return cached.photo, cached.photo_checked_at
    etag = cached.photo.etag if cached is not None and cached.photo is not None else None
    try:
        return graph.photo(access_token, etag or None), now
    except NotModifiedError:
        assert cached is not None
        return cached.photo, now


# -- the safe ways in: a failing store costs the snapshot, nothing else (auth thread) --------


def read_snapshot(snapshots: SnapshotStore | None, home_account_id: str) -> Snapshot | None:
    if snapshots is None:
        return None
    try:
        return snapshots.load(home_account_id)
    except (OSError, StoreUnavailable) as exc:
        log.warning("Profile snapshot unreadable: %s", exc)
        return None


def write_snapshot(snapshots: SnapshotStore, snapshot: Snapshot) -> None:
    try:
        snapshots.save(snapshot)
    except (OSError, StoreUnavailable) as exc:
        log.warning("Profile snapshot not saved: %s", exc)


def forget_snapshot(snapshots: SnapshotStore | None, home_account_id: str) -> None:
    if snapshots is None:
        return
    try:
        snapshots.delete(home_account_id)
    except (OSError, StoreUnavailable) as exc:
        log.warning("Profile snapshot of a signed-out account not deleted: %s", exc)
