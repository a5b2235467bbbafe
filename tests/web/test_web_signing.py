"""The drawn signature as the signing form sends it (checkengine/web/signing.py): a PNG data URL,
taken only when it is one."""

from __future__ import annotations

import base64
import sys
from pathlib import Path

import pytest

from checkengine.pdf.sign_drawing import DrawingRefused
from checkengine.web.signing import DATA_URL, drawing_from_field

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pdf"))  # the drawings of tests/pdf/drawings.py
from drawings import SVG, blank_png, jpeg, pad_png  # noqa: E402


def test_a_drawing_is_taken_as_sent() -> None:
    png = pad_png()
    assert drawing_from_field(DATA_URL + base64.b64encode(png).decode()) == png
    assert drawing_from_field("") is None  # nothing drawn


@pytest.mark.parametrize("value, key", [
    ("data:image/svg+xml;base64," + base64.b64encode(SVG).decode(), "drawing_not_png"),
    (DATA_URL + base64.b64encode(SVG).decode(), "drawing_not_png"),
    (DATA_URL + base64.b64encode(jpeg()).decode(), "drawing_not_png"),
    (DATA_URL + "@@not base64@@", "drawing_not_png"),
    ("data:,", "drawing_not_png"),  # what a canvas of no size gives
    (DATA_URL + "A" * 800_000, "drawing_too_big"),
    (DATA_URL + base64.b64encode(blank_png()).decode(), "drawing_blank"),
], ids=["svg", "svg-as-png", "jpeg-as-png", "not-base64", "empty-canvas", "too-big", "blank"])
def test_what_is_not_a_drawing_is_refused(value: str, key: str) -> None:
    with pytest.raises(DrawingRefused) as caught:
        drawing_from_field(value)
    assert caught.value.key == key
