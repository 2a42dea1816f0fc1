"""Who is on the other end of a local connection: the owner (uid) of the peer's socket.

Another user on the same computer can connect to anything Lanyard listens on locally (the
single-instance socket, the sign-in's loopback port). These answers let Lanyard refuse them.

- A Unix socket (single_instance.py): the kernel's SO_PEERCRED (Linux). Other systems: None,
  there the socket's private directory is the guarantee.
- A loopback TCP connection (the sign-in receiver): Linux lists every TCP socket of this network
  namespace with its owner in /proc/net/tcp and /proc/net/tcp6. The peer's socket is the entry
  whose local address is the connection's remote address as we see it (and the other way round).
  Other systems: None.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
import sys
from pathlib import Path

TCP_TABLES = (Path("/proc/net/tcp"), Path("/proc/net/tcp6"))
HIDDEN = -1  # the peer's socket is not in the tables in a state that names its owner

Address = tuple[str, int]


def unix_peer_uid(fd: int) -> int | None:
    """The uid of the process at the other end of the connected Unix socket ``fd`` (for a
    client: the server's, taken when it listened). None where the system cannot tell. Raises
    OSError when it should tell and cannot."""
    if not sys.platform.startswith("linux"):
        return None
    # fromfd duplicates the descriptor: closing this object leaves the caller's socket open
    with socket.fromfd(fd, socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return int(uid)


def _address(field: str) -> Address:
    """``0100007F:1F90`` (/proc/net/tcp) or 32 hex digits + port (tcp6): the kernel prints
    each 32-bit word of the address in host byte order."""
    host, port = field.split(":")
    words = [int(host[i : i + 8], 16) for i in range(0, len(host), 8)]
    raw = b"".join(struct.pack("=I", word) for word in words)
    ip = ipaddress.ip_address(raw)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # a dual-stack client connecting to our IPv4 listener
    return str(ip), int(port, 16)


def _normal(address: tuple[str, int] | tuple[str, int, int, int]) -> Address:
    ip = ipaddress.ip_address(address[0].split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return str(ip), int(address[1])


def tcp_peer_uid(ours: tuple[str, int], theirs: tuple[str, int]) -> int | None:
    """The uid owning the peer of the TCP connection whose local address is ``ours`` and
    remote address ``theirs`` (getsockname(), getpeername() of the accepted socket).

    None when the system cannot tell: not Linux, no /proc, or tables that do not list even our
    own side (WSL 1, gVisor). HIDDEN when our side is listed but the peer's is not, or no process
    holds the peer's any more (inode 0: closed, or its TIME_WAIT remains, listed as uid 0): a
    connection made and closed before it was looked at, as no browser does.
    """
    if not sys.platform.startswith("linux"):
        return None
    mine, peer = _normal(ours), _normal(theirs)
    seen_ours = False
    hidden = False
    for table in TCP_TABLES:
        try:
            lines = table.read_text("ascii", "replace").splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 10:
                continue
            try:
                local, remote = _address(fields[1]), _address(fields[2])
            except ValueError:
                continue
            if local == peer and remote == mine:
                if fields[9] == "0":  # no process holds it (closed): its uid is not an owner
                    hidden = True
                    continue
                return int(fields[7])
            if local == mine and remote == peer:
                seen_ours = True
    if seen_ours or hidden:
        return HIDDEN
    return None
