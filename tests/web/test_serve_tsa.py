"""Timestamped signatures from the workspace (``checkengine serve --tsa URL``): the auditor's
signature and the site manager's countersignature each carry an RFC 3161 timestamp from the
server (PAdES B-T), which ``checkengine verify`` reports and checks against the TSA's root; with
the timestamp server down, signing refuses with the reason and keeps nothing (the submission
stays, ready to sign again). A URL that is not http(s) stops the server from starting."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from serving import (
    CHECKENGINE, ROOT, Server, example_answers, fill_checklist, new_keys, open_inspection, sign_in, sign_with,
    start_server, upload_key,
)

from checkengine.archive.store import open_archive

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pdf"))
from pdf_helpers import TestCA, TimestampServer, closed_port  # noqa: E402

PASSWORD = "timestamp-test-password"


@pytest.fixture(scope="module")
def tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TimestampServer, Path]]:
    ca = TestCA("checkengine test TSA root")
    root = tmp_path_factory.mktemp("tsa") / "tsa-root.pem"
    root.write_bytes(ca.cert.public_bytes(serialization.Encoding.PEM))
    with TimestampServer(ca) as server:
        yield server, root


def _submitted_inspection(page: Any, server: Server) -> int:
    page.goto(server.url + "/inspections")
    inspection = open_inspection(page, server, rulebook_title="Customer-service floor standards")
    fill_checklist(page, example_answers("FI-2026-11-03-001"))
    page.locator("#checklist button.primary").click()
    page.wait_for_url(f"{server.url}/inspections/{inspection}/result")
    return inspection


@pytest.mark.slow
def test_both_signatures_are_timestamped(tmp_path: Path, tsa: tuple[TimestampServer, Path], browser: Any) -> None:
    stamper, root = tsa
    keys = new_keys(tmp_path / "keys", PASSWORD)
    server = start_server(str(tmp_path / "store.sqlite"), "--logins-per-minute", "1000", "--tsa", stamper.url)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        assert f"signatures are timestamped by {stamper.url}" in server.output
        page = sign_in(context, server, "auditor.lin")
        upload_key(page, server, keys["auditor"], PASSWORD)
        inspection = _submitted_inspection(page, server)
        asked = stamper.requests
        sign_with(page, PASSWORD)
        assert "林品管" in page.locator("#signatures").inner_text()
        assert stamper.requests > asked
        context.clear_cookies()
        manager = sign_in(context, server, "manager.wang")
        upload_key(manager, server, keys["manager"], PASSWORD)
        manager.goto(f"{server.url}/inspections/{inspection}/result")
        sign_with(manager, PASSWORD, "form.accept")
        assert "王主任" in manager.locator("#signatures").inner_text()
        with manager.expect_download() as download:
            manager.locator("#download").click()
        pdf = tmp_path / "downloaded.pdf"
        download.value.save_as(pdf)
    finally:
        context.close()
        server.stop()
    verified = subprocess.run(
        [str(CHECKENGINE), "verify", str(pdf), "--format", "json", "--trust-inspector", str(keys["auditor"] / "cert.pem"),
         "--trust-manager", str(keys["manager"] / "cert.pem"), "--trust", str(root)],
        capture_output=True, text=True, cwd=ROOT)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    report = json.loads(verified.stdout)
    assert report["valid"] is True and len(report["signatures"]) == 2
    for sig in report["signatures"]:
        assert sig["timestamp_server"] == "checkengine test TSA" and sig["problems"] == []
        stamped = datetime.fromisoformat(sig["timestamp_time"])
        assert abs((stamped - datetime.fromisoformat(sig["signing_time"])).total_seconds()) < 120


@pytest.mark.slow
def test_no_timestamp_no_signature(tmp_path: Path, browser: Any) -> None:
    keys = new_keys(tmp_path / "keys", PASSWORD)
    down = f"http://127.0.0.1:{closed_port()}/"
    server = start_server(str(tmp_path / "store.sqlite"), "--logins-per-minute", "1000", "--tsa", down)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = sign_in(context, server, "auditor.lin")
        upload_key(page, server, keys["auditor"], PASSWORD)
        inspection = _submitted_inspection(page, server)
        sign_with(page, PASSWORD)
        error = page.locator("#signatures p.error").inner_text()
        assert f"cannot connect to the timestamp server {down}" in error and "no signature was made" in error
        assert page.locator("form.sign").count() == 1  # still there to sign again
        with open_archive(server.store, write=False) as store:
            assert store.signed_forms(inspection) == {}
            assert len(store.submissions_of(inspection)) == 1
    finally:
        context.close()
        server.stop()


def test_a_timestamp_url_must_be_http(tmp_path: Path) -> None:
    done = subprocess.run([str(CHECKENGINE), "serve", "--store", str(tmp_path / "s.sqlite"), "--rulebooks",
                           str(ROOT / "rulebooks"), "--tsa", "ftp://user:secret@tsa.example/"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == ("checkengine: error: --tsa ftp://tsa.example/: a timestamp server URL starts with "
                           "http:// or https://\n")
