from __future__ import annotations

import io
import json
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from pdf_cli import PASSWORD, cli, keys, setup
from pdf_helpers import TestCA, TimestampServer, closed_port


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHECKENGINE_KEY_PASSWORD", PASSWORD)


def test_sign_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = setup(tmp_path)
    k = keys(capsys, tmp_path / "keys")
    form = tmp_path / "form.pdf"
    assert cli(capsys, "audit", "--rulebook", files["rulebook"], files["record"], "--lang", "es", "-o", form)[0] == 0
    code, out, err = cli(capsys, "sign", form, "--key", k["manager"] / "key.pem")
    assert (code, err) == (2, f"checkengine: error: {k['manager'] / 'key.pem'} is a PEM key; give its certificate with --cert CERT.pem\n")
    out_pdf = tmp_path / "out.pdf"
    out_pdf.write_bytes(b"%PDF-1.7\n")
    code, out, err = cli(capsys, "sign", form, "--key", k["manager"] / "key.p12", "-o", out_pdf)
    assert (code, err) == (2, f"checkengine: error: {out_pdf} exists; refusing to overwrite it (use --force to replace it, or choose another output)\n")
    code, out, err = cli(capsys, "sign", form, "--key", k["manager"] / "key.p12", "-o", out_pdf, "--force")
    assert code == 0 and out == f"signed {out_pdf} as 'manager' (陳主任)\n"
    code, out, err = cli(capsys, "sign", out_pdf, "--key", k["manager"] / "key.p12")
    assert (code, err) == (2, "checkengine: error: the signature field 'manager' is already signed\n")
    code, out, err = cli(capsys, "sign", tmp_path / "nope.pdf", "--key", k["manager"] / "key.p12")
    assert (code, err) == (2, f"checkengine: error: {tmp_path / 'nope.pdf'}: file not found; check the path (it is relative "
                           "to the working folder)\n")


def tsa_setup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[dict[str, Any], dict[str, Path], TestCA, Path]:
    files = setup(tmp_path)
    k = keys(capsys, tmp_path / "keys")
    ca = TestCA("checkengine test TSA root")
    ca_pem = tmp_path / "tsa-root.pem"
    ca_pem.write_bytes(ca.cert.public_bytes(serialization.Encoding.PEM))
    return files, k, ca, ca_pem


@pytest.mark.slow
def test_timestamped_signatures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from checkengine.pdf.keys import load_certificates

    files, k, ca, ca_pem = tsa_setup(tmp_path, capsys)
    form = tmp_path / "form.pdf"
    with TimestampServer(ca) as tsa:
        code, out, err = cli(capsys, "audit", "--rulebook", files["rulebook"], files["record"], "--lang", "en",
                             "-o", form, "--sign", k["inspector"] / "key.p12", "--tsa", tsa.url)
        assert (code, out, err) == (0, f"wrote {form} (2 pages, signed by 林品管)\n", "")
        stamped_once = tsa.requests
        code, out, err = cli(capsys, "sign", form, "--key", k["manager"] / "key.p12", "--tsa", tsa.url)
        assert (code, out, err) == (0, f"signed {form} as 'manager' (陳主任)\n", "")
        assert 1 <= stamped_once < tsa.requests  # each signature asked the server
    trust = ["--trust", k["inspector"] / "cert.pem", "--trust", k["manager"] / "cert.pem", "--trust", ca_pem]
    code, out, err = cli(capsys, "verify", form, *trust, "--format", "json")
    assert code == 0, out
    report = json.loads(out)
    assert report["valid"] is True
    for sig in report["signatures"]:
        assert sig["timestamp_server"] == "checkengine test TSA" and sig["problems"] == []
        signed = datetime.fromisoformat(sig["signing_time"])
        stamped = datetime.fromisoformat(sig["timestamp_time"])
        assert abs((stamped - signed).total_seconds()) < 60
    code, out, err = cli(capsys, "verify", form, *trust)
    assert code == 0
    lines = out.splitlines()
    assert lines[1].startswith("  signature 'inspector' by 林品管 at ")
    assert lines[1].endswith(" (timestamped by checkengine test TSA): ok (intact: yes, trusted: yes, coverage: entire revision)")

    # pyHanko itself finds a signature timestamp token on each signature, and validates it
    roots = [translate(c) for path in (k["inspector"] / "cert.pem", k["manager"] / "cert.pem", ca_pem)
             for c in load_certificates(path)]
    reader = PdfFileReader(io.BytesIO(form.read_bytes()))
    assert len(reader.embedded_signatures) == 2
    for sig, report_sig in zip(reader.embedded_signatures, report["signatures"]):
        tokens = [attr["values"][0] for attr in sig.signer_info["unsigned_attrs"]
                  if attr["type"].native == "signature_time_stamp_token"]
        assert len(tokens) == 1  # PAdES B-T: an RFC 3161 token over the signature value
        tst_info = tokens[0]["content"]["encap_content_info"]["content"].parsed
        assert tst_info["gen_time"].native.isoformat(timespec="seconds") == report_sig["timestamp_time"]
        context = ValidationContext(trust_roots=roots, allow_fetching=False)
        status = validate_pdf_signature(sig, context, ts_validation_context=context)
        token = status.timestamp_validity
        assert token is not None and token.intact and token.valid and token.trusted

    # a changed byte in the TSA's own signature (the end of the manager's token) breaks the token
    token_hex = tokens[0].dump().hex().encode()
    data = form.read_bytes()
    at = data.lower().index(token_hex) + len(token_hex) - 8
    broken = tmp_path / "broken-token.pdf"
    broken.write_bytes(data[:at] + (b"0" if data[at:at + 1] != b"0" else b"1") + data[at + 1:])
    code, out, err = cli(capsys, "verify", broken, *trust, "--format", "json")
    assert code == 1
    inspector, manager = json.loads(out)["signatures"]
    assert inspector["problems"] == []
    assert manager["intact"] is True and manager["problems"] == [
        "the signature's timestamp token is broken: it does not match the signature or its own signature"
    ]

    # without the timestamp server's root the timestamps are not trusted, and the form is invalid
    code, out, err = cli(capsys, "verify", form, *trust[:4], "--format", "json")
    assert code == 1
    for sig in json.loads(out)["signatures"]:
        assert sig["problems"] == [
            "the signature's timestamp is not trusted: the timestamp server's certificate "
            "(checkengine test TSA) does not chain to a certificate given with --trust"
        ]


