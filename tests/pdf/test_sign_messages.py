"""Signing messages never show credentials; private keys are never readable by others."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from checkengine.output import open_output
from checkengine.errors import UserError
from checkengine.pdf.sign import shown_url, sign_pdf


def test_a_tsa_url_is_shown_without_its_credentials() -> None:
    assert shown_url("https://user:secret@tsa.example.org:8443/ts?x=1") == "https://tsa.example.org:8443/ts?x=1"
    assert shown_url("http://127.0.0.1:9/") == "http://127.0.0.1:9/"


def test_a_bad_tsa_scheme_message_hides_the_password() -> None:
    with pytest.raises(UserError) as caught:
        sign_pdf(b"%PDF-1.7", None, field="inspector", tsa_url="ftp://me:secret@tsa.example.org/")  # type: ignore[arg-type]
    assert str(caught.value) == ("--tsa ftp://tsa.example.org/: a timestamp server URL starts with http:// or "
                                 "https://")


def test_a_private_file_has_its_mode_before_it_has_its_name(tmp_path: Path) -> None:
    target = tmp_path / "key.pem"
    with open_output(target, binary=True, mode=0o600) as handle:
        handle.write(b"secret")
        # Still a temporary file; the mode is set before the rename, never after.
        assert not target.exists()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
