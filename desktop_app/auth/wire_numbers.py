"""Numbers the identity provider sends as strings, made numbers before msal reads them.

Entra's v1.0 endpoint and some compatible servers send the lifetimes of a token response as
JSON strings ("3599"). msal copes with some of them and not others:

- ``refresh_in``: msal's token cache does ``now + response["refresh_in"]`` (token_cache.py,
  "It is an integer") and ``application.py`` ``time.time() + result["refresh_in"]``: a string
  raises TypeError inside msal, so a token that was issued is lost and the sign-in fails.
- ``expires_in`` / ``ext_expires_in``, the device code's ``interval`` / ``expires_in``: msal
  does ``int()`` on them, which reads "3599" but raises ValueError on "3599.0" or "3.6e3".
- a float ``refresh_in`` (1800.5) is stored as the text of a float, which msal's
  ``int(entry["refresh_on"])`` then cannot read.

So every such field of a JSON answer is rewritten as an integer here, in the http_client msal is
given, before msal sees it. A value that is no number at all, or one past any time a clock holds
(claims.MAX_SECONDS): ``refresh_in`` is dropped (msal then
keeps no refresh-on time and Lanyard's own policy decides), a lifetime becomes 0, so the token
reads as expired (models.token_from_result says so) rather than as msal's default hour.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from desktop_app.auth.claims import seconds

log = logging.getLogger(__name__)

# top-level fields of token and device-code answers that hold seconds
SECONDS_FIELDS = ("expires_in", "ext_expires_in", "refresh_in", "refresh_token_expires_in")
DEVICE_FIELDS = ("interval",)
# msal keeps no time at all for these when absent; a lifetime that cannot be read is 0
_DROP_WHEN_UNREADABLE = frozenset({"refresh_in", "refresh_token_expires_in", "interval"})


def normalized(payload: dict[str, Any]) -> dict[str, Any] | None:
    """``payload`` with its second-counts as ints; None when nothing needed changing."""
    changed = dict(payload)
    touched = False
    for name in (*SECONDS_FIELDS, *DEVICE_FIELDS):
        if name not in payload:
            continue
        value = payload[name]
        if isinstance(value, int) and not isinstance(value, bool) and seconds(value) is not None:
            continue
        # a float too: msal writes str(now + 1800.5) and int()s it later; and an integer past
        # claims.MAX_SECONDS, which msal adds to time.time() (10**400: OverflowError)
        touched = True
        number = seconds(value)
        if number is not None:
            changed[name] = int(number)
        elif name in _DROP_WHEN_UNREADABLE:
            del changed[name]
        else:
            changed[name] = 0
        log.info(
            "The identity provider sent %s as %s; read as %s",
            name,
            type(value).__name__,
            changed.get(name, "absent"),
        )
    return changed if touched else None


def normalize_response(response: Any) -> Any:
    """The response with its JSON body's second-counts as ints (in place: msal reads ``text``)."""
    content = getattr(response, "_content", None)
    if not isinstance(content, bytes) or not content.lstrip().startswith(b"{"):
        return response
    try:
        payload = json.loads(content)
    except ValueError:
        return response
    if not isinstance(payload, dict):
        return response
    fixed = normalized(payload)
    if fixed is not None:
        response._content = json.dumps(fixed).encode()
        response.encoding = "utf-8"
    return response


class NumbersAsNumbers:
    """The http_client msal is given: the session's requests, answers normalized. Every other
    attribute is the session's own."""

    def __init__(self, session: Any) -> None:
        self._session = session

    def post(self, url: str, **kwargs: Any) -> Any:
        return normalize_response(self._session.post(url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> Any:
        return normalize_response(self._session.get(url, **kwargs))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)
