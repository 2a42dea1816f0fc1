"""The token cache in the Secret Service (gnome-keyring, KWallet) over D-Bus, in pure Python.

``secretstorage`` on ``jeepney`` (what the ``keyring`` project uses): a plain ``pip install``,
no compiler, no system package. msal-extensions' ``LibsecretPersistence`` is not used, on purpose:
it answers a *locked* item as "nothing stored" (the cache would load as empty without a word) and
ignores a failed store. Lanyard searches without unlocking, tells a locked keyring apart from an
empty one, raises when a store fails, and never lets the keyring prompt: every D-Bus wait is
bounded and a prompt is refused before it is sent (an unlock prompt would hold the auth thread on
a person).

The item's attributes and label are the ones earlier Lanyards wrote through libsecret (its
schema's ``xdg:schema`` attribute, ``cache`` = the cache file's path, resolved by
cache_store.open_token_store), so a saved sign-in is found either way, and each profile directory
has one item however its path is typed. An item keyed by another absolute spelling of the same
path (a symlink, from before paths were resolved) is still read, merged, and removed by the next
save. A signal file next to the cache changes on every save: its version is the cache's version,
which is how other processes (and the window's watcher) notice a change; a change made from
outside (``secret-tool clear``) does not touch it, so the cache also re-reads the item itself on
every explicit check (session/cache_watcher.py listens to the Secret Service's signals for those).

A locked keyring or a stopped Secret Service raises StoreUnavailable from every call; the cache
keeps this store and tries again, so unlocking the keyring is enough: no restart. Each call opens
its own connection to the session bus (about 2 ms): nothing is shared between threads, and a bus
or keyring restarted in between is simply used.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import importlib.util
import json
import logging
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.auth.cache_store import file_version, touch_signal
from desktop_app.core.i18n import N_, _
from desktop_app.core.stores import StoreUnavailable, Version

log = logging.getLogger(__name__)

SCHEMA_NAME = "dev.lanyard.TokenCache"
SCHEMA_ATTRIBUTE = "xdg:schema"  # what libsecret adds for a schema; earlier items carry it
ATTRIBUTE = "cache"
PROTECTION = N_("encrypted in your keyring (Secret Service)")
TIMEOUT_S = 25.0  # D-Bus's own default for a method call, which libsecret waited as well
PROMPT_INTERFACE = "org.freedesktop.Secret.Prompt"  # a window the person must answer
SERVICE_GONE = {  # the names a bus answers with when no Secret Service is there
    "org.freedesktop.DBus.Error.ServiceUnknown",
    "org.freedesktop.DBus.Error.Spawn.ExecFailed",
    "org.freedesktop.DBus.Error.NameHasNoOwner",
}

INSTALL_ADVICE = N_("Reinstall Lanyard (pip install lanyard brings its keyring support).")
SERVICE_ADVICE = N_(
    "Start your desktop's keyring (gnome-keyring, or KWallet with its Secret Service) and unlock "
    "it; Lanyard tries it again by itself."
)
UNLOCK_ADVICE = N_(
    "Unlock your keyring (log in to the desktop again, or unlock it in Passwords and Keys); "
    "Lanyard picks up your saved sign-in by itself, no restart needed."
)
NO_DEFAULT_ADVICE = N_(
    "Create a default keyring (for example in Passwords and Keys); Lanyard uses it by itself."
)


class PromptRefused(Exception):
    """The Secret Service asked to show a prompt (unlock, confirm): never run from here."""


def _not_installed() -> StoreUnavailable:
    return StoreUnavailable(
        _("the keyring support (secretstorage) is not installed"),
        _(INSTALL_ADVICE),
        missing=True,
    )


def _modules() -> Any:
    """secretstorage, or StoreUnavailable(missing) when it is not installed."""
    try:
        import secretstorage
    except ImportError:
        raise _not_installed() from None
    return secretstorage


def _session_bus_address() -> str:
    """The session bus as GLib finds it: $DBUS_SESSION_BUS_ADDRESS, else the user's bus socket
    in $XDG_RUNTIME_DIR (a systemd session started over ssh sets no variable)."""
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "")
    if address:
        return address
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and Path(runtime, "bus").exists():
        return f"unix:path={Path(runtime, 'bus')}"
    raise ConnectionError(_("no session bus (DBUS_SESSION_BUS_ADDRESS is not set)"))


@functools.cache
def _connection_class() -> Any:
    """jeepney's blocking connection, with every wait bounded and no prompt ever sent."""
    from jeepney import HeaderFields
    from jeepney.io.blocking import DBusConnection

    class Connection(DBusConnection):  # type: ignore[misc]  # jeepney has no type hints
        def send(self, message: Any, serial: Any = None) -> None:
            fields = message.header.fields
            if fields.get(HeaderFields.interface) == PROMPT_INTERFACE:
                raise PromptRefused(str(fields.get(HeaderFields.member, "")))
            super().send(message, serial=serial)

        send_message = send  # jeepney's send_and_get_reply calls it by this name

        def receive(self, *, timeout: float | None = None) -> Any:
            return super().receive(timeout=TIMEOUT_S if timeout is None else timeout)

        def send_and_get_reply(self, message: Any, *, timeout: float | None = None) -> Any:
            return super().send_and_get_reply(
                message, timeout=TIMEOUT_S if timeout is None else timeout
            )

    return Connection


