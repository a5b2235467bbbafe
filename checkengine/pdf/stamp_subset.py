"""Finding and subsetting the face of the signature appearance.

The appearance uses a Noto Sans CJK face, so that Chinese and Korean names show. Embedding that
face means subsetting it: the CJK faces come as a 20 MB collection (``.ttc``), and subsetting one
with fontTools takes a quarter of a second. So the face is found with fontconfig
(:func:`font_file`) and subset with HarfBuzz's subsetter (``libharfbuzz-subset``, which
WeasyPrint uses for the same job; called here through ``ctypes``) to the characters of this one
appearance (:func:`subset_font`): a small OpenType font of about 10 KB, which
:mod:`checkengine.pdf.stamp_font` embeds.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import shutil
import subprocess
from functools import lru_cache
from typing import Any

from checkengine.errors import UserError

REPLACEMENT = "?"  # shown for a character the face has no glyph for


@lru_cache(maxsize=8)
def font_file(family: str) -> tuple[str, int]:
    """The file and face index of the regular style of *family*, from fontconfig."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        raise UserError(
            f"cannot find the font '{family}' for the signature appearance: fontconfig's fc-match "
            "is not installed (install the system package fontconfig)"
        )
    out = subprocess.run(
        [fc_match, "-f", "%{family}\n%{file}\n%{index}\n", f"{family}:style=Regular"],
        capture_output=True, text=True, timeout=30, check=False,
    ).stdout.splitlines()
    if len(out) < 3 or family not in [name.strip() for name in out[0].split(",")]:
        raise UserError(
            f"the font '{family}' needed for the signature appearance is not installed; install "
            "the system package fonts-noto-cjk (scripts/system-deps.sh does it)"
        )
    return out[1], int(out[2] or 0)


class _HarfBuzz:
    """The few HarfBuzz functions that cut a face down to a set of characters."""

    DROP_TABLE_SET = 3  # HB_SUBSET_SETS_DROP_TABLE_TAG
    FLAGS = 0x1 | 0x4  # HB_SUBSET_FLAGS_NO_HINTING | HB_SUBSET_FLAGS_DESUBROUTINIZE
    DROP_TABLES = (b"GSUB", b"GPOS", b"GDEF", b"BASE", b"JSTF", b"DSIG", b"VORG", b"vhea", b"vmtx")

    def __init__(self) -> None:
        self.hb = self._load("harfbuzz", "libharfbuzz.so.0", "libharfbuzz.0.dylib", "libharfbuzz-0.dll")
        self.sub = self._load(
            "harfbuzz-subset", "libharfbuzz-subset.so.0", "libharfbuzz-subset.0.dylib", "libharfbuzz-subset-0.dll"
        )
        p, u = ctypes.c_void_p, ctypes.c_uint
        self._sig(self.hb.hb_blob_create_from_file_or_fail, p, [ctypes.c_char_p])
        self._sig(self.hb.hb_face_create, p, [p, u])
        self._sig(self.hb.hb_face_get_glyph_count, u, [p])
        self._sig(self.hb.hb_face_reference_blob, p, [p])
        self._sig(self.hb.hb_blob_get_data, ctypes.POINTER(ctypes.c_char), [p, ctypes.POINTER(u)])
        self._sig(self.hb.hb_tag_from_string, ctypes.c_uint32, [ctypes.c_char_p, ctypes.c_int])
        self._sig(self.hb.hb_set_add, None, [p, ctypes.c_uint32])
        self._sig(self.hb.hb_blob_destroy, None, [p])
        self._sig(self.hb.hb_face_destroy, None, [p])
        self._sig(self.sub.hb_subset_input_create_or_fail, p, [])
        self._sig(self.sub.hb_subset_input_destroy, None, [p])
        self._sig(self.sub.hb_subset_input_unicode_set, p, [p])
        self._sig(self.sub.hb_subset_input_set, p, [p, ctypes.c_int])
        self._sig(self.sub.hb_subset_input_set_flags, None, [p, u])
        self._sig(self.sub.hb_subset_or_fail, p, [p, p])

    @staticmethod
    def _sig(fn: Any, restype: Any, argtypes: list[Any]) -> None:
        fn.restype = restype
        fn.argtypes = argtypes

    @staticmethod
    def _load(name: str, *candidates: str) -> ctypes.CDLL:
        for candidate in (ctypes.util.find_library(name), *candidates):
            if not candidate:
                continue
            try:
                return ctypes.CDLL(candidate)
            except OSError:
                continue
        raise UserError(
            f"the signature appearance needs HarfBuzz's font subsetter (lib{name}); install the "
            "system package libharfbuzz-subset0 (scripts/system-deps.sh does it)"
        )

    def subset(self, path: str, index: int, codepoints: set[int]) -> bytes:
        hb, sub = self.hb, self.sub
        blob = hb.hb_blob_create_from_file_or_fail(path.encode())
        if not blob:
            raise UserError(f"cannot read the font file {path} for the signature appearance")
        face = hb.hb_face_create(blob, index)
        plan = sub.hb_subset_input_create_or_fail()
        result = out = None
        try:
            if not plan or hb.hb_face_get_glyph_count(face) == 0:
                raise UserError(f"cannot read face {index} of the font file {path} for the signature appearance")
            unicodes = sub.hb_subset_input_unicode_set(plan)
            for cp in sorted(codepoints):
                hb.hb_set_add(unicodes, cp)
            drop = sub.hb_subset_input_set(plan, self.DROP_TABLE_SET)
            for tag in self.DROP_TABLES:
                hb.hb_set_add(drop, hb.hb_tag_from_string(tag, -1))
            sub.hb_subset_input_set_flags(plan, self.FLAGS)
            result = sub.hb_subset_or_fail(face, plan)
            if not result:
                raise UserError(f"HarfBuzz could not subset the font {path} for the signature appearance")
            out = hb.hb_face_reference_blob(result)
            length = ctypes.c_uint()
            data = hb.hb_blob_get_data(out, ctypes.byref(length))
            return ctypes.string_at(data, length.value)
        finally:
            if out:
                hb.hb_blob_destroy(out)
            if result:
                hb.hb_face_destroy(result)
            if plan:
                sub.hb_subset_input_destroy(plan)
            hb.hb_face_destroy(face)
            hb.hb_blob_destroy(blob)


@lru_cache(maxsize=1)
def harfbuzz() -> _HarfBuzz:
    return _HarfBuzz()


def subset_font(family: str, text: str) -> bytes:
    """An OpenType font with the glyphs of *family* for the characters of *text* (and '?')."""
    path, index = font_file(family)
    return harfbuzz().subset(path, index, {ord(c) for c in text} | {ord(REPLACEMENT)})
