"""The demo with --profile-dir signs in through the browser after a restart (issue 14, item 8).

msal's discovery (the OpenID configuration, naming the sign-in page's address) is saved in the
profile; the sandbox's sign-in pages listen on a port of their own. The sandbox keeps both ports
when they are free; when the sign-in pages' port is taken by then, they come back on another,
the saved discovery names a dead page, and the auth client must notice (a refused connection)
and discover again, instead of sending the browser there and waiting five minutes."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

from desktop_app.core.config import Config
from desktop_app.session.services import build_services
from tests.support.sandbox_helpers import browser_sign_in

SIGN_IN_TIMEOUT_S = 30  # what browser_sign_in waits at most; far below the window's 5 minutes


def _start_and_sign_in(profile: Path) -> tuple[int, int, float, list[dict[str, object]]]:
    """One demo start with ``profile``: its HTTPS and sign-in page ports, how long the browser
    sign-in took, and the sandbox's request log."""
    services = build_services(Config(sandbox=True, profile_dir=profile), True)
    try:
        assert services.sandbox is not None
        info = services.sandbox.info
        started = time.monotonic()
        token = browser_sign_in(services.auth, timeout=SIGN_IN_TIMEOUT_S)
        took = time.monotonic() - started
        assert token.access_token
        assert services.graph.me(token.access_token).displayName
        log = services.sandbox.requests()
    finally:
        services.close()
    https, pages = urlsplit(info.base_url).port, urlsplit(info.browser_base_url).port
    assert https and pages
    return https, pages, took, log


def _discoveries(log: list[dict[str, object]]) -> int:
    return sum(1 for r in log if str(r["path"]).endswith("/.well-known/openid-configuration"))


def test_two_starts_sign_in_through_the_browser_on_the_same_ports(
    tmp_path: Path,
    standin_browser,  # type: ignore[no-untyped-def]
) -> None:
    profile = tmp_path / "demo"
    standin_browser(str(profile / "sandbox-idp" / "ca.pem"))
    first = _start_and_sign_in(profile)
    second = _start_and_sign_in(profile)
    assert second[:2] == first[:2]  # both ports remembered in the profile
    assert _discoveries(second[3]) == 0  # the saved discovery was right, and used


def test_a_sign_in_page_port_taken_by_the_next_start_is_rediscovered(
    tmp_path: Path,
    standin_browser,  # type: ignore[no-untyped-def]
) -> None:
    profile = tmp_path / "demo"
    standin_browser(str(profile / "sandbox-idp" / "ca.pem"))
    first = _start_and_sign_in(profile)
    # the old sign-in page port bound but not listening: the sandbox cannot have it, and a
    # connection to it is refused, as to a page whose server went away
    blocker = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        blocker.bind(("127.0.0.1", first[1]))
        second = _start_and_sign_in(profile)
    finally:
        blocker.close()
    assert second[0] == first[0] and second[1] != first[1]  # only the taken port moved
    assert second[2] < SIGN_IN_TIMEOUT_S
    assert _discoveries(second[3]) == 1  # the saved discovery dropped, and asked once more
    third = _start_and_sign_in(profile)
    assert third[1] == second[1]  # the new port is the one remembered now
    assert _discoveries(third[3]) == 0
