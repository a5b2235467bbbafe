"""Every command, given unusable input, exits 2 with a message on stderr that says where.

Each row runs one command on a broken rulebook, a record missing a key, a file that is not a PDF
or not an archive..., and expects exit code 2, no traceback, and a stderr that names the
unusable file (the location), whatever the output format and wherever the report goes.
"""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest

from checkengine.cli import main

ROOT = Path(__file__).resolve().parents[1]
BOOK = str(ROOT / "rulebooks" / "cs-floor.yaml")

# (command line, the file stderr must name)
CASES: list[tuple[list[str], str]] = [
    (["lint", "broken.yaml"], "broken.yaml:2:1"),
    (["lint", "-f", "sarif", "-o", "out.sarif", "broken.yaml"], "broken.yaml:2:1"),
    (["lint", "-f", "github", "broken.yaml"], "broken.yaml:2:1"),
    (["explain", "broken.yaml"], "broken.yaml:2:1"),
    (["evaluate", "-r", "broken.yaml", "bad.yaml"], "broken.yaml:2:1"),
    (["evaluate", "-r", BOOK, "bad.yaml"], "bad.yaml:1:1"),
    (["evaluate", "-r", BOOK, "bad.yaml", "-o", "x.json"], "bad.yaml:1:1"),
    (["evaluate", "-r", BOOK, "bad.yaml", "-f", "oscal"], "bad.yaml:1:1"),
    (["test", "bad.yaml"], "bad.yaml"),
    (["audit", "-r", BOOK, "bad.yaml", "--lang", "en", "-o", "f.pdf"], "bad.yaml:1:1"),
    # sign reads the form before the key (no password asked for a form it cannot sign)
    (["sign", "bad.pdf", "--key", "bad.p12", "--field", "manager"], "bad.pdf"),
    (["sign", "blank.pdf", "--key", "bad.p12", "--field", "manager"], "bad.p12"),
    (["verify", "bad.pdf", "--trust", "bad.pdf"], "bad.pdf"),
    (["keys", "new", "--name", "A", "-o", "bad.yaml"], "bad.yaml"),
    (["form", "read", "bad.pdf"], "bad.pdf"),
    (["form", "checklist", "-r", "broken.yaml", "--subject", "E1", "--date", "2026-11-03", "--lang", "en",
      "-o", "c.pdf"], "broken.yaml:2:1"),
    (["batch", "-q", "-j", "1", "-r", BOOK, "bad.yaml"], "bad.yaml:1:1"),
    (["batch", "-q", "-j", "1", "-r", BOOK, "bad.yaml", "-f", "hdf", "-o", "b.json"], "bad.yaml:1:1"),
    (["archive", "add", "-q", "-j", "1", "--db", "a.sqlite", "-r", "broken.yaml", "bad.yaml"], "broken.yaml:2:1"),
    (["archive", "add", "-q", "-j", "1", "--db", "a.sqlite", "-r", BOOK, "bad.yaml"], "bad.yaml:1:1"),
    (["archive", "query", "--db", "bad.sqlite"], "bad.sqlite"),
    (["archive", "query", "--db", "bad.sqlite", "-f", "oscal"], "bad.sqlite"),
    (["diff", BOOK, "broken.yaml"], "broken.yaml:2:1"),
    (["schema", "--write", "bad.yaml"], "bad.yaml"),
    (["fmt", "broken.yaml"], "broken.yaml:2:1"),
    (["bundle", "broken.yaml"], "broken.yaml:2:1"),
    (["bundle", "--verify", "bad.tar.gz"], "bad.tar.gz"),
    (["evaluate", "-r", "bad.tar.gz", "bad.yaml"], "bad.tar.gz"),
    (["fmt", "--check", "bad.yaml"], "bad.yaml"),
    (["oscal", "catalog", "broken.yaml"], "broken.yaml:2:1"),
    (["oscal", "profile", "broken.yaml"], "broken.yaml:2:1"),
    (["affected", "--base", "bad.yaml", "rulebooks/x.yaml"], "bad.yaml"),
    (["affected", "--base", ".", "--changed-from", "missing.txt"], "missing.txt"),
    (["report", "--archive", "bad.sqlite", "--period", "2026-11", "--site", "x", "-o", "r.pdf"], "bad.sqlite"),
    (["actions", "list", "--db", "bad.sqlite"], "bad.sqlite"),
    (["actions", "digest", "--db", "bad.sqlite", "--routes", "bad.yaml", "--smtp-host", "localhost", "--from", "a@b.c"],
     "bad.yaml:1:1"),
    (["schedule", "--period", "2026-11", "--db", "bad.sqlite"], "bad.sqlite"),
    (["schedule", "--period", "2026-11", "--db", "bad.sqlite", "-r", "broken.yaml"], "bad.sqlite"),
    (["serve", "--store", "bad.sqlite", "--rulebooks", str(ROOT / "rulebooks")], "bad.sqlite"),
    (["serve", "--store", "s.sqlite", "--rulebooks", "."], "bad.yaml:1:1"),  # a folder of rulebooks: the first unusable one
    (["serve", "add-site", "--store", "bad.sqlite", "--id", "x"], "bad.sqlite"),
]


@pytest.fixture
def unusable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "bad.yaml").write_text("kind: floor_inspection\nid: X\n", "utf-8")
    (tmp_path / "broken.yaml").write_text("not: [valid\n", "utf-8")
    for name in ("bad.pdf", "bad.p12", "bad.sqlite", "bad.tar.gz"):
        (tmp_path / name).write_bytes(b"garbage")
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(tmp_path / "blank.pdf")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CHECKENGINE_KEY_PASSWORD", "x")
    return tmp_path


@pytest.mark.parametrize(("args", "where"), CASES, ids=[" ".join(a[:3]) + f" [{i}]" for i, (a, _) in enumerate(CASES)])
def test_exit_2_says_where(unusable: Path, capsys: pytest.CaptureFixture[str], args: list[str], where: str) -> None:
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.strip(), "exit code 2 without a message"
    assert where in err
    assert "Traceback" not in err


def test_every_command_is_covered() -> None:
    from checkengine.cli import COMMANDS

    covered = {args[0] for args, _ in CASES}
    assert set(COMMANDS) - covered == {"plugins"}  # plugins reads no input
