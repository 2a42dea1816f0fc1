"""A Lanyard without a console (the windowed lanyard.exe: sys.stdout and sys.stderr are None)
refuses the terminal's requests with an exit code and a line in its log file, never a traceback;
the window path goes on. Run in real processes whose stdout and stderr descriptors are closed,
which is how CPython ends up with None streams, as PyInstaller's windowed bootloader does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app import __version__
from tests.conftest import REPO

# stdout and stderr closed before Python starts: CPython then sets sys.stdout/sys.stderr to None
PROBE = (
    "import os, sys\n"
    "assert sys.stdout is None and sys.stderr is None\n"
    "sys.platform = os.environ.get('PROBE_PLATFORM', sys.platform)  # the wording for Windows\n"
    "if sys.platform == 'win32':  # platformdirs would ask Windows' known-folder API\n"
    "    from pathlib import Path\n"
    "    from desktop_app.core import paths\n"
    "    paths.data_dir = lambda: Path(os.environ['LOCALAPPDATA']) / 'Lanyard'\n"
    "from desktop_app.__main__ import main\n"
    "code = main(sys.argv[1:])\n"
    "open(sys.argv[0] + '.code', 'w').write(repr(code))\n"
    "sys.exit(0 if code is None else code)\n"
)


def run_without_console(
    tmp_path: Path, *args: str, platform: str = sys.platform
) -> tuple[int, str, str]:
    """(exit status, what main() returned, the log file) of a console-less run."""
    script = tmp_path / "probe.py"
    script.write_text(PROBE)
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "LOCALAPPDATA": str(tmp_path / "local"),  # data_dir() as on Windows (PROBE sets it)
        "PROBE_PLATFORM": platform,
    }
    env.pop("PYTHONFAULTHANDLER", None)
    result = subprocess.run(
        [sys.executable, str(script), *args],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        pass_fds=(),
        preexec_fn=lambda: (os.close(1), os.close(2)),  # the child has no threads
        timeout=60,
        check=False,
    )
    returned = (tmp_path / "probe.py.code").read_text()
    if platform == "win32":
        log = tmp_path / "local" / "Lanyard" / "logs" / "lanyard.log"
    else:
        log = tmp_path / "data" / "lanyard" / "logs" / "lanyard.log"
    return result.returncode, returned, log.read_text() if log.exists() else ""


@pytest.mark.skipif(os.name != "posix", reason="closes descriptors with preexec_fn")
@pytest.mark.parametrize(
    ("args", "what"),
    [
        (["whoami"], "whoami"),
        (["token", "--json", "--scopes", "User.Read"], "token"),
        (["--tenant", "contoso.example", "whoami", "--json"], "whoami"),
        (["--version"], "--version"),
        (["--help"], "--help"),
        (["token", "-h"], "-h"),
    ],
)
def test_a_terminal_request_is_refused_into_the_log(
    tmp_path: Path, args: list[str], what: str
) -> None:
    status, returned, log = run_without_console(tmp_path, *args, platform="win32")
    assert (status, returned) == (2, "2")
    assert f"'lanyard {what}' needs a console" in log
    assert f"run 'lanyard-cli {what}' in a terminal" in log
    assert "Traceback" not in log


@pytest.mark.skipif(os.name != "posix", reason="closes descriptors with preexec_fn")
def test_elsewhere_the_refusal_names_no_second_program(tmp_path: Path) -> None:
    status, returned, log = run_without_console(tmp_path, "token", platform="linux")
    assert (status, returned) == (2, "2")
    assert "'lanyard token' needs a console: run it in a terminal." in log
    assert "lanyard-cli" not in log


@pytest.mark.skipif(os.name != "posix", reason="closes descriptors with preexec_fn")
def test_a_bad_command_line_is_refused_with_argparse_code(tmp_path: Path) -> None:
    status, returned, log = run_without_console(tmp_path, "--no-such-flag")
    assert (status, returned) == (2, "2")
    assert "'lanyard --no-such-flag' needs a console" in log


def test_the_window_path_goes_on_without_a_console(monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app import console

    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    assert console.refuse_without_console(["--sandbox", "--verbose"]) is None
    # and nothing left to write to None: a library's warning or logging's report cannot raise
    assert sys.stdout is not None and sys.stderr is not None
    print("goes to os.devnull", file=sys.stderr)
    assert sys.stdout.name == sys.stderr.name == os.devnull
    sys.stdout.close()
    sys.stderr.close()


def test_with_a_console_nothing_changes(capsys: pytest.CaptureFixture[str]) -> None:
    from desktop_app import console
    from desktop_app.__main__ import main

    assert console.refuse_without_console(["whoami"]) is None
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"Lanyard {__version__}\n"


def test_the_console_program_is_what_the_packaging_ships() -> None:
    from desktop_app.console import CONSOLE_PROGRAM

    spec = (REPO / "packaging" / "lanyard.spec").read_text(encoding="utf-8")
    iss = (REPO / "packaging" / "windows" / "lanyard.iss").read_text(encoding="utf-8")
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert f'executable("{CONSOLE_PROGRAM}", console=True)' in spec
    assert f"{CONSOLE_PROGRAM}.exe" in iss
    assert f'{CONSOLE_PROGRAM} = "desktop_app.__main__:main"' in pyproject
