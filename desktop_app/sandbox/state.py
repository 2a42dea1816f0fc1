"""What the sandbox remembers while it runs: browser sessions, pending sign-ins, codes, device
codes, consent, revocations, MFA requirements, critical events, the request log and every token it
issued. One lock guards all of it."""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.sandbox.scopes import ScopeRequest

CODE_LIFETIME = 600  # Entra: "typically about 10 minutes"
PENDING_LIFETIME = 1800
CONSENTS_FILE = "consents.json"
DEVICE_CODE_LIFETIME = 900  # Entra's expires_in for device codes
DEVICE_CODE_INTERVAL = 5
# Entra's user codes: 9 characters a person can type (no 0/O, 1/I/L look-alikes).
USER_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
USER_CODE_LENGTH = 9
# Tests name a file here so that every sandbox (in-process or in a child process) appends what it
# issues, one JSON line each, for the suite's token-leak scan. Never set outside tests.
ISSUED_TOKENS_FILE_ENV = "SANDBOX_ISSUED_TOKENS_FILE"


@dataclass
class BrowserSession:
    oid: str
    sid: str = field(default_factory=lambda: str(uuid.uuid4()))
    created: float = field(default_factory=time.time)


@dataclass
class PendingAuthorization:
    """An /authorize request between the sign-in and consent pages, keyed by an opaque `ctx`."""

    tenant: str
    client_id: str
    redirect_uri: str
    response_mode: str
    state: str | None
    nonce: str | None
    code_challenge: str | None
    scopes: ScopeRequest
    prompt: str | None
    login_hint: str | None
    want_client_info: bool
    created: float = field(default_factory=time.time)
    oid: str | None = None
    session_id: str | None = None
    # Set when this sign-in approves a device code instead of redirecting to the app.
    device_code: str | None = None
    mfa_done: bool = False


@dataclass
class DeviceAuthorization:
    """A device code between /devicecode and its redemption at /token."""

    device_code: str
    user_code: str
    tenant: str
    client_id: str
    scopes: ScopeRequest
    interval: int
    expires_at: float
    status: str = "pending"  # pending | approved | declined | redeemed
    oid: str | None = None
    sid: str | None = None


@dataclass
class IssuedCode:
    client_id: str
    redirect_uri: str
    oid: str
    scopes: ScopeRequest
    code_challenge: str | None
    nonce: str | None
    sid: str
    created: float = field(default_factory=time.time)
    redeemed: bool = False


