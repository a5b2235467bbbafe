"""checkengine: service standards as code.

Plugins write ``from checkengine import hookimpl``.
"""

from __future__ import annotations

from checkengine.hookspecs import hookimpl

__version__ = "0.2.0"

__all__ = ["__version__", "hookimpl"]
