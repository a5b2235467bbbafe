"""WeasyPrint's warnings, and those of checkengine's PDF code, shown on stderr by the commands.

WeasyPrint logs through the ``weasyprint`` logger with only a NullHandler, so without this its
warnings (a missing font, bad CSS, an image it could not read) would vanish. The PDF code logs
through ``checkengine.pdf.*`` (for example a character the signature appearance cannot show).
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

_MARK = "_checkengine_stderr"


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to the *current* sys.stderr, so that captured streams (tests, click) see it."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> TextIO:  # logging's own attribute, read at each write
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass


# logger -> the prefix of its warnings on stderr
SOURCES = {"weasyprint": "checkengine: warning: weasyprint: ", "checkengine.pdf": "checkengine: warning: "}


def surface_warnings() -> None:
    """Show WeasyPrint's warnings and the PDF code's own on stderr, once per process."""
    for name, prefix in SOURCES.items():
        logger = logging.getLogger(name)
        if any(getattr(h, _MARK, False) for h in logger.handlers):
            continue
        handler = _Stderr()
        setattr(handler, _MARK, True)
        handler.setLevel(logging.WARNING)
        handler.setFormatter(logging.Formatter(f"{prefix}%(message)s"))
        logger.addHandler(handler)
