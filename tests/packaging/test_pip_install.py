"""A plain ``pip install`` of Lanyard encrypts the token cache (issue 18, item 1): a fresh venv
made with no build tools (wheels only, and a C compiler or pkg-config that fail if anything calls
them), then a sign-in to the sandbox stores the cache in a real gnome-keyring on a private D-Bus
(tests/support/keyring.py), and the installed ``lanyard whoami`` reads it back from there.

Marked ``venv``: it downloads Lanyard's wheels from the package index (cached by pip), about 20 s.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.sandbox import Sandbox, directory
from tests.conftest import REPO
from tests.support.keyring import secret_service
from tests.support.sandbox_helpers import files_holding

pytestmark = [
    pytest.mark.venv,
    pytest.mark.timeout(900),
    pytest.mark.skipif(sys.platform != "linux", reason="the Secret Service is the Linux store"),
]

# the sign-in, by the installed Lanyard: desktop_app is imported from the venv first, then the
# test helpers (tests/support/cache_child.py) from the checkout, appended after site-packages
SIGN_IN = """
import json, sys
import desktop_app, secretstorage, jeepney
where = {"desktop_app": desktop_app.__file__, "secretstorage": secretstorage.__file__,
         "jeepney": jeepney.__file__}
sys.path.append(sys.argv[1])
from tests.support import cache_child
sys.argv = ["cache_child", "sign-in", *sys.argv[2:]]
cache_child.main()
print(json.dumps(where))
"""


def _source_copy(target: Path) -> Path:
    """What pip builds Lanyard from, copied so the build writes nothing into the checkout."""
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(REPO / name, target / name)
    shutil.copytree(
        REPO / "desktop_app", target / "desktop_app", ignore=shutil.ignore_patterns("__pycache__")
    )
    return target


def _fresh_venv(base: Path) -> Path:
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    (base / "src").mkdir()
    source = _source_copy(base / "src")
    failing = base / "no-build-tools"
    failing.mkdir()
    for tool in ("cc", "gcc", "c++", "g++", "pkg-config"):  # anything that compiles fails loudly
        (failing / tool).write_text('#!/bin/sh\necho "$0: no compiling here" >&2\nexit 1\n')
        (failing / tool).chmod(0o755)
    env = os.environ | {
        "PATH": f"{failing}:{os.environ['PATH']}",
        "CC": str(failing / "cc"),
        "CXX": str(failing / "c++"),
        "PKG_CONFIG": str(failing / "pkg-config"),
        "PIP_NO_INPUT": "1",
    }
    env.pop("PYTHONPATH", None)
    installed = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--only-binary=:all:", str(source)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
    return venv


def test_a_plain_pip_install_keeps_the_cache_in_the_keyring(
    tmp_path: Path, standin_browser, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    venv = _fresh_venv(tmp_path)
    python = venv / "bin" / "python"
    probe = subprocess.run(
        [str(python), "-c", "import importlib.util as u; print(u.find_spec('gi') is None)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert probe.stdout.strip() == "True"  # no PyGObject: the keyring is reached without it

    with Sandbox() as sandbox, secret_service(tmp_path / "ring") as keyring:
        info = tmp_path / "sandbox.json"
        info.write_text(json.dumps(sandbox.info.as_json()))
        root = tmp_path / "lanyard"
        profile = root / "profile"  # what --sandbox-info --profile-dir ROOT uses
        standin_browser(sandbox.info.ca_file, directory.ADMIN_UPN)
        env = keyring.child_env()
        env.pop("PYTHONPATH", None)
        signed_in = subprocess.run(
            [
                str(python),
                "-c",
                SIGN_IN,
                str(REPO),
                info.read_text(),
                str(profile),
                directory.ADMIN_UPN,
            ],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert signed_in.returncode == 0, signed_in.stderr[-4000:]
        assert "Traceback" not in signed_in.stderr
        *_, report_line, where_line = signed_in.stdout.strip().splitlines()
        report, where = json.loads(report_line), json.loads(where_line)
        site = str(venv / "lib")
        assert all(path.startswith(site) for path in where.values()), where  # the installed ones
        assert report["signed_in"] == directory.ADMIN_UPN
        assert report["protection"] == "encrypted in your keyring (Secret Service)"
        assert report["encrypted"] and report["notices"] == []

        cache = profile.resolve() / "token_cache.bin"
        stored = keyring.lookup(cache)  # read back with secret-tool
        assert stored is not None and "RefreshToken" in stored
        assert not cache.exists()  # no plaintext file
        tokens = [str(t["value"]) for t in sandbox.issued_tokens()]
        assert files_holding(tmp_path / "lanyard", tokens) == {}

        flags = ["--sandbox", "--sandbox-info", str(info), "--profile-dir", str(root)]
        whoami = subprocess.run(
            [str(venv / "bin" / "lanyard"), "whoami", *flags],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert whoami.returncode == 0, whoami.stderr[-3000:]
        assert directory.ADMIN_UPN in whoami.stdout
        assert "Traceback" not in whoami.stderr
    with capsys.disabled():
        print(f"\nfresh venv: {sum(1 for _ in (venv / 'lib').rglob('*.dist-info'))} distributions")
