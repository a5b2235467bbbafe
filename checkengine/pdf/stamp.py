"""The visible appearance of a signature, drawn with pyHanko's stamp machinery.

The appearance (signer, role, signing time, certificate fingerprint, and the test-key warning
for self-signed certificates) is a pyHanko stamp whose text uses a Noto Sans CJK face, so that
Chinese and Korean names show. Embedding that face means subsetting it: the CJK faces come as a
20 MB collection (``.ttc``), and subsetting one with fontTools takes a quarter of a second. So
the face is subset with HarfBuzz's subsetter (``libharfbuzz-subset``, which WeasyPrint uses
for the same job; called here through ``ctypes``) to the characters of this one appearance,
about 10 KB; that small OpenType font is read with fontTools (a WeasyPrint dependency), and its
CID-keyed CFF program is embedded (``FontFile3``/``CIDFontType0C``) with the widths and a
``ToUnicode`` map, so that the text can be searched and copied.

The text is laid out line by line; a line that does not fit the box is wrapped (between words,
or between CJK characters), and when the lines are too tall for the box every size shrinks.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import io
import logging
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, Callable

from pyhanko.pdf_utils import content, generic, layout
from pyhanko.pdf_utils.font.api import FontEngine, ShapeResult
from pyhanko.stamp import TextStampStyle
from pyhanko.stamp.base import BaseStamp

from checkengine.errors import UserError

log = logging.getLogger(__name__)

# The face of the appearance per form language. Every Noto Sans CJK face covers Latin, Greek,
# Cyrillic, kana and Hangul as well, so a Chinese name on an English form shows too; Latin forms
# take the Traditional Chinese face, the first CJK fallback of forms/base.css.
STAMP_FACES = {"zh-Hant": "Noto Sans CJK TC", "zh-Hans": "Noto Sans CJK SC", "ko": "Noto Sans CJK KR"}
DEFAULT_STAMP_FACE = "Noto Sans CJK TC"
REPLACEMENT = "?"  # shown for a character the face has no glyph for
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"  # how pyHanko hands the signing time to the style


def face_for(lang: str) -> str:
    for key, face in STAMP_FACES.items():
        if lang == key or lang.startswith(key + "-"):
            return face
    return DEFAULT_STAMP_FACE


# -- finding and subsetting the face ----------------------------------------------------------


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


# -- a pyHanko font engine over the small subset ----------------------------------------------


class SubsetFont(FontEngine):
    """A pyHanko font engine for a small CFF-based OpenType font, embedded whole.

    Text is encoded as CIDs (``Identity-H``); each character maps to one glyph through the
    font's ``cmap`` (no shaping: the appearance is Latin, Han and Hangul text, which needs none).
    """

    def __init__(self, writer: Any, program: bytes, family: str) -> None:
        from fontTools.ttLib import TTFont

        tt = TTFont(io.BytesIO(program))
        if "CFF " not in tt:
            raise UserError(f"the font '{family}' for the signature appearance is not a CFF-based OpenType font")
        ps_name = tt["name"].getDebugName(6) or family.replace(" ", "")
        self.postscript_name = ps_name
        super().__init__(writer, ps_name, embedded_subset=True)
        self.cff = tt.getTableData("CFF ")
        self.family = family
        top = tt["CFF "].cff[0]
        ros = getattr(top, "ROS", None)
        if ros is None:
            raise UserError(f"the font '{family}' for the signature appearance is not a CID-keyed CFF font")
        self.ros: tuple[str, str, int] = ros
        scale = 1000 / tt["head"].unitsPerEm
        metrics = tt["hmtx"].metrics
        self.glyphs: dict[str, tuple[int, int]] = {}  # character -> (CID, width in 1/1000 em)
        for cp, name in (tt.getBestCmap() or {}).items():
            if name.startswith("cid") and int(name[3:]) != 0:  # glyphs of a CID-keyed font: cidNNNNN
                self.glyphs[chr(cp)] = (int(name[3:]), round(metrics[name][0] * scale))
        head, hhea, os2 = tt["head"], tt["hhea"], tt["OS/2"]
        self.bbox = [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)]
        self.ascent = round(hhea.ascent * scale)
        self.descent = round(hhea.descent * scale)
        self.cap_height = round(getattr(os2, "sCapHeight", 0) * scale) or self.ascent
        self.used: dict[int, tuple[int, str]] = {}  # CID -> (width, character)
        self.ref = writer.allocate_placeholder()
        self._written = False

    # the FontEngine interface

    @property
    def uses_complex_positioning(self) -> bool:
        return False

    def covers(self, char: str) -> bool:
        return char in self.glyphs

    def _shown(self, text: str) -> list[tuple[str, int, int]]:
        """(character shown, CID, width) for each character of *text*: '?' for one the face
        lacks, nothing when it lacks '?' too (never the .notdef glyph, which PDF/A forbids)."""
        out = []
        for char in text:
            if char not in self.glyphs:
                char = REPLACEMENT
            if char in self.glyphs:
                out.append((char, *self.glyphs[char]))
        return out

    def width(self, text: str) -> float:
        """The advance of *text* in em."""
        return sum(width for _, _, width in self._shown(text)) / 1000

    def shape(self, txt: str) -> ShapeResult:
        shown = self._shown(txt)
        for char, cid, width in shown:
            self.used[cid] = (width, char)
        ops = b"<" + "".join(f"{cid:04x}" for _, cid, _ in shown).encode("ascii") + b"> Tj"
        return ShapeResult(graphics_ops=ops, x_advance=sum(w for _, _, w in shown) / 1000, y_advance=0)

    def as_resource(self) -> Any:
        return self.ref

    def prepare_write(self) -> None:
        if self._written:
            return
        self._written = True
        name = generic.NameObject
        base = f"/{self.subset_prefix}+{self.postscript_name}"
        # The bare CID-keyed CFF program: readers map CIDs to glyphs through its charset (inside an
        # OpenType wrapper some readers take CIDs for glyph indices, which a subset renumbers).
        program = generic.StreamObject({name("/Subtype"): name("/CIDFontType0C")}, stream_data=self.cff)
        program.compress()
        descriptor = generic.DictionaryObject({
            name("/Type"): name("/FontDescriptor"),
            name("/FontName"): name(base),
            name("/Flags"): generic.NumberObject(4),  # symbolic: glyphs outside the standard Latin set
            name("/FontBBox"): generic.ArrayObject([generic.NumberObject(v) for v in self.bbox]),
            name("/ItalicAngle"): generic.NumberObject(0),
            name("/Ascent"): generic.NumberObject(self.ascent),
            name("/Descent"): generic.NumberObject(self.descent),
            name("/CapHeight"): generic.NumberObject(self.cap_height),
            name("/StemV"): generic.NumberObject(80),
            name("/FontFile3"): self.writer.add_object(program),
        })
        registry, ordering, supplement = self.ros
        widths: list[Any] = []
        for cid in sorted(self.used):
            widths += [generic.NumberObject(cid), generic.ArrayObject([generic.NumberObject(self.used[cid][0])])]
        cidfont = generic.DictionaryObject({
            name("/Type"): name("/Font"),
            name("/Subtype"): name("/CIDFontType0"),
            name("/BaseFont"): name(base),
            name("/CIDSystemInfo"): generic.DictionaryObject({
                name("/Registry"): generic.pdf_string(str(registry)),
                name("/Ordering"): generic.pdf_string(str(ordering)),
                name("/Supplement"): generic.NumberObject(int(supplement)),
            }),
            name("/FontDescriptor"): self.writer.add_object(descriptor),
            name("/W"): generic.ArrayObject(widths),
        })
        to_unicode = generic.StreamObject(stream_data=self._to_unicode())
        to_unicode.compress()
        type0 = generic.DictionaryObject({
            name("/Type"): name("/Font"),
            name("/Subtype"): name("/Type0"),
            name("/BaseFont"): name(base),
            name("/Encoding"): name("/Identity-H"),
            name("/DescendantFonts"): generic.ArrayObject([self.writer.add_object(cidfont)]),
            name("/ToUnicode"): self.writer.add_object(to_unicode),
        })
        self.writer.add_object(type0, idnum=self.ref.idnum)

    def _to_unicode(self) -> bytes:
        entries = [f"<{cid:04x}> <{char.encode('utf-16-be').hex()}>" for cid, (_, char) in sorted(self.used.items())]
        body = []
        for start in range(0, len(entries), 100):
            chunk = entries[start : start + 100]
            body.append(f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar")
        return (
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
            + "\n".join(body)
            + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
        ).encode("ascii")


# -- the appearance ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    text: str
    size: float  # points, before shrinking to fit
    color: tuple[float, float, float] = (0.07, 0.07, 0.07)
    bold: bool = False


_BREAKABLE = re.compile(
    r"[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]"  # one CJK character
    r"|[^\s\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]+\s*"  # a word and its spaces
    r"|\s+"
)


def wrap(text: str, limit_em: float, width: Any) -> list[str]:
    """*text* in lines no wider than *limit_em* (as measured by *width*), greedily."""
    lines: list[str] = []
    current = ""
    for token in _BREAKABLE.findall(text):
        if current and width((current + token).rstrip()) > limit_em:
            lines.append(current.rstrip())
            current = token.lstrip()
        else:
            current += token
        while width(current.rstrip()) > limit_em and len(current.rstrip()) > 1:
            cut = len(current)  # a single word wider than the line: break it between characters
            while cut > 1 and width(current[:cut]) > limit_em:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    if current.strip() or not lines:
        lines.append(current.rstrip())
    return lines


@dataclass(frozen=True)
class SignatureLook:
    """What a signature appearance shows; the time line is filled in with the signing time."""

    family: str
    lines_before_time: tuple[Line, ...]
    time_label: str
    lines_after_time: tuple[Line, ...]
    format_time: Callable[[datetime], str] = field(compare=False)
    time_size: float = 6.8
    padding: tuple[float, float] = (4.5, 3.4)  # points, horizontal and vertical
    leading: float = 1.22

    def lines(self, when: datetime) -> list[Line]:
        time_line = Line(f"{self.time_label}: {self.format_time(when)}", self.time_size)
        return [*self.lines_before_time, time_line, *self.lines_after_time]


@dataclass(frozen=True)
class SignatureStampStyle(TextStampStyle):
    """A pyHanko stamp style that draws a :class:`SignatureLook` at the size of the field.

    It is a text stamp style so that pyHanko hands it the signing time (the one in the
    signature's signed attributes) as the ``ts`` text parameter, in :data:`TIME_FORMAT`.
    """

    look: SignatureLook | None = None
    border_width: int = 0
    timestamp_format: str = TIME_FORMAT

    def create_stamp(self, writer: Any, box: layout.BoxConstraints, text_params: dict[str, Any]) -> Any:
        return SignatureStamp(writer=writer, style=self, box=box, text_params=text_params)


class SignatureStamp(BaseStamp):
    def __init__(self, writer: Any, style: SignatureStampStyle, box: layout.BoxConstraints,
                 text_params: dict[str, Any]) -> None:
        super().__init__(writer=writer, style=style, box=box)
        assert style.look is not None
        self.look = style.look
        self.lines = style.look.lines(datetime.strptime(text_params["ts"], TIME_FORMAT))

    def _render_inner_content(self) -> list[bytes]:
        text = "".join(line.text for line in self.lines)
        engine = SubsetFont(self.writer, subset_font(self.look.family, text), self.look.family)
        missing = sorted({c for c in text if not engine.covers(c) and not c.isspace()})
        if missing:
            log.warning(
                "the signature appearance shows '%s' for characters its font (%s) lacks: %s",
                REPLACEMENT, self.look.family, " ".join(missing),
            )
        self.set_resource(category=content.ResourceType.FONT, name=generic.NameObject("/F1"),
                          value=engine.as_resource())
        return layout_lines(engine, self.lines, self.box.width, self.box.height, self.look)


def layout_lines(engine: SubsetFont, lines: list[Line], width: float, height: float, look: SignatureLook) -> list[bytes]:
    """Content-stream operators that draw *lines* from the top left of a *width* x *height* box."""
    pad_x, pad_y = look.padding
    room_x, room_y = max(width - 2 * pad_x, 1.0), max(height - 2 * pad_y, 1.0)
    scale = 1.0
    for _ in range(12):  # shrink until the lines fit the box
        placed = [(line, part) for line in lines for part in wrap(line.text, room_x / (line.size * scale), engine.width)]
        needed = sum(line.size * scale * look.leading for line, _ in placed)
        if needed <= room_y:
            break
        scale *= max(0.5, room_y / needed) * 0.98
    ops: list[bytes] = []
    y = height - pad_y
    for line, part in placed:
        size = line.size * scale
        y -= size * look.leading
        baseline = y + size * (look.leading - 1) / 2 + size * 0.12
        r, g, b = line.color
        ops.append(b"BT /F1 %.2f Tf %.3f %.3f %.3f rg" % (size, r, g, b))
        if line.bold:  # fill and stroke: a heavier weight from the one face
            ops.append(b" 2 Tr %.3f w %.3f %.3f %.3f RG" % (size * 0.035, r, g, b))
        else:  # the rendering mode outlives ET: set it on every line
            ops.append(b" 0 Tr")
        ops.append(b" %.2f %.2f Td " % (pad_x, baseline) + engine.shape(part).graphics_ops + b" ET")
    return ops
