"""Photos sent from the tablet's camera: checked to be what they claim, and made safe to keep.

A photo is accepted only as a JPEG, PNG or WebP that Pillow reads whole (an SVG, a PDF, a text
file named ``.jpg``, a truncated file: refused), of at most ``CHECKENGINE_MAX_PHOTO_PIXELS`` pixels
read from its header before anything is decoded (a decompression bomb is refused unopened), and of
at most :data:`MAX_BYTES`. What is kept is Pillow's re-encoding of the pixels, turned upright as the
camera's orientation tag says: no EXIF, no GPS position, no comment or other metadata survives,
and the file name the device gave is never used (the photo is known by the SHA-256 of what is kept).
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from checkengine import limits

MAX_BYTES = 10 * 1024 * 1024
MAX_PER_ITEM = 5
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


@dataclass(frozen=True)
class Photo:
    digest: str
    media_type: str
    width: int
    height: int
    data: bytes


class PhotoRefused(ValueError):
    """Why a file is not accepted as a photo (a message key of labels.yaml and its values)."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def accept(raw: bytes) -> Photo:
    """The photo in *raw*, re-encoded without its metadata; :class:`PhotoRefused` if it is not one."""
    if len(raw) > MAX_BYTES:
        raise PhotoRefused("photo_too_big", limit=MAX_BYTES // (1024 * 1024))
    if not raw:
        raise PhotoRefused("photo_not_image")
    cap = limits.PHOTO_PIXELS.get()
    try:
        with warnings.catch_warnings():
            # Pillow warns of a large image as it opens it; the size is checked here, just below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(raw), formats=list(FORMATS))
        with probe:
            width, height = probe.size  # from the header: nothing is decoded yet
            kind = str(probe.format)
            if width * height > cap:
                raise PhotoRefused("photo_too_many_pixels", width=width, height=height, limit=cap)
            probe.verify()
        with Image.open(io.BytesIO(raw), formats=[kind]) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
    except PhotoRefused:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise PhotoRefused("photo_not_image") from None
    # The pixels alone, in a new image: nothing of the file's metadata (EXIF, GPS, comments, text
    # chunks, ICC profile) can ride along into what is kept.
    mode = "RGB" if kind == "JPEG" else ("RGBA" if upright.mode in ("RGBA", "LA", "P", "PA") else "RGB")
    pixels = upright.convert(mode)
    clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    if kind == "JPEG":
        clean.save(out, "JPEG", quality=90, optimize=True)
    elif kind == "PNG":
        clean.save(out, "PNG", optimize=True)
    else:
        clean.save(out, "WEBP", quality=90)
    data = out.getvalue()
    return Photo(hashlib.sha256(data).hexdigest(), FORMATS[kind], clean.width, clean.height, data)
