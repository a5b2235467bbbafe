"""``checkengine report``: from an archive or from records, and every way it can be asked wrongly."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path
from typing import Any

import pytest

from test_batch import cli, scenario, tmpfs  # same folder: the batch command tests' helpers


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("report-cli")
    return {"book": scenario.write_rulebook(folder / "book.yaml"),
            "nov": scenario.write_jsonl(folder / "nov.jsonl", 160, month="2026-11")}


@pytest.fixture(scope="module")
def archive(files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    from checkengine.cli import main

    db = tmp_path_factory.mktemp("report-db") / "a.sqlite"
    assert main(["archive", "add", "-r", str(files["book"]), str(files["nov"]), "--db", str(db), "-j", "1"]) == 0
    return db


@pytest.mark.slow
def test_from_the_archive(tmp_path: Path, archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pdf, html = tmp_path / "r.pdf", tmp_path / "r.html"
    code, out, err = cli(capsys, "report", "--period", "2026-11", "--site", "cc-taipei", "--archive", archive,
                         "--lang", "ko", "-o", pdf, "--html", html)
    assert (code, out, err) == (0, "", "")
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert "<h1>월간 준수 보고서</h1>" in html.read_text("utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html", "r.pdf"]


@pytest.mark.slow
def test_from_records(tmp_path: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    pdf = tmp_path / "w.pdf"
    code, out, err = cli(capsys, "report", "--period", "2026-W46", "--site", "cc-taipei", "--rulebook", files["book"],
                         files["nov"], "-j", "1", "-o", pdf, "--html", tmp_path / "w.html")
    assert (code, out, err) == (0, "", "")
    assert "<h1>Weekly compliance report</h1>" in (tmp_path / "w.html").read_text("utf-8")


@pytest.mark.parametrize(("args", "message"), [
    (["--period", "2026-13"], "--period 2026-13: expected a month (2026-11) or an ISO week (2026-W45)"),
    (["--period", "2026-11", "--lang", "fr"], "--lang fr: reports are written in en, zh-Hant, zh-Hans, ko, es; "
                                              "choose one of them"),
    (["--period", "2026-11", "--format", "html", "--html", "x.html"], "--format html writes the interactive page "
                                                                    "to -o; give --html only with --format pdf"),
    (["--period", "2026-11", "--rulebook", "book.yaml"], "--rulebook needs the records to evaluate: checkengine "
     "report --rulebook RULEBOOK RECORDS_OR_FOLDER... (or report from an archive with --archive DB)"),
    (["--period", "2026-11", "nov.jsonl"], "records to evaluate need --rulebook RULEBOOK (or report from an "
                                           "archive with --archive DB)"),
])
def test_usage_mistakes(tmp_path: Path, archive: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                        message: str) -> None:
    code, out, err = cli(capsys, "report", "--site", "cc-taipei", "--archive", archive, *args, "-o", tmp_path / "r.pdf")
    if "--rulebook" in args:  # with an archive too: the first mistake is giving both
        message = "give --archive DB or --rulebook RULEBOOK RECORDS..., not both"
    assert (code, out, err) == (2, "", f"checkengine: error: {message}\n")
    assert not list(tmp_path.iterdir())


def test_no_data(tmp_path: Path, archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "report", "--period", "2026-10", "--site", "cc-taipei", "--archive", archive,
                         "-o", tmp_path / "r.pdf")
    assert (code, out) == (2, "")
    assert err == (f"checkengine: error: {archive}: no archived records for site cc-taipei in 2026-10; check --site, "
                   "--team and --period (`checkengine archive query --site cc-taipei` lists what there is)\n")


def test_corrupt_archive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "bad.sqlite"
    db.write_bytes(b"SQLite format 3\x00" + b"\x01" * 500)
    code, out, err = cli(capsys, "report", "--period", "2026-11", "--site", "x", "--archive", db, "-o", tmp_path / "r.pdf")
    assert (code, out) == (2, "")
    assert err == (f"checkengine: error: {db}: not a readable checkengine archive (file is not a database); the file "
                   "is damaged or is something else: restore it from a backup, or use another archive (--db or "
                   "CHECKENGINE_ARCHIVE)\n")


@pytest.mark.slow
def test_read_only_folder(tmp_path: Path, archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with tmpfs(tmp_path / "ro", "size=1m,ro") as folder:
        out_pdf = folder / "r.pdf"
        code, out, err = cli(capsys, "report", "--period", "2026-11", "--site", "cc-taipei", "--archive", archive,
                             "-o", out_pdf)
        assert (code, out) == (2, "")
        assert err == (f"checkengine: error: {out_pdf}: cannot write the output: the folder is on a read-only file "
                       "system; write elsewhere (-o); no partial output was left\n")


@pytest.mark.slow
def test_full_disk(tmp_path: Path, archive: Path, capsys: pytest.CaptureFixture[str],
                   monkeypatch: pytest.MonkeyPatch) -> None:
    from checkengine import output  # every atomic output goes through open_output

    real = os.fdopen

    class Full:
        def __init__(self, fd: int, mode: str) -> None:
            self.handle = real(fd, mode)

        def __enter__(self) -> "Full":
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(output.os, "fdopen", Full)
    target = tmp_path / "out" / "r.pdf"
    target.parent.mkdir()
    code, out, err = cli(capsys, "report", "--period", "2026-11", "--site", "cc-taipei", "--archive", archive,
                         "-o", target)
    monkeypatch.undo()
    assert (code, out) == (2, "")
    assert err == (f"checkengine: error: {target}: cannot write the output: no space left on the device (the disk is full); free some space or "
                   "write elsewhere (-o); no partial output was left\n")
    assert list(target.parent.iterdir()) == []


@pytest.mark.slow
def test_real_full_disk(tmp_path: Path, archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with tmpfs(tmp_path / "small", "size=16k") as folder:
        target = folder / "r.pdf"
        code, out, err = cli(capsys, "report", "--period", "2026-11", "--site", "cc-taipei", "--archive", archive,
                             "-o", target)
        assert (code, out) == (2, "")
        assert err == (f"checkengine: error: {target}: cannot write the output: no space left on the device (the disk is full); free some space "
                       "or write elsewhere (-o); no partial output was left\n")
        assert list(folder.iterdir()) == []


def test_records_without_the_site(tmp_path: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "report", "--period", "2026-11", "--site", "br-xinyi", "--rulebook", files["book"],
                         files["nov"], "-j", "1", "-o", tmp_path / "r.pdf")
    assert (code, out) == (2, "")
    assert err == ("checkengine: error: the records given include none of site br-xinyi in 2026-11; check "
                   "--site, --team and --period\n")


def test_executor_is_for_records(tmp_path: Path, archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "report", "--period", "2026-11", "--site", "cc-taipei", "--archive", archive,
                         "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9", "-o", tmp_path / "r.pdf")
    assert (code, out) == (2, "")
    assert err == ("checkengine: error: --executor and --scheduler evaluate records (--rulebook RULEBOOK "
                   "RECORDS...); a report from an archive is read by the archive's database\n")


@pytest.mark.slow
def test_from_records_on_dask_and_from_postgresql(tmp_path: Path, files: dict[str, Path], archive: Path,
                                                  postgres: Any, dask_scheduler: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """The same report from records evaluated locally and on Dask, and from a SQLite and a PostgreSQL archive."""
    common = ["report", "--period", "2026-11", "--site", "cc-taipei"]
    html: dict[str, str] = {}

    def write(name: str, *args: Any) -> None:
        code, out, err = cli(capsys, *common, *args, "-o", tmp_path / f"{name}.pdf", "--html", tmp_path / f"{name}.html")
        assert (code, out, err) == (0, "", "")
        html[name] = (tmp_path / f"{name}.html").read_text("utf-8")

    write("local", "--rulebook", files["book"], files["nov"], "-j", "1")
    write("dask", "--rulebook", files["book"], files["nov"], "--executor", "dask", "--scheduler", dask_scheduler)
    url = postgres.new_database()
    assert cli(capsys, "archive", "add", "-r", files["book"], files["nov"], "--db", url, "-j", "1")[0] == 0
    write("sqlite", "--archive", archive)
    write("postgresql", "--archive", url)
    # each report says when it was made, to the minute: two runs may straddle a minute
    undated = {name: re.sub(r"(</th><td>)[^<]*\d\d:\d\d(</td></tr>)", r"\1\2", text, count=1)
               for name, text in html.items()}
    assert undated["local"] != html["local"]  # the generation time was there, and is gone
    assert undated["dask"] == undated["local"]
    assert undated["postgresql"] == undated["sqlite"]
    assert "<h1>Monthly compliance report</h1>" in html["local"]


@pytest.mark.slow
def test_a_failed_item_fixed_verified_and_closed_in_the_report(tmp_path: Path, files: dict[str, Path],
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """End to end through the CLI: a failed item becomes an action when archived, the owner fixes it
    with a photo, the manager verifies it, and the month's report shows it closed, with its owner."""
    import json

    from PIL import Image

    db = tmp_path / "a.sqlite"
    assert cli(capsys, "archive", "add", "-r", files["book"], files["nov"], "--db", db, "-j", "1")[0] == 0
    code, out, _ = cli(capsys, "actions", "list", "--db", db, "--site", "cc-taipei", "--format", "json")
    assert code == 0
    listed = json.loads(out)
    items = listed if isinstance(listed, list) else listed["actions"]
    action = next(a for a in items if a["employee"] and a["records"])
    photo = tmp_path / "fixed.png"
    Image.new("RGB", (40, 30), (20, 120, 40)).save(photo)
    for args in (["assign", "--by", "manager-1", "--to", "TL-7"],
                 ["done", "--by", "TL-7", "--photo", photo, "--note", "uniform replaced"],
                 ["verify", "--by", "manager-1"]):
        code, _, err = cli(capsys, "actions", "update", action["id"], *args, "--db", db)
        assert code == 0, err
    pdf, html = tmp_path / "r.pdf", tmp_path / "r.html"
    code, _, err = cli(capsys, "report", "--period", "2026-11", "--site", "cc-taipei", "--archive", db, "-o", pdf,
                       "--html", html)
    assert code == 0, err
    page = html.read_text("utf-8")
    tracked = page[page.index("<h2>Corrective actions</h2>"):]
    row = re.search(r"<tr><td><span class=\"rule\">" + re.escape(action["rule"]) + r"</span>[^\n]*?<td>"
                    + re.escape(action["employee"]) + r"</td><td>TL-7</td><td class=\"\">closed</td>", tracked)
    assert row, tracked[:2000]
    assert "Corrective actions" in pdf_text(pdf) and "closed" in pdf_text(pdf)


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(str(path)).pages)


def test_format_html_writes_the_interactive_page_only(tmp_path: Path, archive: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "november.html"
    code, out, err = cli(capsys, "report", "--period", "2026-11", "--site", "cc-taipei", "--archive", archive,
                         "--format", "html", "-o", page, "--lang", "es")
    assert (code, out, err) == (0, "", "")
    assert [p.name for p in tmp_path.iterdir()] == ["november.html"]
    text = page.read_text("utf-8")
    assert '<html lang="es">' in text and 'id="f-rule"' in text and "vegaEmbed" in text
