"""What to say when a rulebook names a check type or a scoring method no installed plugin provides.

The message names the rulebook line that asks for it and the plugin to install: checkengine's
first-party plugins by distribution name, any other by what ``checkengine plugins`` shows.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from checkengine.errors import Location, UserError
from checkengine.plugins import DISABLE_AUTOLOAD

if TYPE_CHECKING:
    from checkengine.rulebook.model import Rulebook

# Names provided by the plugin distributions kept in the checkengine repository (plugins/).
FIRST_PARTY: dict[str, dict[str, str]] = {
    "scoring method": {"stars": "checkengine-stars"},
    "check type": {},
}


def install_hint(kind: str, name: str) -> str:
    """How to get the plugin that provides *name* (a check type or a scoring method)."""
    if os.environ.get(DISABLE_AUTOLOAD, "") not in ("", "0"):
        return (f"{DISABLE_AUTOLOAD} is set, so only checkengine's own plugins are loaded; unset it "
                "to load the installed plugins")
    dist = FIRST_PARTY.get(kind, {}).get(name)
    if dist:
        return (f"install the plugin that provides it: pip install {dist} (from a checkout of "
                f"checkengine: pip install ./plugins/{dist})")
    return f"install the plugin that provides the {kind} '{name}' (checkengine plugins lists what is installed)"


def scoring_location(book: Rulebook) -> Location:
    """Where ``scoring.method`` is set: the last file of the rulebook (an overlay before its
    parent) that sets it."""
    from checkengine.yamlio import load_file

    for file in reversed(book.files):
        try:
            doc = load_file(file)
        except UserError:
            continue
        scoring = doc.data.get("scoring") if isinstance(doc.data, dict) else None
        if isinstance(scoring, dict) and "method" in scoring:
            return doc.location(("scoring", "method"))
    return Location(book.files[-1] if book.files else None, path="scoring.method")


def missing_scorer(book: Rulebook, method: str, installed: list[str]) -> UserError:
    return UserError(f"the scoring method '{method}' is not provided by any installed plugin "
                     f"(installed: {', '.join(sorted(installed))}); {install_hint('scoring method', method)}",
                     scoring_location(book))
