"""The pages the browser shows when it comes back to Lanyard: branded, and plain text inside.

The template is resources/pages/landing.html; everything put into it is HTML-escaped, since the
error description comes from the redirect (anyone can post to the loopback port).
"""

from __future__ import annotations

import base64
import html
import logging
from functools import cache
from string import Template

from desktop_app.core import paths
from desktop_app.core.text import shown

log = logging.getLogger(__name__)

MAX_DETAIL_CHARS = 500
_FALLBACK = Template(
    "<!doctype html><html><head><meta charset='utf-8'><title>$title — Lanyard</title></head>"
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


def landing_page(response: dict[str, str]) -> str:
    """The page for the browser's redirect ``response`` (its query or form fields)."""
    template, logo = _template()
    if "error" in response:
        # anything can post to the loopback port: the detail is shown as it is (core/text.py)
        detail = shown(
            response.get("error_description") or response["error"], limit=MAX_DETAIL_CHARS
        )
        values = {
            "status": "failed",
            "mark": "!",
            "title": "Sign-in did not complete",
            "heading": "Sign-in did not complete",
            "message": "Return to Lanyard to see what happened and try again.",
            "detail": detail,
        }
    else:
        values = {
            "status": "ok",
            "mark": "✓",
            "title": "Signed in",
            "heading": "You are signed in",
            "message": "You can close this tab and return to Lanyard.",
            "detail": "",
        }
    escaped = {key: html.escape(value, quote=True) for key, value in values.items()}
    return template.safe_substitute(escaped, logo=logo)
