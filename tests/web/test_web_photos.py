"""Photos sent to the workspace (checkengine/web/photos.py): real JPEG, PNG, WebP and HEIC (kept as JPEG) only, within
the pixel and byte limits, re-encoded without their metadata, known by the hash of what is kept."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from PIL import Image
from photo_files import GPS_IFD, SVG, fifty_megapixels, gif, heic_with_location, jpeg_with_location, png, webp

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


TAIPEI = {1: "N", 2: (25.0, 1.0, 48.0), 3: "E", 4: (121.0, 33.0, 36.0)}


def test_an_iphones_heic_is_kept_as_a_jpeg_without_metadata() -> None:
    raw = heic_with_location()
    assert raw[4:12] == b"ftypheic"  # a real HEIC file, made by libheif
    photo = accept(raw)
    kept = Image.open(io.BytesIO(photo.data))
    assert kept.format == "JPEG" and photo.media_type == "image/jpeg" and (photo.width, photo.height) == (48, 32)
    assert kept.getexif().get_ifd(GPS_IFD) == {} and b"PhoneMaker" not in photo.data
    r, g, b = kept.convert("RGB").getpixel((24, 16))
    assert abs(r - 20) < 12 and abs(g - 160) < 12 and abs(b - 60) < 12  # the pixels are the photo's
    assert accept(heic_with_location(48, 32, orientation=6)).width == 32  # turned upright


@pytest.mark.parametrize("make", [jpeg_with_location, heic_with_location])
def test_the_location_is_kept_only_when_asked(make: Any) -> None:
    raw = make()
    kept = Image.open(io.BytesIO(accept(raw, keep_location=True).data))
    exif = kept.getexif()
    assert {k: (tuple(float(x) for x in v) if isinstance(v, tuple) else v)
            for k, v in exif.get_ifd(GPS_IFD).items()} == TAIPEI
    assert 0x010F not in exif and b"PhoneMaker" not in accept(raw, keep_location=True).data  # the position alone
    stripped = Image.open(io.BytesIO(accept(raw).data))
    assert stripped.getexif().get_ifd(GPS_IFD) == {}


def test_a_photo_without_a_position_gains_none() -> None:
    kept = Image.open(io.BytesIO(accept(png(8, 8), keep_location=True).data))
    assert kept.getexif().get_ifd(GPS_IFD) == {}
