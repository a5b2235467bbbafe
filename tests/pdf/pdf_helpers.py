"""Shared helpers for the PDF tests: the fixture, files on disk, PDF inspection."""

from __future__ import annotations

import copy
import io
import json
import subprocess
from pathlib import Path
from typing import Any

import yaml

FIXTURES = Path(__file__).parent / "fixtures"
PASSWORD = "correct horse battery staple"


def fixture() -> dict[str, Any]:
    return json.loads((FIXTURES / "floor-inspection.json").read_text("utf-8"))


def write_photo(path: Path, size: tuple[int, int] = (800, 600), color: tuple[int, int, int] = (200, 120, 40)) -> Path:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, color).save(path, "JPEG", quality=80)
    return path


def record_dir(folder: Path) -> Path:
    """A record folder with the fixture's evidence photo; returns the folder."""
    write_photo(folder / "photos" / "e001-badge.jpg")
    return folder


def write_rulebook(folder: Path, merged: dict[str, Any]) -> Path:
    """The fixture's merged rulebook as a rulebook YAML file with an inline sources document."""
    data = copy.deepcopy(merged)
    cited = data.pop("sources", {})
    data["sources"] = [{
        "id": "seed-001",
        "title": "客服部管理制度與崗位職責",
        "clauses": [{"id": k, "clause": v["clause"], "text": v["text"]} for k, v in cited.items()],
    }]
    path = folder / "cs-floor.rulebook.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def write_record(folder: Path, record: dict[str, Any], name: str = "FI-2026-11-03-001.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def run(*args: str) -> str:
    return subprocess.run(list(args), capture_output=True, text=True, check=False, timeout=120).stdout


def pdftotext(path: Path) -> str:
    return run("pdftotext", "-layout", str(path), "-")


def to_unicode_map(stream: Any) -> dict[int, str]:
    """Code -> text of a ToUnicode CMap (bfchar and bfrange entries)."""
    import re

    text = stream.get_object().get_data().decode("latin-1")
    out: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for code, target in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            out[int(code, 16)] = bytes.fromhex(target).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for start, end, target in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(<[0-9a-fA-F]+>|\[[^\]]*\])", block):
            codes = range(int(start, 16), int(end, 16) + 1)
            if target.startswith("["):
                for code, item in zip(codes, re.findall(r"<([0-9a-fA-F]+)>", target)):
                    out[code] = bytes.fromhex(item).decode("utf-16-be")
            else:
                first = bytes.fromhex(target[1:-1]).decode("utf-16-be")
                for offset, code in enumerate(codes):
                    out[code] = first[:-1] + chr(ord(first[-1]) + offset)
    return out


def bare_cff_cmap(program: bytes, to_unicode: dict[int, str]) -> dict[int, str]:
    """Codepoint -> glyph name for a bare CID-keyed CFF program shown with Identity-H: a
    character counts when its CID (the code, through ToUnicode) is a glyph of the program."""
    from fontTools.cffLib import CFFFontSet

    cff = CFFFontSet()
    cff.decompile(io.BytesIO(program), None)
    names = set(cff[cff.fontNames[0]].charset)
    out = {}
    for cid, text in to_unicode.items():
        name = f"cid{cid:05d}"
        if len(text) == 1 and name in names and cid != 0:
            out[ord(text)] = name
    return out


def embedded_cmaps(path: Path) -> dict[str, dict[int, str]]:
    """Base font name -> its embedded program's cmap, for every font used by the pages and by
    the appearances of their annotations (the signature stamps), through nested XObjects.
    Bare CFF programs (FontFile3 /CIDFontType0C) have no cmap: theirs is read from the font's
    ToUnicode map and the program's charset."""
    import pypdf
    from fontTools.ttLib import TTFont

    reader = pypdf.PdfReader(str(path))
    found: dict[str, dict[int, str]] = {}
    seen: set[int] = set()

    def resources(res: Any) -> None:
        res = res.get_object() if res is not None else None
        if not res:
            return
        for ref in (res.get("/Font") or {}).values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font)["/FontDescriptor"]
            for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                if key in descriptor:
                    stream = descriptor[key].get_object()
                    data = stream.get_data()
                    name = f"{font['/BaseFont']}#{id(font)}"
                    if stream.get("/Subtype") == "/CIDFontType0C":
                        found[name] = bare_cff_cmap(data, to_unicode_map(font["/ToUnicode"]))
                    else:
                        program = TTFont(io.BytesIO(data))
                        found[name] = dict(program.getBestCmap() or {})
                        if font.get("/Subtype") == "/Type0" and "/ToUnicode" in font:
                            # Identity-H: the code is the glyph; a glyph a shaping feature chose
                            # (zh-Hans's locl em dash) is reached by no cmap entry, but is a glyph
                            # of the program and not .notdef (0; a missing character gets 0, or
                            # a code past the program's glyphs)
                            glyphs = len(program.getGlyphOrder())
                            for code, text in to_unicode_map(font["/ToUnicode"]).items():
                                if 0 < code < glyphs and len(text) == 1:
                                    found[name].setdefault(ord(text), f"glyph{code}")
        for ref in (res.get("/XObject") or {}).values():
            xobject(ref)

    def xobject(ref: Any) -> None:
        key = getattr(ref, "idnum", None)
        if key is not None:
            if key in seen:
                return
            seen.add(key)
        obj = ref.get_object()
        if obj.get("/Subtype") == "/Form":
            resources(obj.get("/Resources"))

    for page in reader.pages:
        resources(page.get("/Resources"))
        for annot in page.get("/Annots") or []:
            appearance = annot.get_object().get("/AP")
            if appearance and "/N" in appearance:
                normal = appearance["/N"]
                if normal.get_object().get("/Subtype") == "/Form":
                    xobject(normal)
    return found


