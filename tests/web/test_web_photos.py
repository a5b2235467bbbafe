"""Photos sent to the workspace (checkengine/web/photos.py): real JPEG, PNG and WebP only, within
the pixel and byte limits, re-encoded without their metadata, known by the hash of what is kept."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image
from photo_files import GPS_IFD, SVG, fifty_megapixels, gif, jpeg_with_location, png, webp

from checkengine.web.photos import MAX_BYTES, PhotoRefused, accept


def test_location_and_metadata_are_stripped() -> None:
    raw = jpeg_with_location()
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(GPS_IFD)  # the test photo has a position
    photo = accept(raw)
    kept = Image.open(io.BytesIO(photo.data))
    assert kept.format == "JPEG" and photo.media_type == "image/jpeg" and (photo.width, photo.height) == (40, 20)
    assert dict(kept.getexif()) == {} and kept.getexif().get_ifd(GPS_IFD) == {}
    assert "exif" not in kept.info and "comment" not in kept.info
    assert b"PhoneMaker" not in photo.data and b"taken at the branch" not in photo.data
    assert photo.digest == hashlib.sha256(photo.data).hexdigest()
    assert accept(raw).digest == photo.digest  # the same photo is the same hash


def test_the_camera_orientation_is_applied() -> None:
    photo = accept(jpeg_with_location(40, 20, orientation=6))  # "rotate 90° clockwise to view"
    assert (photo.width, photo.height) == (20, 40)


def test_png_text_and_webp() -> None:
    kept = accept(png(16, 16))
    assert kept.media_type == "image/png" and b"secret location" not in kept.data
    assert accept(webp()).media_type == "image/webp"


@pytest.mark.parametrize(("raw", "key"), [
    (SVG, "photo_not_image"),
    (b"<html><script>alert(1)</script></html>", "photo_not_image"),
    (b"%PDF-1.7\n1 0 obj<<>>endobj\n", "photo_not_image"),
    (b"", "photo_not_image"),
    (jpeg_with_location()[:200], "photo_not_image"),  # truncated
    (gif(), "photo_not_image"),  # an image, but not of the kinds accepted
    (b"\xff\xd8\xff" + b"\x00" * 100, "photo_not_image"),  # a JPEG's first bytes and nothing else
])
def test_what_is_not_a_photo_is_refused(raw: bytes, key: str) -> None:
    with pytest.raises(PhotoRefused) as caught:
        accept(raw)
    assert caught.value.key == key


def test_a_decompression_bomb_is_refused_unopened() -> None:
    raw = fifty_megapixels()
    assert len(raw) < 200_000
    with pytest.raises(PhotoRefused) as caught:
        accept(raw)
    assert (caught.value.key, caught.value.values) == (
        "photo_too_many_pixels", {"width": 8000, "height": 6250, "limit": 40_000_000})


def test_a_file_too_large_is_refused_before_it_is_read() -> None:
    with pytest.raises(PhotoRefused) as caught:
        accept(b"\xff" * (MAX_BYTES + 1))
    assert (caught.value.key, caught.value.values) == ("photo_too_big", {"limit": 10})
