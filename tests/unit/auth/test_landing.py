"""The browser's landing pages: branded, and whatever the redirect carried shown as plain text."""

from __future__ import annotations

from desktop_app.auth.landing import GRANT_ACCESS, MAX_DETAIL_CHARS, SIGN_IN, landing_page, page_for
from tests.support.deceptive import deceptive_chars


def test_success_page_is_branded() -> None:
    page = landing_page({"code": "abc", "state": "s"})
    assert "You are signed in" in page
    assert "data:image/svg+xml;base64,PHN2Zy" in page  # the Lanyard logo, inline: no requests
    assert "abc" not in page  # the authorization code never appears in the page
    assert "$" not in page  # every placeholder filled


def test_error_page_escapes_the_description() -> None:
    hostile = '<script>alert(1)</script> & "quoted" ${logo}'
    page = landing_page({"error": "access_denied", "error_description": hostile})
    assert "Sign-in did not complete" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot; ${logo}" in page


def test_error_page_clips_a_huge_description() -> None:
    page = landing_page({"error": "x", "error_description": "A" * 100_000})
    assert "A" * MAX_DETAIL_CHARS + "…" in page
    assert "A" * (MAX_DETAIL_CHARS + 1) not in page


def test_error_page_shows_an_override_as_its_escape() -> None:
    # anything local can post to the loopback port: its words must not read as something else
    page = landing_page({"error": "x", "error_description": "Call \u202e0010-555 \u200bnow"})
    assert "Call \\u202e0010-555 \\u200bnow" in page
    assert deceptive_chars(page) == []


def test_each_flow_says_what_it_did() -> None:
    """The same redirect ends a sign-in and Grant access: each page names its own outcome."""
    signed_in = landing_page({"code": "abc", "state": "s"}, SIGN_IN)
    granted = page_for(GRANT_ACCESS)({"code": "abc", "state": "s"})
    assert "You are signed in" in signed_in and "Access granted" not in signed_in
    assert "<title>Access granted — Lanyard</title>" in granted
    assert "signed in" not in granted.lower()
    refused = page_for(GRANT_ACCESS)({"error": "consent_required", "error_description": "no"})
    assert "Access was not granted" in refused and "Sign-in did not complete" not in refused
    assert "$" not in granted and "$" not in refused
