"""Which files lint looks at, and what each one is."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator, Literal

FileKind = Literal["rulebook", "sources", "waivers", "tests", "unknown"]
SUFFIXES = (".yaml", ".yml")


def yaml_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path).parts
                if child.suffix in SUFFIXES and child.is_file() and not any(p.startswith(".") for p in rel):
                    yield child
        else:
            yield path


def classify(data: object) -> FileKind:
    if not isinstance(data, dict):
        return "unknown"
    kind = data.get("kind")
    if kind in ("sources", "waivers", "tests"):
        return "sources" if kind == "sources" else "waivers" if kind == "waivers" else "tests"
    if "sections" in data or "extends" in data or "languages" in data or "overrides" in data:
        return "rulebook"
    return "unknown"
