"""A drawn signature in a signature's visible appearance: only a real PNG of bounded size is
taken, its ink alone (no metadata) goes beside the signer's name, role and time, and the form
still verifies. The signed pages of the zh-Hant and es forms are kept as PNGs
(build/form-pages/signed-*.png) to be looked at."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pypdf
import pytest
from PIL import Image

from checkengine.errors import UserError
from checkengine.pdf.labels import Labels
from checkengine.pdf.render import render_audit_form
from checkengine.pdf.sign import sign_pdf
from checkengine.pdf.sign_drawing import MAX_BYTES, MAX_PIXELS, SIZE_IN_PDF, DrawingRefused, read_drawing
from checkengine.pdf.verify import format_text, verify_pdf
from drawings import SVG, blank_png, crc_broken_png, huge_png, jpeg, noisy_png, pad_png, truncated_png
from pdf_helpers import appearance_lines, load, record_dir, reevaluate_as_printed

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / "build" / "form-pages"


def test_the_ink_alone_is_kept() -> None:
    ink = read_drawing(pad_png())
    assert ink.mode == "L" and ink.width <= SIZE_IN_PDF[0] and ink.height <= SIZE_IN_PDF[1]
    assert ink.info == {}  # the PNG's text chunk (and any other metadata) stays behind
    # cropped to the strokes: ink reaches near every edge, and the paper is white
    assert ink.getpixel((0, 0)) == 255 and ink.getextrema()[0] < 50
    width = ink.width
    columns = [min(ink.getpixel((x, y)) for y in range(ink.height)) for x in (5, width // 2, width - 6)]
    assert all(c < 128 for c in columns), columns


@pytest.mark.parametrize("data, key, values", [
    (jpeg(), "drawing_not_png", {}),
    (SVG, "drawing_not_png", {}),
    (b"", "drawing_not_png", {}),
    (b"GIF89a not at all", "drawing_not_png", {}),
    (truncated_png(), "drawing_not_png", {}),
    (crc_broken_png(), "drawing_not_png", {}),
    (huge_png(), "drawing_too_many_pixels", {"width": 2500, "height": 2000, "limit": MAX_PIXELS}),
    (noisy_png(MAX_BYTES), "drawing_too_big", {"limit": MAX_BYTES // 1024}),
    (blank_png(), "drawing_blank", {}),
], ids=["jpeg", "svg", "empty", "gif-text", "truncated", "bad-crc", "too-many-pixels", "too-big", "blank"])
def test_what_is_not_a_drawing_is_refused(data: bytes, key: str, values: dict[str, Any]) -> None:
    with pytest.raises(DrawingRefused) as caught:
        read_drawing(data)
    assert (caught.value.key, caught.value.values) == (key, values)


def test_sign_refuses_a_bad_drawing_with_one_message(tmp_path: Path, data: dict[str, Any], keys: dict[str, Any]) -> None:
    rendered = render_audit_form(data["results"]["en"], data["record"], data["rulebook"], lang="en",
                                 base_dir=record_dir(tmp_path))
    with pytest.raises(UserError) as caught:
        sign_pdf(rendered.pdf, load(keys["inspector"]), field="inspector", drawing=SVG)
    assert str(caught.value) == "the drawn signature is not a PNG image; draw it on the signature pad"


def _drawn_image(path: Path, field: str) -> tuple[int, int]:
    """The size of the picture drawn in the appearance of *field*."""
    for page in pypdf.PdfReader(str(path)).pages:
        for annot in page.get("/Annots") or []:
            widget = annot.get_object()
            if widget.get("/T") == field:
                xobjects = widget["/AP"]["/N"].get_object()["/Resources"].get("/XObject") or {}
                images = [x.get_object() for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image"]
                assert len(images) == 1, images
                assert images[0]["/ColorSpace"] == "/DeviceGray" and "/SMask" not in images[0]
                return int(images[0]["/Width"]), int(images[0]["/Height"])
    raise AssertionError(f"no appearance for {field}")


@pytest.mark.parametrize("lang, inspector, manager", [("zh-Hant", "林品管", "陳主任"), ("es", "林品管", "Ana García")])
def test_both_blocks_show_name_role_time_and_drawing(tmp_path: Path, data: dict[str, Any], keys: dict[str, Any],
                                                     lang: str, inspector: str, manager: str) -> None:
    from checkengine.pdf.keys import new_self_signed

    from pdf_helpers import PASSWORD

    manager_key = keys["manager"] if manager == "陳主任" else new_self_signed(manager, tmp_path / "m", PASSWORD.encode())
    rendered = render_audit_form(data["results"][lang], data["record"], data["rulebook"], lang=lang,
                                 base_dir=record_dir(tmp_path))
    pdf = sign_pdf(rendered.pdf, load(keys["inspector"]), field="inspector", drawing=pad_png(1))
    pdf = sign_pdf(pdf, load(manager_key), field="manager", drawing=pad_png(3, size=(900, 300)))
    path = tmp_path / f"{lang}.pdf"
    path.write_bytes(pdf)
    report = verify_pdf(path, [keys["inspector"].cert_pem, manager_key.cert_pem], reevaluate=reevaluate_as_printed)
    assert report.ok, format_text(report)
    labels = Labels(lang)
    for field, name, role in (("inspector", inspector, labels["inspector"]),
                              ("manager", manager, labels["site_manager"])):
        lines = appearance_lines(path, field)
        # name, role (in the form's language) and signing time, as without a drawing (wrapped narrower)
        text = "".join("".join(lines).split())
        assert "".join(f"{labels['signed_by']} ({role})".split()) in text, lines
        assert name in lines and any(line.startswith(labels["signed_at"]) for line in lines), lines
        width, height = _drawn_image(path, field)
        assert width <= SIZE_IN_PDF[0] and height <= SIZE_IN_PDF[1]
    assert b"secret-metadata" not in pdf
    # The page as a reader shows it: ink in the right part of each signature box.
    folder = tmp_path / "png"
    folder.mkdir()
    last = len(pypdf.PdfReader(str(path)).pages)
    subprocess.run(["pdftoppm", "-f", str(last), "-l", str(last), "-r", "100", "-png", "-singlefile", str(path),
                    str(folder / "page")], check=True)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(folder / "page.png", ARTEFACTS / f"signed-{lang}-with-drawings.png")
    page = Image.open(folder / "page.png").convert("RGB")
    for box in rendered.signature_boxes.values():
        assert box.page == last - 1
        x0, y0, x1, y1 = (v * 100 / 72 for v in box.box)
        top, bottom = page.height - y1, page.height - y0
        right_part = page.crop((int(x0 + (x1 - x0) * 0.62), int(top + 6), int(x1 - 6), int(bottom - 6))).tobytes()
        pixels = [tuple(right_part[i:i + 3]) for i in range(0, len(right_part), 3)]
        ink = sum(1 for r, g, b in pixels if max(r, g, b) < 100 and max(r, g, b) - min(r, g, b) < 12)
        red = sum(1 for r, g, b in pixels if r > 140 and g < 90)  # the test-key warning's colour
        # the drawing is there, and the text (its red warning line included) keeps to its left
        assert ink > 150 and red == 0, (ink, red)
