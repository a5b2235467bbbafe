from __future__ import annotations

from pathlib import Path

import pytest

from pdf_cli import PASSWORD, cli


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHECKENGINE_KEY_PASSWORD", PASSWORD)


def test_verify_unusable_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "x.pdf").write_text("hello")
    (tmp_path / "c.pem").write_text("not a certificate")
    import pypdf

    writer = pypdf.PdfWriter()
    writer.add_blank_page(100, 100)
    writer.write(str(tmp_path / "blank.pdf"))
    code, out, err = cli(capsys, "verify", tmp_path / "blank.pdf", "--trust", tmp_path / "c.pem")
    assert (code, err) == (2, f"checkengine: error: {tmp_path / 'c.pem'} holds no certificate (expected PEM 'BEGIN CERTIFICATE' or DER)\n")
    cli(capsys, "keys", "new", "--name", "x", "-o", tmp_path / "k")
    code, out, err = cli(capsys, "verify", tmp_path / "x.pdf", "--trust", tmp_path / "k" / "cert.pem")
    assert (code, err) == (2, f"checkengine: error: {tmp_path / 'x.pdf'} is not a PDF file\n")
    code, out, err = cli(capsys, "verify", tmp_path / "blank.pdf", "--trust", tmp_path / "k" / "cert.pem")
    assert (code, err) == (2, "checkengine: error: the form: the form carries no 'record.json' attachment; was it made by checkengine?\n")