def load(files: Any, **kw: Any) -> Any:
    """Load a test key (made by keys.new_self_signed) with the test password."""
    from checkengine.pdf.keys import load_key

    return load_key(files.p12, password=lambda what: PASSWORD.encode(), **kw)


def reevaluate_as_printed(record: Any, merged: Any, result: Any, waivers: Any) -> Any:
    """A stand-in evaluator for library tests: the rules 'give' what the form printed."""
    return result


def appearance_lines(path: Path, field: str) -> list[str]:
    """The text lines drawn in the signature appearance of *field*, decoded through the
    appearance font's ToUnicode map (one line per BT ... Tj ET)."""
    import re

    import pypdf

    reader = pypdf.PdfReader(str(path))
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            widget = annot.get_object()
            if widget.get("/FT") != "/Sig" or widget.get("/T") != field:
                continue
            normal = widget["/AP"]["/N"].get_object()
            codes = to_unicode_map(normal["/Resources"]["/Font"]["/F1"].get_object()["/ToUnicode"])
            lines = []
            for hexes in re.findall(rb"<([0-9a-f]*)> Tj", normal.get_data()):
                lines.append("".join(codes[int(hexes[i:i + 4], 16)] for i in range(0, len(hexes), 4)))
            return lines
    raise AssertionError(f"no signature appearance for {field}")


def appearance_cids(path: Path, field: str) -> list[int]:
    """Every CID drawn in the signature appearance of *field*."""
    import re

    import pypdf

    for page in pypdf.PdfReader(str(path)).pages:
        for annot in page.get("/Annots") or []:
            widget = annot.get_object()
            if widget.get("/FT") == "/Sig" and widget.get("/T") == field:
                data = widget["/AP"]["/N"].get_object().get_data()
                return [int(h[i:i + 4], 16) for h in re.findall(rb"<([0-9a-f]*)> Tj", data) for i in range(0, len(h), 4)]
    raise AssertionError(f"no signature appearance for {field}")


