"""checkengine audit, end to end with the engine."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from pdf_cli import PASSWORD, cli, keys, setup


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHECKENGINE_KEY_PASSWORD", PASSWORD)


@pytest.mark.slow
def test_audit_sign_countersign_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = setup(tmp_path)
    k = keys(capsys, tmp_path / "keys")
    form = tmp_path / "form.pdf"
    code, out, err = cli(capsys, "audit", "--rulebook", files["rulebook"], files["record"], "--lang", "zh-Hant",
                         "-o", form, "--sign", k["inspector"] / "key.p12")
    assert (code, out, err) == (0, f"wrote {form} (2 pages, signed by 林品管)\n", "")
    code, out, err = cli(capsys, "sign", form, "--key", k["manager"] / "key.pem", "--cert", k["manager"] / "cert.pem",
                         "--field", "manager")
    assert (code, out) == (0, f"signed {form} as 'manager' (陳主任)\n")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    code, out, err = cli(capsys, "verify", form, "--trust", k["inspector"] / "cert.pem", "--trust", k["manager"] / "cert.pem")
    assert code == 0, out
    assert out.splitlines()[0] == f"{form}: VALID"
    assert "matches the form" in out
    code, out, err = cli(capsys, "verify", form, "--trust", k["manager"] / "cert.pem", "--format", "json")
    assert code == 1
    import json

    report = json.loads(out)
    assert report["valid"] is False and report["signatures"][1]["ok"] is True
    assert report["signatures"][0]["problems"] == [
        "the signer's certificate is not trusted: it does not chain to a certificate given with --trust"
    ]
    # an existing signed form is never overwritten without --force
    code, out, err = cli(capsys, "audit", "--rulebook", files["rulebook"], files["record"], "--lang", "zh-Hant", "-o", form)
    assert code == 2
    assert err == (f"checkengine: error: {form} exists and is a signed PDF; refusing to overwrite it "
                   "(use --force to replace it, or choose another output)\n")


def test_audit_bad_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = setup(tmp_path)
    code, out, err = cli(capsys, "audit", "--rulebook", files["rulebook"], files["record"], "--lang", "fr", "-o", tmp_path / "f.pdf")
    assert (code, err) == (2, "checkengine: error: the rulebook 'cs-floor' has no 'fr' translation; its languages are zh-Hant, en, zh-Hans, ko, es\n")
    record = copy.deepcopy(files["data"]["record"])
    record["answers"]["DRS-02-badge"]["evidence"] = ["photos/missing.jpg"]
    path = tmp_path / "r2.yaml"
    path.write_text(yaml.safe_dump(record, allow_unicode=True))
    code, out, err = cli(capsys, "audit", "--rulebook", files["rulebook"], path, "--lang", "en", "-o", tmp_path / "f.pdf")
    assert code == 2
    assert err == ("checkengine: error: answers.DRS-02-badge.evidence[0]: the evidence file 'photos/missing.jpg' does not "
                   f"exist (looked for {tmp_path.resolve() / 'photos' / 'missing.jpg'})\n")
    record["answers"]["DRS-02-badge"]["comment"] = "file:///etc/passwd"
    record["answers"]["DRS-02-badge"]["evidence"] = ["photos/e001-badge.jpg"]
    path.write_text(yaml.safe_dump(record, allow_unicode=True))
    code, out, err = cli(capsys, "audit", "--rulebook", files["rulebook"], path, "--lang", "en", "-o", tmp_path / "f.pdf")
    assert code == 2
    assert err == ("checkengine: error: answers.DRS-02-badge.comment: 'file:///etc/passwd' is a link (file:); a form embeds "
                   "only files from the record's own folder, so file:, http(s): and data: links are refused\n")
    assert not (tmp_path / "f.pdf").exists()


def test_audit_wrong_password(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    files = setup(tmp_path)
    k = keys(capsys, tmp_path / "keys")
    monkeypatch.setenv("CHECKENGINE_KEY_PASSWORD", "wrong")
    code, out, err = cli(capsys, "audit", "--rulebook", files["rulebook"], files["record"], "--lang", "en",
                         "-o", tmp_path / "f.pdf", "--sign", k["inspector"] / "key.p12")
    assert code == 2
    assert err == (f"checkengine: error: cannot open the key {k['inspector'] / 'key.p12'}: wrong password, "
                   "or not a PKCS#12 key store\n")
    assert not (tmp_path / "f.pdf").exists()


def test_fail_on_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = setup(tmp_path)
    form = tmp_path / "form.pdf"
    args = ("audit", "--rulebook", files["rulebook"], files["record"], "--lang", "en", "-o", form)
    # failed rules are what the form reports: writing it is a success
    assert cli(capsys, *args) == (0, f"wrote {form} (2 pages, unsigned)\n", "")
    form.unlink()
    code, out, err = cli(capsys, *args, "--fail-on-findings")
    assert (code, out) == (1, f"wrote {form} (2 pages, unsigned)\n")
    assert err == ("checkengine: findings: 3 rules failed (DRS-02-badge, DRS-04-makeup, WKS-03-minutes-outside); "
                   "the inspection did not pass (score 35.71, grade C)\n")
    assert form.read_bytes().startswith(b"%PDF")  # written all the same
    # a record where every rule passes
    record = copy.deepcopy(files["data"]["record"])
    record["observations"].update({"badge": "standard", "minutes_outside": 5})
    record["answers"] = {"DRS-03-neat": {"result": "pass"}, "DRS-04-makeup": {"result": "pass"}}
    clean = tmp_path / "clean.yaml"
    clean.write_text(yaml.safe_dump(record, allow_unicode=True), "utf-8")
    code, out, err = cli(capsys, "audit", "--rulebook", files["rulebook"], clean, "--lang", "en",
                         "-o", tmp_path / "clean.pdf", "--fail-on-findings")
    assert (code, out, err) == (0, f"wrote {tmp_path / 'clean.pdf'} (2 pages, unsigned)\n", "")  # the cover, the checklist



def test_a_record_with_no_rule_in_force_is_a_form_not_a_crash(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    # Issue 9, point 9: audit crashed (decimal.InvalidOperation, exit 3) on a result with no score.
    root = Path(__file__).resolve().parents[2]
    text = (root / "examples" / "month-2026-11" / "inspections" / "FI-2026-11-03-001.yaml").read_text("utf-8")
    old = tmp_path / "old.yaml"
    old.write_text(text.replace("2026-11-03T", "2019-11-03T"), "utf-8")  # before cs-floor's rules were in force
    form = tmp_path / "old.pdf"
    code, out, err = cli(capsys, "audit", "--rulebook", root / "rulebooks" / "cs-floor.yaml", old, "--lang", "en",
                         "-o", form)
    assert (code, out, err) == (0, f"wrote {form} (4 pages, unsigned)\n", "")


@pytest.mark.slow
def test_the_form_shows_each_action_with_its_tracked_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """cs-floor's follow_up: the team leader, corrective_action_days (14) after the round. The
    archived round opened an action for the failed uniform rule (seed 001 值班制度 1: staff on duty
    wear the uniform); once started, the form shows it in progress, and without the archive, open."""
    import subprocess

    root = Path(__file__).resolve().parents[2]
    book = root / "rulebooks" / "cs-floor.yaml"
    text = (root / "examples" / "month-2026-11" / "inspections" / "FI-2026-11-03-001.yaml").read_text("utf-8")
    assert text.count("uniform: true") == 1
    record = tmp_path / "FI-T-1.yaml"
    record.write_text(text.replace("uniform: true", "uniform: false"), "utf-8")
    db = tmp_path / "archive.sqlite"
    assert cli(capsys, "archive", "add", "-q", "-j", "1", "-r", str(book), str(record), "--db", str(db))[0] == 0
    assert cli(capsys, "actions", "update", "1", "start", "--by", "E001", "--db", str(db))[0] == 0

    def cover(*extra: str) -> str:
        form = tmp_path / "form.pdf"
        code, _, err = cli(capsys, "audit", "--rulebook", str(book), str(record), "--lang", "en", "-o", str(form),
                           "--force", *extra)
        assert (code, err) == (0, "")
        text = subprocess.run(["pdftotext", "-l", "1", str(form), "-"], capture_output=True, text=True, check=True).stdout
        return " ".join(text.split())

    tracked, plain = cover("--actions-db", str(db)), cover()
    assert "DRS-01-uniform Uniform worn on duty" in plain
    due = "17 November 2026 · Status:"  # 14 days after 3 November
    assert f"{due} in progress" in tracked and f"{due} open" in plain
    assert "Owner Team leader" in plain
