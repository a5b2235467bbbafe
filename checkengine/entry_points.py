"""The ``checkengine`` entry points of the installed distributions, found without importing
:mod:`importlib.metadata` when the environment is plain directories on ``sys.path``.

``importlib.metadata`` is the reference: it imports the email parser (and with it sockets, URLs
and logging), builds a ``Distribution`` for every package installed, and parses each one's
``METADATA`` to name it; about 25 ms of every command's start-up on a 300-package environment.
Here the same places are read directly: every ``*.dist-info`` and ``*.egg-info`` folder in the
folders of ``sys.path`` (the first distribution of a name wins, as there), its
``entry_points.txt`` (the same format: ``[group]`` then ``name = module:attr``), and the
``Name`` header of the few distributions that have entry points in the group. Anything else on
the path (a zip file, an import hook that provides distributions) falls back to
``importlib.metadata``; ``tests/test_entry_points.py`` checks both find the same entry points.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from functools import reduce
from importlib import import_module
from typing import Any

_PATTERN = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")
_SUFFIXES = (".dist-info", ".egg-info")


@dataclass(frozen=True)
class EntryPoint:
    """One entry point: its name, its target (``module:attr``) and its distribution's name."""

    name: str
    value: str
    dist: str

    def load(self) -> Any:
        """Import the target, as ``importlib.metadata.EntryPoint.load`` does."""
        match = _PATTERN.match(self.value)
        if match is None:
            raise ValueError(f"malformed entry point target {self.value!r}")
        module = import_module(match.group("module"))
        attrs = filter(None, (match.group("attr") or "").split("."))
        return reduce(getattr, attrs, module)


def entry_points(group: str) -> list[EntryPoint]:
    """The entry points of *group*, in the order ``importlib.metadata.entry_points`` gives them."""
    found = _scan(group)
    if found is None:
        return _from_metadata(group)
    return found


def _from_metadata(group: str) -> list[EntryPoint]:
    from importlib import metadata

    return [EntryPoint(ep.name, ep.value, ep.dist.name if ep.dist is not None else "?")
            for ep in metadata.entry_points(group=group)]


def _plain_path() -> bool:
    """Whether distributions can only come from folders on ``sys.path`` (no other finder provides
    any, and no entry of the path is a file such as a zip)."""
    from importlib.machinery import PathFinder

    for finder in sys.meta_path:
        if finder is not PathFinder and hasattr(finder, "find_distributions"):
            return False
    return not any(entry.endswith(".egg") or os.path.isfile(entry or ".") for entry in sys.path)


def _scan(group: str) -> list[EntryPoint] | None:
    if not _plain_path():
        return None
    seen: set[str] = set()
    found: list[EntryPoint] = []
    for entry in sys.path:
        try:
            names = sorted(os.listdir(entry or "."))
        except OSError:  # a folder that does not exist (python3xx.zip) holds no distributions
            continue
        for name in names:
            if not name.endswith(_SUFFIXES):
                continue
            key = _normalized(name.rpartition(".")[0].partition("-")[0])
            if key in seen:
                continue
            seen.add(key)
            folder = os.path.join(entry or ".", name)
            pairs = _group_entries(folder, group)
            if pairs:
                dist = _dist_name(folder) or name.rpartition(".")[0].partition("-")[0]
                found.extend(EntryPoint(ep_name, value, dist) for ep_name, value in pairs)
    return found


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _group_entries(folder: str, group: str) -> list[tuple[str, str]]:
    """The ``name = value`` pairs of *group* in a distribution's ``entry_points.txt``."""
    try:
        with open(os.path.join(folder, "entry_points.txt"), encoding="utf-8") as handle:
            text = handle.read()
    except OSError:
        return []
    pairs: list[tuple[str, str]] = []
    section = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif section == group:
            name, _, value = line.partition("=")
            pairs.append((name.strip(), value.strip()))
    return pairs


def _dist_name(folder: str) -> str | None:
    """The ``Name`` header of a distribution's metadata (it ends at the first blank line)."""
    for file in ("METADATA", "PKG-INFO"):
        try:
            with open(os.path.join(folder, file), encoding="utf-8") as handle:
                for line in handle:
                    if not line.strip():
                        break
                    key, sep, value = line.partition(":")
                    if sep and key.strip().lower() == "name":
                        return value.strip()
        except OSError:
            continue
    return None
