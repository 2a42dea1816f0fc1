"""The one HTTP session factory that auth/ and graph/ share: explicit CA trust, timeouts, retries.

requests replaces ``verify=True`` with ``REQUESTS_CA_BUNDLE`` from the environment
(``Session.merge_environment_settings``), so a session here passes an explicit CA *path* on every
request: neither the environment nor a sandbox can silently change which servers are trusted.
msal ignores its own ``timeout``/``verify``/``proxies`` once given an ``http_client``; this session
supplies them.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

import certifi
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

# (connect, read) seconds; a hung server is given up on after the read timeout
DEFAULT_TIMEOUT = (5.0, 20.0)
USER_AGENT = "Lanyard"


class TrustedSession(requests.Session):
    """A requests session that always verifies against ``ca_path`` and always has a timeout."""

    def __init__(self, ca_path: str, timeout: tuple[float, float] = DEFAULT_TIMEOUT) -> None:
        super().__init__()
        self.ca_path = ca_path
        self.default_timeout = timeout
        self.headers["User-Agent"] = USER_AGENT
        # Retry only failed connections, quickly; never sleep on Retry-After here (urllib3 would
        # honour it for hours, uncancellably): callers decide about throttling.
        retry = Retry(
            total=2,
            connect=2,
            read=0,
            status=0,
            backoff_factor=0.2,
            respect_retry_after_header=False,
            allowed_methods=None,
        )
        adapter = HTTPAdapter(max_retries=retry)
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        kwargs["verify"] = self.ca_path  # never True/False: see the module docstring
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        return super().request(method, url, *args, **kwargs)


def trust_bundle(extra_ca: Path | None, work_dir: Path) -> str:
    """The CA file to verify against: certifi's roots, plus ``extra_ca`` when configured.

    The combined file is content-addressed, so it is written once and reused.
    """
    if extra_ca is None:
        return str(certifi.where())
    extra = extra_ca.read_bytes()
    roots = Path(certifi.where()).read_bytes()
    digest = hashlib.sha256(roots + b"\0" + extra).hexdigest()[:16]
    target = work_dir / f"ca-bundle-{digest}.pem"
    if not target.exists():
        work_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=work_dir, prefix=".ca-", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(roots.rstrip(b"\n") + b"\n" + extra)
        os.replace(tmp, target)
    return str(target)


def make_session(ca_path: str, timeout: tuple[float, float] = DEFAULT_TIMEOUT) -> TrustedSession:
    return TrustedSession(ca_path, timeout)