class SandboxState:
    def __init__(self, state_dir: Path, access_token_lifetime: int, refresh_in: int | None) -> None:
        self.lock = threading.RLock()
        self._state_dir = state_dir
        self.sessions: dict[str, BrowserSession] = {}
        self.pending: dict[str, PendingAuthorization] = {}
        self.codes: dict[str, IssuedCode] = {}
        self.revoked_before: dict[str, float] = {}
        self.requests: list[dict[str, Any]] = []
        self.issued: list[dict[str, str]] = []
        self._issued_file = os.environ.get(ISSUED_TOKENS_FILE_ENV) or None
        self.access_token_lifetime = access_token_lifetime
        self.refresh_in = refresh_in
        self.refresh_token_lifetime: int | None = None  # None: the default (90 days)
        self.consents: dict[str, set[str]] = self._load_consents()
        # consent_key -> when consent was last revoked: scopes a refresh token carries from
        # before that no longer count.
        self.consent_revoked_at: dict[str, float] = {}
        self.device_codes: dict[str, DeviceAuthorization] = {}  # by device_code
        self.user_codes: dict[str, str] = {}  # user_code -> device_code
        self.device_code_interval = DEVICE_CODE_INTERVAL
        self.device_code_lifetime = DEVICE_CODE_LIFETIME
        # oid -> when MFA became required: refresh tokens issued before then answer 50076.
        self.mfa_required_since: dict[str, float] = {}
        self.mfa_pending: set[str] = set()  # users whose next interactive sign-in asks for MFA
        self.mfa_policy_id = str(uuid.uuid4())  # the conditional access policy named in `claims`
        # oid -> epoch second of the last critical event (continuous access evaluation).
        self.critical_events: dict[str, int] = {}
        # oid -> what Graph /me answers instead of the seeded profile: properties replaced (any
        # JSON value, wrong types included) and properties left out (hostile-data tests)
        self.profile_overrides: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {}

    # -- consent, persisted so refresh tokens keep working across restarts with a state_dir
    @staticmethod
    def consent_key(oid: str, client_id: str) -> str:
        return f"{oid}|{client_id.lower()}"

    def consented(self, oid: str, client_id: str) -> set[str]:
        with self.lock:
            return set(self.consents.get(self.consent_key(oid, client_id), set()))

    def grant_consent(self, oid: str, client_id: str, scopes: tuple[str, ...]) -> None:
        with self.lock:
            self.consents.setdefault(self.consent_key(oid, client_id), set()).update(scopes)
            self._save_consents()

    def revoke_consent(
        self, oid: str, client_id: str | None, consent_keys: tuple[str, ...] | None
    ) -> list[str]:
        """Withdraws consent (all clients / all scopes when None); returns what was removed."""
        removed: list[str] = []
        with self.lock:
            now = time.time()
            for key in [k for k in self.consents if k.startswith(f"{oid}|")]:
                if client_id is not None and key != self.consent_key(oid, client_id):
                    continue
                granted = self.consents[key]
                gone = set(granted) if consent_keys is None else granted & set(consent_keys)
                granted -= gone
                removed.extend(sorted(gone))
                self.consent_revoked_at[key] = now
            if client_id is not None:
                self.consent_revoked_at[self.consent_key(oid, client_id)] = now
            self._save_consents()
        return removed

    def _load_consents(self) -> dict[str, set[str]]:
        try:
            raw = json.loads((self._state_dir / CONSENTS_FILE).read_text("utf-8"))
            return {str(k): {str(s) for s in v} for k, v in raw.items()}
        except (OSError, ValueError, AttributeError, TypeError):
            return {}

    def _save_consents(self) -> None:
        data = json.dumps({k: sorted(v) for k, v in self.consents.items()}, indent=1)
        fd, tmp = tempfile.mkstemp(dir=self._state_dir, prefix=".consents-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(data)
        os.replace(tmp, self._state_dir / CONSENTS_FILE)

    # -- one-time values
    def new_pending(self, pending: PendingAuthorization) -> str:
        ctx = secrets.token_urlsafe(24)
        with self.lock:
            now = time.time()
            for key in [k for k, p in self.pending.items() if now - p.created > PENDING_LIFETIME]:
                del self.pending[key]
            self.pending[ctx] = pending
        return ctx

    def new_code(self, code: IssuedCode) -> str:
        value = "1.SBX.code." + secrets.token_urlsafe(48)
        with self.lock:
            self.codes[value] = code
            self.record_token("code", value)
        return value

    def new_session(self, oid: str) -> tuple[str, BrowserSession]:
        session_id = secrets.token_urlsafe(24)
        session = BrowserSession(oid)
        with self.lock:
            self.sessions[session_id] = session
            self.record_token("session", session_id)  # the browser's sign-in cookie
        return session_id, session

    def new_device_code(self, device: DeviceAuthorization) -> None:
        with self.lock:
            now = time.time()
            for gone in [d for d in self.device_codes.values() if d.expires_at + 3600 < now]:
                self.device_codes.pop(gone.device_code, None)
                self.user_codes.pop(gone.user_code, None)
            self.device_codes[device.device_code] = device
            self.user_codes[device.user_code] = device.device_code
            self.record_token("device_code", device.device_code)

    def new_user_code(self) -> str:
        with self.lock:
            while True:
                code = "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(USER_CODE_LENGTH))
                if code not in self.user_codes:
                    return code

    def device_by_user_code(self, user_code: str) -> DeviceAuthorization | None:
        with self.lock:
            device_code = self.user_codes.get(normalize_user_code(user_code))
            return self.device_codes.get(device_code or "")

    def record_token(self, kind: str, value: str) -> None:
        with self.lock:
            self.issued.append({"kind": kind, "value": value})
            if self._issued_file:
                _append_line(self._issued_file, json.dumps({"kind": kind, "value": value}))

    def log_request(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.requests.append(entry)


def _append_line(path: str, line: str) -> None:
    # One write() of a line opened O_APPEND: lines from several processes never interleave.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode("utf-8"))
    finally:
        os.close(fd)


def normalize_user_code(text: str) -> str:
    """What a person types: any case, with spaces or dashes."""
    return "".join(c for c in text.upper() if c.isalnum())
