"""Signing keys: self-signed test keys (``keys new``) and loading PKCS#12 or PEM key material.

Passwords never come from the command line: the caller passes a *password provider* that reads
the environment, a password file, or asks interactively, and is called only when a key needs it.
Private keys are never written to logs or error messages.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from checkengine.errors import UserError
from checkengine import limits
from checkengine.inputs import read_capped
from checkengine.pdf.output import write_atomic

TEST_KEY_LABEL = "SELF-SIGNED TEST KEY – NOT FOR PRODUCTION"
PasswordProvider = Callable[[str], bytes]


@dataclass(frozen=True)
class KeyFiles:
    p12: Path
    key_pem: Path
    cert_pem: Path


@dataclass
class LoadedKey:
    """A signer ready for pyHanko, with the facts the signature appearance shows."""

    signer: Any  # pyhanko.sign.signers.SimpleSigner
    certificate: x509.Certificate
    source: str

    @property
    def common_name(self) -> str:
        names = self.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(names[0].value) if names else self.certificate.subject.rfc4514_string()

    @property
    def self_signed(self) -> bool:
        return self.certificate.subject == self.certificate.issuer

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.certificate)


def fingerprint(cert: x509.Certificate, length: int = 12) -> str:
    digest = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, length * 2, 2))


def new_self_signed(
    name: str,
    out_dir: Path | str,
    password: bytes,
    *,
    days: int = 365,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    force: bool = False,
) -> KeyFiles:
    """Make an EC P-256 key and a self-signed certificate labelled as a test key.

    Writes ``key.p12`` (key + certificate, encrypted with *password*), ``key.pem`` (the key,
    encrypted with the same password) and ``cert.pem`` (the certificate, to give to
    ``verify --trust``) in *out_dir*.
    """
    if not name.strip():
        raise UserError("--name is empty; give the signer's name")
    if not password:
        raise UserError("the key password is empty; choose a password to protect the key")
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    files = KeyFiles(folder / "key.p12", folder / "key.pem", folder / "cert.pem")
    if not force:
        for path in (files.p12, files.key_pem, files.cert_pem):
            if path.exists():
                raise UserError(f"{path} exists; refusing to overwrite a key (use --force)")
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, TEST_KEY_LABEL),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "checkengine keys new"),
        ]
    )
    start = not_before or datetime.now(timezone.utc) - timedelta(minutes=5)
    end = not_after or start + timedelta(days=days)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    encryption = serialization.BestAvailableEncryption(password)
    p12 = pkcs12.serialize_key_and_certificates(name.encode("utf-8"), key, cert, None, encryption)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    # Private keys are readable by their owner only from the moment they have their name.
    write_atomic(files.p12, p12, force=True, mode=0o600)
    write_atomic(files.key_pem, key_pem, force=True, mode=0o600)
    write_atomic(files.cert_pem, cert.public_bytes(serialization.Encoding.PEM), force=True)
    return files


def load_certificates(path: Path | str) -> list[x509.Certificate]:
    """Every certificate in a PEM (or DER) file; a UserError when there is none."""
    p = Path(path)
    data = read_capped(p, limits.SMALL_FILE_BYTES, what="certificate file")
    try:
        if b"-----BEGIN" in data:
            certs = x509.load_pem_x509_certificates(data)
        else:
            certs = [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise UserError(f"{p} holds no certificate (expected PEM 'BEGIN CERTIFICATE' or DER)") from None
    return certs


def check_validity(cert: x509.Certificate, source: str, *, now: datetime | None = None) -> None:
    moment = now or datetime.now(timezone.utc)
    cn = cert.subject.rfc4514_string()
    if moment > cert.not_valid_after_utc:
        raise UserError(
            f"the certificate of {source} ({cn}) expired on "
            f"{cert.not_valid_after_utc:%Y-%m-%d %H:%M} UTC; it cannot sign"
        )
    if moment < cert.not_valid_before_utc:
        raise UserError(
            f"the certificate of {source} ({cn}) is not valid before "
            f"{cert.not_valid_before_utc:%Y-%m-%d %H:%M} UTC; it cannot sign yet"
        )


def load_key(
    key_path: Path | str,
    *,
    cert_path: Path | str | None = None,
    password: PasswordProvider,
    now: datetime | None = None,
) -> LoadedKey:
    """Load a PKCS#12 store (``.p12``/``.pfx``) or a PEM key with ``cert_path``; check the dates."""
    from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1, translate_pyca_cryptography_key_to_asn1
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    path = Path(key_path)
    data = read_capped(path, limits.SMALL_FILE_BYTES, what="key")
    extra: list[x509.Certificate] = []
    if b"-----BEGIN" in data:
        if cert_path is None:
            raise UserError(f"{path} is a PEM key; give its certificate with --cert CERT.pem")
        secret = password(str(path)) if b"ENCRYPTED" in data else None
        try:
            key = serialization.load_pem_private_key(data, password=secret)
        except (ValueError, TypeError):
            raise UserError(f"cannot open the key {path}: wrong password, or not a PEM private key") from None
        certs = load_certificates(cert_path)
        cert = certs[0]
        extra = certs[1:]
    else:
        secret = password(str(path))
        try:
            p12_key, p12_cert, extra_certs = pkcs12.load_key_and_certificates(data, secret)
        except (ValueError, TypeError):
            raise UserError(
                f"cannot open the key {path}: wrong password, or not a PKCS#12 key store"
            ) from None
        if p12_key is None or p12_cert is None:
            raise UserError(f"{path} holds no private key with its certificate")
        key, cert = p12_key, p12_cert
        extra = list(extra_certs)
        if cert_path is not None:
            cert = load_certificates(cert_path)[0]
    own = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    theirs = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if own != theirs:
        raise UserError(f"the certificate does not belong to the key {path} (their public keys differ)")
    check_validity(cert, str(path), now=now)
    store = SimpleCertificateStore()  # type: ignore[no-untyped-call]  # pyhanko-certvalidator: untyped __init__
    store.register_multiple([translate_pyca_cryptography_cert_to_asn1(c) for c in extra])
    signer = SimpleSigner(
        signing_cert=translate_pyca_cryptography_cert_to_asn1(cert),
        signing_key=translate_pyca_cryptography_key_to_asn1(key),
        cert_registry=store,
    )
    return LoadedKey(signer=signer, certificate=cert, source=str(path))
