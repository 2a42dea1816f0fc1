"""Helpers for tests that drive real msal against the sandbox."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

from desktop_app.auth.browser import open_browser
from desktop_app.auth.client import AuthClient, AuthSettings
from desktop_app.auth.loopback import LoopbackReceiver
from desktop_app.auth.models import TokenResult
from desktop_app.core import net
from desktop_app.core.config import Config
from desktop_app.core.errors import LanyardError
from desktop_app.sandbox import Sandbox


def auth_client(
    sandbox: Sandbox,
    profile_dir: Path,
    scopes: tuple[str, ...] = ("User.Read",),
    on_notice: Callable[[LanyardError], None] | None = None,
    allow_plaintext_cache: bool = True,
) -> AuthClient:
    info = sandbox.info
    settings = AuthSettings(
        info.client_id,
        info.authority,
        scopes,
        profile_dir,
        instance_discovery=False,
        allow_plaintext_cache=allow_plaintext_cache,
    )
    return AuthClient(settings, net.make_session(info.ca_file, proxy=None), on_notice)


def sandbox_config(sandbox: Sandbox, profile_dir: Path) -> Config:
    info = sandbox.info
    return Config().for_sandbox(
        authority=info.authority,
        client_id=info.client_id,
        graph_endpoint=info.graph_endpoint,
        ca_file=Path(info.ca_file),
        profile_dir=profile_dir,
    )


def browser_sign_in(
    client: AuthClient, login_hint: str | None = None, timeout: float = 30
) -> TokenResult:
    """The interactive flow as the window runs it, with whatever BROWSER is set to."""
    state = secrets.token_urlsafe(16)
    receiver = LoopbackReceiver(state)
    try:
        pending = client.begin_sign_in(receiver.redirect_uri, state, login_hint=login_hint)
        assert open_browser(pending.auth_uri), "no browser could be started"
        response = receiver.wait(timeout)
    finally:
        receiver.close()
    return client.finish_sign_in(pending, response)


def idp_requests(sandbox: Sandbox) -> list[dict[str, object]]:
    return [r for r in sandbox.requests() if r.get("kind") == "idp"]


def files_holding(root: Path, secrets: list[str]) -> dict[str, list[str]]:
    """Every file under ``root`` (binary or not) that contains one of ``secrets``, and which."""
    found: dict[str, list[str]] = {}
    wanted = [(s, s.encode()) for s in secrets]
    for path in root.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue
        hits = [s[:12] + "…" for s, raw in wanted if raw in data]
        if hits:
            found[str(path)] = hits
    return found


def sign_in(sandbox: Sandbox, tmp_path: Path, standin_browser, user: str) -> str:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, user)
    return browser_sign_in(auth_client(sandbox, tmp_path), login_hint=user).access_token


def headless_profile(
    sandbox: Sandbox, tmp: Path, upn: str, lifetime_s: int | None = None
) -> list[str]:
    """A profile signed in to ``sandbox`` as ``upn`` through the stand-in browser, and the flags
    that point a ``lanyard`` command at it (the sandbox's info file, the profile). With
    ``lifetime_s`` the sandbox issues tokens that short-lived first."""
    import json
    import sys

    import pytest

    from desktop_app.session.services import build_services
    from tests.conftest import STANDIN_BROWSER

    info = tmp / "sandbox.json"
    info.write_text(json.dumps(sandbox.info.as_json()))
    profile = tmp / "profile"
    if lifetime_s is not None:
        sandbox.set_token_lifetime(lifetime_s)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BROWSER", f"{sys.executable} {STANDIN_BROWSER} --detach")
        patch.setenv("STANDIN_CA", sandbox.info.ca_file)
        patch.setenv("STANDIN_LOG", str(tmp / "standin.log"))
        patch.setenv("STANDIN_USER", upn)
        services = build_services(Config(sandbox=True, profile_dir=profile), True, None, info)
        try:
            browser_sign_in(services.auth)
        finally:
            services.close()
    return ["--sandbox", "--sandbox-info", str(info), "--profile-dir", str(profile)]
