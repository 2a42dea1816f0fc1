"""TLS trust is exactly what Lanyard configures: the environment cannot widen or narrow it."""

from __future__ import annotations

from pathlib import Path

import certifi
import pytest

from desktop_app.auth.client import AuthClient, AuthSettings
from desktop_app.core import net
from desktop_app.core.errors import ErrorKind, LanyardError
from desktop_app.sandbox import Sandbox


def test_environment_bundle_cannot_make_an_untrusted_server_trusted(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", sandbox.info.ca_file)
    monkeypatch.setenv("CURL_CA_BUNDLE", sandbox.info.ca_file)
    info = sandbox.info
    client = AuthClient(
        AuthSettings(
            info.client_id, info.authority, ("User.Read",), tmp_path, instance_discovery=False
        ),
        net.make_session(certifi.where(), proxy=None),  # what a real-cloud configuration trusts
    )
    with pytest.raises(LanyardError) as caught:
        client.open()
    assert caught.value.kind is ErrorKind.NETWORK
    assert "certificate" in caught.value.message


def test_environment_bundle_cannot_break_configured_trust(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    session = net.make_session(sandbox.info.ca_file, proxy=None)
    response = session.get(f"{sandbox.info.authority}/v2.0/.well-known/openid-configuration")
    assert response.status_code == 200


def test_combined_bundle_trusts_both(sandbox: Sandbox, tmp_path: Path) -> None:
    path = net.trust_bundle(Path(sandbox.info.ca_file), tmp_path)
    assert Path(path).read_bytes().startswith(Path(certifi.where()).read_bytes()[:100])
    assert net.trust_bundle(Path(sandbox.info.ca_file), tmp_path) == path  # written once
    assert (
        net.make_session(path, proxy=None)
        .get(f"{sandbox.info.authority}/v2.0/.well-known/openid-configuration")
        .ok
    )
