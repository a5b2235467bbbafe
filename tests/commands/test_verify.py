from __future__ import annotations

import subprocess

import json
from pathlib import Path

import pytest
import yaml

from checkengine.pdf.attachments import read_attachments
from pdf_cli import PASSWORD, cli, keys, setup
from pdf_helpers import pdftotext, swap_attachment


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHECKENGINE_KEY_PASSWORD", PASSWORD)


def test_verify_unusable_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "x.pdf").write_text("hello")
    (tmp_path / "c.pem").write_text("not a certificate")
    import pypdf

    writer = pypdf.PdfWriter()
    writer.add_blank_page(100, 100)
    writer.write(str(tmp_path / "blank.pdf"))
    code, out, err = cli(capsys, "verify", tmp_path / "blank.pdf", "--trust", tmp_path / "c.pem")
    assert (code, err) == (2, f"checkengine: error: {tmp_path / 'c.pem'} holds no certificate (expected PEM 'BEGIN CERTIFICATE' or DER)\n")
    cli(capsys, "keys", "new", "--name", "x", "-o", tmp_path / "k")
    code, out, err = cli(capsys, "verify", tmp_path / "x.pdf", "--trust", tmp_path / "k" / "cert.pem")
    assert (code, err) == (2, f"checkengine: error: {tmp_path / 'x.pdf'} is not a PDF file\n")
    code, out, err = cli(capsys, "verify", tmp_path / "blank.pdf", "--trust", tmp_path / "k" / "cert.pem")
    assert (code, err) == (2, "checkengine: error: the form: the form carries no 'record.json' attachment; was it made by checkengine?\n")


@pytest.mark.slow
def test_waivers_travel_with_the_form_and_are_re_applied(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = setup(tmp_path)
    k = keys(capsys, tmp_path / "keys")
    waiver = {"id": "WV-2026-001", "rule": "DRS-04-makeup", "scope": {"site": "cc-taipei", "employee": "E001"},
              "reason": {"en": "No make-up on medical advice", "zh-Hant": "醫囑不得化妝"},
              "approved_by": "Chen, Centre director", "granted": "2026-11-01", "expires": "2026-12-31"}
    waivers = tmp_path / "floor.waivers.yaml"
    waivers.write_text(yaml.safe_dump({"checkengine": 1, "kind": "waivers", "waivers": [waiver]}, allow_unicode=True), "utf-8")
    form = tmp_path / "form.pdf"
    code, out, err = cli(capsys, "audit", "--rulebook", files["rulebook"], files["record"], "--lang", "en", "-o", form,
                         "--waivers", waivers, "--sign", k["inspector"] / "key.p12")
    assert (code, err) == (0, "")
    assert cli(capsys, "sign", form, "--key", k["manager"] / "key.p12")[0] == 0
    embedded = read_attachments(form)
    assert json.loads(embedded["waivers.json"]) == [{
        "id": "WV-2026-001", "rule": "DRS-04-makeup", "reason": waiver["reason"], "approved_by": "Chen, Centre director",
        "granted": "2026-11-01", "expires": "2026-12-31", "site": "cc-taipei", "employee": "E001", "team": None,
    }]
    outcomes = {o["rule"]: o for o in json.loads(embedded["result.json"])["records"][0]["outcomes"]}
    assert outcomes["DRS-04-makeup"]["outcome"] == "waived"
    # reading order (a cell's lines together), not the page's layout: the note column wraps
    printed = " ".join(subprocess.run(["pdftotext", str(form), "-"], capture_output=True, text=True,
                                      check=True).stdout.split())
    assert "Waiver: No make-up on medical advice (approved by Chen, Centre director)" in printed

    trust = ["--trust", k["inspector"] / "cert.pem", "--trust", k["manager"] / "cert.pem"]
    code, out, err = cli(capsys, "verify", form, *trust)
    assert code == 0, out
    assert out.splitlines()[-1].endswith(": matches the form")  # re-evaluated with the embedded waivers

    # A verified form as OSCAL assessment results: the evidence of each observation is the signed
    # form itself, with its SHA-256; a tampered form gives its verdict instead (exit 1).
    import hashlib
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1] / "builtin"))
    from formats import validate_oscal

    code, out, err = cli(capsys, "verify", form, *trust, "--format", "oscal")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    validate_oscal(doc)
    digest = hashlib.sha256(form.read_bytes()).hexdigest()
    resources = doc["assessment-results"]["back-matter"]["resources"]
    signed = [r for r in resources if r["title"].startswith("the signed form ")]
    assert len(signed) == 1 and signed[0]["rlinks"][0]["hashes"] == [{"algorithm": "SHA-256", "value": digest}]

    # the same record without the waiver fails the rule: so a form whose waivers were dropped
    # after signing is caught twice, by the signatures and by the re-evaluation
    swapped = swap_attachment(form, "waivers.json", b"[]", tmp_path / "swapped.pdf")
    code, out, err = cli(capsys, "verify", swapped, *trust, "--format", "oscal")
    assert (code, out) == (1, "") and err.startswith(f"{swapped}: INVALID")
    code, out, err = cli(capsys, "verify", swapped, *trust, "--format", "json")
    assert code == 1
    report = json.loads(out)
    for sig in report["signatures"]:
        assert sig["problems"] == [
            "the document was changed after this signature by an update that is not a later signature (revision 5 of 5)"
        ]
    assert [c["check"] for c in report["checks"] if not c["passed"]] == [
        "signature 'inspector'", "signature 'manager'", "re-evaluation"]
    assert report["evaluation"]["problems"] == [
        "DRS-04-makeup: the form says outcome 'waived', the rules give 'fail'",
        "DRS-04-makeup: the form says waived True, the rules give False",
        "score: the form says score 38.46, the rules give 35.71",  # the waived rule counts again
    ]


