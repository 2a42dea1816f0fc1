from __future__ import annotations

import socket
import ssl
import threading
from pathlib import Path

from cryptography import x509

from desktop_app.sandbox import pki


def test_material_is_created_once_and_reused(tmp_path: Path) -> None:
    first = pki.load_or_create(tmp_path)
    ca_pem = first.ca_file.read_bytes()
    second = pki.load_or_create(tmp_path)
    assert second.ca_file.read_bytes() == ca_pem
    assert second.kid == first.kid
    assert second.refresh_secret == first.refresh_secret
    assert (tmp_path / pki.SIGNING_KEY_FILE).stat().st_mode & 0o077 == 0
    assert (tmp_path / pki.CA_KEY_FILE).stat().st_mode & 0o077 == 0


def test_server_certificate_names_localhost_and_loopback(tmp_path: Path) -> None:
    material = pki.load_or_create(tmp_path)
    cert = x509.load_pem_x509_certificate(material.server_cert_file.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    assert [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]


def test_a_damaged_server_certificate_is_replaced(tmp_path: Path) -> None:
    pki.load_or_create(tmp_path)
    (tmp_path / pki.SERVER_CERT_FILE).write_text("garbage")
    material = pki.load_or_create(tmp_path)
    x509.load_pem_x509_certificate(material.server_cert_file.read_bytes())


def test_tls_handshake_verifies_against_the_ca_for_both_names(tmp_path: Path) -> None:
    material = pki.load_or_create(tmp_path)
    server_ctx = pki.server_context(material)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        for _ in range(2):
            conn, _ = listener.accept()
            try:
                with server_ctx.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(1)
            except (OSError, ssl.SSLError):
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    client_ctx = ssl.create_default_context(cafile=str(material.ca_file))
    for name in ("localhost", "127.0.0.1"):
        with (
            socket.create_connection(("127.0.0.1", port)) as raw,
            client_ctx.wrap_socket(raw, server_hostname=name) as tls,
        ):
            assert tls.version() in ("TLSv1.2", "TLSv1.3")
            tls.sendall(b"x")
    thread.join(5)
    listener.close()


def test_links_planted_in_a_shared_state_folder_are_replaced_and_keys_are_private(
    tmp_path: Path,
) -> None:
    """The demo's state folder sits in the profile folder, which --profile-dir may point at a
    folder another user writes to: a link planted at a file the sandbox writes is replaced, not
    written through into this user's files, and a key is 0600 whatever mode an old file had."""
    state = tmp_path / "state"
    state.mkdir()
    names = [
        pki.CA_KEY_FILE,
        pki.CA_FILE,
        pki.SERVER_KEY_FILE,
        pki.SERVER_CERT_FILE,
        pki.SIGNING_KEY_FILE,
        pki.REFRESH_SECRET_FILE,
    ]
    victims = {}
    for name in names:
        victim = tmp_path / f"victim-{name}"
        victim.write_text("mine\n")
        (state / name).symlink_to(victim)
        victims[name] = victim
    material = pki.load_or_create(state)
    for name, victim in victims.items():
        assert victim.read_text() == "mine\n", name
        assert not (state / name).is_symlink(), name
    x509.load_pem_x509_certificate(material.ca_file.read_bytes())
    assert (state / pki.CA_FILE).stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in state.iterdir()) == sorted(names)  # no temporary left

    loose = tmp_path / "loose"
    loose.mkdir()
    (loose / pki.SIGNING_KEY_FILE).write_text("not a key")
    (loose / pki.SIGNING_KEY_FILE).chmod(0o644)
    pki.load_or_create(loose)
    assert (loose / pki.SIGNING_KEY_FILE).stat().st_mode & 0o077 == 0
