"""Injected faults: what they are, which endpoint each applies to, and how many requests it takes.

A fault names an endpoint (see ENDPOINTS) and an effect: an HTTP status (with an error body in
the endpoint's own shape, or plain text, or a truncated "malformed" JSON body), added latency, a
connection that hangs, or one that is reset, a body sent slowly in pieces (slow_body_ms), or
one that trickles in a byte at a time (trickle_ms: every answer, the real one or a status
fault's). Faults for one endpoint apply in the order they were added; each takes `count`
requests (None: every request until cleared).
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import asdict, dataclass, fields
from typing import Any

# Endpoint names -> what they cover. Control API paths (/_sandbox/...) are never faulted.
ENDPOINTS: dict[str, str] = {
    "openid-configuration": "GET /{tenant}/v2.0/.well-known/openid-configuration",
    "instance-discovery": "GET /common/discovery/instance",
    "keys": "GET /{tenant}/discovery/v2.0/keys",
    "authorize": "/{tenant}/oauth2/v2.0/authorize (the browser's first page)",
    "sign-in": "POST /{tenant}/login, /{tenant}/mfa, /{tenant}/consent (the sign-in pages)",
    "token": "POST /{tenant}/oauth2/v2.0/token",
    "devicecode": "POST /{tenant}/oauth2/v2.0/devicecode",
    "devicelogin": "/devicelogin (the device code approval page)",
    "logout": "/{tenant}/oauth2/v2.0/logout",
    "me": "GET /v1.0/me",
    "photo": "GET /v1.0/me/photo and /v1.0/me/photo/$value",
    "member-objects": "/v1.0/users/{id}/getMemberObjects",
    "member-of": "GET /v1.0/me/memberOf",
    "organization": "GET /v1.0/organization",
    "api": "GET /api/v1/orders and /api/v1/orders/{id} (the second protected API)",
}
# How an endpoint answers errors: Entra's JSON, an HTML page, or Graph's error envelope.
IDENTITY_JSON = frozenset(
    {"openid-configuration", "instance-discovery", "keys", "token", "devicecode"}
)
PAGES = frozenset({"authorize", "sign-in", "devicelogin", "logout"})
GRAPH = frozenset({"me", "photo", "member-objects", "member-of", "organization", "api"})
# Endpoints whose real answers carry secrets: "malformed" there is a synthetic truncated body.
SECRET_BEARING = frozenset({"token", "devicecode"})

BODIES = ("json", "text", "malformed", "empty")
MAX_LATENCY_MS = 120_000
MAX_TRICKLE_MS = 10_000


class FaultSpecError(ValueError):
    """A fault description that cannot be acted out; the message says why."""


@dataclass
class FaultSpec:
    """A fault as a test describes it, to the Sandbox, to SandboxControl or as the control API's
    JSON: the endpoint (see ENDPOINTS), the effect, and for how many requests."""

    endpoint: str
    status: int | None = None
    # seconds, or any header text a server may send: an HTTP-date, "soon", "-5" (RFC 9110
    # 10.2.3 allows a date or a number; clients meet the rest too)
    retry_after: int | str | None = None
    body: str | None = None  # None: the endpoint's own error shape (plain text for a 429)
    latency_ms: int = 0
    # the answer's body sent in eight pieces over this long (a slow body, not a slow start,
    # that still arrives in time)
    slow_body_ms: int = 0
    hang: bool = False
    reset: bool = False
    count: int | None = 1  # requests it still applies to; None: until cleared
    # the error's own words in a "json" body (Entra's error_description, Graph's error.message):
    # what a server can put in front of a person
    message: str | None = None
    # a legal-but-unusual *successful* answer (issue 14, item 4): the real JSON body, rewritten.
    # Keys: "numbers_as_strings": true (every top-level number sent as a string, as Entra's v1.0
    # token endpoint does), "scope_case": "upper" | "lower" | "swap" (the echoed scope),
    # "singletons": true (a one-item list sent as its item), "guid_case": "upper" | "lower"
    # (every GUID value in that case), "set": {field: value} (e.g. {"expires_in": 0}, an
    # unknown extra field, or {"displayName": 5} on "me"), and "id_token": the same keys but
    # scope_case applied to the ID token's claims, which is signed again.
    answer: dict[str, Any] | None = None
    # the body (of the real answer, or of the status fault's) sent one byte every trickle_ms ms,
    # each byte in time for any per-read timeout: only a whole-response deadline ends it
    trickle_ms: int = 0

    @classmethod
    def from_json(cls, value: object) -> FaultSpec:
        """The spec a control API request body describes (not yet checked: see check())."""
        if not isinstance(value, dict):
            raise FaultSpecError("expected a JSON object")
        unknown = sorted(set(value) - set(SPEC_FIELDS))
        if unknown:
            raise FaultSpecError(f"unknown fault fields: {', '.join(unknown)}")
        if not isinstance(value.get("endpoint"), str):
            raise FaultSpecError("endpoint is required")
        return cls(**value)

    def check(self) -> None:
        """FaultSpecError naming the first thing wrong with the description, if any."""
        if self.endpoint not in ENDPOINTS:
            raise FaultSpecError(f"endpoint must be one of: {', '.join(ENDPOINTS)}")
        status, body, hang, reset = self.status, self.body, self.hang, self.reset
        if status is not None:
            _int("status", status, 200, 599)
        if isinstance(self.retry_after, str):
            text = self.retry_after
            if len(text) > 100 or not text.isascii() or not text.isprintable():
                raise FaultSpecError("retry_after text is printable ASCII, at most 100 chars")
        elif self.retry_after is not None:
            _int("retry_after", self.retry_after, 0, 86_400)
        if body is not None and body not in BODIES:
            raise FaultSpecError(f"body must be null or one of: {', '.join(BODIES)}")
        _int("latency_ms", self.latency_ms, 0, MAX_LATENCY_MS)
        _int("slow_body_ms", self.slow_body_ms, 0, MAX_LATENCY_MS)
        _int("trickle_ms", self.trickle_ms, 0, MAX_TRICKLE_MS)
        if (self.trickle_ms or self.slow_body_ms) and (hang or reset):
            raise FaultSpecError("hang and reset send no body to trickle or slow down")
        if not isinstance(hang, bool) or not isinstance(reset, bool):
            raise FaultSpecError("hang and reset are true or false")
        if self.count is not None:
            _int("count", self.count, 1, 1_000_000)
        if self.message is not None and (
            not isinstance(self.message, str) or status is None or body not in (None, "json")
        ):
            raise FaultSpecError("message is text, for a status fault with a JSON error body")
        if self.answer is not None:
            _check_answer(self.answer)
            if hang or reset or status is not None or body is not None:
                raise FaultSpecError(
                    "answer rewrites the real answer: no status, body, hang, reset"
                )
        if hang and reset:
            raise FaultSpecError("a connection either hangs or is reset, not both")
        if (hang or reset) and (status is not None or body is not None):
            raise FaultSpecError("hang and reset send no response: leave status and body out")
        if body in ("json", "text", "empty") and status is None:
            raise FaultSpecError(f"body {body!r} needs a status")
        if not (
            hang
            or reset
            or self.latency_ms
            or self.trickle_ms
            or self.slow_body_ms
            or status is not None
            or body == "malformed"
            or self.answer
        ):
            raise FaultSpecError(
                "a fault needs an effect: status, body=malformed, latency_ms, slow_body_ms, "
                "trickle_ms, hang, reset or answer"
            )

    @property
    def kind(self) -> str:
        """What the request log records, e.g. "reset", "status", "latency+malformed"."""
        parts = ["latency"] if self.latency_ms else []
        if self.slow_body_ms:
            parts.append("slow-body")
        if self.trickle_ms:
            parts.append("trickle")
        if self.hang:
            parts.append("hang")
        elif self.reset:
            parts.append("reset")
        elif self.body == "malformed":
            parts.append("malformed")
        elif self.answer:
            parts.append("answer")
        elif self.status is not None:
            parts.append("status")
        return "+".join(parts)

    @property
    def replaces_response(self) -> bool:
        """True when the endpoint is not run at all (the fault answers instead)."""
        if self.hang or self.reset:
            return True
        if self.body == "malformed":
            return self.endpoint in SECRET_BEARING
        return self.status is not None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


SPEC_FIELDS = tuple(f.name for f in fields(FaultSpec))


@dataclass
class Fault(FaultSpec):
    """An active fault: its spec, an id, and how many requests it has answered."""

    id: str = ""
    hits: int = 0


ANSWER_KEYS = ("numbers_as_strings", "scope_case", "singletons", "guid_case", "set", "id_token")
SCOPE_CASES = ("upper", "lower", "swap")
GUID_CASES = ("upper", "lower")


def _check_answer(answer: object, nested: bool = False) -> None:
    where = "answer.id_token" if nested else "answer"
    if not isinstance(answer, dict) or not answer:
        raise FaultSpecError(f"{where} is a non-empty JSON object")
    keys = [k for k in ANSWER_KEYS if not (nested and k == "id_token")]
    unknown = sorted(set(answer) - set(keys))
    if unknown:
        raise FaultSpecError(f"{where} keys are {', '.join(keys)}; not {', '.join(unknown)}")
    for flag in ("numbers_as_strings", "singletons"):
        if not isinstance(answer.get(flag, False), bool):
            raise FaultSpecError(f"{where}.{flag} is true or false")
    if answer.get("scope_case", "upper") not in SCOPE_CASES:
        raise FaultSpecError(f"{where}.scope_case is one of {', '.join(SCOPE_CASES)}")
    if answer.get("guid_case", "upper") not in GUID_CASES:
        raise FaultSpecError(f"{where}.guid_case is one of {', '.join(GUID_CASES)}")
    if not isinstance(answer.get("set", {}), dict):
        raise FaultSpecError(f"{where}.set is a JSON object of fields to send instead")
    if "id_token" in answer:
        _check_answer(answer["id_token"], nested=True)


def _int(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise FaultSpecError(f"{name} must be an integer from {low} to {high}")
    return value


def new_fault(spec: FaultSpec) -> Fault:
    """The checked spec as an active Fault with a new id; raises FaultSpecError."""
    spec.check()
    return Fault(**asdict(spec), id=str(uuid.uuid4()))


def endpoint_of(parts: tuple[str, ...]) -> str | None:
    """The fault endpoint name of a request path (split on "/"), or None."""
    if not parts or parts[0] == "_sandbox":
        return None
    if parts == ("common", "discovery", "instance"):
        return "instance-discovery"
    if parts == ("devicelogin",):
        return "devicelogin"
    if parts[0] == "v1.0":
        if parts == ("v1.0", "me"):
            return "me"
        if parts[:3] == ("v1.0", "me", "photo"):
            return "photo"
        if len(parts) == 4 and parts[1] == "users" and parts[3] == "getMemberObjects":
            return "member-objects"
        if parts == ("v1.0", "me", "memberOf"):
            return "member-of"
        if parts == ("v1.0", "organization"):
            return "organization"
        return None
    if parts[:2] == ("api", "v1"):
        return "api"
    rest = parts[1:]
    if rest == ("v2.0", ".well-known", "openid-configuration"):
        return "openid-configuration"
    if rest == ("discovery", "v2.0", "keys"):
        return "keys"
    if rest[:2] == ("oauth2", "v2.0") and len(rest) == 3:
        name = rest[2]
        return name if name in ("authorize", "token", "devicecode", "logout") else None
    if rest in (("login",), ("mfa",), ("consent",)):
        return "sign-in"
    return None


class FaultSet:
    """The active faults, thread-safe. Hung connections wait on `release`, which clear() and
    close() set, so neither clearing the faults nor stopping the sandbox waits for them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._release = threading.Event()
        self._closed = threading.Event()

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, endpoint: str | None) -> Fault | None:
        """The fault that applies to this request (a snapshot), counting it against `count`."""
        if endpoint is None:
            return None
        with self._lock:
            fault = next((f for f in self._faults if f.endpoint == endpoint), None)
            if fault is None:
                return None
            fault.hits += 1
            if fault.count is not None:
                fault.count -= 1
                if fault.count <= 0:
                    self._faults.remove(fault)
            return Fault(**asdict(fault))

    def active(self) -> list[dict[str, Any]]:
        with self._lock:
            return [f.as_json() for f in self._faults]

    def clear(self) -> int:
        with self._lock:
            cleared = len(self._faults)
            self._faults.clear()
            release, self._release = self._release, threading.Event()
        release.set()
        return cleared

    def hang_release(self) -> threading.Event:
        """What a connection hung now waits for: set by the next clear() or by close()."""
        with self._lock:
            if self._closed.is_set():
                done = threading.Event()
                done.set()
                return done
            return self._release

    def pause(self, seconds: float) -> None:
        """Added latency; cut short when the sandbox stops."""
        self._closed.wait(seconds)

    def close(self) -> None:
        self._closed.set()
        self.clear()