class TestCA:
    """A certificate authority made for a test: issues signing and timestamping certificates."""

    __test__ = False  # not a pytest class

    def __init__(self, name: str = "checkengine test CA") -> None:
        from datetime import datetime, timedelta, timezone

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        self.key = ec.generate_private_key(ec.SECP256R1())
        self.name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        self.start = datetime.now(timezone.utc) - timedelta(hours=1)
        self.cert = (
            x509.CertificateBuilder().subject_name(self.name).issuer_name(self.name)
            .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(self.start).not_valid_after(self.start + timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256())
        )

    def issue(self, common_name: str, *, timestamping: bool = False, rsa_bits: int | None = None,
              ed25519: bool = False) -> tuple[Any, Any]:
        """A new key (EC P-256, RSA of *rsa_bits*, or Ed25519) and its certificate: for signing,
        or (*timestamping*) for a TSA."""
        from datetime import timedelta

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec, ed25519 as ed, rsa
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

        key: Any = (ed.Ed25519PrivateKey.generate() if ed25519 else
                    rsa.generate_private_key(65537, rsa_bits) if rsa_bits else ec.generate_private_key(ec.SECP256R1()))
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
            .issuer_name(self.name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(self.start).not_valid_after(self.start + timedelta(days=10))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=not timestamping,
                                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                                         key_cert_sign=False, crl_sign=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False)
        )
        if timestamping:
            builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        return key, builder.sign(self.key, hashes.SHA256())

    def write_signer(self, folder: Path, common_name: str, *, rsa_bits: int | None = None,
                     ed25519: bool = False) -> tuple[Path, Path]:
        """A PKCS#12 store (test password) for a new signer with the CA's certificate as its
        chain, and the CA's certificate as PEM."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.serialization import pkcs12

        key, cert = self.issue(common_name, rsa_bits=rsa_bits, ed25519=ed25519)
        folder.mkdir(parents=True, exist_ok=True)
        p12 = folder / "signer.p12"
        p12.write_bytes(pkcs12.serialize_key_and_certificates(
            b"signer", key, cert, [self.cert], serialization.BestAvailableEncryption(PASSWORD.encode())))
        ca_pem = folder / "ca.pem"
        ca_pem.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        return p12, ca_pem


class TimestampServer:
    """An RFC 3161 timestamp server on 127.0.0.1 (a thread with http.server), signing with a
    TSA certificate issued by *ca* through pyHanko's DummyTimeStamper. ``with`` starts and
    stops it; ``url`` is where it listens and ``requests`` counts the timestamps it gave."""

    __test__ = False

    def __init__(self, ca: TestCA) -> None:
        from asn1crypto import keys as asn1_keys
        from asn1crypto import x509 as asn1_x509
        from cryptography.hazmat.primitives import serialization
        from pyhanko.sign.timestamps import DummyTimeStamper

        key, cert = ca.issue("checkengine test TSA", timestamping=True, rsa_bits=2048)  # the dummy TSA signs with RSA only
        self.certificate = cert
        self.stamper = DummyTimeStamper(
            tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
            tsa_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
            certs_to_embed=[asn1_x509.Certificate.load(ca.cert.public_bytes(serialization.Encoding.DER))],
        )
        self.requests = 0
        self.server: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def __enter__(self) -> "TimestampServer":
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        from asn1crypto import tsp

        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Type") != "application/timestamp-query":
                    self.send_error(415, "expected application/timestamp-query")
                    return
                answer = outer.stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
                outer.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connections are refused at once)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def swap_attachment(path: Path, name: str, data: bytes, out: Path) -> Path:
    """A copy of the PDF at *path* whose embedded file *name* holds *data*, written as an
    incremental update (so the signed revisions stay byte for byte as they were)."""
    import pypdf
    from pypdf.generic import NameObject

    writer = pypdf.PdfWriter(str(path), incremental=True)
    names = writer.root_object["/Names"]["/EmbeddedFiles"]["/Names"]
    found = False
    for i in range(0, len(names), 2):
        if names[i] == name:
            spec = names[i + 1].get_object()
            stream = spec["/EF"]["/F"].get_object()
            stream.set_data(data)
            writer._objects[stream.indirect_reference.idnum - 1] = stream  # noqa: SLF001 - mark changed
            spec[NameObject("/EF")][NameObject("/F")] = writer._add_object(stream)  # noqa: SLF001
            found = True
    assert found, f"{path} embeds no {name}"
    with out.open("wb") as fh:
        writer.write(fh)
    assert out.read_bytes().startswith(path.read_bytes())  # an incremental update
    return out


def many_rules(data: dict[str, Any], count: int = 60, lang: str = "zh-Hant") -> tuple[dict[str, Any], dict[str, Any]]:
    """The benchmark's audit: the fixture's outcomes repeated under new rule ids up to *count*
    rows, all passing or not failing (no evidence photos), and its record without answers."""
    result = copy.deepcopy(data["results"][lang])
    outcomes = result["records"][0]["outcomes"]
    rows = []
    for i in range(count):
        row = copy.deepcopy(outcomes[i % len(outcomes)])
        row["rule"] = f"{row['rule']}-{i:02d}"
        row["evidence"] = []
        if row["outcome"] == "fail":
            row["outcome"] = "pass"
        rows.append(row)
    result["records"][0]["outcomes"] = rows
    record = copy.deepcopy(data["record"])
    record["answers"] = {}
    return result, record


def pdffonts(path: Path) -> list[list[str]]:
    lines = run("pdffonts", str(path)).splitlines()[2:]
    return [line.split() for line in lines if line.strip()]


def check_every_font_embedded(path: Path, face: str) -> None:
    rows = pdffonts(path)
    assert rows
    for row in rows:
        assert row[-5] == "yes", row  # the "emb" column
    assert any(row[0].split("+")[-1].startswith(face) for row in rows), rows


def check_every_character_has_a_glyph(path: Path) -> None:
    cmaps = embedded_cmaps(path)
    covered = {cp for cmap in cmaps.values() for cp, glyph in cmap.items() if glyph != ".notdef"}
    text = pdftotext(path)
    missing = sorted({ch for ch in text if not ch.isspace() and ord(ch) not in covered})
    assert not missing, f"no glyph for {missing}"
