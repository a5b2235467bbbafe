"""Real glyphs: embedded fonts (pdffonts, fontTools) and rendered pixels (pdftoppm)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from checkengine.pdf.render import render_audit_form
from pdf_helpers import check_every_character_has_a_glyph, check_every_font_embedded, pdffonts, record_dir

FACE = {"zh-Hant": "Noto-Sans-CJK-TC", "zh-Hans": "Noto-Sans-CJK-SC", "ko": "Noto-Sans-CJK-KR", "es": "Noto-Sans"}


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory, data: dict[str, Any]) -> dict[str, Path]:
    out = {}
    for lang in ("zh-Hans", "ko", "es"):
        folder = record_dir(tmp_path_factory.mktemp(lang))
        path = folder / "form.pdf"
        render_audit_form(data["results"][lang], data["record"], data["rulebook"], lang=lang, base_dir=folder, out_path=path)
        out[lang] = path
    return out


@pytest.mark.slow
def test_chinese_traditional_form_fonts(signed_form: Path) -> None:
    check_every_font_embedded(signed_form, FACE["zh-Hant"])
    check_every_character_has_a_glyph(signed_form)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh-Hans", "ko", "es"])
def test_other_languages_use_their_face(forms: dict[str, Path], lang: str) -> None:
    check_every_font_embedded(forms[lang], FACE[lang])
    check_every_character_has_a_glyph(forms[lang])
    if lang == "zh-Hans":
        assert not any("CJK-TC" in row[0] for row in pdffonts(forms[lang]))


def cells(text: str, lang: str, tmp_path: Path) -> list[bytes]:
    """Render each character in its own cell with the forms' fonts; return each cell's pixels."""
    from PIL import Image

    from checkengine.pdf.fetcher import SafeFetcher
    from checkengine.pdf.labels import forms_dir
    from checkengine.pdf.weasy import html_to_document, write_document

    spans = "".join(f'<span class="c">{ch}</span>' for ch in text)
    html = (f'<html lang="{lang}"><head><link rel="stylesheet" href="base.css"><style>'
            "@page{size:%dpt 40pt;margin:0} body{margin:0} .c{display:inline-block;width:40pt;height:40pt;"
            "font-size:28pt;line-height:40pt;text-align:center}</style></head><body>%s</body></html>") % (40 * len(text), spans)
    fetcher = SafeFetcher([forms_dir()], max_bytes=10**6)
    pdf = tmp_path / "probe.pdf"
    pdf.write_bytes(write_document(html_to_document(html, fetcher=fetcher), fetcher=fetcher))
    subprocess.run(["pdftoppm", "-r", "72", "-png", "-singlefile", str(pdf), str(tmp_path / "probe")], check=True)
    image = Image.open(tmp_path / "probe.png").convert("L")
    return [image.crop((i * 40, 0, i * 40 + 40, 40)).tobytes() for i in range(len(text))]


@pytest.mark.slow
@pytest.mark.parametrize("lang, text", [
    ("zh-Hant", "稽核員觀察說明"), ("zh-Hans", "稽核员观察说明"), ("ko", "점검자관찰설명"), ("es", "ñáéíóúü"),
])
def test_rendered_glyphs_are_real(tmp_path: Path, lang: str, text: str) -> None:
    """Missing glyphs render as identical boxes (tofu); real ones all differ and have ink."""
    pixels = cells(text, lang, tmp_path)
    assert all(min(cell) < 128 for cell in pixels), "a cell without ink"
    assert len(set(pixels)) == len(pixels), "two characters rendered identically: tofu?"


def test_the_probe_detects_tofu(tmp_path: Path) -> None:
    """The check above would fail on tofu: private-use characters have no glyph in any font."""
    pixels = cells("\ue000\ue001\ue002", "en", tmp_path)
    assert len(set(pixels)) < len(pixels)
