"""Photos sent from the tablet's camera: checked to be what they claim, and made safe to keep.

A photo is accepted only as a JPEG, PNG, WebP or HEIC (an iPhone's camera; read by pillow-heif and
kept as a JPEG) that Pillow reads whole (an SVG, a PDF, a text file named ``.jpg``, a truncated
file: refused), of at most ``CHECKENGINE_MAX_PHOTO_PIXELS`` pixels read from its header before
anything is decoded (a decompression bomb is refused unopened), and of at most :data:`MAX_BYTES`.
What is kept is Pillow's re-encoding of the pixels, turned upright as the camera's orientation tag
says: no EXIF, no GPS position, no comment or other metadata survives - except the GPS position
when the rule asks to keep it (``evidence: {photo_location: true}``): then the EXIF GPS block alone
is copied over. The file name the device gave is never used (the photo is known by the SHA-256 of
what is kept).
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError

from checkengine import limits

pillow_heif.register_heif_opener()  # Pillow opens HEIC/HEIF files (format "HEIF") from here on

MAX_BYTES = 10 * 1024 * 1024
MAX_PER_ITEM = 5
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
#: formats read, and the format each is kept in (an iPhone's HEIC is kept as a JPEG)
READ = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "HEIF": "JPEG"}
GPS_IFD = 0x8825  # the EXIF tag of the GPS block


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


def accept(raw: bytes, *, keep_location: bool = False) -> Photo:
    """The photo in *raw*, re-encoded without its metadata (with its GPS position alone when
    *keep_location*); :class:`PhotoRefused` if it is not one."""
    if len(raw) > MAX_BYTES:
        raise PhotoRefused("photo_too_big", limit=MAX_BYTES // (1024 * 1024))
    if not raw:
        raise PhotoRefused("photo_not_image")
    cap = limits.PHOTO_PIXELS.get()
    try:
        with warnings.catch_warnings():
            # Pillow warns of a large image as it opens it; the size is checked here, just below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(raw), formats=list(READ))
        with probe:
            width, height = probe.size  # from the header: nothing is decoded yet
            kind = str(probe.format)
            if width * height > cap:
                raise PhotoRefused("photo_too_many_pixels", width=width, height=height, limit=cap)
            probe.verify()
        with Image.open(io.BytesIO(raw), formats=[kind]) as image:
            image.load()
            location = dict(image.getexif().get_ifd(GPS_IFD)) if keep_location else {}
            upright = ImageOps.exif_transpose(image)
    except PhotoRefused:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise PhotoRefused("photo_not_image") from None
    # The pixels alone, in a new image: nothing of the file's metadata (EXIF, GPS, comments, text
    # chunks, ICC profile) can ride along into what is kept.
    kept = READ[kind]
    mode = "RGB" if kept == "JPEG" else ("RGBA" if upright.mode in ("RGBA", "LA", "P", "PA") else "RGB")
    pixels = upright.convert(mode)
    clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
    extra: dict[str, Image.Exif] = {}
    if location:
        extra["exif"] = Image.Exif()
        extra["exif"][GPS_IFD] = location  # the position alone: no camera, no time, no comment
    out = io.BytesIO()
    if kept == "JPEG":
        clean.save(out, "JPEG", quality=90, optimize=True, **extra)
    elif kept == "PNG":
        clean.save(out, "PNG", optimize=True, **extra)
    else:
        clean.save(out, "WEBP", quality=90, **extra)
    data = out.getvalue()
    return Photo(hashlib.sha256(data).hexdigest(), FORMATS[kept], clean.width, clean.height, data)
