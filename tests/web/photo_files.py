"""Photos and things that pretend to be photos, made in memory for the tests."""

from __future__ import annotations

import io

from PIL import Image

SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b'<script>alert(1)</script><rect width="10" height="10"/></svg>')
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_with_location(width: int = 40, height: int = 20, orientation: int = 1) -> bytes:
    """A JPEG whose EXIF holds a GPS position (25.03 N, 121.56 E: Taipei), a camera and a comment."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (25.0, 1.0, 48.0), 3: "E", 4: (121.0, 33.0, 36.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"taken at the branch")
    return out.getvalue()


def png(width: int, height: int, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret location")
    Image.new(mode, (width, height)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def fifty_megapixels() -> bytes:
    """A 50-megapixel PNG (8000 x 6250, one bit a pixel): a few kilobytes that would decode to 150 MB."""
    return png(8000, 6250, mode="1")


def webp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 30), (0, 90, 200)).save(out, "WEBP")
    return out.getvalue()


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (10, 10)).save(out, "GIF")
    return out.getvalue()


def heic_with_location(width: int = 48, height: int = 32, orientation: int = 1) -> bytes:
    """An HEIC as an iPhone's camera makes it (encoded by pillow-heif's libheif), with a GPS position,
    a camera name and an orientation in its EXIF."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    image = Image.new("RGB", (width, height), (20, 160, 60))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (25.0, 1.0, 48.0), 3: "E", 4: (121.0, 33.0, 36.0)}
    out = io.BytesIO()
    image.save(out, "HEIF", exif=exif.tobytes(), quality=90)
    return out.getvalue()
