"""The sandbox's own CA, its localhost server certificate and the token signing keys.

Created once per state directory and reused, so a client that trusts the CA file and tokens that
were signed before a restart stay valid after it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import ipaddress
import os
import secrets
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from desktop_app.sandbox.jwt import b64url_encode

CA_FILE = "ca.pem"
CA_KEY_FILE = "ca-key.pem"
SERVER_CERT_FILE = "server.pem"
SERVER_KEY_FILE = "server-key.pem"
SIGNING_KEY_FILE = "signing-key.pem"
REFRESH_SECRET_FILE = "refresh-secret.bin"

# Renew the server certificate well before it lapses; the CA outlives many renewals.
_SERVER_VALIDITY = dt.timedelta(days=365)
_CA_VALIDITY = dt.timedelta(days=3650)
_RENEW_BEFORE = dt.timedelta(days=30)


@dataclass(frozen=True)
class KeyMaterial:
    ca_file: Path
    server_cert_file: Path
    server_key_file: Path
    signing_key: rsa.RSAPrivateKey
    kid: str
    refresh_secret: bytes  # HMAC key that makes refresh tokens self-contained yet unforgeable


def _write_private(path: Path, data: bytes, mode: int = 0o600) -> None:
    """A new file renamed over ``path``: 0600 from the start (never a moment where another user
    could read the key, whatever mode an old file had), and a link planted at ``path`` (the
    state folder may be another user's) is replaced, never written through."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            if mode != 0o600 and os.name == "posix":
                os.fchmod(handle.fileno(), mode)
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _pem_key(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _make_ca() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Lanyard sandbox"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"Lanyard sandbox CA {secrets.token_hex(4)}"),
        ]
    )
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + _CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _make_server_cert(
    ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + _SERVER_VALIDITY)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def _load_ca(state_dir: Path) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate] | None:
    try:
        key = serialization.load_pem_private_key((state_dir / CA_KEY_FILE).read_bytes(), None)
        cert = x509.load_pem_x509_certificate((state_dir / CA_FILE).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or cert.not_valid_after_utc < _now():
        return None
    return key, cert


def _server_cert_usable(state_dir: Path, ca_cert: x509.Certificate) -> bool:
    try:
        cert = x509.load_pem_x509_certificate((state_dir / SERVER_CERT_FILE).read_bytes())
        serialization.load_pem_private_key((state_dir / SERVER_KEY_FILE).read_bytes(), None)
    except (OSError, ValueError):
        return False
    return cert.issuer == ca_cert.subject and cert.not_valid_after_utc - _RENEW_BEFORE > _now()


def _signing_key(state_dir: Path) -> rsa.RSAPrivateKey:
    path = state_dir / SIGNING_KEY_FILE
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), None)
        if isinstance(key, rsa.RSAPrivateKey):
            return key
    except (OSError, ValueError):
        pass
    fresh = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    _write_private(path, _pem_key(fresh))
    return fresh


def _refresh_secret(state_dir: Path) -> bytes:
    path = state_dir / REFRESH_SECRET_FILE
    try:
        secret = path.read_bytes()
        if len(secret) >= 32:
            return secret
    except OSError:
        pass
    secret = secrets.token_bytes(32)
    _write_private(path, secret)
    return secret


def key_id(key: rsa.RSAPublicKey) -> str:
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return b64url_encode(hashlib.sha256(der).digest()[:15])


def load_or_create(state_dir: Path) -> KeyMaterial:
    """Reuse what `state_dir` holds; create (only) what is missing, expired or inconsistent."""
    state_dir.mkdir(parents=True, exist_ok=True)
    loaded = _load_ca(state_dir)
    if loaded is None:
        ca_key, ca_cert = _make_ca()
        _write_private(state_dir / CA_KEY_FILE, _pem_key(ca_key))
        _write_private(state_dir / CA_FILE, ca_cert.public_bytes(serialization.Encoding.PEM), 0o644)
    else:
        ca_key, ca_cert = loaded
    if not _server_cert_usable(state_dir, ca_cert):
        key, cert = _make_server_cert(ca_key, ca_cert)
        _write_private(state_dir / SERVER_KEY_FILE, _pem_key(key))
        _write_private(
            state_dir / SERVER_CERT_FILE, cert.public_bytes(serialization.Encoding.PEM), 0o644
        )
    signing_key = _signing_key(state_dir)
    return KeyMaterial(
        ca_file=state_dir / CA_FILE,
        server_cert_file=state_dir / SERVER_CERT_FILE,
        server_key_file=state_dir / SERVER_KEY_FILE,
        signing_key=signing_key,
        kid=key_id(signing_key.public_key()),
        refresh_secret=_refresh_secret(state_dir),
    )


def server_context(material: KeyMaterial) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(material.server_cert_file, material.server_key_file)
    return context
