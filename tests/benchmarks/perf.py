"""Lanyard's performance figures against the sandbox, each beside a baseline measured in this run.

    python -m tests.benchmarks [--quick] [--runs 7] [--refreshes 1000] [--json PATH]
                               [--only first_window,warm_profile,...]

The machines are shared and noisy, so every figure is compared with a baseline taken in the same
run, the two alternating, and medians of several runs are reported. Each Lanyard start is a
fresh process (``tests/benchmarks/window_child.py`` runs the real window path and reports
CLOCK_MONOTONIC times; the parent subtracts the moment it started the process). On an X server
(Xvfb is started when installed, else Qt's offscreen platform). The token cache is the 0600 file
(no Secret Service on the bus), as on a desktop without a keyring.

Figures (goal in brackets):
- first_window: process start -> main window's first paint, vs a bare PySide6 window [<= 1.3x]
- warm_profile: warm start (valid cached token) -> profile on screen, vs first_window [+150 ms]
- warm_idp_requests / warm_graph_requests: per warm start, from the sandbox's request log, vs the
  start that signed in [0 / <= 1]
- stall_*: worst lateness of a 10 ms GUI heartbeat during sign-in, a silent refresh and a profile
  reload while the sandbox delays token and /me answers by 5 s, vs an idle bare window [<= 50 ms]
- rss_growth / thread_growth: after N forced refreshes (600 s tokens) vs once started [5 MB /
  no new thread]
- whoami: ``lanyard whoami --sandbox`` (warm) vs ``python -c "import msal, msal_extensions,
  requests"`` [<= 1.3x]; also vs that floor plus starting the in-process sandbox, which only
  --sandbox pays
- idle_shown / idle_minimised / idle_hidden: thread wake-ups a second of a signed-in window left
  alone (the sandbox in its own process), shown, then minimised, then hidden, vs an idle bare
  PySide6 window [<= floor + 1/s]; the note says which threads woke and what timers ran
- growth_accounts_start / growth_accounts_switch: a warm start to the profile on screen with 10
  accounts in the cache vs 1, and a switch to another saved account until its fresh profile is on
  screen with 10 vs 2 (the fewest a switch needs); the accounts signed in with `lanyard login`
  [slope <= 1]
- growth_* (the others): the GUI thread's cost, small data beside large in one process
  (tests/benchmarks/growth.py): the Roles panel's first paint and the worst step with 1 role vs
  10,000, a /me profile of ~1 KB vs 5 MB shown, the API console built on 1 stored request vs
  1,000; each with its log-log slope (0 flat, 1 as fast as the data) [slope <= 1]
- installed_start: /usr/bin/lanyard's first window vs the venv's (tests/support/startup_timing.py),
  when the package is installed and an X server is available

``--only`` measures the figures named (and what they need: the sign-in, the idle floor).

--quick (CI): 2 runs, 50 refreshes, 1 s delays; the same figures, less precise. Figures are
printed and written, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

CHILD = REPO / "tests" / "benchmarks" / "window_child.py"
BARE = REPO / "tests" / "benchmarks" / "bare_window.py"
STANDIN = REPO / "tests" / "support" / "standin_browser.py"
DEFAULT_JSON = REPO / ".artifacts" / "benchmarks.json"
IMPORT_FLOOR = "import msal, msal_extensions, requests"
FIGURES = (
    "first_window",
    "warm_profile",
    "warm_idp_requests",
    "warm_graph_requests",
    "stall_sign_in",
    "stall_refresh",
    "stall_profile",
    "rss_growth",
    "thread_growth",
    "whoami",
    "idle_shown",
    "idle_minimised",
    "idle_hidden",
    "growth_accounts_start",
    "growth_accounts_switch",
    "growth_roles_paint",
    "growth_roles_stall",
    "growth_profile",
    "growth_api_history",
    "installed_start",
)


class BenchError(RuntimeError):
    pass


def isolated_env(home: Path, display: str | None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LANYARD_", "QT_", "XDG_", "STANDIN_", "DBUS_", "BROWSER"))
        # bytecode kept, as an installed Lanyard has it: with PYTHONDONTWRITEBYTECODE (set on
        # these machines) every child compiled every module of Lanyard's again, and the figures
        # measured the compiler (about 45 ms of a whoami)
        and k != "PYTHONDONTWRITEBYTECODE"
    }
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_RUNTIME_DIR=str(home / "runtime"),
        DBUS_SESSION_BUS_ADDRESS=f"unix:path={home / 'no-session-bus'}",
    )
    (home / "runtime").mkdir(mode=0o700, parents=True, exist_ok=True)
    if display:
        env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb")
    else:
        env.update(QT_QPA_PLATFORM="offscreen")
    return env


@contextlib.contextmanager
def display_server() -> Iterator[str | None]:
    """An Xvfb display when Xvfb is installed, else None (offscreen)."""
    binary = shutil.which("Xvfb")
    if binary is None:
        yield None
        return
    for number in range(150, 200):
        if (
            not Path(f"/tmp/.X11-unix/X{number}").exists()
            and not Path(f"/tmp/.X{number}-lock").exists()
        ):
            break
    process = subprocess.Popen(
        [binary, f":{number}", "-screen", "0", "1280x800x24", "-nolisten", "tcp", "-noreset"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            if process.poll() is not None or time.monotonic() > deadline:
                yield None
                return
            time.sleep(0.05)
        yield f":{number}"
    finally:
        process.terminate()
        process.wait(10)


@contextlib.contextmanager
def sandbox_process(state_dir: Path, env: Mapping[str, str]) -> Iterator[Path]:
    """``python -m desktop_app.sandbox`` in its own process, as the real cloud is outside
    Lanyard's process; yields the file holding its info JSON (for --sandbox-info)."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "desktop_app.sandbox",
            "--state-dir",
            str(state_dir),
            "--browser-http",
            *("--extra-users", str(EXTRA_ACCOUNTS)),  # the 10-account figures' accounts
        ],
        env={**env, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.strip():
            raise BenchError("the sandbox process printed nothing")
        info_file = state_dir / "info.json"
        info_file.write_text(line)
        yield info_file
    finally:
        process.terminate()
        process.wait(10)


def run_child(command: list[str], env: Mapping[str, str], timeout: float = 300) -> dict[str, Any]:
    """Start a child, return its last JSON line with ``_t0`` (the parent's monotonic start)."""
    started = time.monotonic()
    result = subprocess.run(
        command, env=dict(env), capture_output=True, text=True, timeout=timeout, check=False
    )
    lines = result.stdout.strip().splitlines()
    try:
        report: dict[str, Any] = json.loads(lines[-1])
    except (IndexError, ValueError):
        raise BenchError(f"{command[1]} printed no report: {result.stderr[-2000:]}") from None
    if result.returncode != 0 or "error" in report:
        raise BenchError(f"{command[1]} failed ({report.get('error')}): {result.stderr[-2000:]}")
    report["_t0"] = started
    return report


def since_start(report: Mapping[str, Any], key: str) -> float:
    return (float(report[key]) - float(report["_t0"])) * 1000


SANDBOX_INFO: list[Path] = []  # the sandbox process's info file, once it runs


def control() -> Any:
    from desktop_app.sandbox.control import SandboxControl

    info = json.loads(SANDBOX_INFO[0].read_text())
    return SandboxControl(info["control_url"], info["ca_file"])


def lanyard_child(mode: str, profile: Path, env: Mapping[str, str], *extra: str) -> dict[str, Any]:
    info = str(SANDBOX_INFO[0])
    control().clear_requests()  # the child reports the log of its own start only
    lanyard_args = ("--sandbox", "--sandbox-info", info, "--profile-dir", str(profile))
    return run_child(
        [sys.executable, str(CHILD), mode, "--control", info, *extra, "--", *lanyard_args], env
    )


def wall_ms(command: list[str], env: Mapping[str, str]) -> float:
    started = time.monotonic()
    result = subprocess.run(command, env=dict(env), capture_output=True, text=True, timeout=120)
    elapsed = (time.monotonic() - started) * 1000
    if result.returncode != 0:
        raise BenchError(
            f"{' '.join(command[:4])} exited {result.returncode}: {result.stderr[-1500:]}"
        )
    return elapsed


def count(requests: list[dict[str, Any]], kind: str) -> int:
    return sum(1 for r in requests if r.get("kind") == kind)


def figure(
    value: float,
    unit: str,
    baseline: float,
    baseline_name: str,
    goal: str,
    met: bool | None,
    runs: list[float] | None = None,
    baseline_runs: list[float] | None = None,
    note: str = "",
) -> dict[str, Any]:
    ratio = round(value / baseline, 2) if baseline else None
    entry: dict[str, Any] = {
        "value": round(value, 1),
        "unit": unit,
        "baseline": round(baseline, 1),
        "baseline_name": baseline_name,
        "ratio": ratio,
        "goal": goal,
        "met": met,
    }
    if runs is not None:
        entry["runs"] = [round(r, 1) for r in runs]
    if baseline_runs is not None:
        entry["baseline_runs"] = [round(r, 1) for r in baseline_runs]
    if note:
        entry["note"] = note
    return entry


def skipped(reason: str) -> dict[str, Any]:
    return {"value": None, "skipped": reason, "met": None}


def compile_bytecode() -> None:
    """Lanyard's and the harness's modules compiled once, before any child starts (the
    children write what is missing too, but the first of each would pay for it)."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(REPO / "desktop_app"), str(REPO / "tests")],
        capture_output=True,
        check=False,
        timeout=300,
    )


def measure(
    options: argparse.Namespace, scratch: Path, display: str | None, stack: contextlib.ExitStack
) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    compile_bytecode()

    def wanted(*names: str) -> bool:
        return not options.only or any(name in options.only for name in names)

    env = isolated_env(scratch / "home", display)
    browser_env = dict(env)
    browser_env.update(
        BROWSER=f"{sys.executable} {STANDIN} --detach",
        STANDIN_USER="megan.bowen@contoso.test",
        STANDIN_LOG=str(scratch / "standin.log"),
    )
    sandbox = sandbox_process(scratch / "idp", env)
    SANDBOX_INFO[:] = [stack.enter_context(sandbox)]
    browser_env["STANDIN_CA"] = json.loads(SANDBOX_INFO[0].read_text())["ca_file"]
    profile = scratch / "warm-profile"
    print("signing in once (the stand-in browser)...", file=sys.stderr)
    signed_in = lanyard_child("sign-in", profile, browser_env)
    sign_in_requests = signed_in["requests"]

    # first window and warm start, alternating with the bare window
    first_figures = ("first_window", "warm_profile", "warm_idp_requests", "warm_graph_requests")
    bare: list[float] = []
    bare_idle: list[float] = []
    first: list[float] = []
    warm: list[float] = []
    idp: list[int] = []
    graph: list[int] = []
    heavy_at_paint: set[str] = set()
    stall_figures = ("stall_sign_in", "stall_refresh", "stall_profile")
    if wanted(*first_figures):
        print(f"first window and warm start, {options.runs} runs each...", file=sys.stderr)
        rounds = options.runs + 1
    else:  # the stalls' baseline alone: the bare window's idle heartbeat
        rounds = 4 if wanted(*stall_figures) else 0
    for round_ in range(rounds):  # round 0 warms the page cache and bytecode, not counted
        order = ("bare", "app") if round_ % 2 else ("app", "bare")
        for which in order if wanted(*first_figures) else ("bare",):
            if which == "bare":
                report = run_child([sys.executable, str(BARE), "--idle-ms", "500"], env)
                if round_:
                    bare.append(since_start(report, "first_paint"))
                    bare_idle.append(float(report["stall_idle_ms"]))
            else:
                report = lanyard_child("warm", profile, env)
                if round_:
                    first.append(since_start(report, "first_paint"))
                    warm.append(since_start(report, "profile_rendered"))
                    idp.append(count(report["requests"], "idp"))
                    graph.append(count(report["requests"], "graph"))
                    heavy_at_paint.update(report["imported_at_first_paint"])
    if wanted(*first_figures):
        first_window_figures(
            figures, sign_in_requests, first, bare, warm, idp, graph, heavy_at_paint
        )
    if wanted(*stall_figures):
        stall_phase_figures(figures, options, scratch, browser_env, bare_idle)
    if wanted("rss_growth", "thread_growth"):
        growth_figures(figures, options, profile, env)
    if wanted("idle_shown", "idle_minimised", "idle_hidden"):
        idle_figures(figures, options, profile, env)
    if wanted(*GROWTH_FIGURES):
        figures.update(data_growth_figures(options, env))
    if wanted("growth_accounts_start", "growth_accounts_switch"):
        figures.update(account_figures(options, scratch, env, browser_env, profile))
    if wanted("whoami"):
        whoami_figure(figures, options, profile, env)
    if wanted("installed_start"):
        installed_figure(figures, options, display)
    return figures


def first_window_figures(
    figures: dict[str, Any],
    sign_in_requests: list[dict[str, Any]],
    first: list[float],
    bare: list[float],
    warm: list[float],
    idp: list[int],
    graph: list[int],
    heavy_at_paint: set[str],
) -> None:
    first_ms, bare_ms = statistics.median(first), statistics.median(bare)
    figures["first_window"] = figure(
        first_ms,
        "ms",
        bare_ms,
        "bare PySide6 window",
        "<= 1.3x",
        first_ms <= 1.3 * bare_ms,
        first,
        bare,
        note="imported at first paint: "
        + (", ".join(sorted(heavy_at_paint)) or "none of msal, msal_extensions, requests"),
    )
    warm_ms = statistics.median(warm)
    figures["warm_profile"] = figure(
        warm_ms,
        "ms",
        first_ms,
        "first window",
        "<= first window + 150 ms",
        warm_ms <= first_ms + 150,
        warm,
    )
    figures["warm_idp_requests"] = figure(
        max(idp),
        "requests",
        count(sign_in_requests, "idp"),
        "the start that signed in",
        "0",
        max(idp) == 0,
        [float(n) for n in idp],
    )
    figures["warm_graph_requests"] = figure(
        max(graph),
        "requests",
        count(sign_in_requests, "graph"),
        "the start that signed in",
        "<= 1",
        max(graph) <= 1,
        [float(n) for n in graph],
    )


def stall_phase_figures(
    figures: dict[str, Any],
    options: argparse.Namespace,
    scratch: Path,
    browser_env: Mapping[str, str],
    bare_idle: list[float],
) -> None:
    """GUI stalls while the sandbox answers slowly."""
    idle = statistics.median(bare_idle)
    print(f"GUI stalls with {options.delay_ms} ms token and /me delays...", file=sys.stderr)
    stall = lanyard_child(
        "stall", scratch / "stall-profile", browser_env, "--delay-ms", str(options.delay_ms)
    )
    for phase in ("sign_in", "refresh", "profile"):
        worst = float(stall[f"stall_{phase}_ms"])
        cpu = float(stall[f"stall_{phase}_cpu_ms"])
        figures[f"stall_{phase}"] = figure(
            worst,
            "ms",
            idle,
            "idle bare window heartbeat",
            "<= 50 ms",
            worst <= 50,
            note=f"sandbox delay {options.delay_ms} ms; during the worst gap Lanyard's process "
            f"used {cpu:.0f} ms of CPU (all threads): little CPU means the machine, not "
            "Lanyard, held the GUI thread up",
        )


def growth_figures(
    figures: dict[str, Any], options: argparse.Namespace, profile: Path, env: Mapping[str, str]
) -> None:
    """Memory and threads over forced refreshes."""
    print(f"{options.refreshes} forced refreshes...", file=sys.stderr)
    soak = lanyard_child("refreshes", profile, env, "--refreshes", str(options.refreshes))
    before, after = soak["after_start"], soak["after_refreshes"]
    half = soak.get("at_half", before)
    growth_mb = (after["rss_kib"] - before["rss_kib"]) / 1024
    figures["rss_growth"] = figure(
        growth_mb,
        "MB",
        before["rss_kib"] / 1024,
        "RSS once started (MB)",
        "<= 5 MB",
        growth_mb <= 5,
        note=f"{soak['refreshes']} refreshes; RSS after {after['rss_kib'] / 1024:.1f} MB; "
        f"second half alone: {(after['rss_kib'] - half['rss_kib']) / 1024:+.1f} MB (warm-up vs "
        "a steady leak)",
    )
    figures["thread_growth"] = figure(
        after["threads"] - before["threads"],
        "threads",
        before["threads"],
        "threads once started",
        "<= 0",
        # fewer is fine: threads Qt or the start-up used have ended; more would be a leak
        after["threads"] <= before["threads"],
        note=f"Python threads {before['py_threads']} -> {after['py_threads']}",
    )


def idle_figures(
    figures: dict[str, Any], options: argparse.Namespace, profile: Path, env: Mapping[str, str]
) -> None:
    """Idle: wake-ups a second, the window alone (issue 19, item 5)."""
    idle_s = 3.0 if options.quick else 20.0
    print(f"idle, {idle_s:g} s each...", file=sys.stderr)
    floor_report = run_child(
        [sys.executable, str(BARE), "--idle-ms", "100", "--wakeups-s", str(idle_s)], env
    )
    idle_report = lanyard_child("idle", profile, env, "--idle-s", str(idle_s))
    idle_floor = float(floor_report["idle_wakeups_per_s"])
    for phase in ("shown", "minimised", "hidden"):
        rate = float(idle_report[f"idle_{phase}_per_s"])
        threads = idle_report.get(f"idle_{phase}_threads", {})
        figures[f"idle_{phase}"] = figure(
            rate,
            "wake-ups/s",
            idle_floor,
            "idle bare PySide6 window",
            "<= floor + 1/s",
            rate <= idle_floor + 1,
            note=f"{idle_s:g} s; threads woken /s: "
            + (", ".join(f"{name} {n:g}" for name, n in sorted(threads.items())) or "none")
            + "; timers running: "
            + (", ".join(idle_report.get(f"idle_{phase}_timers", [])) or "none"),
        )


def whoami_figure(
    figures: dict[str, Any], options: argparse.Namespace, profile: Path, env: Mapping[str, str]
) -> None:
    """Headless whoami vs the import floor."""
    print(f"whoami, {options.runs} runs...", file=sys.stderr)
    whoami_cmd = [
        *(sys.executable, "-m", "desktop_app", "whoami", "--sandbox"),
        *("--sandbox-info", str(SANDBOX_INFO[0]), "--profile-dir", str(profile)),
    ]
    commands = {"whoami": whoami_cmd, "floor": [sys.executable, "-c", IMPORT_FLOOR]}
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(options.runs + 1):
        names = list(commands) if round_ % 2 else list(commands)[::-1]
        for name in names:
            elapsed = wall_ms(commands[name], {**env, "PYTHONPATH": str(REPO)})
            if round_:
                times[name].append(elapsed)
    who, floor = statistics.median(times["whoami"]), statistics.median(times["floor"])
    figures["whoami"] = figure(
        who,
        "ms",
        floor,
        IMPORT_FLOOR,
        "<= 1.3x",
        who <= 1.3 * floor,
        times["whoami"],
        times["floor"],
    )


def installed_figure(
    figures: dict[str, Any], options: argparse.Namespace, display: str | None
) -> None:
    """The installed package vs the venv."""
    installed = Path("/usr/bin/lanyard")
    venv_lanyard = Path(sys.executable).with_name("lanyard")
    if not installed.exists():
        figures["installed_start"] = skipped("/usr/bin/lanyard is not installed")
    elif display is None:
        figures["installed_start"] = skipped("no X server (Xvfb) to see the windows")
    else:
        from tests.support import startup_timing

        runs = startup_timing.compare(
            {"venv": [str(venv_lanyard)], "installed": [str(installed)]},
            options.runs,
            display,
            os.environ,
        )
        inst, venv = statistics.median(runs["installed"]), statistics.median(runs["venv"])
        figures["installed_start"] = figure(
            inst * 1000,
            "ms",
            venv * 1000,
            "venv's lanyard (X window mapped)",
            "",
            None,
            [t * 1000 for t in runs["installed"]],
            [t * 1000 for t in runs["venv"]],
        )


EXTRA_ACCOUNTS = 9  # the sandbox's extra users: with the signed-in one, 10 accounts


def growth_slope(small_ms: float, large_ms: float, small_n: float, large_n: float) -> float:
    """log-log growth of time against data: 0 flat, 1 as fast as the data, above 1 faster.
    (Here, not in growth.py, which imports Qt: this process never does.)"""
    if small_ms <= 0 or large_ms <= 0:
        return 0.0
    return round(math.log(large_ms / small_ms) / math.log(large_n / small_n), 3)


def signed_in_profile(folder: Path, upns: list[str], browser_env: Mapping[str, str]) -> Path:
    """A profile with these accounts in its cache, each signed in by ``lanyard login``."""
    for upn in upns:
        wall_ms(
            [
                *(sys.executable, "-m", "desktop_app", "login", "--sandbox"),
                *("--sandbox-info", str(SANDBOX_INFO[0]), "--profile-dir", str(folder)),
            ],
            {**browser_env, "STANDIN_USER": upn, "PYTHONPATH": str(REPO)},
        )
    return folder


def account_figures(
    options: argparse.Namespace,
    scratch: Path,
    env: Mapping[str, str],
    browser_env: Mapping[str, str],
    one: Path,
) -> dict[str, Any]:
    """Issue 19, item 6: 1 vs 10 accounts at a warm start, 2 vs 10 for a switch."""
    from desktop_app.sandbox.directory import ADMIN_UPN, staff_upn

    print("signing in 10 accounts (lanyard login)...", file=sys.stderr)
    staff = [staff_upn(n) for n in range(1, EXTRA_ACCOUNTS + 1)]
    two = signed_in_profile(scratch / "two-accounts", [ADMIN_UPN, staff[0]], browser_env)
    ten = signed_in_profile(scratch / "ten-accounts", [ADMIN_UPN, *staff], browser_env)
    starts: dict[str, list[float]] = {"one": [], "ten": []}
    switches: dict[str, list[float]] = {"two": [], "ten": []}
    stalls: dict[str, list[float]] = {"two": [], "ten": []}
    print(f"warm starts and switches, 1/2 vs 10 accounts, {options.runs} runs...", file=sys.stderr)
    for round_ in range(options.runs):
        for name in ("one", "ten") if round_ % 2 else ("ten", "one"):
            report = lanyard_child("warm", one if name == "one" else ten, env)
            starts[name].append(since_start(report, "profile_rendered"))
        for name in ("two", "ten") if round_ % 2 else ("ten", "two"):
            # the first switch after a warm start, in both: later ones find more already loaded
            report = lanyard_child("switch", two if name == "two" else ten, env, "--switches", "1")
            switches[name].extend(float(t) for t in report["switch_ms"])
            stalls[name].append(float(report["stall_switch_ms"]))
    found: dict[str, Any] = {}
    for key, small, large, small_n, times in (
        ("growth_accounts_start", "one", "ten", 1, starts),
        ("growth_accounts_switch", "two", "ten", 2, switches),
    ):
        a, b = statistics.median(times[small]), statistics.median(times[large])
        rate = growth_slope(a, b, small_n, 10)
        note = f"{small_n:g} vs 10 accounts; log-log slope {rate:g} (0 flat, 1 as fast as the data)"
        if key == "growth_accounts_switch":
            note += (
                f"; worst GUI stall while switching {max(stalls['two']):g} vs "
                f"{max(stalls['ten']):g} ms"
            )
        found[key] = figure(
            b,
            "ms",
            a,
            f"{small_n} account{'s' if small_n > 1 else ''}",
            f"slope {rate:g} (<= 1)",
            rate <= 1,
            times[large],
            times[small],
            note=note,
        )
        found[key]["slope"] = rate
    return found


GROWTH = REPO / "tests" / "benchmarks" / "growth.py"
GROWTH_FIGURES = {  # figure: (growth.py's pair, what grows, the unit of the data)
    "growth_roles_paint": ("roles_paint", "Roles panel first paint", "roles"),
    "growth_roles_stall": ("roles_stall", "worst GUI step", "roles"),
    "growth_profile": ("profile", "profile shown", "bytes of /me"),
    "growth_api_history": ("api_history", "API console built", "stored requests"),
}


def data_growth_figures(options: argparse.Namespace, env: Mapping[str, str]) -> dict[str, Any]:
    """Issue 19, item 6: each pair small vs large, the large one's time against the small's."""
    runs = options.runs
    print(f"growth, {runs} runs...", file=sys.stderr)
    report = run_child([sys.executable, str(GROWTH), "--runs", str(runs)], env)
    found: dict[str, Any] = {}
    for name, (pair, what, unit) in GROWTH_FIGURES.items():
        entry = report[pair]
        note = (
            f"{what}: {entry['small_n']:g} vs {entry['large_n']:g} {unit}; "
            f"log-log slope {entry['slope']:g} (0 flat, 1 as fast as the data)"
        )
        if pair == "roles_stall":
            steps = entry.get("steps", {})
            note += f"; the worst step of each run: {steps}"
        if pair == "profile":
            parse = report["profile_parse"]
            note += (
                f"; parsing it (network pool, off the GUI thread) {parse['small_ms']:g} vs "
                f"{parse['large_ms']:g} ms, slope {parse['slope']:g}"
            )
        if pair == "api_history":
            add = report["api_history_add"]
            note += (
                f"; one request added {add['small_ms']:g} vs {add['large_ms']:g} ms, "
                f"slope {add['slope']:g}"
            )
        found[name] = figure(
            entry["large_ms"],
            "ms",
            entry["small_ms"],
            f"{entry['small_n']:g} {unit}",
            f"slope {entry['slope']:g} (<= 1)",
            entry["slope"] <= 1,
            note=note,
        )
        found[name]["slope"] = entry["slope"]
    return found


def table(figures: Mapping[str, Any]) -> str:
    rows = [("figure", "value", "baseline", "ratio", "goal", "met")]
    for name in (name for name in FIGURES if name in figures):
        entry = figures[name]
        if entry.get("skipped"):
            rows.append((name, "skipped", entry["skipped"], "", "", ""))
            continue
        unit = entry["unit"]
        met = {True: "yes", False: "NO", None: "-"}[entry["met"]]
        rows.append(
            (
                name,
                f"{entry['value']:g} {unit}",
                f"{entry['baseline']:g} ({entry['baseline_name']})",
                f"{entry['ratio']:.2f}x" if entry["ratio"] is not None else "",
                entry["goal"],
                met,
            )
        )
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="short mode for CI (about a minute)")
    parser.add_argument("--runs", type=int, help="runs per figure (default 7; quick 2)")
    parser.add_argument("--refreshes", type=int, help="forced refreshes (default 1000; quick 50)")
    parser.add_argument("--delay-ms", type=int, help="sandbox delay (default 5000; quick 1000)")
    parser.add_argument(
        "--json", type=Path, default=DEFAULT_JSON, help=f"where to write (default {DEFAULT_JSON})"
    )
    parser.add_argument(
        "--only",
        type=lambda text: [name.strip() for name in text.split(",") if name.strip()],
        default=[],
        metavar="FIGURE,...",
        help="measure only these figures (names as in the table); the rest are left out",
    )
    options = parser.parse_args(argv)
    unknown = [name for name in options.only if name not in FIGURES]
    if unknown:
        parser.error(
            f"--only: no figure named {', '.join(unknown)} (figures: {', '.join(FIGURES)})"
        )
    options.runs = options.runs or (2 if options.quick else 7)
    options.refreshes = options.refreshes or (50 if options.quick else 1000)
    options.delay_ms = options.delay_ms or (1000 if options.quick else 5000)
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="lanyard-bench-") as scratch,
        display_server() as display,
        contextlib.ExitStack() as stack,
    ):
        try:
            figures = measure(options, Path(scratch), display, stack)
        except BenchError as exc:
            print(f"benchmark failed: {exc}", file=sys.stderr)
            return 1
    document = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "qt_platform": "xcb (Xvfb)" if display else "offscreen",
            "load_average": list(os.getloadavg()),
        },
        "settings": {
            "quick": options.quick,
            "runs": options.runs,
            "refreshes": options.refreshes,
            "delay_ms": options.delay_ms,
        },
        "seconds": round(time.monotonic() - started, 1),
        "figures": figures,
    }
    print(table(figures))
    options.json.parent.mkdir(parents=True, exist_ok=True)
    options.json.write_text(json.dumps(document, indent=2) + "\n")
    print(f"written to {options.json} ({document['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
