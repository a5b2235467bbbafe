"""The signature appearance: its lines, the test-key warning, wrapping, shrinking, missing glyphs."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from checkengine.pdf.keys import fingerprint, load_certificates, load_key
from checkengine.pdf.labels import Formatter, Labels
from checkengine.pdf.render import render_audit_form
from checkengine.pdf.sign import sign_pdf
from checkengine.pdf.stamp import Line, SignatureLook, layout_lines, wrap
from checkengine.pdf.stamp_font import SubsetFont
from checkengine.pdf.stamp_subset import subset_font
from checkengine.pdf.verify import format_text, verify_pdf
from pdf_helpers import PASSWORD, TestCA, appearance_cids, appearance_lines, load, record_dir, reevaluate_as_printed, run


def test_appearance_shows_signer_role_signing_time_fingerprint_and_warning(signed_form: Path, keys: dict[str, Any]) -> None:
    report = verify_pdf(signed_form, [keys["inspector"].cert_pem, keys["manager"].cert_pem], reevaluate=reevaluate_as_printed)
    labels = Labels("zh-Hant")
    for sig, who, role in zip(report.signatures, ("inspector", "manager"), ("稽核員", "現場主管")):
        # the time shown is the signing time in the signed attributes, in the site's zone
        signed_at = datetime.fromisoformat(str(sig.signing_time)).astimezone(ZoneInfo("Asia/Taipei"))
        cert = load_certificates(keys[who].cert_pem)[0]
        lines = appearance_lines(signed_form, who)
        assert lines[:4] == [
            f"數位簽章人 ({role})",
            sig.signer,
            f"簽章時間: {Formatter('zh-Hant').datetime(signed_at)}",
            f"憑證 SHA-256 {fingerprint(cert)}",
        ]
        assert "".join(lines[4:]) == labels["self_signed_warning"]  # wrapped between CJK characters


def test_no_warning_for_a_certificate_issued_by_a_ca(tmp_path: Path, data: dict[str, Any]) -> None:
    ca = TestCA()
    p12, ca_pem = ca.write_signer(tmp_path / "ca", "Ana García")
    key = load_key(p12, password=lambda what: PASSWORD.encode())
    assert not key.self_signed
    rendered = render_audit_form(data["results"]["es"], data["record"], data["rulebook"], lang="es",
                                 base_dir=record_dir(tmp_path))
    path = tmp_path / "es.pdf"
    path.write_bytes(sign_pdf(rendered.pdf, key, field="manager"))
    lines = appearance_lines(path, "manager")
    assert lines[:2] == ["Firmado digitalmente por (Responsable del centro)", "Ana García"]
    assert lines[3] == f"Certificado SHA-256 {fingerprint(key.certificate)}"
    assert len(lines) == 4 and "SELF-SIGNED" not in " ".join(lines)
    report = verify_pdf(path, [ca_pem], reevaluate=reevaluate_as_printed, required=("manager",))
    assert report.ok, format_text(report)


def test_room_reserved_for_a_large_signature(tmp_path: Path, data: dict[str, Any]) -> None:
    """An RSA-4096 signature with a chain: the space reserved without a trial signature fits."""
    from checkengine.pdf.sign import signature_room

    ca = TestCA()
    p12, ca_pem = ca.write_signer(tmp_path / "rsa", "Big Key", rsa_bits=4096)
    key = load_key(p12, password=lambda what: PASSWORD.encode())
    assert len(list(key.signer.cert_registry)) == 1  # the CA's certificate travels with it
    rendered = render_audit_form(data["results"]["en"], data["record"], data["rulebook"], lang="en",
                                 base_dir=record_dir(tmp_path))
    path = tmp_path / "rsa.pdf"
    path.write_bytes(sign_pdf(rendered.pdf, key, field="inspector"))
    report = verify_pdf(path, [ca_pem], reevaluate=reevaluate_as_printed, allow_missing_countersignature=True)
    assert report.ok, format_text(report)
    import pypdf

    contents = next(a.get_object()["/V"]["/Contents"] for p in pypdf.PdfReader(str(path)).pages
                    for a in p.get("/Annots") or [] if a.get_object().get("/T") == "inspector")
    assert len(contents) == signature_room(key)  # what was reserved, and the signature fits in it


def test_a_key_without_a_size_lets_pyhanko_measure(tmp_path: Path, data: dict[str, Any]) -> None:
    """Ed25519 keys have no key_size: the room is measured by pyHanko's trial signature."""
    from checkengine.pdf.sign import signature_room

    ca = TestCA()
    p12, ca_pem = ca.write_signer(tmp_path / "ed", "Edwards Key", ed25519=True)
    key = load_key(p12, password=lambda what: PASSWORD.encode())
    assert signature_room(key) is None
    rendered = render_audit_form(data["results"]["en"], data["record"], data["rulebook"], lang="en",
                                 base_dir=record_dir(tmp_path))
    path = tmp_path / "ed.pdf"
    path.write_bytes(sign_pdf(rendered.pdf, key, field="inspector"))
    report = verify_pdf(path, [ca_pem], reevaluate=reevaluate_as_printed, allow_missing_countersignature=True)
    assert report.ok, format_text(report)


