"""Helpers for the CLI tests of the PDF commands (files on disk, running checkengine)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pdf"))

from pdf_helpers import PASSWORD, fixture, record_dir, write_record, write_rulebook  # noqa: E402

from checkengine.cli import main  # noqa: E402


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def setup(folder: Path) -> dict[str, Any]:
    data = fixture()
    record_dir(folder)
    return {"data": data, "rulebook": write_rulebook(folder, data["rulebook"]),
            "record": write_record(folder, data["record"])}


def keys(capsys: pytest.CaptureFixture[str], folder: Path) -> dict[str, Path]:
    for who, name in (("inspector", "林品管"), ("manager", "陳主任")):
        code, out, _ = cli(capsys, "keys", "new", "--name", name, "-o", folder / who)
        assert code == 0, out
    return {w: folder / w for w in ("inspector", "manager")}


__all__ = ["PASSWORD", "cli", "keys", "setup"]
