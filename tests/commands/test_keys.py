from __future__ import annotations

from pathlib import Path

import pytest

from pdf_cli import PASSWORD, cli


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHECKENGINE_KEY_PASSWORD", PASSWORD)


def test_keys_new(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "keys", "new", "--name", "林品管", "-o", tmp_path / "k")
    assert code == 0 and err == ""
    assert out.splitlines()[0] == "made a self-signed test key for 林品管 (SELF-SIGNED TEST KEY – NOT FOR PRODUCTION)"
    assert sorted(p.name for p in (tmp_path / "k").iterdir()) == ["cert.pem", "key.p12", "key.pem"]
    assert b"ENCRYPTED" in (tmp_path / "k" / "key.pem").read_bytes()
    from cryptography import x509

    cert = x509.load_pem_x509_certificate((tmp_path / "k" / "cert.pem").read_bytes())
    assert "O=SELF-SIGNED TEST KEY – NOT FOR PRODUCTION" in cert.subject.rfc4514_string()
    code, out, err = cli(capsys, "keys", "new", "--name", "x", "-o", tmp_path / "k")
    assert code == 2
    assert err == f"checkengine: error: {tmp_path / 'k' / 'key.p12'} exists; refusing to overwrite a key (use --force)\n"


def test_password_sources(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHECKENGINE_KEY_PASSWORD")
    code, out, err = cli(capsys, "keys", "new", "--name", "x", "-o", tmp_path / "a")
    assert code == 2
    assert err == (
        f"checkengine: error: the new key in {tmp_path / 'a'} needs a password: set CHECKENGINE_KEY_PASSWORD, "
        "give --password-file FILE, or run in a terminal to be asked (passwords are never taken as "
        "command-line arguments)\n"
    )
    (tmp_path / "pw").write_text("s3cret\n")
    code, out, err = cli(capsys, "keys", "new", "--name", "x", "-o", tmp_path / "b", "--password-file", tmp_path / "pw")
    assert code == 0
    (tmp_path / "empty").write_text("")
    code, out, err = cli(capsys, "keys", "new", "--name", "x", "-o", tmp_path / "c", "--password-file", tmp_path / "empty")
    assert (code, err) == (2, f"checkengine: error: the password file {tmp_path / 'empty'} is empty\n")
