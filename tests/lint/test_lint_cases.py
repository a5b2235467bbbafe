"""Lint case folders: tests/cases/lint/{valid,invalid}/<case>/ with the inputs and the exact output.

Each folder holds the files to lint, ``expected.txt`` (the whole text output) and ``exit_code``;
an optional ``args`` file gives the arguments after ``checkengine lint`` (default: ``.``). Lint runs
from inside the folder, so the paths in the output are the folder's own. Set
``CHECKENGINE_UPDATE_CASES=1`` to rewrite expected.txt and exit_code after a deliberate change
(then review the diff).
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest

from checkengine.cli import main

CASES = Path(__file__).resolve().parents[1] / "cases" / "lint"
UPDATE = os.environ.get("CHECKENGINE_UPDATE_CASES") == "1"


def _cases(kind: str) -> list[Path]:
    return sorted(p for p in (CASES / kind).iterdir() if p.is_dir())


@pytest.mark.parametrize("case", _cases("valid") + _cases("invalid"),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_lint_case(case: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(case)
    args = shlex.split((case / "args").read_text()) if (case / "args").exists() else ["."]
    code = main(["lint", *args])
    out = capsys.readouterr()
    if UPDATE:
        (case / "expected.txt").write_text(out.out, encoding="utf-8")
        (case / "exit_code").write_text(f"{code}\n")
    assert out.out == (case / "expected.txt").read_text(encoding="utf-8")
    assert code == int((case / "exit_code").read_text())
    if code == 2:  # stderr points at the first unusable file, which the report lists
        match = re.fullmatch(r"checkengine: \d+ files? could not be checked, the first (\S+) \(listed above\)\n",
                             out.err)
        assert match and f"\n{match.group(1)}: " in f"\n{out.out}"
    else:
        assert out.err == ""


def test_every_invalid_case_fails_and_every_valid_case_passes() -> None:
    codes = {p: int((p / "exit_code").read_text()) for p in _cases("valid") + _cases("invalid")}
    assert {codes[p] for p in _cases("valid")} == {0}
    assert all(codes[p] in (1, 2) for p in _cases("invalid"))


def test_a_50_mb_file_is_refused_without_parsing_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    import yaml

    huge = tmp_path / "huge.yaml"
    with huge.open("w") as handle:
        handle.write("checkengine: 1\nnotes: |\n")
        line = "  " + "x" * 1022 + "\n"
        for _ in range(50 * 1024):
            handle.write(line)
    assert huge.stat().st_size > 50 * 1024 * 1024

    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("the YAML parser was called on a file that is too large")

    monkeypatch.setattr(yaml, "compose_all", no_parsing)
    monkeypatch.chdir(tmp_path)
    code = main(["lint", "huge.yaml"])
    out = capsys.readouterr().out
    assert out == (
        "huge.yaml:1:1: CE100 the file is 50.0 MB; one YAML file may be at most 10 MB: split it "
        "(a rulebook can extend another and include sources files; records can be JSON Lines or "
        "CSV), or raise the limit with CHECKENGINE_MAX_YAML_BYTES\n"
        "1 files checked: 1 errors, 0 warnings\n"
    )
    assert code == 2
