"""Any token string, read the way jwt.ms reads it: its parts, header and payload as claims,
what kind of token it is, and how two tokens differ. No Qt, no network (the signature check is
token_verify.py's), and hostile input never raises: every string gets an Inspection.

Microsoft's note applies to every access token for an API that is not Lanyard's own: "client
applications ... should treat [access tokens] as opaque strings ... Tokens that a Microsoft API
receives might not always be a JWT that can be decoded"
(https://learn.microsoft.com/entra/identity-platform/access-tokens). So an opaque or encrypted
token is an answer ("cannot be read here"), not a failure.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from desktop_app.auth.claim_catalog import (
    TIMESTAMP_CLAIMS,
    ClaimRow,
    claim_rows,
    format_timestamp,
    groups_overage_note,
    relative,
)
from desktop_app.auth.claims import seconds
from desktop_app.core.i18n import _, number
from desktop_app.core.text import shown

# Entra's largest tokens (many claims, long groups) stay far below this; a paste beyond it is
# not a token anyone needs read, and is refused with a clear message instead of being decoded
MAX_TOKEN_CHARS = 256 * 1024
MAX_JSON_CHARS = 200_000  # the raw JSON shown, per part
ACCESS_TOKENS_DOC = "https://learn.microsoft.com/entra/identity-platform/access-tokens"
GRAPH_AUDIENCES = frozenset(
    {
        "https://graph.microsoft.com",
        "https://graph.microsoft.com/",
        "00000003-0000-0000-c000-000000000000",
    }
)
OPAQUE_NOTE = (
    "Microsoft: access tokens are meant for the API that receives them; a client should treat "
    "them as opaque strings, and tokens for Microsoft's APIs may not be JWTs that can be decoded "
    f"or validated ({ACCESS_TOKENS_DOC})."
)
_QUOTES = "\"'`“”‘’"
_PREFIX = re.compile(r"^(?:authorization\s*:\s*)?bearer\s+", re.IGNORECASE)
_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")

JWS, JWE, OPAQUE, EMPTY, TOO_LONG = "jws", "jwe", "opaque", "empty", "too long"


@dataclass(frozen=True)
class Inspection:
    """What one token string is. ``kind``: jws (a signed JWT: header and payload read), jwe
    (encrypted: only its header), opaque (not a JWT), empty, too long. ``problem``: why a part
    could not be read ('' when all could)."""

    token: str  # the cleaned token (a secret: never logged)
    kind: str
    parts: tuple[str, ...] = ()
    header: dict[str, Any] | None = None
    payload: dict[str, Any] | None = None
    problem: str = ""
    notes: tuple[str, ...] = ()
    inspected_at: float = field(default_factory=time.time)

    @property
    def readable(self) -> bool:
        return self.kind == JWS and self.payload is not None

    @property
    def summary(self) -> str:
        """What the token is, in one line."""
        if self.kind == EMPTY:
            return _("No token: paste one, drop one, or choose one Lanyard holds.")
        if self.kind == TOO_LONG:
            return self.problem
        if self.kind == JWE:
            return _(
                "An encrypted token (JWE, five parts): only its recipient can read the claims."
            )
        if self.kind == OPAQUE:
            return _("Not a JWT: {problem} It cannot be read here.").format(problem=self.problem)
        if self.payload is None:
            return _("A JWT whose payload cannot be read: {problem}").format(problem=self.problem)
        return (
            _("{token_type}, {len} claims. {lifetime}")
            .format(token_type=token_type(self), len=len(self.payload), lifetime=lifetime(self))
            .strip()
        )

    def header_rows(self) -> list[ClaimRow]:
        return _rows(self.header or {}, self.inspected_at)

    def payload_rows(self) -> list[ClaimRow]:
        return _rows(self.payload or {}, self.inspected_at)

    def header_json(self) -> str:
        return _json(self.header)

    def payload_json(self) -> str:
        return _json(self.payload)


def clean(text: str) -> str:
    """A pasted token without what often comes with it: surrounding whitespace and quotes, an
    'Authorization: Bearer ' prefix, and line breaks or spaces inside (a wrapped paste)."""
    text = text.strip().strip(_QUOTES).strip()
    text = _PREFIX.sub("", text)
    return "".join(text.split()).strip(_QUOTES)


def _b64json(segment: str, what: str) -> tuple[dict[str, Any] | None, str]:
    """A base64url JSON object, or None and why not."""
    if not _B64URL.match(segment):
        return None, _("the {what} is not base64url text.").format(what=what)
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        value = json.loads(raw.decode("utf-8"))
    except (binascii.Error, UnicodeError, ValueError, RecursionError):
        return None, _("the {what} is not base64url-encoded JSON.").format(what=what)
    if not isinstance(value, dict):
        return None, _("the {what} is JSON but not an object.").format(what=what)
    return value, ""


def inspect(text: str, now: float | None = None) -> Inspection:
    """Any string as an Inspection (never raises)."""
    at = time.time() if now is None else now
    if len(text) > 4 * MAX_TOKEN_CHARS:  # not even cleaned: a huge paste is not scanned
        return _too_long(len(text), at)
    token = clean(text)
    if not token:
        return Inspection("", EMPTY, inspected_at=at)
    if len(token) > MAX_TOKEN_CHARS:
        return _too_long(len(token), at)
    parts = tuple(token.split("."))
    if len(parts) == 5:
        header, problem = _b64json(parts[0], "header")
        if header is not None and "enc" in header:
            return Inspection(token, JWE, parts, header, None, "", (OPAQUE_NOTE,), at)
    if len(parts) != 3:
        count = _("no dots") if len(parts) == 1 else _("{len} parts").format(len=len(parts))
        why = _("a JWT has three parts separated by dots; this has {count}.").format(count=count)
        return Inspection(token, OPAQUE, parts, problem=why, notes=(OPAQUE_NOTE,), inspected_at=at)
    header, problem = _b64json(parts[0], "header")
    if header is None:
        return Inspection(
            token, OPAQUE, parts, problem=problem, notes=(OPAQUE_NOTE,), inspected_at=at
        )
    payload, problem = _b64json(parts[1], "payload")
    inspection = Inspection(token, JWS, parts, header, payload, problem, inspected_at=at)
    return Inspection(token, JWS, parts, header, payload, problem, _notes(inspection), at)


def _too_long(length: int, at: float) -> Inspection:
    problem = _(
        "This is {length} characters long; Lanyard reads tokens of up to {most} characters, "
        "and no token it meets is longer."
    ).format(length=number(length), most=number(MAX_TOKEN_CHARS))
    return Inspection("", TOO_LONG, problem=problem, inspected_at=at)


def is_access_token(inspection: Inspection) -> bool:
    payload = inspection.payload or {}
    header = inspection.header or {}
    return (
        "scp" in payload
        or str(header.get("typ", "")).lower() == "at+jwt"
        or ("roles" in payload and "nonce" not in payload and "appid" in payload)
    )


def is_graph_token(inspection: Inspection) -> bool:
    return str((inspection.payload or {}).get("aud", "")).lower() in GRAPH_AUDIENCES


def token_type(inspection: Inspection) -> str:
    if not is_access_token(inspection):
        return _("An ID token") if "nonce" in (inspection.payload or {}) else _("A JWT")
    return (
        _("An access token for Microsoft Graph")
        if is_graph_token(inspection)
        else (_("An access token"))
    )


def lifetime(inspection: Inspection) -> str:
    """'Expires in 55 min.' / 'Expired 3.0 h ago.' / 'Not valid for another 2 min.' / ''."""
    payload = inspection.payload or {}
    now = inspection.inspected_at
    nbf, exp = seconds(payload.get("nbf")), seconds(payload.get("exp"))
    if nbf is not None and nbf > now:
        return _("Not valid yet: it becomes valid {relative}.").format(relative=relative(nbf - now))
    if exp is None:
        return _("It carries no expiry time.")
    return (
        _("Expires {relative}.").format(relative=relative(exp - now))
        if exp > now
        else _("Expired {relative}.").format(relative=relative(exp - now))
    )


def _notes(inspection: Inspection) -> tuple[str, ...]:
    notes = []
    header = inspection.header or {}
    if str(header.get("alg", "")).lower() == "none":
        notes.append("This token is unsigned (alg: none): anyone could have written it.")
    if is_access_token(inspection):
        notes.append(OPAQUE_NOTE)
    overage = groups_overage_note(inspection.payload or {})
    if overage:
        notes.append(overage)
    return tuple(notes)


def _rows(claims: Mapping[str, Any], now: float) -> list[ClaimRow]:
    try:
        return claim_rows(claims, now)
    except (RecursionError, ValueError, TypeError):  # a value nested beyond showing
        return [
            ClaimRow(
                shown(str(name), one_line=True, limit=200), _("(too deeply nested to show)"), "", ""
            )
            for name in claims
        ]


def _json(value: dict[str, Any] | None) -> str:
    if value is None:
        return ""
    try:
        text = json.dumps(value, indent=2, ensure_ascii=False)
    except (RecursionError, ValueError, TypeError):
        return _("(too deeply nested to show)")
    return shown(text, for_json=True, limit=MAX_JSON_CHARS)


@dataclass(frozen=True)
class ClaimChange:
    name: str  # "header alg" for a header field; the claim's name for the payload's
    change: str  # "added" / "removed" / "changed"
    before: str
    after: str


def _value_text(name: str, value: object, now: float) -> str:
    if value is None:
        return ""
    if name in TIMESTAMP_CLAIMS:
        return shown(format_timestamp(value, now), one_line=True, limit=400)
    text = value if isinstance(value, str) else _compact(value)
    return shown(text, one_line=True, limit=400)


def _compact(value: object) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (RecursionError, ValueError, TypeError):
        return _("(too deeply nested to show)")


def _same(left: object, right: object) -> bool:
    try:
        return _compact(left) == _compact(right) and type(left) is type(right)
    except RecursionError:
        return False


def diff(before: Inspection, after: Inspection) -> list[ClaimChange]:
    """The claims ``after`` added, removed or changed against ``before`` (header fields named
    'header …'), in the order of the later token, removed ones last."""
    changes: list[ClaimChange] = []
    now = after.inspected_at
    for prefix, old, new in (
        ("header ", before.header or {}, after.header or {}),
        ("", before.payload or {}, after.payload or {}),
    ):
        for name in new:
            label = shown(f"{prefix}{name}", one_line=True, limit=200)
            if name not in old:
                changes.append(ClaimChange(label, "added", "", _value_text(name, new[name], now)))
            elif not _same(old[name], new[name]):
                changes.append(
                    ClaimChange(
                        label,
                        "changed",
                        _value_text(name, old[name], now),
                        _value_text(name, new[name], now),
                    )
                )
        for name in old:
            if name not in new:
                label = shown(f"{prefix}{name}", one_line=True, limit=200)
                changes.append(ClaimChange(label, "removed", _value_text(name, old[name], now), ""))
    return changes
