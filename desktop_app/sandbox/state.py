"""What the sandbox remembers while it runs: browser sessions, pending sign-ins, codes, consent,
revocations, the request log and every token it issued. One lock guards all of it."""

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
        self.access_token_lifetime = access_token_lifetime
        self.refresh_in = refresh_in
        self.refresh_token_lifetime: int | None = None  # None: the default (90 days)
        self.consents: dict[str, set[str]] = self._load_consents()

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
        return session_id, session

    def record_token(self, kind: str, value: str) -> None:
        with self.lock:
            self.issued.append({"kind": kind, "value": value})

    def log_request(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.requests.append(entry)
