"""Lock and unlock the test keyring's default collection, as a screen lock and a desktop login
do, from any process in its session (no pytest here: the app probe imports it too)."""

from __future__ import annotations

import subprocess
import sys

PASSWORD = "lanyard-test-keyring"  # what tests/support/keyring.py unlocks gnome-keyring with

LOCK_SCRIPT = """
import gi
gi.require_version("Secret", "1")
from gi.repository import Secret
service = Secret.Service.get_sync(Secret.ServiceFlags.LOAD_COLLECTIONS, None)
collection = Secret.Collection.for_alias_sync(service, "default", 0, None)
service.lock_sync([collection], None)
print("locked" if collection.get_locked() else "still unlocked")
"""

# gnome-keyring's own interface for a login's unlock: the Secret Service's Unlock would prompt
UNLOCK_SCRIPT = f"""
from gi.repository import Gio, GLib
bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
name, path = "org.freedesktop.secrets", "/org/freedesktop/secrets"
_, session = bus.call_sync(
    name, path, "org.freedesktop.Secret.Service", "OpenSession",
    GLib.Variant("(sv)", ("plain", GLib.Variant("s", ""))), None, 0, -1, None,
).unpack()
bus.call_sync(
    name, path, "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface",
    "UnlockWithMasterPassword",
    GLib.Variant("(o(oayays))", (
        "/org/freedesktop/secrets/collection/login",
        (session, b"", {PASSWORD!r}.encode(), "text/plain"),
    )),
    None, 0, -1, None,
)
print("unlocked")
"""


def _run(script: str, env: dict[str, str] | None) -> str:
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def lock(env: dict[str, str] | None = None) -> None:
    """(secret-tool 0.20's ``lock --collection`` hangs: it is done through libsecret.)"""
    said = _run(LOCK_SCRIPT, env)
    assert said == "locked", said


def unlock(env: dict[str, str] | None = None) -> None:
    said = _run(UNLOCK_SCRIPT, env)
    assert said == "unlocked", said
