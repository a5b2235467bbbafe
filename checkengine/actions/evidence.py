"""Evidence of a done action: photos checked to be real images (the audit form's own checks) and
kept in the store under their content hash, so a photo given twice is kept once and a history
entry names exactly the bytes that were shown."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from checkengine.archive.store import Store
from checkengine.archive.tracking import add_file
from checkengine.errors import UserError

MAX_PHOTO_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class EvidenceFile:
    """A photo checked and ready to keep: what the command reads from a path, or what the workspace
    accepts from the tablet's camera (``checkengine.web.photos.accept``, re-encoded without metadata)."""

    digest: str
    media_type: str
    name: str
    content: bytes


def read_photo(path: Path, *, max_bytes: int = MAX_PHOTO_BYTES) -> tuple[str, str, bytes]:
    """(digest, media type, content) of the photo at *path*; a UserError saying what is wrong."""
    from checkengine.pdf.fetcher import check_photo, sniff_photo

    field = f"--photo {path}"
    if not path.is_file():
        raise UserError(f"{field}: no such file (give the path of a JPEG, PNG, GIF or WebP photo)")
    size = path.stat().st_size
    if size > max_bytes:
        raise UserError(f"{field}: the photo is {size / 1024 / 1024:.1f} MB; the limit is "
                        f"{max_bytes / 1024 / 1024:g} MB: scale it down")
    media_type = sniff_photo(path)
    if media_type is None:
        raise UserError(f"{field}: not a JPEG, PNG, GIF or WebP photo (its first bytes say otherwise)")
    check_photo(path, field.removeprefix("--photo "), path.name)
    content = path.read_bytes()
    return "sha256:" + hashlib.sha256(content).hexdigest(), media_type, content


def photo_file(path: Path) -> EvidenceFile:
    """The photo at *path*, checked (a UserError saying what is wrong)."""
    digest, media_type, content = read_photo(path)
    return EvidenceFile(digest, media_type, path.name, content)


def keep_files(store: Store, files: list[EvidenceFile], *, at: str) -> list[str]:
    """Store *files* (inside :meth:`Store.writing`) and give their digests, in order."""
    for file in files:
        add_file(store, digest=file.digest, media_type=file.media_type, name=file.name, content=file.content, at=at)
    return [file.digest for file in files]


def keep_photos(store: Store, paths: list[Path], *, at: str) -> list[str]:
    """Store *paths* (inside :meth:`Store.writing`) and give their digests, in order."""
    return keep_files(store, [photo_file(path) for path in paths], at=at)
