"""A pyHanko font engine over the small subset of the appearance's face.

:class:`SubsetFont` reads the OpenType font that :func:`checkengine.pdf.stamp_subset.subset_font`
made with fontTools (a WeasyPrint dependency) and embeds its CID-keyed CFF program
(``FontFile3``/``CIDFontType0C``) with the widths of the glyphs used and a ``ToUnicode`` map, so
that the text of the appearance can be searched and copied. A character the face lacks shows as
:data:`~checkengine.pdf.stamp_subset.REPLACEMENT`, never as the ``.notdef`` glyph.
"""

from __future__ import annotations

import io
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.api import FontEngine, ShapeResult

from checkengine.errors import UserError
from checkengine.pdf.stamp_subset import REPLACEMENT


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
