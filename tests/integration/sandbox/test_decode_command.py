"""``lanyard decode`` in a child process (the real entry point, never Qt) against the sandbox:
its tokens verify (exit 0), a changed one does not (exit 1), another issuer cannot be checked
(exit 6); --json, stdin, and hostile input answered without a traceback."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
from pathlib import Path

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from desktop_app.sandbox import Sandbox
from desktop_app.sandbox.directory import READER_UPN
from tests.conftest import REPO
from tests.integration.test_headless import CHILD
from tests.support.idp_client import Loopback, make_app, sign_in


def decode(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, "decode", *args],
        cwd=REPO,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.stderr.endswith("NO-QT"), result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    return result


def _info(sandbox: Sandbox, tmp_path: Path) -> list[str]:
    info = tmp_path / "sandbox.json"
    info.write_text(json.dumps(sandbox.info.as_json()))
    return ["--sandbox", "--sandbox-info", str(info), "--profile-dir", str(tmp_path / "p")]


def test_decode_verifies_sandbox_tokens_and_refuses_changed_ones(
    sandbox: Sandbox, loopback: Loopback, tmp_path: Path
) -> None:
    result = sign_in(sandbox, make_app(sandbox), loopback, [sandbox.info.api_scope], READER_UPN)
    settings = _info(sandbox, tmp_path)
    started = time.perf_counter()
    id_run = decode(result["id_token"], *settings)
    print(
        f"lanyard decode (child process, discovery + JWKS): {time.perf_counter() - started:.2f} s"
    )
    assert id_run.returncode == 0, id_run.stderr
    assert id_run.stdout.startswith("An ID token")
    assert "Signature verified" in id_run.stdout
    assert READER_UPN in id_run.stdout
    assert result["id_token"] not in id_run.stdout  # the token itself is never printed
    api = decode("--json", *settings, stdin=f"Bearer {result['access_token']}\n")
    assert api.returncode == 0, api.stderr
    answer = json.loads(api.stdout)
    assert answer["signature"]["verified"] is True
    assert "Orders.Read" in answer["payload"]["scp"].split()
    assert any("opaque strings" in note for note in answer["notes"])
    head, payload, signature = result["id_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["roles"] = ["Admin"]
    changed = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    tampered = decode("--json", f"{head}.{changed}.{signature}", *settings)
    assert tampered.returncode == 1
    assert json.loads(tampered.stdout)["signature"]["outcome"] == "not verified"


def test_decode_another_issuer_opaque_and_no_token(tmp_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    claims = {"iss": "https://login.other-tenant.invalid/t/v2.0", "sub": "s", "exp": 2**31}
    foreign = decode(jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k"}))
    assert foreign.returncode == 6, foreign.stderr
    assert "Signature cannot be checked" in foreign.stdout
    assert "login.other-tenant.invalid" in foreign.stdout
    opaque = decode("--json", "-", stdin="EwBwA8l6BAAUO9chh8cJscQLmU+LSWpbnr0vmwwAAQ")
    assert opaque.returncode == 6 and json.loads(opaque.stdout)["kind"] == "opaque"
    empty = decode("-", stdin="  \n")
    assert empty.returncode == 2 and "give a token" in empty.stderr
    hostile = decode("--json", "-", stdin="\u202e\x1b[31m" + "ä" * 2_000_000)
    assert hostile.returncode == 6 and "characters long" in json.loads(hostile.stdout)["summary"]
    header = base64.urlsafe_b64encode(b'{"alg":"RS256","kid":"k"}').decode().rstrip("=")
    evil = base64.urlsafe_b64encode(b'{"n": NaN, "x": "\\u001b[2J"}').decode().rstrip("=")
    weird = decode("--json", f"{header}.{evil}.x")
    assert weird.returncode == 6
    assert "\x1b" not in weird.stdout
