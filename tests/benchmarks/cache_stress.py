"""Stress the persistent token cache across processes and print what readers and writers saw.

    python tests/benchmarks/cache_stress.py [--impl both|lanyard|stock] [--seconds 3]
        [--processes 4] [--refreshes 60] [--kills 200] [--json]

Runs the same three scenarios against msal-extensions' PersistedTokenCache + FilePersistence
("stock") and Lanyard's PersistentTokenCache + PlaintextFileStore ("lanyard"), each in a fresh
directory, with real processes (fork) and msal's own cache code:

1. poll: one process refreshes one account in a loop while another calls search(ACCOUNT) -- what
   get_accounts() does -- as fast as it can.
2. concurrent: N processes each sign in their own account, then refresh it R times at once.
3. kill: a writer refreshing a large cache is SIGKILLed at a random moment, then the cache is
   loaded and written again; repeated K times.

Figures: reads (search calls), empty reads (no account although one was there), partial reads
(the file read was cut short: not JSON), file empty reads (the file read was truncated to
nothing, which msal-extensions loads as an empty cache), lost accounts, lost refreshes (an account's final
refresh token is not the last one written), errors (exceptions raised to the caller). For
Lanyard, all zero is the bar. POSIX only (fork, SIGKILL).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import msal

from desktop_app.auth.cache_store import PlaintextFileStore
from desktop_app.auth.token_cache import PersistentTokenCache
from tests.support.cache_events import sign_in_event

ACCOUNT = msal.TokenCache.CredentialType.ACCOUNT
REFRESH_TOKEN = msal.TokenCache.CredentialType.REFRESH_TOKEN
FIGURES = ("reads", "empty_reads", "partial_reads", "lost_accounts", "lost_refreshes", "errors")


class Probe:
    """Counts what the file-level load returned, under whichever cache implementation."""

    def __init__(self) -> None:
        self.loads = 0
        self.empty = 0
        self.partial = 0

    def wrap(self, load: Callable[[], Any]) -> Callable[[], Any]:
        def counted() -> Any:
            text = load()
            self.loads += 1
            if text is not None and not str(text).strip():
                self.empty += 1
            elif text:
                try:
                    json.loads(text)
                except ValueError:
                    self.partial += 1
            return text

        return counted


def open_cache(impl: str, folder: Path, probe: Probe | None = None) -> msal.TokenCache:
    path = folder / "token_cache.bin"
    if impl == "stock":
        from msal_extensions import FilePersistence, PersistedTokenCache

        persistence = FilePersistence(str(path))
        if probe is not None:
            persistence.load = probe.wrap(persistence.load)  # type: ignore[method-assign]
        return PersistedTokenCache(persistence)
    store = PlaintextFileStore(path)
    if probe is not None:
        store.load = probe.wrap(store.load)  # type: ignore[method-assign]
    cache = PersistentTokenCache(store, folder / "token_cache.lock")
    cache.reload_if_changed()
    return cache


def upn(index: int) -> str:
    return f"user{index}@contoso.test"


def in_child(work: Callable[[], dict[str, int]], report: Path) -> int:
    """Fork; the child runs ``work`` and writes its figures to ``report``."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            figures = work()
        except BaseException as exc:
            figures, code = {"errors": 1, "crash": repr(exc)[:200]}, 1  # type: ignore[dict-item]
        report.write_text(json.dumps(figures))
        os._exit(code)
    return pid


def wait_all(pids: list[int]) -> None:
    for pid in pids:
        os.waitpid(pid, 0)


# -- 1. poll while refreshing -----------------------------------------------------------------


def poll_while_refreshing(impl: str, folder: Path, seconds: float) -> dict[str, int]:
    open_cache(impl, folder).add(sign_in_event("u0", upn(0)))
    deadline = time.monotonic() + seconds

    def writer() -> dict[str, int]:
        cache, serial, errors = open_cache(impl, folder), 0, 0
        while time.monotonic() < deadline:
            serial += 1
            try:
                cache.add(sign_in_event("u0", upn(0), serial))
            except Exception:
                errors += 1
        return {"writes": serial, "errors": errors}

    def reader() -> dict[str, int]:
        probe = Probe()
        cache = open_cache(impl, folder, probe)
        reads = empty = errors = 0
        while time.monotonic() < deadline:
            reads += 1
            try:
                if not list(cache.search(ACCOUNT)):
                    empty += 1
            except Exception:
                errors += 1
        return {
            "reads": reads,
            "empty_reads": empty,
            "partial_reads": probe.partial,
            "file_empty_reads": probe.empty,
            "loads": probe.loads,
            "errors": errors,
        }

    reports = [folder / "writer.json", folder / "reader.json"]
    wait_all([in_child(writer, reports[0]), in_child(reader, reports[1])])
    written, read = (json.loads(r.read_text()) for r in reports)
    final = {a["username"] for a in open_cache(impl, folder).search(ACCOUNT)}
    return read | {
        "writes": written.get("writes", 0),
        "errors": read.get("errors", 0) + written.get("errors", 0),
        "lost_accounts": 0 if upn(0) in final else 1,
    }


# -- 2. concurrent refreshers ----------------------------------------------------------------------


