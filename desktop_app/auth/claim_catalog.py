"""What each ID-token claim means, in plain words, and how to show its value.

The Token & claims panel lists every claim; this module turns one (name, value) pair into the
text a person reads. Values are untrusted: anything is turned into bounded plain text.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from desktop_app.auth.claims import seconds
from desktop_app.core.i18n import N_, _, digits, number, relative_time
from desktop_app.core.text import shown

# Entra's claims, as documented for ID tokens (v2.0) and the optional claims people meet most.
DESCRIPTIONS: dict[str, str] = {
    "aud": N_("Audience: the application (client ID) this token was issued to."),
    "iss": N_("Issuer: the security token service that issued the token, with its tenant."),
    "iat": N_("Issued at: when the token was issued."),
    "nbf": N_("Not before: the token is not valid before this time."),
    "exp": N_("Expires: the token must not be accepted after this time."),
    "aio": N_("An internal value Entra ID uses to reuse tokens; not meant to be read."),
    "auth_time": N_("When you last entered your credentials."),
    "idp": N_("Identity provider that authenticated you, when it is not the token's tenant."),
    "name": N_("Your display name, for showing only; it can change and is not unique."),
    "nonce": N_("A value from Lanyard's sign-in request, echoed back to stop replayed tokens."),
    "oid": N_("Object ID: your immutable identifier in this tenant (the same in every app)."),
    "preferred_username": N_("The username you signed in with; it can change."),
    "email": N_("An email address of yours, if the tenant provides one."),
    "login_hint": N_(
        "An opaque hint naming your account: Lanyard hands it to the sign-out page "
        "(logout_hint), so signing out in the browser asks no 'which account?'."
    ),
    "rh": N_("An internal value Entra ID uses to revalidate tokens; not meant to be read."),
    "roles": N_("App roles assigned to you in this application (by an administrator)."),
    "groups": N_("Object IDs of the security groups you are a member of."),
    "wids": N_("Directory roles you hold in the tenant (template IDs, e.g. Global Reader)."),
    "sid": N_("Session ID: identifies your sign-in session, used for signing out."),
    "sub": N_("Subject: a pairwise identifier for you, unique to this application."),
    "tid": N_("Tenant ID: the directory you signed in to."),
    "uti": N_("Token identifier, used by Entra ID to revoke tokens; not meant to be read."),
    "ver": N_("Version of the token format (1.0 or 2.0)."),
    "hasgroups": N_("You are in too many groups to list: ask Microsoft Graph for them."),
    "_claim_names": N_("Groups overage: the groups are not in the token; they must be fetched."),
    "_claim_sources": N_("Where to fetch the claims that did not fit in the token."),
    "acct": N_("Account status in the tenant: 0 member, 1 guest."),
    "ctry": N_("Country or region of the user."),
    "tenant_ctry": N_("Country or region of the tenant."),
    "upn": N_("User principal name."),
    "family_name": N_("Your last name."),
    "given_name": N_("Your first name."),
    "ipaddr": N_("The IP address you signed in from."),
    "onprem_sid": N_("Your security identifier in on-premises Active Directory."),
    "pwd_exp": N_("When your password expires."),
    "xms_cc": N_("Client capabilities Lanyard declared (cp1: it handles claims challenges)."),
    "amr": N_("How you authenticated (password, MFA, ...)."),
    "acr": N_("Authentication context class reference."),
    "azp": N_("Authorized party: the application that requested the token."),
    "azpacr": N_("How the requesting application authenticated (0: public client)."),
    "scp": N_("Scopes (delegated permissions) granted to the application."),
    "appid": N_("The application that requested the token (v1.0 tokens)."),
}
TIMESTAMP_CLAIMS = frozenset({"iat", "nbf", "exp", "auth_time", "pwd_exp"})
MAX_VALUE_CHARS = 600  # a hostile token can carry megabytes; the table shows a readable part


@dataclass(frozen=True)
class ClaimRow:
    name: str
    value: str  # plain text, bounded
    description: str
    full_value: str  # what Copy puts on the clipboard (bounded too, but larger)


def _clip(text: str, limit: int) -> str:
    """``text`` as it is shown (core/text.py: invisible characters made visible), cut at
    ``limit`` characters of the original, whose length it then gives."""
    # the escapes grow a character to at most ten: a generous limit for shown() never cuts
    if len(text) <= limit:
        return shown(text, limit=10 * limit)
    return _("{shown}… ({count} characters)").format(
        shown=shown(text[:limit], limit=10 * limit), count=number(len(text))
    )


def format_timestamp(value: object, now: float | None = None) -> str:
    """An epoch-seconds claim as a local time, with how long ago or ahead it is. A number sent
    as a string ("1700000000", as some issuers do) is read, and said to have come as text."""
    number = seconds(value)
    if number is None:
        return _plain(value)
    try:
        local = digits(time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(number)))
    except (OverflowError, OSError, ValueError):
        return _plain(value)
    now = time.time() if now is None else now
    text = f"{local} ({relative(number - now)})"
    return _("{text}, sent as text").format(text=text) if isinstance(value, str) else text


def relative(seconds: float) -> str:
    """'in 5 min' / '3.0 h ago' / 'now', in the language in force."""
    return relative_time(seconds)


def _plain(value: object) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        return repr(value)


def describe(name: str) -> str:
    return _(DESCRIPTIONS[name]) if name in DESCRIPTIONS else ""


def claim_rows(claims: Mapping[str, Any], now: float | None = None) -> list[ClaimRow]:
    """Every claim as a row: known claims in the catalog's order first, then the rest by name."""
    order = {name: index for index, name in enumerate(DESCRIPTIONS)}
    names = sorted(claims, key=lambda n: (order.get(n, len(order)), str(n)))
    rows = []
    for name in names:
        raw = claims[name]
        if name in TIMESTAMP_CLAIMS:
            text = format_timestamp(raw, now)
        elif isinstance(raw, list) and all(isinstance(item, str) for item in raw):
            text = ", ".join(raw)
        else:
            text = _plain(raw)
        safe_name = _clip(str(name), 200)
        rows.append(
            ClaimRow(
                safe_name,
                _clip(text, MAX_VALUE_CHARS),
                describe(str(name)),
                _clip(text, 200_000),
            )
        )
    return rows


def groups_overage_note(claims: Mapping[str, Any]) -> str:
    """Why the groups are missing from the token, when Entra left them out; else ''."""
    names = claims.get("_claim_names")
    if (isinstance(names, dict) and "groups" in names) or claims.get("hasgroups") is True:
        return _(
            "Groups overage: you are a member of more groups than fit in a token (over 200), so "
            "Entra ID left them out and points to Microsoft Graph instead. Apps that need your "
            "groups must ask Graph (/me/getMemberObjects) rather than read the token."
        )
    return ""
