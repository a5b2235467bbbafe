"""Opening a bundle safely: regular files only, no absolute paths, no ``..``, no links, capped
in size and count, every file checked against the manifest's SHA-256."""

from __future__ import annotations

import atexit
import hashlib
import io
import json
import re
import shutil
import tarfile
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

from checkengine.bundle.pack import MANIFEST, SCHEMA
from checkengine.errors import Location, UserError

MAX_TOTAL = 64 * 1024 * 1024
MAX_FILES = 2000
_NAME = re.compile(r"-([0-9a-f]{16})\.tar\.gz$")


def is_bundle(path: str | Path) -> bool:
    return str(path).endswith((".tar.gz", ".tgz"))


def read_bundle(path: str | Path) -> tuple[dict[str, Any], dict[str, bytes], str]:
    """(manifest, files by path, sha256 of the archive); a UserError saying what is wrong."""
    where = Location(str(path))
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read the bundle: {exc.strerror}", where) from None
    digest = hashlib.sha256(data).hexdigest()
    named = _NAME.search(Path(path).name)
    if named and not digest.startswith(named.group(1)):
        raise UserError(f"the bundle's digest is sha256:{digest[:16]}..., not the {named.group(1)} its name "
                        "says: it was changed after it was made; get it again from its publisher", where)
    files: dict[str, bytes] = {}
    total = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            for n, info in enumerate(tar):
                if n >= MAX_FILES:
                    raise UserError(f"the bundle holds more than {MAX_FILES} files; it is not a rulebook bundle", where)
                name = PurePosixPath(info.name)
                if not info.isfile():
                    raise UserError(f"the bundle holds '{info.name}', which is not a regular file (a link, a "
                                    "folder or a device); bundles hold files only", where)
                if name.is_absolute() or ".." in name.parts or info.name.startswith(("/", "\\")) or "\\" in info.name:
                    raise UserError(f"the bundle holds the path '{info.name}', which leaves the bundle; "
                                    "it is not a bundle made by checkengine", where)
                total += info.size
                if total > MAX_TOTAL:
                    raise UserError(f"the bundle unpacks to more than {MAX_TOTAL // (1024 * 1024)} MiB; "
                                    "it is not a rulebook bundle", where)
                handle = tar.extractfile(info)
                assert handle is not None
                files[name.as_posix()] = handle.read(info.size + 1)[: info.size]
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise UserError(f"not a readable bundle ({exc}); make one with checkengine bundle", where) from None
    try:
        manifest = json.loads(files.pop(MANIFEST))
    except (KeyError, ValueError):
        raise UserError(f"the bundle has no readable {MANIFEST}; make one with checkengine bundle", where) from None
    if not isinstance(manifest, dict) or manifest.get("schema") != SCHEMA:
        raise UserError(f"{MANIFEST}: not a {SCHEMA} manifest", where)
    listed = {e["path"]: e for e in manifest.get("files", [])}
    if set(listed) != set(files):
        extra = sorted(set(files) ^ set(listed))
        raise UserError(f"the bundle's files and its manifest differ ({', '.join(extra)})", where)
    for member, content in files.items():
        if hashlib.sha256(content).hexdigest() != listed[member]["sha256"]:
            raise UserError(f"{member}: its SHA-256 is not the manifest's; the bundle was changed after it was made",
                            where)
    return manifest, files, digest


def extract(path: str | Path) -> tuple[Path, dict[str, Any]]:
    """The bundle unpacked into a private temporary folder (removed at exit): (folder, manifest)."""
    manifest, files, _ = read_bundle(path)
    folder = Path(tempfile.mkdtemp(prefix="checkengine-bundle-"))
    atexit.register(shutil.rmtree, folder, True)
    for member, content in files.items():
        target = folder.joinpath(*PurePosixPath(member).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return folder, manifest


def rulebook_path(path: str) -> str:
    """*path* itself, or for a bundle, the path of its rulebook once unpacked."""
    if not is_bundle(path):
        return path
    folder, manifest = extract(path)
    return str(folder / manifest["rulebook"]["path"])
