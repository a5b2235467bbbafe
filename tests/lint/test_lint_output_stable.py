"""``lint --format json`` and ``--format sarif`` over the bundled rulebooks and every invalid lint
case give exactly the recorded output (tests/golden/lint-output.*): the lint speed-ups (issue 16)
must change no finding, message, location or order. The recorded files were written by the code
before those changes. The machine's folder and the package version are replaced by placeholders.
Set ``CHECKENGINE_UPDATE_CASES=1`` to rewrite them after a deliberate change (then review the diff).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from checkengine import __version__
from checkengine.cli import main

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
UPDATE = os.environ.get("CHECKENGINE_UPDATE_CASES") == "1"


def normalized(text: str, root: Path) -> str:
    """*text* with the folder lint ran in and the version of checkengine as placeholders."""
    text = text.replace(root.as_uri() + "/", "file:///ROOT/")
    return text.replace(f'"version": "{__version__}"', '"version": "VERSION"').replace(
        f'"semanticVersion": "{__version__}"', '"semanticVersion": "VERSION"')


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_lint_output_is_unchanged(fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    out = tmp_path / f"lint.{fmt}"
    code = main(["lint", "rulebooks", "tests/cases/lint/invalid", "--format", fmt, "--output", str(out)])
    capsys.readouterr()
    assert code == 2  # some invalid cases cannot be read at all
    got = normalized(out.read_text("utf-8"), ROOT)
    golden = GOLDEN / f"lint-output.{fmt}"
    if UPDATE:
        golden.write_text(got, "utf-8")
    assert '"CE101"' in got and '"CE303"' in got  # findings, not just a list of files
    assert got == golden.read_text("utf-8")
