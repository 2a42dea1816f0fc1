"""--sandbox-info describes a sandbox on this computer, nothing else (session/services.py).
Found by attack: under a managed policy locking the app registration, the tenant and the proxy,
a description naming login.microsoftonline.com, another client id and the user's own CA was
obeyed whole (proxy dropped): a way round every lock, and round the user's own settings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app.core.config import load_config
from desktop_app.core.errors import ErrorKind, LanyardError
from desktop_app.session.services import described_api, running_sandbox
from tests.support.policy import use_policy

CLIENT = "11111111-2222-3333-4444-555555555555"
THEIRS = "99999999-8888-7777-6666-555555555555"


def _info(tmp_path: Path, base: str, **more: str) -> Path:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n")
    described = {
        "authority": f"{base}/fabrikam.com",
        "client_id": THEIRS,
        "graph_endpoint": f"{base}/v1.0",
        "ca_file": str(ca),
    } | more
    path = tmp_path / "info.json"
    path.write_text(json.dumps(described))
    return path


@pytest.mark.parametrize(
    ("authority", "graph"),
    [
        ("https://login.microsoftonline.com", "https://localhost:4443"),
        ("https://localhost:4443", "https://graph.microsoft.com"),
        ("https://127.0.0.1.example.net", "https://127.0.0.1:1"),
        ("http://localhost:4443", "https://localhost:4443"),
        ("https://10.0.0.1", "https://localhost:4443"),
    ],
)
def test_a_description_of_another_host_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, authority: str, graph: str
) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(
        f'[locked]\nclient_id = "{CLIENT}"\ntenant = "contoso.com"\n'
        'proxy = "http://proxy.corp:8080"\n'
    )
    use_policy(monkeypatch, policy)
    info = _info(tmp_path, authority)
    described = json.loads(info.read_text())
    described["graph_endpoint"] = f"{graph}/v1.0"
    info.write_text(json.dumps(described))
    config = load_config({}, {}, file_values={})
    with pytest.raises(LanyardError) as caught:
        running_sandbox(config, info, explicit_profile=True)
    assert caught.value.kind is ErrorKind.CONFIG
    assert caught.value.message.startswith("Setting 'sandbox_info' (--sandbox-info)")
    assert "is not a sandbox on this computer" in caught.value.message


@pytest.mark.parametrize(
    "base", ["https://localhost:4443", "https://127.0.0.1:4443", "https://[::1]:4443"]
)
def test_a_sandbox_on_this_computer_is_used(tmp_path: Path, base: str) -> None:
    info = _info(tmp_path, base, api_endpoint=f"{base}/api/v1", api_scope="api://orders/.default")
    config, _ = running_sandbox(load_config({}, {}, file_values={}), info, explicit_profile=True)
    assert config.authority == f"{base}/fabrikam.com" and config.client_id == THEIRS
    assert described_api(info) is not None


def test_an_api_on_another_host_is_not_offered(tmp_path: Path) -> None:
    info = _info(
        tmp_path,
        "https://localhost:4443",
        api_endpoint="https://api.example.net/v1",
        api_scope="api://orders/.default",
    )
    assert described_api(info) is None
