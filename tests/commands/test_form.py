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
                         "--date", "2026-11-03", "--lang", "ko", "--site", "cc-taipei", "--timezone", "Asia/Taipei",
                         "--kind", "floor_inspection", "-o", blank)
    assert (code, out) == (0, f"wrote {blank}\n")
    # the test rulebook gives its observations no question: said, not hidden
    assert err.splitlines()[0] == ("checkengine: warning: observation 'uniform' (rule DRS-01-uniform) has no question "
                                   "in the rulebook, so the checklist shows its name; add observations: "
                                   "{uniform: {question: ...}} to the rule")
    assert len(err.splitlines()) == 6
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(str(blank)))
    for page in writer.pages:
        writer.update_page_form_field_values(page, {"r002": "fail", "c002": "명찰 위치 불량", "o006": "7", "time": "10:20"},
                                             auto_regenerate=False)
    filled = tmp_path / "filled.pdf"
    writer.write(str(filled))
    code, out, err = cli(capsys, "form", "read", filled, "-o", tmp_path / "rec.yaml")
    assert (code, err) == (0, f"wrote {tmp_path / 'rec.yaml'} (11 items not answered)\n")
    text = (tmp_path / "rec.yaml").read_text("utf-8")
    assert text.splitlines()[1:3] == [
        "# not answered: DRS-01-uniform, DRS-03-neat, DRS-04-makeup, DRS-05-hair, WKS-01-monitor, WKS-03-minutes-outside",
        "# not observed (null): uniform, badge, hair_tied, long_hair, monitor_right"]
    record = yaml.safe_load(text)
    assert record["answers"] == {"DRS-02-badge": {"result": "fail", "comment": "명찰 위치 불량"}}
    assert record["observations"]["minutes_outside"] == 7
    assert record["observations"]["uniform"] is None  # not answered, not false
    # the record it gives passes the engine's record schema
    from checkengine import api

    assert api.load_record(tmp_path / "rec.yaml")["answers"] == record["answers"]
    code, out, err = cli(capsys, "form", "checklist", "--rulebook", files["rulebook"], "--subject", "E001",
                         "--date", "2026-11-03", "--lang", "ko", "--kind", "floor_inspection", "-o", blank)
    assert (code, err) == (2, f"checkengine: error: {blank} exists; refusing to overwrite it (use --force to replace it, or choose another output)\n")


def test_a_blank_checklist_reads_back_as_blank(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = setup(tmp_path)
    blank = tmp_path / "blank.pdf"
    code, _, _ = cli(capsys, "form", "checklist", "--rulebook", files["rulebook"], "--subject", "E001",
                     "--date", "2026-11-03", "--lang", "en", "--kind", "floor_inspection", "-o", blank)
    assert code == 0
    code, out, err = cli(capsys, "form", "read", blank, "-o", tmp_path / "rec.yaml")
    assert (code, out) == (2, "")
    assert err == (f"checkengine: error: {blank}: nothing was filled in (no answer, observation, comment, time or "
                   "inspector); fill in the checklist, then read it back\n")
    assert not (tmp_path / "rec.yaml").exists()


def test_the_kind_comes_from_the_rulebook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = Path(__file__).resolve().parents[2]
    out_pdf = tmp_path / "branch.pdf"
    code, out, err = cli(capsys, "form", "checklist", "--rulebook", root / "rulebooks" / "branch-service.yaml",
                         "--subject", "B102", "--date", "2026-11-05", "--lang", "en", "-o", out_pdf)
    assert (code, out, err) == (0, f"wrote {out_pdf}\n", "")  # every observation has its question
    from checkengine.pdf import attachments as att

    mapping = att.read_json_attachment(att.read_attachments(out_pdf.read_bytes()), att.CHECKLIST, "x")
    assert mapping["record"]["kind"] == "branch_inspection"
    code, out, err = cli(capsys, "form", "checklist", "--rulebook", root / "rulebooks" / "branch-service.yaml",
                         "--subject", "B102", "--date", "2026-11-05", "--lang", "en", "--kind", "floor_inspection",
                         "-o", tmp_path / "x.pdf")
    assert (code, err) == (2, "checkengine: error: --kind floor_inspection: no rule of 'branch-service' applies to "
                              "floor_inspection records; its checklists are for: branch_inspection\n")
