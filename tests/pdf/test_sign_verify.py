"""Signatures: pdfsig and pyHanko agree; tampering, swapped attachments, untrusted and expired keys."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from checkengine.errors import UserError
from checkengine.pdf.verify import format_text, verify_pdf
from pdf_helpers import PASSWORD, load, reevaluate_as_printed, run, swap_attachment


def trust(keys: dict[str, Any], *names: str) -> list[Path]:
    return [keys[n].cert_pem for n in names]


def test_pdfsig_reports_both_signatures_valid(signed_form: Path) -> None:
    out = run("pdfsig", str(signed_form))
    assert out.count("Signature Validation: Signature is Valid.") == 2
    assert "Signature Field Name: inspector" in out and "Signature Field Name: manager" in out
    assert "Signature Type: ETSI.CAdES.detached" in out  # PAdES


def test_pyhanko_agrees_and_trusts_the_demo_certificates(signed_form: Path, keys: dict[str, Any]) -> None:
    report = verify_pdf(signed_form, trust(keys, "inspector", "manager"), reevaluate=reevaluate_as_printed)
    assert report.ok, format_text(report)
    first, second = report.signatures
    assert (first.field, first.signer, first.trusted, first.coverage) == ("inspector", "林品管", True, "ENTIRE_REVISION")
    assert first.modification == "FORM_FILLING"  # only the countersignature came after
    assert (second.field, second.signer, second.coverage) == ("manager", "陳主任", "ENTIRE_FILE")
    assert report.evaluation.ok


def tampered_copy(signed_form: Path, tmp_path: Path) -> Path:
    data = bytearray(signed_form.read_bytes())
    at = data.index(b"/Producer") if b"/Producer" in data else 2000
    at = data.index(b"stream", 1000) + 200  # a byte inside the first page's content stream
    data[at] = (data[at] + 1) % 256
    out = tmp_path / "tampered.pdf"
    out.write_bytes(bytes(data))
    return out


def test_tampered_byte(signed_form: Path, keys: dict[str, Any], tmp_path: Path) -> None:
    bad = tampered_copy(signed_form, tmp_path)
    out = run("pdfsig", str(bad))
    assert "Signature Validation: Signature is Valid." not in out
    assert "Signature Validation: Digest Mismatch." in out
    report = verify_pdf(bad, trust(keys, "inspector", "manager"), reevaluate=reevaluate_as_printed)
    assert not report.ok
    assert report.signatures[0].problems == [
        "the signed bytes were changed after signing (the digest does not match)"
    ]


def test_attachment_swapped_after_signing(signed_form: Path, keys: dict[str, Any], tmp_path: Path) -> None:
    bad = swap_attachment(signed_form, "result.json", b'{"records": []}', tmp_path / "swapped.pdf")
    report = verify_pdf(bad, trust(keys, "inspector", "manager"), reevaluate=reevaluate_as_printed)
    assert not report.ok
    for sig in report.signatures:
        assert sig.problems == [
            "the document was changed after this signature by an update that is not a later signature "
            "(revision 5 of 5)"
        ]


def test_untrusted_signer(signed_form: Path, keys: dict[str, Any]) -> None:
    report = verify_pdf(signed_form, trust(keys, "stranger"), reevaluate=reevaluate_as_printed)
    assert not report.ok
    for sig in report.signatures:
        assert sig.intact and not sig.trusted
        assert sig.problems == [
            "the signer's certificate is not trusted: it does not chain to a certificate given with --trust"
        ]


def test_expired_certificate_cannot_sign(keys: dict[str, Any]) -> None:
    with pytest.raises(UserError) as err:
        load(keys["expired"])
    cert = keys["expired"]
    assert str(err.value).startswith(f"the certificate of {cert.p12} (OU=checkengine keys new,O=SELF-SIGNED TEST KEY – NOT FOR PRODUCTION,CN=Old Key) expired on ")
    assert str(err.value).endswith(" UTC; it cannot sign")


def test_form_signed_with_an_expired_certificate(signed_form: Path, keys: dict[str, Any], tmp_path: Path, data: dict[str, Any]) -> None:
    from datetime import datetime, timedelta, timezone

    from checkengine.pdf.render import render_audit_form
    from checkengine.pdf.sign import sign_pdf
    from pdf_helpers import record_dir

    folder = record_dir(tmp_path)
    rendered = render_audit_form(data["results"]["en"], data["record"], data["rulebook"], lang="en", base_dir=folder)
    back_then = datetime.now(timezone.utc) - timedelta(days=390)
    old = load(keys["expired"], now=back_then)  # the key as it was while it was valid
    path = tmp_path / "old.pdf"
    path.write_bytes(sign_pdf(rendered.pdf, old, field="inspector"))
    report = verify_pdf(path, trust(keys, "expired"), reevaluate=reevaluate_as_printed)
    assert not report.ok
    problem = report.signatures[0].problems[0]
    assert problem.startswith("the signer's certificate expired on ") and problem.endswith(" UTC")


def test_wrong_password(keys: dict[str, Any]) -> None:
    from checkengine.pdf.keys import load_key

    with pytest.raises(UserError) as err:
        load_key(keys["inspector"].p12, password=lambda what: b"wrong")
    assert str(err.value) == f"cannot open the key {keys['inspector'].p12}: wrong password, or not a PKCS#12 key store"
    with pytest.raises(UserError) as err:
        load_key(keys["inspector"].key_pem, cert_path=keys["inspector"].cert_pem, password=lambda what: b"wrong")
    assert str(err.value) == f"cannot open the key {keys['inspector'].key_pem}: wrong password, or not a PEM private key"


def test_pem_key_and_certificate_sign(signed_form: Path, keys: dict[str, Any], tmp_path: Path, data: dict[str, Any]) -> None:
    from checkengine.pdf.keys import load_key
    from checkengine.pdf.render import render_audit_form
    from checkengine.pdf.sign import sign_pdf
    from pdf_helpers import record_dir

    key = load_key(keys["manager"].key_pem, cert_path=keys["manager"].cert_pem, password=lambda w: PASSWORD.encode())
    folder = record_dir(tmp_path)
    rendered = render_audit_form(data["results"]["ko"], data["record"], data["rulebook"], lang="ko", base_dir=folder)
    path = tmp_path / "ko.pdf"
    path.write_bytes(sign_pdf(rendered.pdf, key, field="manager"))
    report = verify_pdf(path, trust(keys, "manager"), reevaluate=reevaluate_as_printed, required=("manager",))
    assert report.ok, format_text(report)
    with pytest.raises(UserError) as err:
        sign_pdf(path.read_bytes(), key, field="manager")
    assert str(err.value) == "the signature field 'manager' is already signed"
    with pytest.raises(UserError) as err:
        sign_pdf(path.read_bytes(), key, field="auditor")
    assert str(err.value) == "the form has no signature field 'auditor' (its signature fields: inspector, manager)"


def test_signature_appearance_sits_in_the_signature_block(signed_form: Path) -> None:
    import pypdf

    reader = pypdf.PdfReader(str(signed_form))
    fields = {str(a.get_object()["/T"]): [float(v) for v in a.get_object()["/Rect"]]
              for p in reader.pages for a in p.get("/Annots", []) if a.get_object().get("/FT") == "/Sig"}
    assert set(fields) == {"inspector", "manager"}
    x1, y1, x2, y2 = fields["inspector"]
    assert 230 < x2 - x1 < 235 and 84 < y2 - y1 < 87  # the 82 mm x 30 mm box of forms/audit.css
    assert fields["manager"][0] > x2  # side by side


def test_private_keys_never_reach_the_output(signed_form: Path, keys: dict[str, Any]) -> None:
    from cryptography.hazmat.primitives import serialization


    for who in ("inspector", "manager"):
        key = serialization.load_pem_private_key(keys[who].key_pem.read_bytes(), PASSWORD.encode())
        secret = key.private_numbers().private_value.to_bytes(32, "big")  # type: ignore[attr-defined]
        assert secret not in signed_form.read_bytes()
        der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        assert der not in signed_form.read_bytes()


def test_the_inspectors_signature_locks_the_form(signed_form: Path) -> None:
    """A certification signature (DocMDP P=2) with a FieldMDP lock of every field but the
    manager's: readers refuse any other change after it, as verify does."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import FieldMDPAction, MDPPerm

    inspector, manager = PdfFileReader(io.BytesIO(signed_form.read_bytes()), strict=False).embedded_signatures
    assert inspector.field_name == "inspector" and inspector.docmdp_level == MDPPerm.FILL_FORMS
    assert (inspector.fieldmdp.action, inspector.fieldmdp.fields) == (FieldMDPAction.EXCLUDE, ["manager"])
    assert manager.docmdp_level is None and manager.fieldmdp is None
    assert "Signature Validation: Signature is Valid." in run("pdfsig", str(signed_form))


