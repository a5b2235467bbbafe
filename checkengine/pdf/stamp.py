"""The visible appearance of a signature, drawn with pyHanko's stamp machinery.

The appearance (signer, role, signing time, certificate fingerprint, and the test-key warning
for self-signed certificates) is a pyHanko stamp whose text uses a Noto Sans CJK face, so that
Chinese and Korean names show; the face is subset to the appearance's characters
(:mod:`checkengine.pdf.stamp_subset`) and embedded by a font engine of its own
(:mod:`checkengine.pdf.stamp_font`). This module holds what the appearance shows and how it is
laid out: the text is laid out line by line; a line that does not fit the box is wrapped (between
words, or between CJK characters), and when the lines are too tall for the box every size shrinks.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from pyhanko.pdf_utils import content, generic, layout
from pyhanko.stamp import TextStampStyle
from pyhanko.stamp.base import BaseStamp

from checkengine.pdf.stamp_font import SubsetFont
from checkengine.pdf.stamp_subset import REPLACEMENT, subset_font

log = logging.getLogger(__name__)

# The face of the appearance per form language. Every Noto Sans CJK face covers Latin, Greek,
# Cyrillic, kana and Hangul as well, so a Chinese name on an English form shows too; Latin forms
# take the Traditional Chinese face, the first CJK fallback of forms/base.css.
STAMP_FACES = {"zh-Hant": "Noto Sans CJK TC", "zh-Hans": "Noto Sans CJK SC", "ko": "Noto Sans CJK KR"}
DEFAULT_STAMP_FACE = "Noto Sans CJK TC"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"  # how pyHanko hands the signing time to the style
DRAWING_SHARE = 0.4  # of the box's width, on the right, for a drawn signature


def face_for(lang: str) -> str:
    for key, face in STAMP_FACES.items():
        if lang == key or lang.startswith(key + "-"):
            return face
    return DEFAULT_STAMP_FACE


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
    #: the signer's drawn signature (a Pillow image, grayscale), shown beside the text; None: not drawn
    drawing: Any = field(default=None, compare=False)
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
        if self.look.drawing is None:
            return layout_lines(engine, self.lines, self.box.width, self.box.height, self.look)
        text_width = self.box.width * (1 - DRAWING_SHARE)
        return [*layout_lines(engine, self.lines, text_width, self.box.height, self.look),
                self._drawing(text_width)]

    def _drawing(self, left: float) -> bytes:
        """The drawn signature, fitted into the box's right part (from *left*), as pyHanko's
        image XObject."""
        from pyhanko.pdf_utils.images import PdfImage

        image = self.look.drawing
        pad_x, pad_y = self.look.padding
        room_w, room_h = self.box.width - left - pad_x, self.box.height - 2 * pad_y
        scale = min(room_w / image.width, room_h / image.height)
        width, height = image.width * scale, image.height * scale
        x, y = self.box.width - pad_x - width, pad_y + (room_h - height) / 2
        picture = PdfImage(image, writer=self.writer, name="Drawn", box=layout.BoxConstraints(width, height))
        drawn = picture.render()
        self.import_resources(picture.resources)
        return b"q 1 0 0 1 %.2f %.2f cm %s Q" % (x, y, drawn)


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
