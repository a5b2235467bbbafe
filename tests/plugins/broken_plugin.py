"""A plugin whose import fails: checkengine must name it, not crash with a bare traceback."""

from __future__ import annotations

import checkengine_missing_dependency  # noqa: F401  (deliberately not installed)
