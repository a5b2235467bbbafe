"""The honest forms and keys that the attacks start from, made once per test session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from pdf_helpers import PASSWORD, load, record_dir, write_record, write_rulebook


@dataclass
class Forms:
    """Bytes of one honest audit form at each stage, and everything the attacks need."""

    unsigned: bytes
    inspector: bytes  # signed by the inspector
    signed: bytes  # ... and countersigned by the site manager
    keys: dict[str, Any]  # name -> LoadedKey
    certs: dict[str, Path]  # name -> certificate PEM
    lang: str
    data: dict[str, Any]
    folder: Path
    result: dict[str, Any]  # what the engine gives for the record: the honest form's result


def _wrong_usage_key(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate whose key may only encrypt keys (not sign documents)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "林品管")])
    start = datetime.now(timezone.utc) - timedelta(hours=1)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(start + timedelta(days=30))
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=True, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    p12 = folder / "key.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"k", key, cert, None, serialization.BestAvailableEncryption(PASSWORD.encode())))
    pem = folder / "cert.pem"
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return p12, pem


@pytest.fixture(scope="session")
def forms(tmp_path_factory: pytest.TempPathFactory, data: dict[str, Any], keys: dict[str, Any]) -> Forms:
    from checkengine.pdf.keys import load_key, new_self_signed
    from checkengine.pdf.render import render_audit_form
    from checkengine.pdf.sign import sign_pdf

    root = tmp_path_factory.mktemp("attack-keys")
    now = datetime.now(timezone.utc)
    made = {
        # an outsider's keys that bear the real signers' names
        "fake_inspector": new_self_signed("林品管", root / "fake-inspector", PASSWORD.encode()),
        "fake_manager": new_self_signed("陳主任", root / "fake-manager", PASSWORD.encode()),
        "future": new_self_signed("林品管", root / "future", PASSWORD.encode(),
                                  not_before=now + timedelta(days=30), not_after=now + timedelta(days=400)),
    }
    loaded = {name: load(keys[name]) for name in ("inspector", "manager", "stranger")}
    loaded.update({name: load(files) for name, files in made.items() if name != "future"})
    loaded["future"] = load(made["future"], now=now + timedelta(days=31))
    loaded["expired"] = load(keys["expired"], now=now - timedelta(days=390))
    p12, pem = _wrong_usage_key(root / "wrong-usage")
    loaded["wrong_usage"] = load_key(p12, password=lambda what: PASSWORD.encode())
    certs = {name: keys[name].cert_pem for name in ("inspector", "manager", "stranger", "expired")}
    certs.update({name: files.cert_pem for name, files in made.items()})
    certs["wrong_usage"] = pem

    from checkengine import api

    folder = record_dir(tmp_path_factory.mktemp("attack-record"))
    lang = "en"
    book = api.load_rulebook(write_rulebook(folder, data["rulebook"]))
    record_path = write_record(folder, data["record"])
    result = api.evaluate_record_file(book, record_path, lang=lang)
    rendered = render_audit_form(result, api.load_record(record_path), book.merged, lang=lang, base_dir=folder)
    inspector = sign_pdf(rendered.pdf, loaded["inspector"], field="inspector")
    signed = sign_pdf(inspector, loaded["manager"], field="manager")
    data = dict(data, rulebook=book.merged, record=api.load_record(record_path))
    return Forms(rendered.pdf, inspector, signed, loaded, certs, lang, data, folder, result)
