"""checkengine.inputs: regular files only, read up to their limit plus one byte."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from checkengine.errors import UserError
from checkengine.inputs import noted_input, read_capped
from checkengine.limits import SMALL_FILE_BYTES


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(UserError) as caught:
        read_capped(tmp_path / "pipe", SMALL_FILE_BYTES, what="key")
    assert caught.value.bare_message == "the key is a pipe (FIFO); expected a regular file"


def test_a_device_is_refused_without_reading() -> None:
    with pytest.raises(UserError) as caught:
        read_capped("/dev/zero", SMALL_FILE_BYTES, what="password file")
    assert caught.value.bare_message == "the password file is a device; expected a regular file"


def test_the_limit_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "k.pem"
    path.write_bytes(b"x" * 2048)
    assert read_capped(path, SMALL_FILE_BYTES) == b"x" * 2048
    assert noted_input(path) == str(path)
    monkeypatch.setenv("CHECKENGINE_MAX_KEY_BYTES", "1024")
    with pytest.raises(UserError) as caught:
        read_capped(path, SMALL_FILE_BYTES, what="key")
    assert caught.value.bare_message == ("the key is 2 KB; the limit (size of a key, certificate or password "
                                         "file) is 1 KB: give a smaller file, or raise the limit with "
                                         "CHECKENGINE_MAX_KEY_BYTES")
    monkeypatch.setenv("CHECKENGINE_MAX_KEY_BYTES", "a lot")
    with pytest.raises(UserError, match="CHECKENGINE_MAX_KEY_BYTES='a lot': expected a whole number"):
        read_capped(path, SMALL_FILE_BYTES)
