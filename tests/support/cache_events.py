"""msal token-cache events as msal's own acquire_token_* calls produce them (no network needed)."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import msal

CLIENT = "0c5f8f1a-7e21-4c8e-b3a4-6c1d9e2f7a10"
TID = "3f6a9c1e-5b2d-4e8f-9a7c-1d2e3f4a5b6c"
ENDPOINT = f"https://login.example/{TID}/oauth2/v2.0/token"


def b64(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def sign_in_event(oid: str, upn: str, serial: int = 0) -> dict[str, Any]:
    """What msal's cache receives after a sign-in (or, with a new ``serial``, a refresh)."""
    now = int(time.time())
    id_token = ".".join(
        [
            b64({"alg": "none"}),
            b64(
                {
                    "aud": CLIENT,
                    "iss": f"https://login.example/{TID}/v2.0",
                    "tid": TID,
                    "oid": oid,
                    "preferred_username": upn,
                    "exp": now + 3600,
                    "iat": now,
                }
            ),
            "sig",
        ]
    )
    return {
        "client_id": CLIENT,
        "scope": ["User.Read"],
        "token_endpoint": ENDPOINT,
        "response": {
            "access_token": f"at-{oid}-{serial}",
            "refresh_token": f"rt-{oid}-{serial}",
            "expires_in": 3600,
            "token_type": "Bearer",
            "scope": "User.Read",
            "id_token": id_token,
            "client_info": b64({"uid": oid, "utid": TID}),
        },
    }


def usernames(cache: msal.TokenCache) -> set[str]:
    return {a["username"] for a in cache.search(msal.TokenCache.CredentialType.ACCOUNT)}
