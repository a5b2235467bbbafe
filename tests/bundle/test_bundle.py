"""Rulebook bundles: what goes in, reproducible and digest-named, evaluated as the rulebook itself,
signed with the same keys; and the attacker's archives that must be refused."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest

from checkengine.bundle.pack import MANIFEST, pack
from checkengine.bundle.unpack import MAX_TOTAL, read_bundle
from checkengine.cli import main
from checkengine.errors import UserError

ROOT = Path(__file__).resolve().parents[2]
FLOOR = ROOT / "rulebooks" / "cs-floor.yaml"
MONTH = ROOT / "examples" / "month-2026-11" / "inspections"


def test_the_rulebook_travels_with_its_overlays_sources_and_tests() -> None:
    packed = pack(FLOOR)
    roles = {e["path"]: e["role"] for e in packed.manifest["files"]}
    assert roles == {"cs-floor.yaml": "rulebook", "branches/cc-taipei-night.yaml": "overlay",
                     "sources/seed-sources.yaml": "sources", "tests/cs-floor.tests.yaml": "tests",
                     "tests/cc-taipei-night.tests.yaml": "tests"}
    assert packed.name == f"cs-floor-1.0.0-{packed.digest[:16]}.tar.gz"
    assert hashlib.sha256(packed.data).hexdigest() == packed.digest
    assert pack(FLOOR).data == packed.data  # reproducible: same files, same bytes


def test_an_overlay_brings_its_parent() -> None:
    packed = pack(ROOT / "rulebooks" / "branches" / "cc-taipei-night.yaml", search=[ROOT / "rulebooks"])
    roles = {e["path"]: e["role"] for e in packed.manifest["files"]}
    assert roles["cs-floor.yaml"] == "parent" and roles["branches/cc-taipei-night.yaml"] == "rulebook"


def test_evaluate_accepts_a_bundle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bundle", str(FLOOR), "-o", str(tmp_path)]) == 0
    [bundle] = tmp_path.glob("*.tar.gz")
    capsys.readouterr()
    for book in (FLOOR, bundle):
        assert main(["evaluate", "-r", str(book), str(MONTH), "-f", "json", "-o", str(tmp_path / "r.json")]) == 1
        result = json.loads((tmp_path / "r.json").read_text("utf-8"))
        digests = result["rulebook"]["digest"], result["summary"]
        if book == FLOOR:
            direct = digests
    assert digests == direct  # the same merged rulebook, the same outcomes


def test_signed_bundle_verifies_and_a_changed_one_does_not(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHECKENGINE_KEY_PASSWORD", "demo")
    for who in ("office", "stranger"):
        assert main(["keys", "new", "--name", who, "-o", str(tmp_path / who)]) == 0
    assert main(["bundle", str(FLOOR), "-o", str(tmp_path), "--sign", str(tmp_path / "office" / "key.p12")]) == 0
    [bundle] = tmp_path.glob("*.tar.gz")
    capsys.readouterr()
    assert main(["bundle", "--verify", str(bundle), "--trust", str(tmp_path / "office" / "cert.pem")]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith("Common Name: office: valid, trusted")
    assert main(["bundle", "--verify", str(bundle), "--trust", str(tmp_path / "stranger" / "cert.pem")]) == 1
    assert "does not chain to a trusted certificate" in capsys.readouterr().err
    # Another bundle under the first one's signature: the digest no longer matches the signature.
    other = pack(ROOT / "rulebooks" / "call-quality.yaml")
    swapped = tmp_path / "swapped" / other.name
    swapped.parent.mkdir()
    swapped.write_bytes(other.data)
    (swapped.parent / f"{other.name}.p7s").write_bytes(Path(f"{bundle}.p7s").read_bytes())
    assert main(["bundle", "--verify", str(swapped), "--trust", str(tmp_path / "office" / "cert.pem")]) == 1
    assert "does not match the bundle" in capsys.readouterr().err


def _archive(tmp_path: Path, members: list[tarfile.TarInfo | tuple[str, bytes]], name: str = "evil.tar.gz") -> Path:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as tar:
        for m in members:
            if isinstance(m, tarfile.TarInfo):
                tar.addfile(m)
            else:
                info = tarfile.TarInfo(m[0])
                info.size = len(m[1])
                tar.addfile(info, io.BytesIO(m[1]))
    path = tmp_path / name
    path.write_bytes(raw.getvalue())
    return path


def _manifest(files: dict[str, bytes]) -> tuple[str, bytes]:
    return MANIFEST, json.dumps({"schema": "checkengine/bundle/1", "rulebook": {"id": "x", "version": "1",
                                 "digest": "", "path": next(iter(files))},
                                 "files": [{"path": k, "sha256": hashlib.sha256(v).hexdigest(), "size": len(v)}
                                           for k, v in files.items()]}).encode()


def _link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


@pytest.mark.parametrize(("member", "says"), [
    (("/etc/cron.d/evil", b"x"), "leaves the bundle"),
    (("../../evil.yaml", b"x"), "leaves the bundle"),
    (("a/../../evil.yaml", b"x"), "leaves the bundle"),
    (_link("book.yaml", "/etc/passwd"), "not a regular file"),
    (_link("book.yaml", "other.yaml", tarfile.LNKTYPE), "not a regular file"),
])
def test_an_attackers_archive_is_refused(tmp_path: Path, member: tarfile.TarInfo | tuple[str, bytes], says: str) -> None:
    path = _archive(tmp_path, [_manifest({"book.yaml": b"x"}), member])
    with pytest.raises(UserError, match=says):
        read_bundle(path)


def test_a_huge_or_tampered_archive_is_refused(tmp_path: Path) -> None:
    big = tarfile.TarInfo("big.yaml")
    big.size = MAX_TOTAL + 1
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as tar:
        tar.addfile(big, io.BytesIO(b"\0" * big.size))
    (tmp_path / "big.tar.gz").write_bytes(raw.getvalue())
    with pytest.raises(UserError, match="unpacks to more than 64 MiB"):
        read_bundle(tmp_path / "big.tar.gz")
    files = {"book.yaml": b"id: x\n"}
    changed = _archive(tmp_path, [_manifest(files), ("book.yaml", b"id: y\n")], "changed.tar.gz")
    with pytest.raises(UserError, match="its SHA-256 is not the manifest's"):
        read_bundle(changed)
    good = pack(FLOOR)
    renamed = tmp_path / good.name.replace(good.digest[:16], "0" * 16)
    renamed.write_bytes(good.data)
    with pytest.raises(UserError, match="it was changed after it was made"):
        read_bundle(renamed)


def test_a_bundle_runs_its_own_tests(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    packed = pack(FLOOR)
    bundle = tmp_path / packed.name
    bundle.write_bytes(packed.data)
    assert main(["test", str(bundle)]) == 0
    # cs-floor's and the night overlay's tests, as in the repository.
    direct = main(["test", str(ROOT / "rulebooks" / "tests" / "cs-floor.tests.yaml"),
                   str(ROOT / "rulebooks" / "tests" / "cc-taipei-night.tests.yaml")])
    out = capsys.readouterr().out.splitlines()
    assert direct == 0 and out[0] == out[1] and out[0].endswith(" passed, 0 failed")
