"""Finding, reading and validating inspection records."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from checkengine import validation
from checkengine.builtin.loaders import _Bad
from checkengine.errors import Location, UserError
from checkengine.loading import RawRecord, RecordLoader
from checkengine.plugins import Registry
from checkengine.inputs import display_path
from checkengine.yamlio import Document, format_path

NOT_RECORDS = {"waivers", "sources", "tests"}


@dataclass
class Record:
    """A validated record and where it came from."""

    data: dict[str, Any]
    location: Location
    prepared: bool = False  # plugins' checkengine_prepare_record has run on it

    @property
    def file(self) -> str:
        return self.location.file or "-"


@dataclass
class RecordError:
    """A record (or a whole file) that could not be used; the run goes on without it."""

    location: Location
    message: str

    def as_dict(self) -> dict[str, Any]:
        loc = self.location
        return {"file": loc.file, "line": loc.line, "column": loc.column, "path": loc.path,
                "message": self.message}

    def text(self) -> str:
        return f"{self.location.prefix()}{self.message}"


def record_files(paths: Iterable[str | Path], registry: Registry) -> Iterator[Path | RecordError]:
    """The record files named, with folders searched recursively, in a stable order."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(p.startswith(".") for p in child.parts[len(path.parts):]):
                    if child.suffix.lower() in registry.loaders:
                        yield child
        elif path.exists():
            if path.suffix.lower() not in registry.loaders:
                known = ", ".join(sorted(registry.loaders))
                yield RecordError(Location(str(raw)), f"no loader for '{path.suffix}' files; known: {known}")
            else:
                yield path
        else:
            yield RecordError(Location(str(raw)), "file not found; check the path")


def loaders_of(paths: Iterable[str | Path], registry: Registry) -> Iterator[tuple[Path, str, RecordLoader] | RecordError]:
    """Each record file in *paths* with its display name and its loader; unusable paths as errors."""
    for item in record_files(paths, registry):
        if isinstance(item, RecordError):
            yield item
        else:
            yield item, display_path(item), registry.loaders[item.suffix.lower()]


def loaded_records(loader: RecordLoader, path: Path, display: str) -> Iterator[RawRecord | RecordError]:
    """What *loader* reads from *path* that is meant as a record: the unparseable ones as
    :class:`RecordError`, documents of other kinds (waivers, sources, tests) left out."""
    for raw in loader.load(path, display):
        if isinstance(raw.data, _Bad):
            yield RecordError(raw.data.location, raw.data.message)
        elif not (isinstance(raw.data, dict) and raw.data.get("kind") in NOT_RECORDS):
            yield raw


class DuplicateIds:
    """Remembers record ids; a record whose id was seen before is reported, not evaluated twice."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def check(self, record_id: Any, location: Location) -> RecordError | None:
        if not isinstance(record_id, str):
            return None
        first = self.seen.get(record_id)
        if first is None:
            self.seen[record_id] = location.prefix().rstrip(": ") or "-"
            return None
        return RecordError(location, f"duplicate record id '{record_id}' (first at {first}); each "
                                     "record needs its own id: renumber one of them, or remove the copy")


def iter_records(paths: Iterable[str | Path], registry: Registry) -> Iterator[Record | RecordError]:
    """Every record in *paths*, validated; unusable ones (and repeated ids) come as :class:`RecordError`."""
    ids = DuplicateIds()
    for item in _iter_records(paths, registry):
        if isinstance(item, Record):
            where = Location(item.location.file, item.location.line, item.location.column)
            duplicate = ids.check(item.data.get("id"), where)
            if duplicate is not None:
                yield duplicate
                continue
        yield item


def _iter_records(paths: Iterable[str | Path], registry: Registry) -> Iterator[Record | RecordError]:
    for item in loaders_of(paths, registry):
        if isinstance(item, RecordError):
            yield item
            continue
        path, display, loader = item
        try:
            for raw in loaded_records(loader, path, display):
                if isinstance(raw, RecordError):
                    yield raw
                else:
                    yield check_record(raw.data, raw.location, raw.doc, raw.prefix, registry=registry)
        except UserError as exc:
            yield RecordError(exc.location, exc.bare_message)


def check_record(
    data: Any,
    location: Location,
    doc: Document | None = None,
    prefix: tuple[str | int, ...] = (),
    *,
    registry: Registry | None = None,
) -> Record | RecordError:
    """Validate one record against the record schema of *registry*'s record kinds (by default the
    installed plugins') and normalise it."""
    if not isinstance(data, dict):
        return RecordError(location, "a record must be a mapping with kind, id and timestamp")
    if doc is None:
        doc = Document(location.file or "-", data, {(): (location.line or 1, location.column or 1)})
        prefix = ()
    problems = validation.errors(validation.record_schema(registry), doc, subpath=prefix)
    if problems:
        first = problems[0]
        loc = first.location
        path = loc.path or ""
        if prefix and path.startswith(format_path(prefix)):
            path = path[len(format_path(prefix)):].lstrip(".")
        if doc.positions.keys() == {()}:  # streamed record: only the line is known
            loc = Location(location.file, location.line, location.column, path)
        else:
            loc = Location(loc.file, loc.line, loc.column, path)
        return RecordError(loc, first.bare_message)
    if isinstance(data.get("site"), str):
        data["site"] = {"id": data["site"]}
    return Record(data, location)
