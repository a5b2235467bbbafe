"""WeasyPrint's warnings, shown on stderr by the commands instead of swallowed.

WeasyPrint logs through the ``weasyprint`` logger with only a NullHandler, so without this its
warnings (a missing font, bad CSS, an image it could not read) would vanish.
"""

from __future__ import annotations

import logging
import sys

_MARK = "_checkengine_stderr"


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to the *current* sys.stderr, so that captured streams (tests, click) see it."""

    def __init__(self) -> None:
        super().__init__()

    @property  # type: ignore[override]
    def stream(self):  # noqa: ANN201 - logging's own attribute
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:  # noqa: ANN001
        pass


def surface_warnings() -> None:
    """Show WeasyPrint's warnings on stderr, once per process."""
    for name in ("weasyprint",):
        logger = logging.getLogger(name)
        if any(getattr(h, _MARK, False) for h in logger.handlers):
            continue
        handler = _Stderr()
        setattr(handler, _MARK, True)
        handler.setLevel(logging.WARNING)
        handler.setFormatter(logging.Formatter(f"checkengine: warning: {name}: %(message)s"))
        logger.addHandler(handler)