def concurrent_refreshers(
    impl: str, folder: Path, processes: int, refreshes: int
) -> dict[str, int]:
    open_cache(impl, folder)  # creates nothing for either; the first writer creates the file

    def refresher(index: int) -> Callable[[], dict[str, int]]:
        def work() -> dict[str, int]:
            cache, errors = open_cache(impl, folder), 0
            for serial in range(refreshes + 1):  # serial 0 is the sign-in
                try:
                    cache.add(sign_in_event(f"u{index}", upn(index), serial))
                except Exception:
                    errors += 1
            return {"errors": errors}

        return work

    reports = [folder / f"refresher{i}.json" for i in range(processes)]
    wait_all([in_child(refresher(i), reports[i]) for i in range(processes)])
    errors = sum(json.loads(r.read_text()).get("errors", 0) for r in reports)
    final = open_cache(impl, folder)
    present = {a["username"] for a in final.search(ACCOUNT)}
    secrets = {rt.get("secret") for rt in final.search(REFRESH_TOKEN)}
    lost_refreshes = sum(
        1 for i in range(processes) if upn(i) in present and f"rt-u{i}-{refreshes}" not in secrets
    )
    return {
        "writes": processes * (refreshes + 1),
        "lost_accounts": processes - len(present & {upn(i) for i in range(processes)}),
        "lost_refreshes": lost_refreshes,
        "errors": errors,
    }


# -- 3. kill -9 mid-write ----------------------------------------------------------------------------


def seed(impl: str, folder: Path, accounts: int) -> None:
    for leftover in folder.iterdir():
        leftover.unlink()
    cache = open_cache(impl, folder)
    for index in range(accounts):
        cache.add(sign_in_event(f"u{index}", upn(index)))


def kill_mid_write(impl: str, folder: Path, kills: int, accounts: int) -> dict[str, int]:
    seed(impl, folder, accounts)
    rng = random.Random(5)
    figures = dict.fromkeys(
        (
            "runs",
            "reads",
            "empty_reads",
            "partial_reads",
            "file_empty_reads",
            "lost_accounts",
            "errors",
        ),
        0,
    )
    worst_wait = 0.0
    temporaries = 0
    for run in range(kills):

        def writer(run: int = run) -> dict[str, int]:
            cache, serial = open_cache(impl, folder), 0
            while True:
                serial += 1
                index = serial % accounts
                cache.add(sign_in_event(f"u{index}", upn(index), run * 10_000 + serial))

        pid = in_child(writer, folder / "writer.json")
        time.sleep(rng.uniform(0.005, 0.060))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        temporaries += len([p for p in folder.iterdir() if p.name.endswith(".tmp")])
        figures["runs"] += 1
        probe = Probe()
        damaged = False
        try:
            cache = open_cache(impl, folder, probe)
            found = {a["username"] for a in cache.search(ACCOUNT)}
            figures["reads"] += 1
            if not found:
                figures["empty_reads"] += 1
                damaged = True
            elif len(found) < accounts:
                figures["lost_accounts"] += accounts - len(found)
                damaged = True
            started = time.monotonic()  # the next writer: never held up by the dead one
            cache.add(sign_in_event("u0", upn(0), -run))
            worst_wait = max(worst_wait, time.monotonic() - started)
        except Exception:
            figures["errors"] += 1
            damaged = True
        if probe.partial or probe.empty:  # a half-written file, or one truncated to nothing
            figures["partial_reads"] += probe.partial
            figures["file_empty_reads"] += probe.empty
            damaged = True
        if damaged or list(folder.glob("*.corrupt-*")):
            seed(impl, folder, accounts)  # each run starts from a whole cache
    return figures | {
        "temporaries_left_by_kills": temporaries,
        "worst_next_write_ms": round(worst_wait * 1000),
    }


# -- the report ----------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, dict[str, dict[str, int]]]:
    impls = ["stock", "lanyard"] if args.impl == "both" else [args.impl]
    results: dict[str, dict[str, dict[str, int]]] = {}
    for impl in impls:
        results[impl] = {}
        for name, scenario in (
            ("poll", lambda f, i=impl: poll_while_refreshing(i, f, args.seconds)),
            (
                "concurrent",
                lambda f, i=impl: concurrent_refreshers(i, f, args.processes, args.refreshes),
            ),
            ("kill", lambda f, i=impl: kill_mid_write(i, f, args.kills, args.accounts)),
        ):
            with tempfile.TemporaryDirectory(prefix=f"lanyard-stress-{impl}-") as folder:
                started = time.monotonic()
                figures = scenario(Path(folder))
                figures["seconds"] = round(time.monotonic() - started, 1)  # type: ignore[assignment]
                results[impl][name] = figures
    return results


def print_table(results: dict[str, dict[str, dict[str, int]]]) -> None:
    columns = ("reads", "empty_reads", "partial_reads", "lost_accounts", "lost_refreshes", "errors")
    print(f"{'scenario':<11}{'impl':<9}" + "".join(f"{c:>15}" for c in columns) + "   other")
    for impl, scenarios in results.items():
        for name, figures in scenarios.items():
            other = ", ".join(f"{k}={v}" for k, v in figures.items() if k not in columns)
            cells = "".join(f"{figures.get(c, '-')!s:>15}" for c in columns)
            print(f"{name:<11}{impl:<9}{cells}   {other}")


def losses(figures: dict[str, int]) -> int:
    return sum(int(figures.get(name, 0)) for name in FIGURES if name != "reads")


def main(argv: list[str] | None = None) -> int:
    # stock's lock logs "failed to create lock file" on every stale lock: the worst wait says it
    logging.getLogger("msal_extensions").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--impl", choices=("both", "lanyard", "stock"), default="both")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of the poll scenario")
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--refreshes", type=int, default=60)
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--accounts", type=int, default=60, help="cache size in the kill runs")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args(argv)
    results = run(args)
    print_table(results)
    if args.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