def test_verify_counts_the_photos_the_renderer_prints(data: dict[str, Any]) -> None:
    from checkengine.pdf.form_view import _evidence_refs
    from checkengine.pdf.verify import _photos

    record = dict(data["record"])
    record["answers"] = dict(record["answers"], **{"DRS-02-badge": dict(record["answers"]["DRS-02-badge"], evidence=[
        "photos/a.jpg", {"path": "photos/b.jpg"}, "photos/a.jpg"])})
    for lang, result in data["results"].items():
        outcomes = result["records"][0]["outcomes"]
        failed = [o for o in outcomes if o["outcome"] == "fail"]
        assert failed, lang
        expected = sum(len(_evidence_refs(o, record)) for o in failed)
        assert _photos({"result": result, "record": record}) == expected


def test_the_score_line_as_the_renderer_prints_it(data: dict[str, Any]) -> None:
    from checkengine.pdf.verify.printed import expected_score

    result = json.loads(json.dumps(data["results"]["en"]))
    score = result["records"][0]["score"]
    assert expected_score(result, "en") == (
        f"Score {score['score']:g} / {score['max']:g} · Grade {score['grade']} · Inspection not passed")
    score.update(score=None, grade=None)  # no rule scored: the renderer prints a dash, and no grade
    assert expected_score(result, "en") == "Score — / 100 · Inspection not passed"
