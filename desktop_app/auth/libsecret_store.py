"""The token cache in the Secret Service (gnome-keyring, KWallet) through libsecret and PyGObject.

msal-extensions' ``LibsecretPersistence`` is not used as is, on purpose: libsecret's
``password_lookup`` answers a *locked* item as "nothing stored" (the cache would load as empty
without a word), and its ``save`` ignores a failed store. Lanyard searches without unlocking, tells
a locked keyring apart from an empty one, raises when a store fails, and never asks the keyring to
prompt: an unlock prompt would hold the auth thread on a person.

The secret's attributes name the cache file's path, resolved (cache_store.open_token_store), so
each profile directory has its own item however its path is typed. An item keyed by another
absolute spelling of the same path (a symlink, from before paths were resolved) is still read,
merged, and removed by the next save. A signal file next to the cache changes on every save: its
version is the cache's version, which is how other processes (and the window's watcher) notice a
change; a change made from outside (``secret-tool clear``) does not touch it, so the cache also
re-reads the item itself on every explicit check (session/cache_watcher.py listens to the Secret
Service's signals for those).

A locked keyring or a stopped Secret Service raises StoreUnavailable from every call; the cache
keeps this store and tries again, so unlocking the keyring is enough: no restart.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.auth.cache_store import file_version, touch_signal
from desktop_app.core.stores import StoreUnavailable, Version

log = logging.getLogger(__name__)

SCHEMA_NAME = "dev.lanyard.TokenCache"
ATTRIBUTE = "cache"
PROTECTION = "encrypted by libsecret (Secret Service)"

INSTALL_ADVICE = (
    "To encrypt it, install Lanyard's keyring support (pip install 'lanyard[secret]', which needs "
    "the gir1.2-secret-1 package) and run a Secret Service such as gnome-keyring in your session."
)
SERVICE_ADVICE = (
    "Start your desktop's keyring (gnome-keyring, or KWallet with its Secret Service) and unlock "
    "it; Lanyard tries it again by itself."
)
UNLOCK_ADVICE = (
    "Unlock your keyring (log in to the desktop again, or unlock it in Passwords and Keys); "
    "Lanyard picks up your saved sign-in by itself, no restart needed."
)


def _modules() -> tuple[Any, Any]:
    """gi's Secret and GLib, or StoreUnavailable(missing) saying which piece is not installed."""
    try:
        import gi
    except ImportError:
        raise StoreUnavailable(
            "PyGObject (gi) is not installed", INSTALL_ADVICE, missing=True
        ) from None
    try:
        gi.require_version("Secret", "1")
        from gi.repository import GLib, Secret
    except (ImportError, ValueError):
        raise StoreUnavailable(
            "libsecret's bindings (gir1.2-secret-1) are not installed", INSTALL_ADVICE, missing=True
        ) from None
    return Secret, GLib


