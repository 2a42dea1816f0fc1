"""The proxy setting (issue 14, item 7): every request Lanyard makes (msal's, Graph's, the photo,
Call an API, the headless commands) goes through a real (loopback) CONNECT proxy when one is
configured, and never through the environment's HTTPS_PROXY; a proxy that is down says so."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlparse

import pytest

from desktop_app.core.config import load_config
from desktop_app.core.errors import ErrorKind, LanyardError
from desktop_app.graph.api_call import ApiRequest
from desktop_app.sandbox import Sandbox
from desktop_app.session.services import build_services
from tests.conftest import REPO
from tests.support.connect_proxy import ConnectProxy, unused_port
from tests.support.sandbox_helpers import browser_sign_in, sandbox_config

NOWHERE = "http://127.0.0.1:{port}"


def test_sign_in_and_graph_go_through_the_configured_proxy(
    sandbox: Sandbox,
    tmp_path: Path,
    standin_browser,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    standin_browser(sandbox.info.ca_file)  # the browser talks to the sandbox directly
    # the environment names a proxy that is down: the configured one must win over it
    dead = NOWHERE.format(port=unused_port())
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, dead)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")  # nor may NO_PROXY bypass it
    with ConnectProxy() as proxy:
        services = build_services(replace(sandbox_config(sandbox, tmp_path), proxy=proxy.url))
        try:
            services.auth.open()  # msal reads the OpenID configuration
            token = browser_sign_in(services.auth)  # msal redeems the code
            through_msal = len(proxy.tunnels)
            profile = services.graph.me(token.access_token)
        finally:
            services.close()
    sandbox_host = urlparse(sandbox.info.authority).netloc
    assert through_msal >= 1
    assert len(proxy.tunnels) > through_msal  # Graph's own session went through it too
    assert set(proxy.tunnels) == {sandbox_host}
    assert profile.displayName


def test_proxy_credentials_from_the_url(
    sandbox: Sandbox, tmp_path: Path, app_logging: Path
) -> None:
    with ConnectProxy(credentials=("lanyard", "p@ss:word")) as proxy:
        good = proxy.url_with("lanyard", "p%40ss%3Aword")  # percent-encoded in the URL
        services = build_services(replace(sandbox_config(sandbox, tmp_path), proxy=good))
        try:
            services.auth.open()
        finally:
            services.close()
        assert proxy.tunnels
        assert proxy.refused == 0

        bad = proxy.url_with("lanyard", "wrong")
        # a fresh profile: msal's persisted http_cache would answer from the first run
        fresh = sandbox_config(sandbox, tmp_path / "second")
        services = build_services(replace(fresh, proxy=bad))
        try:
            with pytest.raises(LanyardError) as caught:
                services.auth.open()
        finally:
            services.close()
        assert proxy.refused >= 1
    assert "proxy" in caught.value.message
    assert "wrong" not in caught.value.support_text()
    logged = app_logging.read_text(encoding="utf-8")
    assert "ProxyError" in logged  # the failure was logged (verbose logging is on)
    for secret in ("p%40ss", "p@ss", "wrong"):
        assert secret not in logged


def test_a_proxy_that_is_down_says_so(sandbox: Sandbox, tmp_path: Path) -> None:
    dead = NOWHERE.format(port=unused_port())
    services = build_services(replace(sandbox_config(sandbox, tmp_path), proxy=dead))
    try:
        with pytest.raises(LanyardError) as caught:
            services.auth.open()
        with pytest.raises(LanyardError) as graph_caught:
            services.graph.me("not-a-token")
    finally:
        services.close()
    for error in (caught.value, graph_caught.value):
        assert error.kind is ErrorKind.NETWORK
        assert "could not reach the proxy" in error.message
        assert "proxy" in error.recommendation.lower()


def _settings(sandbox: Sandbox, profile: Path, proxy: str | None) -> dict[str, str]:
    """What a person sets for an identity provider of their own (not --sandbox, which never
    uses a proxy): client id, authority, Graph endpoint, CA, and the proxy when given."""
    info = sandbox.info
    flags = {
        "client_id": info.client_id,
        "authority": info.authority,
        "graph_endpoint": info.graph_endpoint,
        "ca_bundle": info.ca_file,
        "profile_dir": str(profile),
    }
    if proxy:
        flags["proxy"] = proxy
    return flags


def _every_kind_of_request(sandbox: Sandbox, flags: dict[str, str], tmp_path: Path) -> None:
    """Sign-in (the OpenID configuration, keys, the code redeemed), a forced refresh, Graph /me,
    the photo and Call an API in-process; then `lanyard whoami` and `lanyard token` in a child
    process with the same settings as flags."""
    services = build_services(load_config(flags, env={}, file_values={}))
    try:
        services.auth.open()
        token = browser_sign_in(services.auth)
        account = services.auth.accounts()[0]
        services.auth.silent(account, force_refresh=True)
        assert services.graph.me(token.access_token).displayName
        services.graph.photo(token.access_token)
        assert services.api is not None
        answer = services.api.call(
            ApiRequest(f"{sandbox.info.graph_endpoint}/me", ("User.Read",)), token.access_token
        )
        assert answer.status == 200
    finally:
        services.close()
    args = [f"--{key.replace('_', '-')}={value}" for key, value in flags.items()]
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANYARD_")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "no-config")
    for command in ("whoami", "token"):
        result = subprocess.run(
            [sys.executable, "-m", "desktop_app", command, *args],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr


def _lanyards_requests(sandbox: Sandbox, since: int) -> list[dict[str, object]]:
    """Lanyard's requests to the sandbox: not the sign-in pages, which are the browser's."""
    return [r for r in sandbox.requests()[since:] if r.get("kind") != "page"]


def test_every_request_goes_through_the_configured_proxy(
    sandbox: Sandbox,
    tmp_path: Path,
    standin_browser,  # type: ignore[no-untyped-def]
) -> None:
    standin_browser(sandbox.info.ca_file)
    before = len(sandbox.requests())
    with ConnectProxy() as proxy:
        _every_kind_of_request(sandbox, _settings(sandbox, tmp_path / "p", proxy.url), tmp_path)
    seen = _lanyards_requests(sandbox, before)
    direct = [
        f"{r['method']} {r['path']}" for r in seen if r["peer_port"] not in proxy.upstream_ports
    ]
    assert direct == []  # not one request went past the proxy
    paths = {str(r["path"]) for r in seen}
    assert any(p.endswith("/oauth2/v2.0/token") for p in paths)
    assert {"/v1.0/me", "/v1.0/me/photo/$value"} <= paths
    grants = [r["grant_type"] for r in seen if r["grant_type"]]
    assert "authorization_code" in grants
    assert "refresh_token" in grants  # the forced refresh
    # /me from Graph's session, Call an API's and `lanyard whoami`'s
    assert [r["path"] for r in seen].count("/v1.0/me") >= 3


def test_without_a_configured_proxy_the_environment_is_not_followed(
    sandbox: Sandbox,
    tmp_path: Path,
    standin_browser,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """HTTPS_PROXY and the like never take Lanyard's requests anywhere (the README: only the
    proxy setting does); here they name a recording proxy, which sees nothing."""
    standin_browser(sandbox.info.ca_file)
    names = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY")
    # the browser is not Lanyard: it follows the variables (and the proxy carries no plain
    # http to the loopback receiver), so it is started without them
    unset = " ".join(f"-u {name}" for name in names)
    monkeypatch.setenv("BROWSER", f"env {unset} {os.environ['BROWSER']}")
    with ConnectProxy() as proxy:
        for name in names:
            monkeypatch.setenv(name, proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        before = len(sandbox.requests())
        _every_kind_of_request(sandbox, _settings(sandbox, tmp_path / "p", None), tmp_path)
    assert proxy.asked == []
    assert [r["path"] for r in _lanyards_requests(sandbox, before)].count("/v1.0/me") >= 3


def test_a_failure_with_an_environment_proxy_says_where_the_setting_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", NOWHERE.format(port=unused_port()))
    port = unused_port()  # nothing listens: the connection is refused
    flags = {
        "client_id": "00000000-0000-0000-0000-000000000001",
        "authority": f"https://127.0.0.1:{port}/tenant",
        "profile_dir": str(tmp_path),
    }
    services = build_services(load_config(flags, env={}, file_values={}))
    try:
        with pytest.raises(LanyardError) as caught:
            services.auth.open()
    finally:
        services.close()
    assert f"127.0.0.1:{port}" in caught.value.message
    assert "could not be reached" in caught.value.message
    assert "LANYARD_PROXY" in caught.value.recommendation
