"""The suite's token-leak scan: no secret a sandbox issued may be found anywhere the tests wrote.

How it sees everything:
- `prepare()` (called by tests/conftest.py before anything else makes a temp dir) gives the run a
  private temp directory that becomes $TMPDIR, so pytest's tmp_path, the isolated test home, and
  every temp dir a child process makes (the app under Xvfb, the .deb test, keyring helpers) land
  inside it; `issued-tokens.jsonl` in another directory (never scanned) is named in
  $SANDBOX_ISSUED_TOKENS_FILE, where every sandbox, in this process or a child, appends each
  token, code and session cookie it issues (desktop_app/sandbox/state.py).
- each test's captured stdout, stderr and log are kept (pytest_runtest_logreport).
- at the end of the session every issued value is searched for in every file under $TMPDIR (inside
  zip archives too: the Save diagnostics bundle), in
  the files written to the repository's .artifacts/ during the run, and in the captured output.

The token cache is the one place tokens belong: a hit in a plaintext cache file (token_cache.bin,
or one moved aside as damaged) is allowed only when its mode is 0600. Any other hit fails the run.
On success the run directory is removed (LANYARD_KEEP_TEST_TMP=1 keeps it); on failure it is
kept for diagnosis.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ISSUED_ENV = "SANDBOX_ISSUED_TOKENS_FILE"
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / ".artifacts"
_CACHE_NAME = "token_cache.bin"


@dataclass
class _Run:
    root: Path
    tmp: Path
    issued_file: Path
    started: float
    keep: bool
    captured: dict[str, list[str]] = field(default_factory=dict)


_run: _Run | None = None


def prepare() -> Path:
    """Create the run directory and point $TMPDIR and the sandboxes' registry at it.

    Returns the directory every temp file of the run goes under. Idempotent.
    """
    global _run
    if _run is not None:
        return _run.tmp
    # $TMPDIR stays short: unix socket paths under it (gnome-keyring's, Qt's) must fit 108 bytes.
    tmp = Path(tempfile.mkdtemp(prefix="lt-"))
    root = Path(tempfile.mkdtemp(prefix="lanyard-leak-scan-"))
    issued = root / "issued-tokens.jsonl"
    issued.touch(mode=0o600)
    os.environ["TMPDIR"] = str(tmp)
    tempfile.tempdir = None  # gettempdir() caches; make it read $TMPDIR again
    os.environ[ISSUED_ENV] = str(issued)
    _run = _Run(root, tmp, issued, time.time(), bool(os.environ.get("LANYARD_KEEP_TEST_TMP")))
    return tmp


def issued_secrets(registry: Path) -> dict[str, str]:
    """Every value the sandboxes issued, mapped to its kind (access, refresh, id, code, ...)."""
    found: dict[str, str] = {}
    try:
        lines = registry.read_text("utf-8").splitlines()
    except OSError:
        return found
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue  # a child killed mid-write leaves at most one partial line
        value = entry.get("value") if isinstance(entry, dict) else None
        if isinstance(value, str) and len(value) >= 16:
            found[value] = str(entry.get("kind"))
    return found


@dataclass(frozen=True)
class Hit:
    where: str  # a file path, or "captured output of <test id>"
    kind: str
    preview: str  # the first characters only: the report must not leak either


@dataclass
class ScanResult:
    tokens: int = 0
    files: int = 0
    outputs: int = 0
    bytes: int = 0
    hits: list[Hit] = field(default_factory=list)
    cache_files: list[str] = field(default_factory=list)  # 0600 caches holding tokens (allowed)


def is_allowed_cache(path: Path) -> bool:
    """A plaintext token cache, where tokens belong, with mode 0600."""
    name = path.name
    is_cache = name == _CACHE_NAME or name.startswith(f"{_CACHE_NAME}.corrupt-")
    return is_cache and stat.S_IMODE(path.stat().st_mode) == 0o600


def _readable(path: Path, data: bytes) -> bytes:
    """The bytes to search: a zip (a Save diagnostics bundle) is searched inside its members,
    whose compressed form would hide a token."""
    if not data.startswith(b"PK\x03\x04"):
        return data
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return data + b"\n".join(archive.read(name) for name in archive.namelist())
    except (zipfile.BadZipFile, OSError, RuntimeError):  # damaged, or encrypted members
        return data


def _search(data: bytes, wanted: list[tuple[bytes, str, str]]) -> list[tuple[str, str]]:
    return [(kind, value[:10] + "…") for raw, kind, value in wanted if raw in data]


def scan(
    secrets: dict[str, str],
    roots: list[Path],
    outputs: dict[str, list[str]],
    newer_than: dict[Path, float] | None = None,
) -> ScanResult:
    """Search every file under ``roots`` and every captured output for every secret."""
    result = ScanResult(tokens=len(secrets))
    wanted = [(value.encode(), kind, value) for value, kind in secrets.items()]
    for root in roots:
        if not root.is_dir():
            continue
        since = (newer_than or {}).get(root)
        for path in root.rglob("*"):
            try:
                if path.is_symlink() or not path.is_file():
                    continue
                if since is not None and path.stat().st_mtime < since:
                    continue
                data = _readable(path, path.read_bytes())
            except OSError:
                continue  # a socket, or a file removed while we walked
            result.files += 1
            result.bytes += len(data)
            found = _search(data, wanted) if wanted else []
            if not found:
                continue
            if is_allowed_cache(path):
                result.cache_files.append(str(path))
                continue
            result.hits.extend(Hit(str(path), kind, preview) for kind, preview in found)
    for test_id, texts in outputs.items():
        result.outputs += 1
        data = "\n".join(texts).encode("utf-8", "replace")
        result.bytes += len(data)
        for kind, preview in _search(data, wanted) if wanted else []:
            result.hits.append(Hit(f"captured output of {test_id}", kind, preview))
    return result


# ---------------------------------------------------------------------------------- pytest hooks
def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if _run is None:
        return
    texts = [content for _title, content in report.sections if content]
    if texts:
        _run.captured.setdefault(report.nodeid, []).extend(texts)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _run is None:
        return
    started = time.monotonic()
    secrets = issued_secrets(_run.issued_file)
    result = scan(
        secrets,
        [_run.tmp, ARTIFACTS],
        _run.captured,
        newer_than={ARTIFACTS: _run.started - 1},
    )
    elapsed = time.monotonic() - started
    kinds: dict[str, int] = {}
    for kind in secrets.values():
        kinds[kind] = kinds.get(kind, 0) + 1
    lines = [
        f"token-leak scan: {result.tokens} issued secrets "
        f"({', '.join(f'{k} {n}' for k, n in sorted(kinds.items())) or 'none'}) searched in "
        f"{result.files} files and {result.outputs} tests' captured output "
        f"({result.bytes / 1e6:.1f} MB) in {elapsed:.1f} s: {len(result.hits)} hits; "
        f"{len(result.cache_files)} token caches (0600, allowed)"
    ]
    lines += [f"  LEAK: {hit.kind} token {hit.preview} in {hit.where}" for hit in result.hits]
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line("")  # after the progress dots
    for line in lines:
        if reporter is not None:
            reporter.write_line(line, red=bool(result.hits), bold=bool(result.hits))
        else:
            print(line)
    if result.hits:
        lines.append(f"  kept for diagnosis: {_run.tmp} (issued: {_run.issued_file})")
        if reporter is not None:
            reporter.write_line(lines[-1], red=True)
        if session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
    elif not _run.keep:
        shutil.rmtree(_run.tmp, ignore_errors=True)
        shutil.rmtree(_run.root, ignore_errors=True)
