"""An Entra-compatible authority on a host that is not a Microsoft cloud (issue 14, item 1): the
sandbox reached as https://127.0.0.1:<port>/<tenant> instead of its own name (localhost), with
no setting beyond client id, authority, Graph endpoint and CA. Real msal, real requests; the
window's services, then `lanyard whoami` in a child process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from desktop_app.core.config import load_config
from desktop_app.headless import EXIT_OK
from desktop_app.sandbox import Sandbox
from desktop_app.session.services import build_services
from tests.conftest import REPO
from tests.support.sandbox_helpers import browser_sign_in

CHILD = "import sys\nfrom desktop_app.__main__ import main\nsys.exit(main(sys.argv[1:]))\n"


def _by_address(url: str) -> str:
    """``url`` with the sandbox's host name (localhost) replaced by its address."""
    parts = urlsplit(url)
    assert parts.hostname == "localhost", url  # the sandbox's own name: not what is used here
    return parts._replace(netloc=f"127.0.0.1:{parts.port}").geturl()


def _settings(sandbox: Sandbox, profile: Path) -> dict[str, str]:
    info = sandbox.info
    return {
        "client_id": info.client_id,
        "authority": _by_address(info.authority),
        "graph_endpoint": _by_address(info.graph_endpoint),
        "ca_bundle": info.ca_file,
        "profile_dir": str(profile),
    }


def test_an_authority_on_another_host_signs_in_and_shows_the_profile(
    sandbox: Sandbox,
    tmp_path: Path,
    standin_browser,  # type: ignore[no-untyped-def]
) -> None:
    standin_browser(sandbox.info.ca_file)
    flags = _settings(sandbox, tmp_path / "profile")
    config = load_config(flags, env={}, file_values={})
    assert config.discovery is False  # 127.0.0.1 is not one of Entra's hosts
    before = len(sandbox.requests())
    services = build_services(config)
    try:
        services.auth.open()
        token = browser_sign_in(services.auth)
        profile = services.graph.me(token.access_token)
    finally:
        services.close()
    assert profile.displayName
    seen = sandbox.requests()[before:]
    assert not [r for r in seen if r["path"] == "/common/discovery/instance"]
    assert any(r["path"].endswith("/oauth2/v2.0/token") for r in seen)

    # the same settings as flags, in a terminal: no other setting, no config file
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANYARD_")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "no-config")
    args = [f"--{key.replace('_', '-')}={value}" for key, value in flags.items()]
    result = subprocess.run(
        [sys.executable, "-c", CHILD, "whoami", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == EXIT_OK, result.stderr
    assert profile.displayName in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("forced", ["true", "false"])
def test_the_setting_forces_discovery_either_way(forced: str, tmp_path: Path) -> None:
    for authority in ("https://127.0.0.1:8443/t", "https://login.microsoftonline.com/t"):
        config = load_config(
            {"authority": authority},
            env={"LANYARD_INSTANCE_DISCOVERY": forced},
            file_values={},
        )
        assert config.discovery is (forced == "true")
