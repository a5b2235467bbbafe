"""Record loaders: turn a file into records, each with the place it came from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Iterator

from checkengine.errors import Location
from checkengine.yamlio import Document


@dataclass
class RawRecord:
    """One record as read from a file, before validation.

    ``doc`` (for YAML/JSON) maps field paths to positions, so validation errors can point at the
    line and column of the bad value; ``prefix`` is the path of the record inside that document.
    """

    data: Any
    location: Location
    doc: Document | None = None
    prefix: tuple[str | int, ...] = ()


class RecordLoader:
    """Reads one kind of file. ``name`` identifies it; ``suffixes`` are the file endings it takes."""

    name: ClassVar[str] = ""
    suffixes: ClassVar[tuple[str, ...]] = ()

    def load(self, path: Path, display: str) -> Iterator[RawRecord]:  # pragma: no cover
        raise TypeError("loaders implement load()")
