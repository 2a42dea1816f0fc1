from __future__ import annotations

import struct
import zlib

from desktop_app.sandbox import directory
from desktop_app.sandbox.avatar import render_png
from desktop_app.sandbox.directory import AppRegistration, Directory
from desktop_app.sandbox.idp import redirect_uri_matches


def test_seeded_users_cover_the_cases() -> None:
    d = Directory()
    lanyard = d.app(directory.LANYARD_CLIENT_ID)
    assert lanyard is not None
    assert lanyard.roles_for(directory.ADMIN_UPN) == ["Admin", "Reader"]
    assert lanyard.roles_for(directory.READER_UPN) == ["Reader"]
    assert lanyard.roles_for(directory.NO_ROLES_UPN) == []
    admin = d.user(directory.ADMIN_UPN)
    assert admin is not None and admin.has_photo
    grady = d.user(directory.NO_ROLES_UPN)
    assert grady is not None and not grady.has_photo and grady.job_title is None
    lynne = d.user(directory.OVERAGE_UPN)
    assert lynne is not None and len(set(lynne.groups)) == 250
    hostile = d.user(directory.HOSTILE_UPN)
    assert hostile is not None and "<script>" in (hostile.display_name or "")


def test_ids_are_fixed() -> None:
    assert directory.TENANT_ID == "3f6a9c1e-5b2d-4e8f-9a7c-1d2e3f4a5b6c"
    assert directory.LANYARD_CLIENT_ID == "0c5f8f1a-7e21-4c8e-b3a4-6c1d9e2f7a10"
    assert Directory().user(directory.ADMIN_UPN) == Directory().user(directory.ADMIN_UPN)


def test_password_and_lookup_are_case_insensitive_on_upn_only() -> None:
    d = Directory()
    assert d.check_password("MEGAN.BOWEN@contoso.test", "sandbox") is not None
    assert d.check_password(directory.ADMIN_UPN, "Sandbox") is None
    assert d.check_password("nobody@contoso.test", "sandbox") is None


def test_added_apps_and_roles() -> None:
    d = Directory()
    d.add_app(
        AppRegistration(
            "11111111-2222-3333-4444-555555555555",
            "Other",
            ["http://localhost"],
            ["Writer"],
            {"ALEX.WILBER@contoso.test": ["Writer", "Ghost"]},
        )
    )
    app = d.app("11111111-2222-3333-4444-555555555555")
    assert app is not None
    assert app.roles_for(directory.READER_UPN) == ["Writer"]  # undeclared roles are not emitted


def test_loopback_redirect_uris_match_on_any_port_only() -> None:
    assert redirect_uri_matches("http://localhost", "http://localhost:53124")
    assert redirect_uri_matches("http://localhost", "http://localhost:53124/")
    assert redirect_uri_matches("http://127.0.0.1", "http://127.0.0.1:8400")
    assert not redirect_uri_matches("http://localhost", "http://127.0.0.1:8400")
    assert not redirect_uri_matches("http://localhost", "https://localhost:8400")
    assert not redirect_uri_matches("http://localhost", "http://localhost:8400/other")
    assert not redirect_uri_matches("http://localhost", "http://localhost.evil.test:8400")
    assert not redirect_uri_matches("http://localhost", "http://localhost:99999")
    assert not redirect_uri_matches("https://app.test/cb", "https://app.test:444/cb")


def test_avatar_is_a_valid_png() -> None:
    data = render_png((10, 20, 30), (200, 100, 50), 32)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (32, 32)
    idat_len = struct.unpack(">I", data[33:37])[0]
    raw = zlib.decompress(data[41 : 41 + idat_len])
    assert len(raw) == 32 * (1 + 32 * 4)


def test_extra_users_are_ordinary_and_fixed() -> None:
    assert len(Directory().users) == 5  # the seeded ones only, unless asked
    more = Directory(extra=10)
    assert len(more.users) == 15
    staff = [more.user(directory.staff_upn(n)) for n in range(1, 11)]
    assert all(u is not None for u in staff)
    assert directory.staff_upn(10) == "staff10@contoso.test"
    oids = {u.oid for u in staff if u is not None}
    assert len(oids) == 10 and oids == {u.oid for u in directory.extra_users(10)}  # fixed
    first = staff[0]
    assert first is not None and more.user_by_oid(first.oid) is first
    assert more.check_password(first.upn, directory.PASSWORD) is first
    lanyard = more.app(directory.LANYARD_CLIENT_ID)
    assert lanyard is not None and lanyard.roles_for(first.upn) == []