def test_a_character_the_face_lacks_shows_as_a_question_mark(tmp_path: Path, data: dict[str, Any],
                                                              caplog: pytest.LogCaptureFixture) -> None:
    from checkengine.pdf.keys import new_self_signed

    files = new_self_signed("Samir سمير", tmp_path / "k", PASSWORD.encode())
    rendered = render_audit_form(data["results"]["en"], data["record"], data["rulebook"], lang="en",
                                 base_dir=record_dir(tmp_path))
    path = tmp_path / "f.pdf"
    with caplog.at_level(logging.WARNING, logger="checkengine.pdf"):
        path.write_bytes(sign_pdf(rendered.pdf, load(files), field="inspector"))
    assert [r.getMessage() for r in caplog.records] == [
        "the signature appearance shows '?' for characters its font (Noto Sans CJK TC) lacks: ر س م ي"
    ]
    assert appearance_lines(path, "inspector")[1] == "Samir ????"
    assert 0 not in appearance_cids(path, "inspector")  # never the .notdef glyph (PDF/A)
    assert "Signature Validation: Signature is Valid." in run("pdfsig", str(path))


def width_in_chars(text: str) -> float:
    return float(len(text))


@pytest.mark.parametrize("text, limit, lines", [
    ("abc def ghi", 7, ["abc def", "ghi"]),  # between words, trailing spaces dropped
    ("自簽測試金鑰", 4, ["自簽測試", "金鑰"]),  # between any two CJK characters
    ("ABCDEFGHIJ", 4, ["ABCD", "EFGH", "IJ"]),  # a word longer than the line is cut
    ("KEY（自簽測試）", 5, ["KEY（自", "簽測試）"]),
    ("fits", 10, ["fits"]),
])
def test_wrap(text: str, limit: float, lines: list[str]) -> None:
    assert wrap(text, limit, width_in_chars) == lines


def test_lines_shrink_to_fit_a_small_box() -> None:
    from pyhanko.pdf_utils.writer import PdfFileWriter

    lines = [Line("數位簽章人 (稽核員)", 6.8), Line("林品管", 8.5, bold=True), Line("SELF-SIGNED TEST KEY " * 4, 6.2)]
    look = SignatureLook("Noto Sans CJK TC", tuple(lines), "t", (), format_time=str)
    engine = SubsetFont(PdfFileWriter(), subset_font("Noto Sans CJK TC", "".join(l.text for l in lines)), "Noto Sans CJK TC")
    width, height = 90.0, 30.0
    ops = b" ".join(layout_lines(engine, lines, width, height, look)).decode()
    placed = [(float(size), float(y)) for size, y in re.findall(r"/F1 ([\d.]+) Tf .*? [\d.]+ ([\d.]+) Td", ops)]
    assert len(placed) > len(lines)  # the long line wrapped
    assert all(size < 6.2 for size, _ in placed)  # and every size shrank
    for size, baseline in placed:
        assert baseline - 0.12 * size >= look.padding[1] - 0.01  # descenders inside the box
        assert baseline + 0.88 * size <= height - look.padding[1] + 0.01  # ascenders too
