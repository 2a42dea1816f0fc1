"""The pages the browser shows when it comes back to Lanyard: branded, and plain text inside.

The template is resources/pages/landing.html; everything put into it is HTML-escaped, since the
error description comes from the redirect (anyone can post to the loopback port).
"""

from __future__ import annotations

import base64
import html
import logging
from collections.abc import Callable
from functools import cache
from string import Template

from desktop_app.core import paths
from desktop_app.core.i18n import N_, _, current_language, is_right_to_left
from desktop_app.core.text import shown

log = logging.getLogger(__name__)

MAX_DETAIL_CHARS = 500
_FALLBACK = Template(
    "<!doctype html><html lang='$lang' dir='$dir'><head><meta charset='utf-8'><title>$title — Lanyard</title></head>"
    "<body><h1>$heading</h1><p>$message</p><p>$detail</p></body></html>"
)


@cache
def _template() -> tuple[Template, str]:
    try:
        page = (paths.resources_dir() / "pages" / "landing.html").read_text("utf-8")
        logo = (paths.resources_dir() / "icons" / "lanyard.svg").read_bytes()
    except OSError as exc:  # a broken install still answers the browser
        log.warning("Landing page template missing: %s", exc.strerror)
        return _FALLBACK, ""
    return Template(page), base64.b64encode(logo).decode("ascii")


# Which sign-in the page ends: the same redirect ends a sign-in and Grant access (consent for
# one API's scopes, as the account already signed in), and each must say what happened.
SIGN_IN = "sign_in"
GRANT_ACCESS = "grant_access"
_WORDS = {
    SIGN_IN: {
        "ok_title": N_("Signed in"),
        "ok_heading": N_("You are signed in"),
        "ok_message": N_("You can close this tab and return to Lanyard."),
        "failed_title": N_("Sign-in did not complete"),
        "failed_message": N_("Return to Lanyard to see what happened and try again."),
    },
    GRANT_ACCESS: {
        "ok_title": N_("Access granted"),
        "ok_heading": N_("Access granted"),
        "ok_message": N_(
            "Lanyard can now call the API for you. You can close this tab and return to Lanyard."
        ),
        "failed_title": N_("Access was not granted"),
        "failed_message": N_("Return to Lanyard to see what happened; Grant access asks again."),
    },
}


def landing_page(response: dict[str, str], flow: str = SIGN_IN) -> str:
    """The page for the browser's redirect ``response`` (its query or form fields) at the end
    of ``flow`` (SIGN_IN or GRANT_ACCESS)."""
    template, logo = _template()
    words = _WORDS.get(flow, _WORDS[SIGN_IN])
    if "error" in response:
        # anything can post to the loopback port: the detail is shown as it is (core/text.py)
        detail = shown(
            response.get("error_description") or response["error"], limit=MAX_DETAIL_CHARS
        )
        values = {
            "status": "failed",
            "mark": "!",
            "title": _(words["failed_title"]),
            "heading": _(words["failed_title"]),
            "message": _(words["failed_message"]),
            "detail": detail,
        }
    else:
        values = {
            "status": "ok",
            "mark": "✓",
            "title": _(words["ok_title"]),
            "heading": _(words["ok_heading"]),
            "message": _(words["ok_message"]),
            "detail": "",
        }
    escaped = {key: html.escape(value, quote=True) for key, value in values.items()}
    # the page in Lanyard's language, mirrored for Arabic; the detail (the redirect's words,
    # untrusted) has dir="auto" in the template: its own direction
    language = current_language()
    direction = "rtl" if is_right_to_left(language) else "ltr"
    return template.safe_substitute(escaped, logo=logo, lang=language, dir=direction)


def page_for(flow: str) -> Callable[[dict[str, str]], str]:
    """The landing page function of one flow, for a LoopbackReceiver."""
    return lambda response: landing_page(response, flow)