def translate(cert: Any) -> Any:
    from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1

    return translate_pyca_cryptography_cert_to_asn1(cert)


def test_unreachable_timestamp_server(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = setup(tmp_path)
    k = keys(capsys, tmp_path / "keys")
    url = f"http://127.0.0.1:{closed_port()}/"
    form = tmp_path / "form.pdf"
    started = time.monotonic()
    code, out, err = cli(capsys, "audit", "--rulebook", files["rulebook"], files["record"], "--lang", "en",
                         "-o", form, "--sign", k["inspector"] / "key.p12", "--tsa", url)
    assert time.monotonic() - started < 10
    assert (code, out, err) == (2, "", f"checkengine: error: cannot connect to the timestamp server {url} "
                                       "(Connection refused); no signature was made\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["photos", "keys", files["rulebook"].name, files["record"].name])
    # signing in place leaves the form as it was
    assert cli(capsys, "audit", "--rulebook", files["rulebook"], files["record"], "--lang", "en", "-o", form)[0] == 0
    before = form.read_bytes()
    code, out, err = cli(capsys, "sign", form, "--key", k["manager"] / "key.p12", "--tsa", url)
    assert (code, err) == (2, f"checkengine: error: cannot connect to the timestamp server {url} "
                              "(Connection refused); no signature was made\n")
    assert form.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    code, out, err = cli(capsys, "sign", form, "--key", k["manager"] / "key.p12", "--tsa", "ftp://127.0.0.1/tsa")
    assert (code, err) == (2, "checkengine: error: --tsa ftp://127.0.0.1/tsa: a timestamp server URL starts with "
                              "http:// or https://\n")


def test_timestamp_server_that_does_not_answer(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    import checkengine.pdf.sign as sign_module

    monkeypatch.setattr(sign_module, "TSA_TIMEOUT", 1)
    files = setup(tmp_path)
    k = keys(capsys, tmp_path / "keys")
    form = tmp_path / "form.pdf"
    assert cli(capsys, "audit", "--rulebook", files["rulebook"], files["record"], "--lang", "en", "-o", form)[0] == 0
    with socket.socket() as silent:  # accepts connections (the backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        started = time.monotonic()
        code, out, err = cli(capsys, "sign", form, "--key", k["manager"] / "key.p12", "--tsa", url)
        assert time.monotonic() - started < 5
    assert (code, err) == (2, f"checkengine: error: the timestamp server {url} did not answer within 1 s; "
                              "no signature was made\n")


def test_timestamp_server_that_answers_something_else(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class NotATSA(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = b"<html>hello</html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    files = setup(tmp_path)
    k = keys(capsys, tmp_path / "keys")
    form = tmp_path / "form.pdf"
    assert cli(capsys, "audit", "--rulebook", files["rulebook"], files["record"], "--lang", "en", "-o", form)[0] == 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), NotATSA)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        code, out, err = cli(capsys, "sign", form, "--key", k["manager"] / "key.p12", "--tsa", url)
    finally:
        server.shutdown()
        server.server_close()
    assert (code, err) == (2, f"checkengine: error: the timestamp server {url} did not answer with a timestamp: "
                              "Timestamp server response is malformed: expected content type "
                              "application/timestamp-reply, but got text/html.; no signature was made\n")
