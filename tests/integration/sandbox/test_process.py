"""The sandbox as its own process, restarts with a state directory, and the stand-in as a program."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import requests

from desktop_app.sandbox import Sandbox
from tests.support.idp_client import Loopback, make_app, post_token, sign_in

REPO = Path(__file__).resolve().parents[3]
STANDIN = REPO / "tests" / "support" / "standin_browser.py"


def test_module_prints_one_json_line_serves_and_exits_on_sigterm(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "desktop_app.sandbox",
            "--state-dir",
            str(tmp_path),
            "--token-lifetime",
            "900",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        for key in (
            "authority",
            "graph_endpoint",
            "ca_file",
            "client_id",
            "tenant_id",
            "control_url",
        ):
            assert info[key]
        assert info["ca_file"] == str(tmp_path / "ca.pem")
        config = requests.get(
            f"{info['authority']}/v2.0/.well-known/openid-configuration",
            verify=info["ca_file"],
            timeout=10,
        )
        assert config.status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert out == ""
    assert "Traceback" not in err


def test_state_dir_keeps_ca_and_refresh_tokens_valid_across_restarts(
    tmp_path: Path, loopback: Loopback
) -> None:
    with Sandbox(state_dir=tmp_path) as first:
        ca = Path(first.info.ca_file).read_bytes()
        result = sign_in(first, make_app(first), loopback)
    with Sandbox(state_dir=tmp_path) as second:
        assert Path(second.info.ca_file).read_bytes() == ca
        response = post_token(
            second,
            {
                "client_id": second.info.client_id,
                "grant_type": "refresh_token",
                "refresh_token": result["refresh_token"],
                "scope": "User.Read offline_access openid profile",
                "client_info": "1",
            },
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["scope"] == "profile openid User.Read"  # granted, not echoed
        me = requests.get(
            f"{second.info.graph_endpoint}/me",
            headers={"Authorization": f"Bearer {result['access_token']}"},
            verify=second.info.ca_file,
            timeout=10,
        )
        assert me.status_code == 200  # the signing key survived the restart too


def test_stop_closes_the_port_promptly(tmp_path: Path) -> None:
    sb = Sandbox(state_dir=tmp_path)
    sb.start()
    assert sb.start() == sb.info  # idempotent
    session = requests.Session()
    url = f"{sb.info.authority}/v2.0/.well-known/openid-configuration"
    assert session.get(url, verify=sb.info.ca_file, timeout=5).status_code == 200
    sb.stop()
    sb.stop()
    try:
        session.get(url, verify=sb.info.ca_file, timeout=2)  # even on the kept-alive connection
    except requests.ConnectionError:
        pass
    else:
        raise AssertionError("a stopped sandbox answered")


def test_without_state_dir_the_keys_go_away_on_stop() -> None:
    with Sandbox() as sb:
        ca_file = Path(sb.info.ca_file)
        assert ca_file.exists()
    assert not ca_file.exists()


def test_standin_browser_as_a_program(sandbox: Sandbox, loopback: Loopback, tmp_path: Path) -> None:
    app = make_app(sandbox)
    flow = app.initiate_auth_code_flow(
        ["User.Read"], redirect_uri=loopback.redirect_uri, response_mode="form_post"
    )
    log = tmp_path / "standin.log"
    env = {**os.environ, "STANDIN_CA": sandbox.info.ca_file, "STANDIN_LOG": str(log)}
    done = subprocess.run(
        [sys.executable, str(STANDIN), flow["auth_uri"]],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    result = app.acquire_token_by_auth_code_flow(flow, dict(loopback.received))
    assert "access_token" in result
    transcript = log.read_text()
    assert "POST http://localhost:" in transcript
    assert loopback.received["code"] not in transcript
    assert flow["state"] not in transcript


def test_standin_browser_reports_a_wrong_password(sandbox: Sandbox, loopback: Loopback) -> None:
    app = make_app(sandbox)
    flow = app.initiate_auth_code_flow(
        ["User.Read"], redirect_uri=loopback.redirect_uri, response_mode="form_post"
    )
    env = {**os.environ, "STANDIN_CA": sandbox.info.ca_file, "STANDIN_PASSWORD": "wrong"}
    env.pop("STANDIN_LOG", None)
    done = subprocess.run(
        [sys.executable, str(STANDIN), flow["auth_uri"]],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 1
    assert "AADSTS50126" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