def test_verify_needs_a_trusted_certificate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import pypdf

    writer = pypdf.PdfWriter()
    writer.add_blank_page(100, 100)
    writer.write(str(tmp_path / "blank.pdf"))
    code, out, err = cli(capsys, "verify", tmp_path / "blank.pdf")
    assert (code, err) == (2, "checkengine: error: give the trusted certificates with --trust CERT.pem (any role) or "
                              "--trust-inspector / --trust-manager CERT.pem\n")


def test_a_damaged_pdf_is_invalid_not_unusable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    k = keys(capsys, tmp_path / "keys")
    (tmp_path / "cut.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")
    code, out, err = cli(capsys, "verify", tmp_path / "cut.pdf", "--trust", k["inspector"] / "cert.pem")
    assert code == 1
    assert out.splitlines()[:2] == [
        f"{tmp_path / 'cut.pdf'}: INVALID",
        # the parser's words are pypdf's: it reads the file first, with the stream-size limits
        "  problem: the form is damaged or cut short: it cannot be read as a PDF (PdfStreamError: Stream has ended unexpectedly)",
    ]


@pytest.mark.slow
def test_roles_json_verdict_and_countersignature(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = setup(tmp_path)
    k = keys(capsys, tmp_path / "keys")
    form = tmp_path / "form.pdf"
    code, out, err = cli(capsys, "audit", "--rulebook", files["rulebook"], files["record"], "--lang", "ko", "-o", form,
                         "--sign", k["inspector"] / "key.p12")
    assert code == 0, err
    roles = ["--trust-inspector", k["inspector"] / "cert.pem", "--trust-manager", k["manager"] / "cert.pem"]
    code, out, err = cli(capsys, "verify", form, *roles)
    assert code == 1
    assert out.splitlines()[:2] == [
        f"{form}: INVALID",
        "  problem: the site manager has not countersigned the form (give --allow-missing-countersignature to accept "
        "a form that is not countersigned yet)",
    ]
    code, out, err = cli(capsys, "verify", form, *roles, "--allow-missing-countersignature")
    assert code == 0, out
    assert out.splitlines()[0] == (f"{form}: VALID, but NOT COUNTERSIGNED: the site manager has not signed "
                                   "(accepted with --allow-missing-countersignature)")
    assert cli(capsys, "sign", form, "--key", k["manager"] / "key.p12")[0] == 0
    code, out, err = cli(capsys, "verify", form, *roles, "--format", "json")
    assert code == 0, out
    verdict = json.loads(out)
    assert (verdict["valid"], verdict["countersigned"], verdict["problems"]) == (True, True, [])
    assert [(c["check"], c["passed"]) for c in verdict["checks"]] == [
        ("signature fields", True), ("file end", True), ("signature 'inspector'", True),
        ("signature 'manager'", True), ("signature order", True), ("two signers", True), ("nothing but what the renderer makes", True),
        ("printed rows", True), ("signature stamps", True), ("re-evaluation", True),
    ]
    # the roles are bound: the inspector's certificate is not trusted for the manager's signature
    swapped = ["--trust-inspector", k["manager"] / "cert.pem", "--trust-manager", k["inspector"] / "cert.pem"]
    code, out, err = cli(capsys, "verify", form, *swapped)
    assert code == 1
    assert "  problem: signature 'inspector' (林品管): the signer (林品管) is not the one trusted for this role " \
           "(--trust-inspector)" in out.splitlines()
