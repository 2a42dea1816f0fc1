"""end_process: a terminal command's process ends without teardown, but nothing is lost.

Each case runs in a child process (the function ends its process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.skipif(os.name != "posix", reason="pipes closed early, POSIX exit codes")


def child(code: str, stdout: int = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from desktop_app.process_exit import end_process\n" + code],
        cwd=REPO,
        # block-buffered, as a terminal command's stdout to a pipe is
        env={
            **{k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"},
            "PYTHONPATH": str(REPO),
        },
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        check=False,
    )


def test_buffered_output_atexit_and_logging_are_done_first(tmp_path: Path) -> None:
    log_file = tmp_path / "log.txt"
    result = child(
        "import atexit, logging, sys\n"
        f"logging.basicConfig(filename={str(log_file)!r}, level=logging.INFO)\n"
        "logging.getLogger('x').info('logged before the end')\n"
        "atexit.register(lambda: print('atexit ran'))\n"
        "sys.stdout.write('answer ' * 1000)\n"  # a pipe: block-buffered, not yet written
        "sys.stderr.write('a warning')\n"
        "end_process(3)\n"
        "print('never')\n"
    )
    assert result.returncode == 3
    assert result.stdout.startswith("answer " * 1000)
    assert result.stdout.endswith("atexit ran\n")
    assert "never" not in result.stdout
    assert result.stderr == "a warning"
    assert log_file.read_text() == "INFO:x:logged before the end\n"


def test_a_thread_still_running_gets_the_normal_exit() -> None:
    result = child(
        "import threading, time\n"
        "def late():\n"
        "    time.sleep(0.3)\n"
        "    print('the thread finished', flush=True)\n"
        "threading.Thread(target=late).start()\n"
        "end_process(4)\n"
    )
    assert result.returncode == 4
    assert result.stdout == "the thread finished\n"


def test_a_reader_that_left_makes_the_exit_say_so() -> None:
    """As CPython says when its own final flush fails: 120, not success."""
    read, write = os.pipe()
    os.close(read)  # nobody will read: the flush gets EPIPE
    try:
        result = child("import sys\nsys.stdout.write('x' * 100)\nend_process(0)\n", stdout=write)
    finally:
        os.close(write)
    assert result.returncode == 120
