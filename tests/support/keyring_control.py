"""Lock and unlock the test keyring's default collection, as a screen lock and a desktop login
do, from any process in its session (no pytest here: the app probe imports it too)."""

from __future__ import annotations

import subprocess
import sys

PASSWORD = "lanyard-test-keyring"  # what tests/support/keyring.py unlocks gnome-keyring with

LOCK_SCRIPT = """
from contextlib import closing
import secretstorage
with closing(secretstorage.dbus_init()) as connection:
    collection = secretstorage.get_collection_by_alias(connection, "default")
    collection.lock()
    print("locked" if collection.is_locked() else "still unlocked")
"""

# gnome-keyring's own interface for a login's unlock: the Secret Service's Unlock would prompt
UNLOCK_SCRIPT = f"""
from contextlib import closing
import secretstorage
from secretstorage.util import DBusAddressWrapper
with closing(secretstorage.dbus_init()) as connection:
    path = "/org/freedesktop/secrets"
    service = DBusAddressWrapper(path, "org.freedesktop.Secret.Service", connection)
    _, session = service.call("OpenSession", "sv", "plain", ("s", ""))
    internal = DBusAddressWrapper(
        path, "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface", connection
    )
    internal.call(
        "UnlockWithMasterPassword", "o(oayays)",
        "/org/freedesktop/secrets/collection/login",
        (session, b"", {PASSWORD!r}.encode(), "text/plain"),
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
    """(secret-tool 0.20's ``lock --collection`` hangs: it is done through secretstorage.)"""
    said = _run(LOCK_SCRIPT, env)
    assert said == "locked", said


def unlock(env: dict[str, str] | None = None) -> None:
    said = _run(UNLOCK_SCRIPT, env)
    assert said == "unlocked", said
