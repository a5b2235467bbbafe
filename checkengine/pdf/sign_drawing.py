"""A drawn signature (the signature pad's PNG) made fit for a signature's visible appearance.

Only a PNG that Pillow reads whole is taken (anything else - a JPEG, an SVG, a PDF, text named
``.png``, a truncated file - is refused), of at most :data:`MAX_BYTES` and :data:`MAX_PIXELS`
pixels, read from its header before anything is decoded (a decompression bomb is refused
unopened). What goes into the PDF is Pillow's copy of the ink alone: flattened onto white,
grayscale, cropped to the strokes and scaled down to at most :data:`SIZE_IN_PDF` pixels, with no
metadata of the file. A drawing without a stroke is refused too (the pad sends none then).
"""

from __future__ import annotations

import io
import warnings
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 512 * 1024
MAX_PIXELS = 4_000_000
SIZE_IN_PDF = (600, 240)
INK = 235  # a pixel darker than this (0 black .. 255 white) is ink

MESSAGES = {
    "drawing_too_big": "the drawn signature is larger than {limit} KB; clear the pad and draw it again",
    "drawing_not_png": "the drawn signature is not a PNG image; draw it on the signature pad",
    "drawing_too_many_pixels": ("the drawn signature is {width} x {height} pixels, more than {limit} in all; "
                                "draw it on the signature pad"),
    "drawing_blank": "the drawn signature has no stroke; draw your signature, or sign without drawing",
}


class DrawingRefused(ValueError):
    """Why a drawing is not taken: a message key (of :data:`MESSAGES` and the workspace's labels)
    and its values; ``str()`` is the English message."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(MESSAGES[key].format(**values))
        self.key = key
        self.values = values


def read_drawing(png: bytes) -> Image.Image:
    """The ink of the drawn signature *png*, ready for the appearance; :class:`DrawingRefused` if
    it is not one."""
    if len(png) > MAX_BYTES:
        raise DrawingRefused("drawing_too_big", limit=MAX_BYTES // 1024)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(png), formats=["PNG"])
        with probe:
            width, height = probe.size  # from the header: nothing decoded yet
            if width * height > MAX_PIXELS:
                raise DrawingRefused("drawing_too_many_pixels", width=width, height=height, limit=MAX_PIXELS)
            probe.verify()
        with Image.open(io.BytesIO(png), formats=["PNG"]) as image:
            image.load()
            rgba = image.convert("RGBA")
    except DrawingRefused:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise DrawingRefused("drawing_not_png") from None
    paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    gray = Image.alpha_composite(paper, rgba).convert("L")
    box = ImageOps.invert(gray).point(lambda v: 255 if v > 255 - INK else 0).getbbox()
    if box is None:
        raise DrawingRefused("drawing_blank")
    margin = 4
    left, top, right, bottom = box
    ink = gray.crop((max(left - margin, 0), max(top - margin, 0), min(right + margin, gray.width),
                     min(bottom + margin, gray.height)))
    ink.thumbnail(SIZE_IN_PDF, Image.Resampling.LANCZOS)
    return Image.frombytes("L", ink.size, ink.tobytes())  # the pixels alone: nothing of the file rides along
