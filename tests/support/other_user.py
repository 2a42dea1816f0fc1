"""A second OS user for the cross-user tests (issue 15, items 1-3): another person with an
account on the same computer, created with useradd for the test run and removed after.

CI runs as root, which can create users and switch to them. A run that is not root cannot:
the tests are skipped, except under CI, where they fail (CI must run them), as when useradd is
missing.

The interpreter lives under /root (0700 here), which the other user cannot even enter, so a
child cannot simply be exec'd as that user: ``python_as(...)`` starts Python as root, imports
what the code needs, and only then drops to the other user's uid and gid, before running the
code. A module first imported after the switch fails loudly (permission denied), never passes.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import in_ci

_PREFIX = "lyx"
_COMMENT = "lanyard cross-user test (tests/support/other_user.py)"
# encodings.idna: socket.create_connection() imports it on first use
_STDLIB = (
    "encodings.idna",
    "json",
    "os",
    "select",
    "socket",
    "struct",
    "sys",
    "time",
    "urllib.parse",
)


@dataclass(frozen=True)
class OtherUser:
    name: str
    uid: int
    gid: int

    def python_as(self, code: str, *preload: str) -> list[str]:
        """argv for a Python child that runs ``code`` as this user (with ``preload`` and a
        few standard modules imported first, as root)."""
        imports = "".join(f"import {name}\n" for name in (*_STDLIB, *preload))
        switch = (
            "import os as _os\n"
            "_os.setgroups([])\n"
            f"_os.setgid({self.gid})\n"
            f"_os.setuid({self.uid})\n"
            f"assert (_os.getuid(), _os.geteuid()) == ({self.uid}, {self.uid})\n"
        )
        return [sys.executable, "-c", imports + switch + code]

    def run(
        self, code: str, *preload: str, stdin: str = "", timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.python_as(code, *preload),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd="/",
        )

    def start(self, code: str, *preload: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.python_as(code, *preload),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd="/",
        )


def _missing(message: str) -> None:
    if in_ci():
        pytest.fail(message + " - CI runs as root with useradd (Debian's passwd package)")
    pytest.skip(message)


def _user_tool(*argv: str) -> subprocess.CompletedProcess[str]:
    """useradd/userdel, again while another process holds /etc/passwd's lock (exit 1 or 10)."""
    for _ in range(50):
        done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=30)
        if done.returncode not in (1, 10) or "lock" not in done.stderr:
            return done
        time.sleep(0.1)
    return done


def _remove_stale() -> None:
    """Users an earlier, killed run left behind (their process is gone)."""
    for entry in pwd.getpwall():
        if entry.pw_gecos != _COMMENT or not entry.pw_name.startswith(_PREFIX):
            continue
        pid = entry.pw_name[len(_PREFIX) :].split("x")[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            _user_tool("userdel", entry.pw_name)


@contextlib.contextmanager
def created_user() -> Iterator[OtherUser]:
    if os.name != "posix" or os.geteuid() != 0:
        _missing("creating a second OS user needs root (CI runs as root)")
    if shutil.which("useradd") is None or shutil.which("userdel") is None:
        _missing("useradd/userdel not found")
    _remove_stale()
    name = f"{_PREFIX}{os.getpid()}x{secrets.token_hex(3)}"  # pids are reused in containers
    made = _user_tool(
        "useradd",
        "--system",
        "--no-create-home",
        "--user-group",
        "--shell",
        "/usr/sbin/nologin",
        "--comment",
        _COMMENT,
        name,
    )
    assert made.returncode == 0, made.stderr
    try:
        entry = pwd.getpwnam(name)
        assert entry.pw_uid not in (0, os.geteuid())
        yield OtherUser(name, entry.pw_uid, entry.pw_gid)
    finally:
        removed = _user_tool("userdel", name)
        assert removed.returncode == 0, removed.stderr


# One user for the whole run. The fixture is imported by each test module that uses it, and pytest
# then holds one session-scoped instance per module: they share this one, the last removes it.
_shared: list[Any] = []  # [OtherUser, its context manager, how many hold it]


@pytest.fixture(scope="session")
def other_user() -> Iterator[OtherUser]:
    """Another person with an account on this computer."""
    if not _shared:
        manager = created_user()
        _shared.extend([manager.__enter__(), manager, 0])
    _shared[2] += 1
    try:
        yield _shared[0]
    finally:
        _shared[2] -= 1
        if _shared[2] == 0:
            manager = _shared[1]
            _shared.clear()
            manager.__exit__(None, None, None)


@contextlib.contextmanager
def shared_tmp() -> Iterator[Path]:
    """A folder like /tmp (world-writable, sticky) for one test: where another user can put
    things next to Lanyard's. Not under the run's temp dir, which only root can enter; what goes
    in it holds no issued token."""
    folder = Path(tempfile.mkdtemp(prefix="ly-shared-", dir="/tmp"))
    try:
        os.chmod(folder, 0o1777)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# Run as the other user: POST a form to 127.0.0.1:<port> (stdin: {"port", "fields"}) and say
# what came back: the status (0: closed without an answer) or the errno.
_POSTER = r"""
plan = json.loads(sys.stdin.readline())
body = urllib.parse.urlencode(plan["fields"]).encode()
request = (b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded"
           b"\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
outcome = {"status": 0, "errno": None}
try:
    with socket.create_connection(("127.0.0.1", plan["port"]), timeout=10) as client:
        client.sendall(request)
        answer = b""
        while chunk := client.recv(65536):
            answer += chunk
    if answer.startswith(b"HTTP/1."):
        outcome["status"] = int(answer.split(b" ", 2)[1])
except OSError as exc:
    outcome["errno"] = exc.errno
print(json.dumps(outcome))
"""


def post_form_as(user: OtherUser, port: int, fields: dict[str, str]) -> dict[str, object]:
    """``user`` posts ``fields`` to the loopback port, as a browser's form_post would."""
    done = user.run(_POSTER, stdin=json.dumps({"port": port, "fields": fields}) + "\n")
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)  # type: ignore[no-any-return]
