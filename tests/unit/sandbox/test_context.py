"""The prologue the token and device code endpoints share: a POST naming a known client."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from desktop_app.sandbox.context import IdpContext
from desktop_app.sandbox.directory import LANYARD_CLIENT_ID, Directory
from desktop_app.sandbox.errors import AadError
from desktop_app.sandbox.state import SandboxState
from desktop_app.sandbox.web import Request

UNKNOWN = "11111111-2222-4333-8444-555555555555"


def context(tmp_path: Path) -> IdpContext:
    tokens: Any = None  # not used by posted_client
    return IdpContext(
        Directory(), SandboxState(tmp_path, 3600, None), tokens, "https://b", "http://b"
    )


def request(method: str, form: dict[str, str]) -> Request:
    return Request(method, "/t/oauth2/v2.0/token", {}, form, {}, {}, b"", True, "https://b")


def test_a_post_naming_a_known_client_gives_its_registration(tmp_path: Path) -> None:
    ctx = context(tmp_path)
    app = ctx.posted_client(request("POST", {"client_id": LANYARD_CLIENT_ID}))
    assert app.client_id == LANYARD_CLIENT_ID
    upper = request("POST", {"client_id": LANYARD_CLIENT_ID.upper()})
    assert ctx.posted_client(upper) is app  # client ids compare without case


@pytest.mark.parametrize(
    ("method", "form", "error", "code"),
    [
        ("GET", {"client_id": LANYARD_CLIENT_ID}, "invalid_request", 900561),
        ("GET", {}, "invalid_request", 900561),  # the method is checked first
        ("POST", {}, "invalid_request", 900144),
        ("POST", {"client_id": ""}, "invalid_request", 900144),
        ("POST", {"client_id": UNKNOWN}, "unauthorized_client", 700016),
    ],
)
def test_anything_else_is_refused_as_entra_refuses_it(
    tmp_path: Path, method: str, form: dict[str, str], error: str, code: int
) -> None:
    with pytest.raises(AadError) as caught:
        context(tmp_path).posted_client(request(method, form))
    assert (caught.value.error, caught.value.code) == (error, code)
    if code == 900144:
        assert "'client_id'" in caught.value.message
