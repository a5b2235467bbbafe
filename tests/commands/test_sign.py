from __future__ import annotations

from pathlib import Path

import pytest

from pdf_cli import PASSWORD, cli, keys, setup


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHECKENGINE_KEY_PASSWORD", PASSWORD)


def test_sign_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = setup(tmp_path)
    k = keys(capsys, tmp_path / "keys")
    form = tmp_path / "form.pdf"
    assert cli(capsys, "audit", "--rulebook", files["rulebook"], files["record"], "--lang", "es", "-o", form)[0] == 0
    code, out, err = cli(capsys, "sign", form, "--key", k["manager"] / "key.pem")
    assert (code, err) == (2, f"checkengine: error: {k['manager'] / 'key.pem'} is a PEM key; give its certificate with --cert CERT.pem\n")
    out_pdf = tmp_path / "out.pdf"
    out_pdf.write_bytes(b"%PDF-1.7\n")
    code, out, err = cli(capsys, "sign", form, "--key", k["manager"] / "key.p12", "-o", out_pdf)
    assert (code, err) == (2, f"checkengine: error: {out_pdf} exists; refusing to overwrite it (use --force to replace it, or choose another output)\n")
    code, out, err = cli(capsys, "sign", form, "--key", k["manager"] / "key.p12", "-o", out_pdf, "--force")
    assert code == 0 and out == f"signed {out_pdf} as 'manager' (陳主任)\n"
    code, out, err = cli(capsys, "sign", out_pdf, "--key", k["manager"] / "key.p12")
    assert (code, err) == (2, "checkengine: error: the signature field 'manager' is already signed\n")
    code, out, err = cli(capsys, "sign", tmp_path / "nope.pdf", "--key", k["manager"] / "key.p12")
    assert (code, err) == (2, f"checkengine: error: cannot read {tmp_path / 'nope.pdf'}: No such file or directory\n")
