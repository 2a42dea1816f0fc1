"""core/peers.py on this user's own connections: the owner of the other end, and when it cannot
be told. (Another user's: tests/integration/auth/test_loopback_other_user.py and
tests/gui/test_single_instance_users.py, with a real second OS user.)"""

from __future__ import annotations

import os
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core import peers

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="/proc/net, SO_PEERCRED"
)


def test_addresses_read_as_the_kernel_prints_them() -> None:
    # each 32-bit word in host byte order (x86 and arm64 are little-endian: these machines)
    assert sys.byteorder == "little"
    assert peers._address("0100007F:1F90") == ("127.0.0.1", 8080)
    assert peers._address("0200007F:0050") == ("127.0.0.2", 80)
    mapped = "0000000000000000FFFF00000100007F:CD28"  # ::ffff:127.0.0.1, a dual-stack client
    assert peers._address(mapped) == ("127.0.0.1", 0xCD28)
    assert peers._address("00000000000000000000000001000000:0016") == ("::1", 22)
    with pytest.raises(ValueError):
        peers._address("zz:1")


@pytest.fixture
def connection() -> Iterator[tuple[socket.socket, socket.socket]]:
    """(the client, the accepted side) of a loopback TCP connection."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        client = socket.create_connection(listener.getsockname())
        accepted, _ = listener.accept()
    yield client, accepted
    client.close()
    accepted.close()


@linux_only
def test_the_owner_of_a_loopback_peer_is_found(connection: tuple[socket.socket, ...]) -> None:
    _client, accepted = connection
    assert peers.tcp_peer_uid(accepted.getsockname(), accepted.getpeername()) == os.geteuid()


@linux_only
def test_a_dual_stack_client_is_found_in_tcp6() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 in this kernel")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        with socket.socket(socket.AF_INET6) as client:
            client.connect(("::ffff:127.0.0.1", listener.getsockname()[1]))
            accepted, _ = listener.accept()
            with accepted:
                uid = peers.tcp_peer_uid(accepted.getsockname(), accepted.getpeername())
    assert uid == os.geteuid()


@linux_only
def test_a_peer_that_already_closed_names_no_owner(connection: tuple[socket.socket, ...]) -> None:
    client, accepted = connection
    client.close()  # its remains are listed with uid 0 and no inode: not an owner
    time.sleep(0.2)
    assert peers.tcp_peer_uid(accepted.getsockname(), accepted.getpeername()) == peers.HIDDEN


@linux_only
def test_tables_that_do_not_list_the_connection_cannot_tell(
    connection: tuple[socket.socket, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _client, accepted = connection
    empty = tmp_path / "tcp"
    empty.write_text("  sl  local_address rem_address   st ...\n")  # as on WSL 1
    monkeypatch.setattr(peers, "TCP_TABLES", (empty, tmp_path / "missing"))
    assert peers.tcp_peer_uid(accepted.getsockname(), accepted.getpeername()) is None


@linux_only
def test_the_owner_of_a_unix_socket_peer_is_found() -> None:
    left, right = socket.socketpair()
    with left, right:
        assert peers.unix_peer_uid(left.fileno()) == os.geteuid()
        left.fileno()  # still open: the duplicate was closed, not this one
        left.sendall(b"x")
        assert right.recv(1) == b"x"


def test_other_systems_cannot_tell(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    assert peers.tcp_peer_uid(("127.0.0.1", 1), ("127.0.0.1", 2)) is None
    assert peers.unix_peer_uid(0) is None
