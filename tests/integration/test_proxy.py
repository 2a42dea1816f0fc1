"""The proxy setting: real msal and real Graph calls go through a real (loopback) CONNECT proxy,
the environment's proxy variables cannot replace it, and a proxy that is down or refuses says so."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import urlparse

import pytest

from desktop_app.core.errors import ErrorKind, LanyardError
from desktop_app.sandbox import Sandbox
from desktop_app.session.services import build_services
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


def test_without_a_configured_proxy_the_environment_applies(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The documented default: people behind a proxy set HTTPS_PROXY once for every program."""
    with ConnectProxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        services = build_services(sandbox_config(sandbox, tmp_path))
        try:
            services.auth.open()
        finally:
            services.close()
        assert proxy.tunnels
