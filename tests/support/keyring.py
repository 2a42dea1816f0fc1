"""A real Secret Service for tests: a private D-Bus session bus with gnome-keyring on it.

The bus has no service files, so nothing is started behind the test's back (no prompter window,
no second keyring): what runs is what this module started, and it is stopped by process id.
Code that talks to the keyring runs in child processes (``Keyring.run``) whose environment points
at this bus: the test process itself stays on the suite's bus that leads nowhere (tests/conftest.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, in_ci
from tests.support import keyring_control
from tests.support.keyring_control import PASSWORD
from tests.support.xvfb import require

CHILD = REPO / "tests" / "support" / "cache_child.py"
ITEMS_SCRIPT = """
import json
from contextlib import closing
import secretstorage
found = []
with closing(secretstorage.dbus_init()) as connection:
    for item in secretstorage.search_items(connection, {"xdg:schema": "dev.lanyard.TokenCache"}):
        entry = {f"attribute.{k}": v for k, v in item.get_attributes().items()}
        entry["label"] = item.get_label()
        entry["secret"] = item.get_secret().decode("utf-8", "replace")
        found.append(entry)
print(json.dumps(found))
"""

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def require_secretstorage() -> None:
    probe = subprocess.run(
        [sys.executable, "-c", "import secretstorage, jeepney"],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        message = "secretstorage and jeepney (Lanyard's dependencies on Linux) are not importable"
        if in_ci():
            pytest.fail(message + " - CI must install Lanyard (scripts/test.sh)")
        pytest.skip(message)


@dataclass
class Keyring:
    home: Path  # HOME; XDG dirs and gnome-keyring's own files are under it
    env: dict[str, str]
    daemon: subprocess.Popen[bytes]
    log: Path
    children: list[str] = field(default_factory=list)

    def run(
        self, command: str, *args: str, timeout: float = 60, cwd: Path = REPO
    ) -> dict[str, Any]:
        """Run tests/support/cache_child.py COMMAND in this keyring's session; its JSON report.
        ``cwd``: where it runs (a relative profile directory is relative to it)."""
        result = subprocess.run(
            [sys.executable, str(CHILD), command, *args],
            cwd=cwd,
            env=self.child_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        self.children.append(result.stderr)
        assert result.returncode == 0, f"{command} failed:\n{result.stderr[-4000:]}"
        assert "Traceback" not in result.stderr, result.stderr[-4000:]
        report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
        return report

    def child_env(self) -> dict[str, str]:
        """The test's environment now (BROWSER and the stand-in's settings), in this session."""
        return _without_session(os.environ) | self.env

    def secret_tool(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["secret-tool", *args],
            env=self.child_env(),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    def lookup(self, cache: Path) -> str | None:
        """The secret stored for this cache path, read back the way a person could."""
        found = self.secret_tool("lookup", "cache", str(cache))
        return found.stdout if found.returncode == 0 else None

    def items(self) -> list[dict[str, str]]:
        """Every Lanyard item in the keyring: its attributes ("attribute.<name>") and its secret
        ("secret") and label, read back in a child process through secretstorage (secret-tool's
        ``search`` prints attributes on stderr, apart from their items)."""
        found = subprocess.run(
            [sys.executable, "-c", ITEMS_SCRIPT],
            env=self.child_env(),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert found.returncode == 0, found.stderr
        items: list[dict[str, str]] = json.loads(found.stdout)
        return items

    def lock(self) -> None:
        """Lock the default collection, as a screen lock or 'Lock' in Passwords and Keys does."""
        keyring_control.lock(self.child_env())

    def unlock(self) -> None:
        """Unlock it without a prompt, as logging in to the desktop does."""
        keyring_control.unlock(self.child_env())

    def stop_daemon(self) -> None:
        if self.daemon.poll() is None:
            self.daemon.kill()
            self.daemon.wait(10)


@contextlib.contextmanager
def secret_service(base: Path, login: bool = True) -> Iterator[Keyring]:
    """gnome-keyring, unlocked with a known password, on a private session bus. ``login``
    False: started without a login keyring, as on a desktop that never made one (no default
    collection)."""
    dbus_daemon = require("dbus-daemon", "the keyring tests' private session bus")
    keyring_daemon = require("gnome-keyring-daemon", "the Secret Service the cache is stored in")
    require("secret-tool", "reading the stored cache back (libsecret-tools)")
    require_secretstorage()
    home = base / "home"
    runtime = home / "run"
    for folder in (home, runtime, home / ".local" / "share", home / ".config", home / ".cache"):
        folder.mkdir(parents=True, exist_ok=True)
    runtime.chmod(0o700)
    socket = base / "bus"
    config = base / "bus.conf"
    config.write_text(BUS_CONFIG.format(socket=socket))
    env = {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_RUNTIME_DIR": str(runtime),
    }
    daemon_env = _without_session(os.environ) | env
    log = base / "keyring.log"
    with log.open("wb") as log_file:
        bus = subprocess.Popen(
            [dbus_daemon, f"--config-file={config}", "--nofork", "--print-address=1"],
            env=daemon_env,
            stdout=subprocess.PIPE,
            stderr=log_file,
        )
        daemon: subprocess.Popen[bytes] | None = None
        try:
            assert bus.stdout is not None
            address = bus.stdout.readline().decode().strip()
            assert address.startswith("unix:"), f"dbus-daemon printed {address!r}"
            env["DBUS_SESSION_BUS_ADDRESS"] = address
            daemon = subprocess.Popen(
                [
                    keyring_daemon,
                    "--foreground",
                    *(["--unlock"] if login else []),
                    "--components=secrets",
                ],
                env=daemon_env | env,
                stdin=subprocess.PIPE,
                stdout=log_file,
                stderr=log_file,
            )
            assert daemon.stdin is not None
            daemon.stdin.write(PASSWORD.encode())
            daemon.stdin.close()
            keyring = Keyring(home, env, daemon, log)
            _wait_for_service(keyring)
            yield keyring
        finally:
            if daemon is not None and daemon.poll() is None:
                daemon.kill()
                daemon.wait(10)
            bus.kill()
            bus.wait(10)
            if bus.stdout is not None:
                bus.stdout.close()


def _wait_for_service(keyring: Keyring) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if keyring.daemon.poll() is not None:
            pytest.fail(f"gnome-keyring-daemon exited: {keyring.log.read_text()[-2000:]}")
        owned = subprocess.run(
            [
                "dbus-send",
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.freedesktop.secrets",
            ],
            env=keyring.child_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        if "boolean true" in owned.stdout:
            return
        time.sleep(0.05)
    pytest.fail(f"the Secret Service did not appear: {keyring.log.read_text()[-2000:]}")


def _without_session(environ: Mapping[str, str]) -> dict[str, str]:
    """No display (a keyring prompt would open a window) and no other session bus."""
    dropped = {"DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS"}
    return {key: value for key, value in environ.items() if key not in dropped}
