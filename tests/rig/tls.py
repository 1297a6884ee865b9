"""Throwaway TLS material for the test servers: one trusted CA and four leaf certificates.

Everything is generated once per session (trustme, plus `cryptography` for the one
self-signed leaf) and written as PEM files, because Dovecot and pymap read files.

Invariants: only `cafile` is ever trusted by clients built here; `localhost` is the only
leaf that a correct client accepts. The other three exist so security tests can prove the
daemon refuses them.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

# The names every "good" server certificate covers: what a loopback client may dial.
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
WRONG_HOST = "wrong-host.invalid"


@dataclass(frozen=True, slots=True)
class CertFiles:
    """A server certificate chain (leaf first) and its private key, as PEM files."""

    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        """An SSLContext for a server presenting this certificate."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context


@dataclass(frozen=True, slots=True)
class TlsRig:
    """The session's CA and leaf certificates.

    Attributes:
        ca: the trustme CA; `cafile` is its certificate.
        localhost: valid, trusted leaf for localhost / 127.0.0.1 / ::1.
        wrong_host: trusted CA, but issued for `wrong-host.invalid` only.
        expired: trusted CA and right names, but expired yesterday.
        self_signed: right names, signed by itself, trusted by nobody.
    """

    ca: trustme.CA
    cafile: Path
    localhost: CertFiles
    wrong_host: CertFiles
    expired: CertFiles
    self_signed: CertFiles

    def client_context(self) -> ssl.SSLContext:
        """A verifying client context that trusts only this rig's CA."""
        return ssl.create_default_context(cafile=str(self.cafile))


def make_tls_rig(directory: Path) -> TlsRig:
    """Generate the CA and leaf certificates into `directory` (which must exist)."""
    ca = trustme.CA(organization_name="followthru test CA")
    cafile = directory / "ca.pem"
    ca.cert_pem.write_to_path(str(cafile))
    now = dt.datetime.now(dt.UTC)
    return TlsRig(
        ca=ca,
        cafile=cafile,
        localhost=_write_leaf(directory, "localhost", ca.issue_cert(*LOOPBACK_NAMES)),
        wrong_host=_write_leaf(directory, "wrong-host", ca.issue_cert(WRONG_HOST)),
        expired=_write_leaf(
            directory,
            "expired",
            ca.issue_cert(
                *LOOPBACK_NAMES,
                not_before=now - dt.timedelta(days=30),
                not_after=now - dt.timedelta(days=1),
            ),
        ),
        self_signed=_write_self_signed(directory, "self-signed"),
    )


def _write_leaf(directory: Path, name: str, leaf: trustme.LeafCert) -> CertFiles:
    files = CertFiles(cert=directory / f"{name}.crt", key=directory / f"{name}.key")
    files.cert.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    leaf.private_key_pem.write_to_path(str(files.key))
    return files


def _write_self_signed(directory: Path, name: str) -> CertFiles:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.IPAddress(ipaddress.ip_address("::1")),
                ]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    files = CertFiles(cert=directory / f"{name}.crt", key=directory / f"{name}.key")
    files.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return files