def _absent_socket(address: str) -> str | None:
    """The socket path of a bus address that names one unix socket only, when nothing is there:
    connecting is bound to fail, and finding that out costs no import of jeepney (a terminal
    command on a desktop without a keyring pays for the probe on every run)."""
    if ";" in address or not address.startswith("unix:path="):
        return None
    path = address.removeprefix("unix:path=").split(",")[0]
    return None if "%" in path or os.path.exists(path) else path


def _connect() -> Any:
    """A new connection to the session bus (authenticated within 2 s)."""
    address = _session_bus_address()
    absent = _absent_socket(address)
    if absent is not None:
        raise FileNotFoundError(errno.ENOENT, "no session bus socket", absent)
    from jeepney.bus import get_bus
    from jeepney.io.blocking import prep_socket

    sock = prep_socket(get_bus(address), enable_fds=False, timeout=2.0)
    try:
        return _connection_class()(sock)
    except BaseException:
        sock.close()
        raise


@dataclass
class SecretServiceStore:
    location: Path  # the signal file
    cache_path: Path  # names the secret (an attribute); no file is ever written there
    protection: str = PROTECTION
    encrypted: bool = True
    persisted: bool = True
    # other spellings of cache_path that keyed this cache before paths were resolved
    legacy_paths: tuple[Path, ...] = ()
    _adopted: list[str] = field(default_factory=list, repr=False)  # legacy item paths merged in

    def __post_init__(self) -> None:
        # found, not imported: secretstorage (with jeepney and cryptography's ciphers, ~15 ms)
        # is imported when a bus answers; without one the probe fails before that
        if importlib.util.find_spec("secretstorage") is None:
            raise _not_installed()

    @functools.cached_property
    def _ss(self) -> Any:
        return _modules()

    # -- helpers -----------------------------------------------------------------------------

    def _failed(self, exc: BaseException) -> StoreUnavailable:
        """What went wrong, in the words the cache shows; never the secret."""
        # secretstorage's exceptions come only from a call it made, once it is imported; a bus
        # that could not be reached is an OSError before that, and imports nothing
        ss = sys.modules.get("secretstorage")
        ours = ss is not None and isinstance(exc, ss.SecretStorageException)
        cause = exc.__cause__ if ours else exc
        name = str(getattr(cause, "name", "") or "")
        detail = f"{exc.__class__.__name__}: {name or exc}".splitlines()[0][:200]
        if (ss is not None and isinstance(exc, ss.LockedException)) or name.endswith(".IsLocked"):
            return StoreUnavailable(_("the keyring is locked"), _(UNLOCK_ADVICE), detail=detail)
        if isinstance(exc, PromptRefused):
            return StoreUnavailable(
                _("the keyring asked to show a prompt"), _(UNLOCK_ADVICE), detail=detail
            )
        if isinstance(exc, TimeoutError):
            return StoreUnavailable(
                _("the keyring did not answer within {TIMEOUT_S:.0f} s").format(
                    TIMEOUT_S=TIMEOUT_S
                ),
                _(SERVICE_ADVICE),
                detail=detail,
            )
        gone: tuple[type[BaseException], ...] = (OSError, RuntimeError, KeyError)
        if ss is not None:
            gone += (ss.SecretServiceNotAvailableException,)
        if name in SERVICE_GONE or isinstance(exc, gone):
            # no bus, no socket, a transport jeepney cannot speak, or nobody owns the name
            return StoreUnavailable(
                _("no Secret Service is running"), _(SERVICE_ADVICE), missing=True, detail=detail
            )
        return StoreUnavailable(
            _("the keyring failed ({detail})").format(detail=detail[:80]), _(SERVICE_ADVICE)
        )

    @contextlib.contextmanager
    def _bus(self) -> Iterator[Any]:
        """A connection for one call; every failure inside becomes StoreUnavailable."""
        try:
            connection = _connect()
        except (OSError, RuntimeError, KeyError, ValueError) as exc:
            raise self._failed(exc) from None
        try:
            from jeepney import DBusErrorResponse

            failures = (self._ss.SecretStorageException, DBusErrorResponse, PromptRefused)
        except BaseException:
            connection.close()
            raise
        try:
            yield connection
        except (*failures, OSError) as exc:  # TimeoutError, a connection reset: OSErrors
            raise self._failed(exc) from None
        finally:
            connection.close()

    def _default_collection(self, connection: Any) -> Any:
        """The default collection, unlocked, or StoreUnavailable: never created (that prompts),
        never unlocked (that prompts too)."""
        try:
            collection = self._ss.get_collection_by_alias(connection, "default")
        except self._ss.ItemNotFoundException:
            raise StoreUnavailable(
                _("the keyring has no default collection"), _(NO_DEFAULT_ADVICE)
            ) from None
        if collection.is_locked():
            raise StoreUnavailable(_("the keyring is locked"), _(UNLOCK_ADVICE))
        return collection

    def _attributes(self, key: str | None = None) -> dict[str, str]:
        return {SCHEMA_ATTRIBUTE: SCHEMA_NAME, ATTRIBUTE: key or str(self.cache_path)}

    def _items(self, connection: Any, key: str | None = None) -> list[Any]:
        """This cache's items in every collection, locked ones included, newest first; an item
        deleted while they are listed is left out."""
        found = []
        for path in self._paths(connection, key):
            try:
                item = self._ss.Item(connection, path)
                found.append((item.get_modified(), item))
            except self._ss.ItemNotFoundException:
                continue  # deleted from outside meanwhile
        return [item for _, item in sorted(found, key=lambda pair: pair[0], reverse=True)]

    def _paths(self, connection: Any, key: str | None) -> list[str]:
        from secretstorage.util import DBusAddressWrapper

        service = DBusAddressWrapper(
            "/org/freedesktop/secrets", "org.freedesktop.Secret.Service", connection
        )
        unlocked, locked = service.call("SearchItems", "a{ss}", self._attributes(key))
        return [*unlocked, *locked]

    def _secret(self, item: Any) -> bytes | None:
        """The item's secret; None when it was deleted from outside meanwhile."""
        try:
            return bytes(item.get_secret())
        except self._ss.ItemNotFoundException:
            return None

    def _text(self, item: Any) -> str | None:
        """The item's text (UnicodeDecodeError: not text, which the cache treats as damage)."""
        secret = self._secret(item)
        return secret.decode("utf-8") if secret is not None else None

    # -- CacheStore ----------------------------------------------------------------------------

    def probe(self) -> None:
        """Raise StoreUnavailable unless the cache can be read and written without a prompt."""
        with self._bus() as connection:
            self._default_collection(connection)
            if any(item.is_locked() for item in self._items(connection)):
                raise StoreUnavailable(
                    _("the keyring item holding the cache is locked"), _(UNLOCK_ADVICE)
                )

    def load(self) -> str | None:
        with self._bus() as connection:
            items = self._items(connection)
            legacy = [
                item for path in self.legacy_paths for item in self._items(connection, str(path))
            ]
            if any(item.is_locked() for item in items + legacy):
                raise StoreUnavailable(_("the keyring is locked"), _(UNLOCK_ADVICE))
            text = next((t for t in map(self._text, items) if t is not None), None)
            if text is None and not legacy:
                # nothing readable: an empty keyring, or a locked one whose items are hidden
                self._default_collection(connection)
            self._adopted = []
            for item in legacy:
                theirs = self._text(item)
                merged = _merged(text, theirs) if theirs is not None else None
                if merged is not None:
                    text = merged
                    self._adopted.append(item.item_path)
            return text

    def save(self, text: str) -> None:
        from jeepney import DBusErrorResponse

        with self._bus() as connection:
            collection = self._default_collection(connection)  # locked: fail now, never prompt
            created = collection.create_item(
                f"Lanyard token cache ({self.cache_path})",
                self._attributes(),
                text.encode("utf-8"),
                replace=True,
                content_type="text/plain",
            )
            # one item per cache, also where a Secret Service does not replace (or another
            # collection holds an older one), and the legacy items merged into it
            stale = [
                i.item_path for i in self._items(connection) if i.item_path != created.item_path
            ]
            for path in [*stale, *self._adopted]:  # the cache is saved: a failure here is not
                try:
                    self._ss.Item(connection, path).delete()
                except (self._ss.SecretStorageException, DBusErrorResponse, PromptRefused) as exc:
                    log.warning("Could not remove an older keyring item of this cache: %r", exc)
            self._adopted = []
        touch_signal(self.location)

    def version(self) -> Version | None:
        return file_version(self.location)

    def move_aside(self) -> str | None:
        """Keep the damaged secret in the keyring (never in a file) and start a fresh one."""
        with self._bus() as connection:
            items = [item for item in self._items(connection) if not item.is_locked()]
            if not items:
                return None
            stamp = time.strftime("%Y%m%dT%H%M%S")
            name = f"{self.cache_path.name}.corrupt-{stamp}"
            secret = self._secret(items[0])
            if secret is not None:
                self._default_collection(connection).create_item(
                    f"Lanyard token cache, damaged ({name})",
                    self._attributes(f"{self.cache_path}.corrupt-{stamp}"),
                    secret,
                    replace=True,
                    content_type=_content_type(secret),
                )
            for item in items:
                with contextlib.suppress(self._ss.ItemNotFoundException):
                    item.delete()
        touch_signal(self.location)
        return _("the keyring item '{name}'").format(name=name)


def _content_type(secret: bytes) -> str:
    try:
        secret.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain"


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
