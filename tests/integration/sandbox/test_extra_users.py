"""``--extra-users``: the sandbox with more ordinary users (the 10-account benchmark figures),
each able to sign in and read its own /me."""

from __future__ import annotations

from desktop_app.sandbox import Sandbox
from desktop_app.sandbox.directory import staff_upn
from tests.support.idp_client import Loopback, get, make_app, sign_in


def test_an_extra_user_signs_in_and_reads_its_profile(loopback: Loopback) -> None:
    sandbox = Sandbox(extra_users=2)
    sandbox.start()
    try:
        result = sign_in(sandbox, make_app(sandbox), loopback, ["User.Read"], staff_upn(2))
        me = get(sandbox, f"{sandbox.info.graph_endpoint}/me", str(result["access_token"]))
        assert me.status_code == 200, me.text
        assert (me.json()["userPrincipalName"], me.json()["displayName"]) == (
            staff_upn(2),
            "Staff Member 02",
        )
    finally:
        sandbox.stop()


def test_the_command_line_asks_for_them() -> None:
    from desktop_app.sandbox.__main__ import _parse

    assert _parse(["--extra-users", "9"]).extra_users == 9
    assert _parse([]).extra_users == 0
