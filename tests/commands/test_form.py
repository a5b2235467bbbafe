from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pdf_cli import cli, setup


def test_checklist_and_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import pypdf

    files = setup(tmp_path)
    blank = tmp_path / "blank.pdf"
    code, out, err = cli(capsys, "form", "checklist", "--rulebook", files["rulebook"], "--subject", "{employee: E001, name: 王小明}",
                         "--date", "2026-11-03", "--lang", "ko", "--site", "cc-taipei", "--timezone", "Asia/Taipei", "-o", blank)
    assert (code, out) == (0, f"wrote {blank}\n")
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(str(blank)))
    for page in writer.pages:
        writer.update_page_form_field_values(page, {"r002": "fail", "c002": "명찰 위치 불량", "o006": "7"}, auto_regenerate=False)
    filled = tmp_path / "filled.pdf"
    writer.write(str(filled))
    code, out, err = cli(capsys, "form", "read", filled, "-o", tmp_path / "rec.yaml")
    assert code == 0
    record = yaml.safe_load((tmp_path / "rec.yaml").read_text("utf-8"))
    assert record["answers"] == {"DRS-02-badge": {"result": "fail", "comment": "명찰 위치 불량"}}
    assert record["observations"]["minutes_outside"] == 7
    # the record it gives passes the engine's record schema
    from checkengine import api

    assert api.load_record(tmp_path / "rec.yaml")["answers"] == record["answers"]
    code, out, err = cli(capsys, "form", "checklist", "--rulebook", files["rulebook"], "--subject", "E001",
                         "--date", "2026-11-03", "--lang", "ko", "-o", blank)
    assert (code, err) == (2, f"checkengine: error: {blank} exists; refusing to overwrite it (use --force to replace it, or choose another output)\n")
