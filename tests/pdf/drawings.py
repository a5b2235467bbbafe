"""Drawn signatures for tests: what the signature pad sends (a PNG, transparent but for the ink),
and files that only pretend to be one."""

from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw, PngImagePlugin


def pad_png(seed: int = 1, size: tuple[int, int] = (1200, 400)) -> bytes:
    """A signature as the pad draws it: black strokes on a transparent canvas (with a text chunk
    that must not reach the form)."""
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    w, h = size
    points = [(w * (0.08 + 0.0075 * x), h * (0.5 + 0.2 * math.sin(x / (4 + seed)) + 0.075 * math.cos(x / 2.3)))
              for x in range(110)]
    pen.line(points, fill=(0, 0, 0, 255), width=max(2, w // 150), joint="curve")
    pen.line([(w * 0.12, h * 0.75), (w * 0.85, h * 0.7)], fill=(0, 0, 0, 255), width=max(2, w // 240))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret-metadata")
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def blank_png(size: tuple[int, int] = (600, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 0, 0, 0)).save(out, "PNG")
    return out.getvalue()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 100), (255, 255, 255)).save(out, "JPEG")
    return out.getvalue()


def huge_png(width: int = 2500, height: int = 2000) -> bytes:
    """A real PNG of width x height pixels (small on disk: one colour compresses well)."""
    out = io.BytesIO()
    Image.new("L", (width, height), 255).save(out, "PNG", optimize=True)
    return out.getvalue()


def noisy_png(limit: int) -> bytes:
    """A real PNG larger than *limit* bytes (noise does not compress)."""
    import os

    side = int(math.sqrt(limit / 3)) + 64
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=0)
    assert len(out.getvalue()) > limit
    return out.getvalue()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><path d="M0 0L10 10"/></svg>'


def truncated_png() -> bytes:
    whole = pad_png()
    return whole[: len(whole) // 2]


def crc_broken_png() -> bytes:
    data = bytearray(pad_png())
    data[-20] ^= 0xFF  # inside the last IDAT or IEND: the checksum no longer matches
    return bytes(data)


