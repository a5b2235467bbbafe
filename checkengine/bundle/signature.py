"""Detached CMS signatures of bundles (``<bundle>.p7s``), made and checked with pyHanko and the
same PKCS#12 keys that sign audit forms."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from checkengine.errors import Location, UserError


def sign(data: bytes, key: Any) -> bytes:
    """A detached CMS SignedData (DER) over *data*, by *key* (:class:`checkengine.pdf.keys.LoadedKey`)."""
    signed = asyncio.run(key.signer.async_sign_general_data(data, "sha256", detached=True))
    out: bytes = signed.dump()
    return out


@dataclass(frozen=True)
class SignatureCheck:
    valid: bool  # the signature matches the data (intact)
    trusted: bool  # the signer's certificate chains to a trusted one
    signer: str
    problems: list[str]


def check(data: bytes, signature_path: Path, trust: list[str]) -> SignatureCheck:
    from asn1crypto import cms
    from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1
    from pyhanko.sign.validation import async_validate_detached_cms
    from pyhanko_certvalidator import ValidationContext

    from checkengine.pdf.keys import load_certificates

    logging.getLogger("pyhanko").addHandler(logging.NullHandler())
    logging.getLogger("pyhanko").propagate = False
    try:
        info = cms.ContentInfo.load(signature_path.read_bytes())
        signed = info["content"]
        _ = signed["signer_infos"][0]
    except OSError as exc:
        raise UserError(f"cannot read the signature: {exc.strerror}", Location(str(signature_path))) from None
    except (ValueError, TypeError, KeyError, IndexError):
        raise UserError("not a CMS signature (a .p7s made by checkengine bundle --sign)",
                        Location(str(signature_path))) from None
    roots = [translate_pyca_cryptography_cert_to_asn1(c) for t in trust for c in load_certificates(t)]
    context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail",
                                moment=datetime.now(timezone.utc))
    status = asyncio.run(async_validate_detached_cms(data, signed, signer_validation_context=context))
    cert = status.signing_cert
    signer = cert.subject.human_friendly if cert is not None else "unknown"
    problems = []
    if not (status.intact and status.valid):
        problems.append("the signature does not match the bundle (changed after signing, or another bundle's)")
    if not status.trusted:
        problems.append("the signer's certificate does not chain to a trusted certificate (--trust)")
    return SignatureCheck(bool(status.intact and status.valid), bool(status.trusted), signer, problems)
