"""read_bounded: a file a setting names is read only when it is a regular file, and only so much
of it; a named pipe, /dev/zero, a folder or a socket is refused at once, never read or waited on."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core.files import UnreadableFile, read_bounded

BOUND_S = 2.0  # each refusal is immediate; a hang or an endless read would take far longer


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


@pytest.fixture
def fifo_with_endless_writer(fifo: Path) -> Iterator[Path]:
    """A pipe someone writes to without end (``yes > pipe``)."""
    stop = threading.Event()

    def write() -> None:
        fd = os.open(fifo, os.O_RDWR)  # O_RDWR: opening never waits for a reader
        os.set_blocking(fd, False)
        try:
            while not stop.is_set():
                try:
                    os.write(fd, b"y\n" * 4096)
                except BlockingIOError:
                    time.sleep(0.01)
        finally:
            os.close(fd)

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    yield fifo
    stop.set()
    thread.join(2.0)


def _refused(path: Path, limit: int = 1 << 20) -> UnreadableFile:
    started = time.monotonic()
    with pytest.raises(UnreadableFile) as caught:
        read_bounded(path, limit)
    assert time.monotonic() - started < BOUND_S
    assert caught.value.path == path
    assert str(caught.value).startswith(f"'{path}' ")
    return caught.value


@pytest.mark.timeout(10)
def test_a_named_pipe_without_a_writer_is_refused_at_once(fifo: Path) -> None:
    assert _refused(fifo).reason == "is a named pipe, not a file"


@pytest.mark.timeout(10)
def test_a_named_pipe_with_an_endless_writer_is_refused_at_once(
    fifo_with_endless_writer: Path,
) -> None:
    assert _refused(fifo_with_endless_writer).reason == "is a named pipe, not a file"


@pytest.mark.timeout(10)
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/random"])
def test_a_device_is_refused_before_a_byte_is_read(device: str) -> None:
    assert _refused(Path(device)).reason == "is a device, not a file"


def test_dev_null_reads_as_an_empty_file() -> None:
    """`--config /dev/null` is the usual way to say "no config file"; it never blocks."""
    assert read_bounded(Path(os.devnull), 10) == b""


def test_a_folder_is_refused(tmp_path: Path) -> None:
    assert _refused(tmp_path).reason == "is a folder, not a file"


def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(path))
        # opening a socket file fails (ENXIO): refused as unreadable either way
        assert _refused(path).reason.startswith(("is a socket", "cannot be read"))
    finally:
        server.close()


def test_a_file_larger_than_the_limit_is_refused_not_cut_short(tmp_path: Path) -> None:
    path = tmp_path / "big"
    path.write_bytes(b"x" * 1025)
    assert _refused(path, 1024).reason == "is larger than 1 KiB: not the file meant"


def test_a_file_of_exactly_the_limit_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "exact"
    path.write_bytes(b"x" * 1024)
    assert read_bounded(path, 1024) == b"x" * 1024


def test_a_symlink_to_a_regular_file_is_read(tmp_path: Path) -> None:
    target = tmp_path / "target.pem"
    target.write_bytes(b"pem")
    link = tmp_path / "link.pem"
    link.symlink_to(target)
    assert read_bounded(link, 100) == b"pem"


def test_a_symlink_to_dev_zero_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "innocent.pem"
    link.symlink_to("/dev/zero")
    assert _refused(link).reason == "is a device, not a file"


def test_a_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_bounded(tmp_path / "nothing", 10)


def test_an_unreadable_file_says_so(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    path.write_bytes(b"x")
    path.chmod(0)
    if os.geteuid() == 0:  # root reads any file: stand in with a file root cannot open
        path = Path("/proc/self/mem")  # a regular file whose reads fail (EIO)
        assert _refused(path).reason.startswith("cannot be read")
    else:
        assert _refused(path).reason.startswith("cannot be read: Permission denied")


def test_a_nul_in_the_name_is_refused(tmp_path: Path) -> None:
    assert _refused(Path(f"{tmp_path}/a\0b")).reason == "is not a usable file name"
