"""A plugin that implements a hook checkengine does not have (a typo of a real hook)."""

from __future__ import annotations

from typing import Any, Callable

from checkengine import hookimpl


@hookimpl
def checkengine_register_check_type(register: Callable[[Any], None]) -> None:
    raise AssertionError("never called: the plugin is refused when loaded")
