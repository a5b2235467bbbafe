"""Which rulebooks a change affects: for the impact of a pull request.

The changed files that are rulebooks by their content (not by their name: rulebook tests, sources
catalogues and waivers live beside them), and every rulebook that extends one of them, directly or
through another overlay - a parent's change changes what its overlays yield.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from checkengine.errors import UserError
from checkengine.lint.discover import SUFFIXES, classify, yaml_files


@dataclass(frozen=True)
class Affected:
    path: str  # relative to the head checkout, as git names it
    why: str  # changed, new, removed, unreadable, or "extends <path>"


def _kind(path: Path) -> str:
    from checkengine.yamlio import load_file

    try:
        return classify(load_file(path).data)
    except UserError:
        return "unreadable"


def parents(path: Path) -> list[Path]:
    """The rulebooks *path* extends, nearest first (stops at a missing file or a cycle)."""
    from checkengine.yamlio import load_file

    chain: list[Path] = []
    current = path.resolve()
    while True:
        try:
            data = load_file(current).data
        except UserError:
            return chain
        parent = data.get("extends") if isinstance(data, dict) else None
        if not isinstance(parent, str):
            return chain
        current = (current.parent / parent).resolve()
        if current in chain or current == path.resolve():
            return chain
        chain.append(current)


def affected(changed: Iterable[str], *, head: Path, base: Path, search: Iterable[str]) -> list[Affected]:
    """The rulebooks among *changed* (paths relative to *head*), then the overlays in *search*
    (folders under *head*) that extend one of them, each once, in that order."""
    head = head.resolve()
    out: dict[str, Affected] = {}
    for name in dict.fromkeys(c.strip() for c in changed if c.strip()):
        if not name.endswith(SUFFIXES):
            continue
        now, before = head / name, base / name
        kind_now = _kind(now) if now.is_file() else None
        kind_before = _kind(before) if before.is_file() else None
        if "rulebook" not in (kind_now, kind_before):
            if kind_now == "unreadable" and any(Path(name).is_relative_to(s) for s in search):
                out[name] = Affected(name, "unreadable")  # diff reports where it is broken
            continue
        why = "changed" if kind_now and kind_before else "new" if kind_now else "removed"
        out[name] = Affected(name, why)
    roots = {(head / a.path).resolve(): a.path for a in out.values() if a.why in ("changed", "new")}
    for path in yaml_files([head / s for s in search if (head / s).exists()]):
        rel = path.resolve().relative_to(head).as_posix()
        if rel in out or _kind(path) != "rulebook":
            continue
        for parent in parents(path):
            if parent in roots:
                out[rel] = Affected(rel, f"extends {roots[parent]}")
                break
    return list(out.values())
