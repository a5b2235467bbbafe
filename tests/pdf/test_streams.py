"""A PDF input's streams are checked against the size limit before anything else parses it; a
damaged PDF is told apart from one over the limit, and damage never hides a compression bomb."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest

from checkengine.cli import main
from checkengine.errors import UserError
from checkengine.pdf.output import read_pdf, read_pdf_or_damage
from checkengine.pdf.streams import DamagedPdf, check_streams


def small_pdf(*, bomb_megabytes: int = 0, break_page: bool = False) -> bytes:
    """A one-page PDF whose content stream inflates to *bomb_megabytes* MB of zeros (or holds a
    few bytes); with *break_page* the page (object 3, read before the content stream, object 4) is
    cut off in the middle, so that it cannot be parsed."""
    body = zlib.compress(b"\x00" * (bomb_megabytes << 20) if bomb_megabytes else b"BT ET", 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"[ 0 0 612 <<" if break_page else
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@pytest.fixture
def low_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHECKENGINE_MAX_PDF_STREAM_BYTES", "100000")


def test_a_sound_pdf_passes() -> None:
    check_streams(small_pdf(), "ok.pdf")


def test_a_bomb_is_refused_as_one(low_limit: None) -> None:
    with pytest.raises(UserError) as err:
        check_streams(small_pdf(bomb_megabytes=2), "bomb.pdf")
    assert not isinstance(err.value, DamagedPdf)
    assert "object 4 holds a stream that decodes to more than" in str(err.value)


def test_damage_does_not_hide_a_bomb(low_limit: None) -> None:
    with pytest.raises(DamagedPdf):
        check_streams(small_pdf(break_page=True), "damaged.pdf")
    with pytest.raises(UserError) as err:  # the damaged object comes first; the bomb after it is still found
        check_streams(small_pdf(bomb_megabytes=2, break_page=True), "damaged-bomb.pdf")
    assert not isinstance(err.value, DamagedPdf)
    assert "object 4 holds a stream that decodes to more than" in str(err.value)


def test_damage_is_returned_for_verify_and_refused_for_the_others(tmp_path: Path) -> None:
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(small_pdf()[:60])
    data, damage = read_pdf_or_damage(cut)
    assert data == cut.read_bytes() and isinstance(damage, DamagedPdf)
    assert str(damage).startswith(f"{cut}: the PDF is damaged and cannot be read (")
    with pytest.raises(DamagedPdf):
        read_pdf(cut)
    (tmp_path / "not.pdf").write_bytes(b"hello\n")
    with pytest.raises(UserError, match="is not a PDF file"):
        read_pdf_or_damage(tmp_path / "not.pdf")


def test_verify_refuses_a_damaged_bomb_as_unusable(tmp_path: Path, low_limit: None,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    # A damaged form is INVALID (exit 1), but one over a limit is not checked at all (exit 2).
    (tmp_path / "cert.pem").write_text("unused: the file is refused before the trust is read\n", "utf-8")
    form = tmp_path / "form.pdf"
    form.write_bytes(small_pdf(bomb_megabytes=2, break_page=True))
    code = main(["verify", str(form), "--trust", str(tmp_path / "cert.pem")])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert f"{form}: object 4 holds a stream that decodes to more than" in err