@dataclass
class LibsecretStore:
    location: Path  # the signal file
    cache_path: Path  # names the secret (an attribute); no file is ever written there
    protection: str = PROTECTION
    encrypted: bool = True
    persisted: bool = True
    # other spellings of cache_path that keyed this cache before paths were resolved
    legacy_paths: tuple[Path, ...] = ()
    _adopted: list[Any] = field(default_factory=list, repr=False)  # legacy items merged in

    def __post_init__(self) -> None:
        self._secret, self._glib = _modules()
        self._schema = self._secret.Schema.new(
            SCHEMA_NAME,
            self._secret.SchemaFlags.NONE,
            {ATTRIBUTE: self._secret.SchemaAttributeType.STRING},
        )

    # -- helpers -----------------------------------------------------------------------------

    def _failed(self, exc: Exception, missing: bool = False) -> StoreUnavailable:
        message = str(getattr(exc, "message", "") or exc).splitlines()[0][:200]
        if "locked" in message.lower():  # e.g. locked between the search and the read
            return StoreUnavailable("the keyring is locked", UNLOCK_ADVICE, detail=message)
        if missing:
            return StoreUnavailable(
                "no Secret Service is running", SERVICE_ADVICE, missing=True, detail=message
            )
        return StoreUnavailable(f"the keyring failed ({message[:80]})", SERVICE_ADVICE)

    def _service(self) -> Any:
        secret = self._secret
        try:
            return secret.Service.get_sync(secret.ServiceFlags.OPEN_SESSION, None)
        except self._glib.Error as exc:
            raise self._failed(exc, missing=True) from None

    def _default_collection(self, service: Any) -> Any:
        secret = self._secret
        try:
            collection = secret.Collection.for_alias_sync(
                service, secret.COLLECTION_DEFAULT, secret.CollectionFlags.NONE, None
            )
        except self._glib.Error as exc:
            raise self._failed(exc, missing=self._is_service_unknown(exc)) from None
        if collection is None:
            raise StoreUnavailable(
                "the keyring has no default collection",
                "Create a default keyring (for example in Passwords and Keys); Lanyard uses it "
                "by itself.",
            )
        if collection.get_locked():
            raise StoreUnavailable("the keyring is locked", UNLOCK_ADVICE)
        return collection

    def _is_service_unknown(self, exc: Exception) -> bool:
        text = str(getattr(exc, "message", "") or exc)
        return "ServiceUnknown" in text or "not provided by any .service" in text

    def _attributes(self, key: str | None = None) -> dict[str, str]:
        return {ATTRIBUTE: key or str(self.cache_path)}

    def _items(self, service: Any, key: str | None = None) -> list[Any]:
        secret = self._secret
        try:
            items = service.search_sync(
                self._schema, self._attributes(key), secret.SearchFlags.ALL, None
            )
        except self._glib.Error as exc:
            raise self._failed(exc, missing=self._is_service_unknown(exc)) from None
        return sorted(items or [], key=lambda item: item.get_modified(), reverse=True)

    def _read_value(self, item: Any) -> Any:
        try:
            item.load_secret_sync(None)
        except self._glib.Error as exc:
            raise self._failed(exc) from None
        return item.get_secret()

    # -- CacheStore ----------------------------------------------------------------------------

    def probe(self) -> None:
        """Raise StoreUnavailable unless the cache can be read and written without a prompt."""
        service = self._service()
        self._default_collection(service)
        if any(item.get_locked() for item in self._items(service)):
            raise StoreUnavailable("the keyring item holding the cache is locked", UNLOCK_ADVICE)

    def _text(self, item: Any) -> str:
        value = self._read_value(item)
        text = value.get_text() if value is not None else None
        if text is None:
            raise ValueError("the keyring item does not hold text")
        return str(text)

    def load(self) -> str | None:
        service = self._service()
        items = self._items(service)
        legacy = [item for path in self.legacy_paths for item in self._items(service, str(path))]
        if any(item.get_locked() for item in items + legacy):
            raise StoreUnavailable("the keyring is locked", UNLOCK_ADVICE)
        text = self._text(items[0]) if items else None
        self._adopted = []
        for item in legacy:
            merged = _merged(text, self._text(item))
            if merged is not None:
                text = merged
                self._adopted.append(item)
        return text

    def save(self, text: str) -> None:
        secret = self._secret
        self._default_collection(self._service())  # locked: fail now, never prompt
        try:
            stored = secret.password_store_sync(
                self._schema,
                self._attributes(),
                secret.COLLECTION_DEFAULT,
                f"Lanyard token cache ({self.cache_path})",
                text,
                None,
            )
        except self._glib.Error as exc:
            raise self._failed(exc, missing=self._is_service_unknown(exc)) from None
        if not stored:
            raise StoreUnavailable("the keyring refused to store the cache", SERVICE_ADVICE)
        for item in self._adopted:  # now part of the item saved under the resolved path
            try:
                item.delete_sync(None)
            except self._glib.Error as exc:
                log.warning("Could not remove the older keyring item of this cache: %s", exc)
        self._adopted = []
        touch_signal(self.location)

    def version(self) -> Version | None:
        return file_version(self.location)

    def move_aside(self) -> str | None:
        """Keep the damaged secret in the keyring (never in a file) and start a fresh one."""
        secret = self._secret
        service = self._service()
        items = [item for item in self._items(service) if not item.get_locked()]
        if not items:
            return None
        stamp = time.strftime("%Y%m%dT%H%M%S")
        name = f"{self.cache_path.name}.corrupt-{stamp}"
        try:
            value = self._read_value(items[0])
            if value is not None:
                secret.password_store_binary_sync(
                    self._schema,
                    self._attributes(f"{self.cache_path}.corrupt-{stamp}"),
                    secret.COLLECTION_DEFAULT,
                    f"Lanyard token cache, damaged ({name})",
                    value,
                    None,
                )
            for item in items:
                item.delete_sync(None)
        except self._glib.Error as exc:
            raise self._failed(exc) from None
        touch_signal(self.location)
        return f"the keyring item '{name}'"


def _merged(ours: str | None, theirs: str) -> str | None:
    """msal's cache ``theirs`` merged into ``ours`` (ours wins an entry both have); None when
    either is not a cache's JSON object (then the older item is left alone)."""
    try:
        mine = json.loads(ours) if ours else {}
        other = json.loads(theirs) if theirs else {}
    except ValueError:
        return None
    if not isinstance(mine, dict) or not isinstance(other, dict):
        return None
    for section, entries in other.items():
        if not isinstance(entries, dict) or not isinstance(mine.setdefault(section, {}), dict):
            return None
        mine[section] = entries | mine[section]
    return json.dumps(mine)
