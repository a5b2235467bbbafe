"""Packing a rulebook bundle: what goes in, and a reproducible tar.gz named by its digest.

The bundle holds the rulebook, the rulebooks it extends, every overlay that extends it (found
beside it), the sources catalogues they include and the rulebook tests of any of them, at their
paths relative to a common folder so that their relative references keep working. A manifest
(``checkengine-bundle.json``) lists each file with its SHA-256. The archive is made the same way
every time (sorted, no owners, times set to zero), so the same files give the same digest, which
names it: ``<id>-<version>-<digest[:16]>.tar.gz``.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from checkengine import __version__
from checkengine.errors import UserError

MANIFEST = "checkengine-bundle.json"
SCHEMA = "checkengine/bundle/1"


@dataclass(frozen=True)
class Packed:
    data: bytes
    digest: str  # sha256 hex of data
    name: str
    manifest: dict[str, Any]


def _yaml(path: Path) -> Any:
    from checkengine.yamlio import load_file

    return load_file(path).data


def _includes(path: Path) -> list[Path]:
    """The sources catalogues a rulebook includes."""
    data = _yaml(path)
    out = []
    for item in (data.get("sources") or []) if isinstance(data, dict) else []:
        if isinstance(item, dict) and isinstance(item.get("include"), str):
            out.append((path.parent / item["include"]).resolve())
    return out


def members(rulebook: Path, search: Iterable[Path]) -> dict[Path, str]:
    """Each file of the bundle with its role: rulebook, parent, overlay, sources or tests."""
    from checkengine.affected import parents
    from checkengine.lint.discover import classify, yaml_files

    main = rulebook.resolve()
    roles: dict[Path, str] = {main: "rulebook"}
    roles.update({p: "parent" for p in parents(main)})
    candidates = list(dict.fromkeys(p.resolve() for p in yaml_files(list(search))))
    for path in candidates:
        if path not in roles and classify(_safe(path)) == "rulebook" and main in parents(path):
            roles[path] = "overlay"
    for book in [p for p, r in roles.items() if r in ("rulebook", "parent", "overlay")]:
        for included in _includes(book):
            roles.setdefault(included, "sources")
    books = {p for p, r in roles.items() if r in ("rulebook", "parent", "overlay")}
    for path in candidates:
        data = _safe(path)
        if classify(data) == "tests" and isinstance(data.get("rulebook"), str):
            if (path.parent / data["rulebook"]).resolve() in books:
                roles.setdefault(path, "tests")
    return roles


def _safe(path: Path) -> Any:
    try:
        return _yaml(path)
    except UserError:
        return None


def pack(rulebook: str | Path, *, search: Iterable[str | Path] | None = None) -> Packed:
    from checkengine.rulebook.load import load_rulebook

    path = Path(rulebook)
    book = load_rulebook(path)  # a bundle of a broken rulebook is refused here, with its location
    roles = members(path, [Path(s) for s in (search or [path.resolve().parent])])
    root = Path(os.path.commonpath([str(f.parent) for f in roles]))
    entries: list[dict[str, Any]] = []
    for f, role in roles.items():
        data = f.read_bytes()
        entries.append({"path": f.relative_to(root).as_posix(), "sha256": hashlib.sha256(data).hexdigest(),
                        "size": len(data), "role": role})
    manifest = {"schema": SCHEMA, "rulebook": {"id": book.id, "version": book.version, "digest": book.digest,
                                               "path": entries[0]["path"]},
                "files": sorted(entries, key=lambda e: str(e["path"])), "made_with": f"checkengine {__version__}"}
    data = _tar(root, manifest)
    digest = hashlib.sha256(data).hexdigest()
    return Packed(data, digest, f"{book.id}-{book.version}-{digest[:16]}.tar.gz", manifest)


def _tar(root: Path, manifest: dict[str, Any]) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        items = [(MANIFEST, (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))]
        items += [(e["path"], (root / e["path"]).read_bytes()) for e in manifest["files"]]
        for name, content in items:
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(content), 0, 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(content))
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, filename="") as gz:
        gz.write(raw.getvalue())
    return out.getvalue()
