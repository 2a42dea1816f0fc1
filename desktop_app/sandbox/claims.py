"""The `claims` request parameter and the claims values the sandbox hands out in challenges.

msal sends `claims` on every token request of a client that declared capabilities
(`{"access_token": {"xms_cc": {"values": ["cp1"]}}}`), merged with any claims challenge it was
given (a CAE `nbf` demand, or the `capolids` of a conditional access error).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from desktop_app.sandbox.errors import AadError


@dataclass(frozen=True)
class ClaimsRequest:
    capabilities: tuple[str, ...] = ()  # access_token.xms_cc.values, e.g. ("cp1",)
    challenge: bool = False  # asks for more than capabilities (it answers a claims challenge)

    def log_fields(self) -> dict[str, Any]:
        return {
            "claims": True,
            "client_capabilities": list(self.capabilities),
            "claims_challenge": self.challenge,
        }


def parse_claims(raw: str | None) -> ClaimsRequest | None:
    """None without a `claims` parameter; AadError (AADSTS90100) when it is not a JSON object."""
    if raw is None or not raw.strip():
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise AadError("invalid_request", 90100, "The 'claims' parameter is not valid JSON.")
    capabilities: tuple[str, ...] = ()
    challenge = False
    for target, requested in value.items():
        for name, spec in requested.items():
            if target == "access_token" and name == "xms_cc" and isinstance(spec, dict):
                values = spec.get("values")
                if isinstance(values, list):
                    capabilities = tuple(str(v) for v in values)
            else:
                challenge = True
    return ClaimsRequest(capabilities, challenge)


def cae_challenge(event_time: int) -> str:
    """The base64 `claims` of a CAE insufficient_claims challenge: a token newer than the event."""
    claims = {"access_token": {"nbf": {"essential": True, "value": str(event_time)}}}
    text = json.dumps(claims, separators=(",", ":"))
    return base64.b64encode(text.encode()).decode("ascii")


def conditional_access_claims(policy_id: str) -> str:
    """The `claims` of an AADSTS50076 error: satisfy this conditional access policy."""
    claims = {"access_token": {"capolids": {"essential": True, "values": [policy_id]}}}
    return json.dumps(claims, separators=(",", ":"))
