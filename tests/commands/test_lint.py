"""``checkengine lint`` through the command line: exit codes, the text form, files and folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from checkengine.cli import cli, main

CASES = Path(__file__).resolve().parents[1] / "cases" / "lint"


@pytest.fixture
def books(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(CASES / "valid/basic/rulebook.yaml", tmp_path / "clean.yaml")
    shutil.copy(CASES / "invalid/unknown-clause/rulebook.yaml", tmp_path / "cites.yaml")
    shutil.copy(CASES / "invalid/yaml-tabs/rulebook.yaml", tmp_path / "tabs.yaml")
    (tmp_path / ".hidden").mkdir()
    shutil.copy(CASES / "invalid/yaml-tabs/rulebook.yaml", tmp_path / ".hidden" / "ignored.yaml")
    (tmp_path / "notes.txt").write_text("not yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(("args", "code", "out"), [
    (["clean.yaml"], 0, "1 files checked: 0 errors, 0 warnings\n"),
    (["cites.yaml"], 1,
     "cites.yaml:25:26: CE207 sections[0].rules[0].source[1]: cites clause 'DRS-10', which is not in the sources "
     "catalogue (did you mean 'DRS-01'?); cite a catalogued clause, or add the clause to the sources catalogue\n"
     "1 files checked: 1 errors, 0 warnings\n"),
    (["tabs.yaml", "cites.yaml"], 2,
     "cites.yaml:25:26: CE207 sections[0].rules[0].source[1]: cites clause 'DRS-10', which is not in the sources "
     "catalogue (did you mean 'DRS-01'?); cite a catalogued clause, or add the clause to the sources catalogue\n"
     "tabs.yaml:28:1: CE100 invalid YAML: a tab character; YAML indents with spaces only: replace the tab with "
     "spaces\n"
     "2 files checked: 2 errors, 0 warnings\n"),
])
def test_exit_codes_and_text(books: Path, capsys: pytest.CaptureFixture[str], args: list[str], code: int,
                             out: str) -> None:
    assert main(["lint", *args]) == code
    captured = capsys.readouterr()
    err = "checkengine: 1 file could not be checked, the first tabs.yaml:28:1 (listed above)\n" if code == 2 else ""
    assert (captured.out, captured.err) == (out, err)


def test_a_folder_is_searched_for_yaml_skipping_hidden_folders(books: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "."]) == 2
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == ["cites.yaml", "tabs.yaml"]
    assert lines[-1] == "3 files checked: 2 errors, 0 warnings"


def test_a_missing_path_is_reported_not_raised(books: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "missing.yaml"]) == 2
    assert capsys.readouterr().out == (
        "missing.yaml: CE100 file not found; check the path (it is relative to the working folder)\n"
        "1 files checked: 1 errors, 0 warnings\n"
    )


def test_through_click(books: Path) -> None:
    result = CliRunner().invoke(cli, ["lint", "cites.yaml"], catch_exceptions=False)
    assert result.output.endswith("1 files checked: 1 errors, 0 warnings\n")
    assert result.output.startswith("cites.yaml:25:26: CE207 ")


def test_no_path_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint"]) == 2
    assert capsys.readouterr().err == (
        "Usage: checkengine lint [OPTIONS] PATH...\n"
        "Try 'checkengine lint --help' for help.\n\n"
        "Error: Missing argument 'PATH...'.\n"
    )


def test_lint_in_a_process_that_goes_on_leaves_the_collector_as_it_was(books: Path) -> None:
    """Only the console script, whose process ends with lint, leaves the collector off and what
    lint built frozen (kept out of the collections at exit); a caller of main() gets it back."""
    import gc

    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert main(["lint", "clean.yaml"]) == 0
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_the_console_script_ends_lint_with_the_collector_off_and_the_heap_frozen(books: Path) -> None:
    import subprocess
    import sys

    probe = ("import gc\nfrom checkengine.cli import main\ncode = main(['lint', 'clean.yaml'], process_ends=True)\n"
             "print(code, gc.isenabled(), gc.get_freeze_count() > 10000)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "0 False True"
