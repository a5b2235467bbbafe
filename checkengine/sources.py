"""Sources: where records come from, addressed by a path or a URI (``checkengine_register_sources``).

An input address is resolved to one registered source:

* ``scheme://...`` - the source registered for that scheme (``postgresql://`` built in; a plugin
  adds its own); an unknown scheme is an error listing the known ones;
* ``-`` - standard input (JSON Lines);
* anything else - a file or folder, read by the loader of each file's suffix (as always).

A source yields, in input order, :class:`checkengine.loading.RawRecord` (parsed, not yet
validated: the workers validate it) or :class:`checkengine.records.RecordError` for a row it
could not use - the one public type of a bad input row; the run goes on without it. Sources
stream: they are read only as fast as the pipeline takes chunks.

For the Python API (and a server), :class:`Records` wraps an in-memory iterable of mappings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Union, cast

from checkengine.errors import Location, UserError
from checkengine.loading import RawRecord
from checkengine.records import RecordError

if TYPE_CHECKING:
    from checkengine.batch.source import Item, JsonLinesFile
    from checkengine.plugins import Registry

SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
STDIN = "-"
FILES = "file"
"""The name under which the file source (paths and folders) is registered."""


class Source:
    """Reads records from the addresses of one or more URI ``schemes`` (or, for the file source,
    from paths). ``name`` identifies it in ``checkengine plugins``."""

    name: str = ""
    summary: str = ""
    schemes: tuple[str, ...] = ()

    def read(self, address: str, registry: Registry) -> Iterator[RawRecord | RecordError]:
        """Every record at *address*, in a stable order; unusable ones as :class:`RecordError`.

        Raise :class:`checkengine.errors.UserError` when the address itself is unusable (a
        malformed URL, a server that does not answer): the run stops with exit 2 before output.
        """
        raise TypeError("sources implement read()")

    def check(self, address: str, registry: Registry) -> None:
        """Refuse an unusable address before any work (called once per run; default: nothing)."""

    def estimate_total(self, address: str, registry: Registry) -> int | None:
        """A quick estimate of the number of records, for a progress bar (None: unknown)."""
        return None

    def files(self, address: str, registry: Registry) -> list[Path]:
        """The local files this address reads (an output over one of them is refused)."""
        return []


@dataclass
class Records:
    """An in-memory iterable of records (mappings) as an input, for the API and servers.

    ``name`` is the file name their locations carry; record *n* is at line *n* (from 1).
    """

    items: Iterable[Any]
    name: str = "<memory>"

    def raw(self) -> Iterator[RawRecord | RecordError]:
        for number, data in enumerate(self.items, 1):
            yield RawRecord(data, Location(self.name, number, 1))


Address = Union[str, Path, Records]


def source_for(address: str | Path, registry: Registry) -> Source:
    """The registered source that reads *address*."""
    text = str(address)
    match = SCHEME.match(text) if isinstance(address, str) else None
    if match is not None:
        scheme = match.group(1).lower()
        found = registry.sources.get(scheme)
        if found is None:
            known = ", ".join(f"{s}://" for s in sorted(registry.sources) if s != STDIN)
            raise UserError(f"{text}: no source reads '{scheme}://' addresses; known schemes: {known} "
                            "(or give a file, a folder, or - for standard input)")
        return found
    if text == STDIN and isinstance(address, str):
        return registry.sources[STDIN]
    return registry.sources[FILES]


def local_path(address: str | Path) -> str | Path:
    """A ``file://`` address as a path; any other address as it is."""
    if isinstance(address, str) and address.lower().startswith("file://"):
        return address[len("file://"):]
    return address


def check_inputs(addresses: Iterable[Address], registry: Registry) -> None:
    """Refuse unusable addresses (an unknown scheme, a malformed URL) before any work."""
    for address in addresses:
        if not isinstance(address, Records):
            source_for(address, registry).check(str(address), registry)


def raw_records(addresses: Iterable[Address], registry: Registry) -> Iterator[RawRecord | RecordError]:
    """Every record of every address, in input order, as its source yields it."""
    for address in addresses:
        if isinstance(address, Records):
            yield from address.raw()
        else:
            yield from source_for(address, registry).read(str(address), registry)


def read_items(addresses: Iterable[Address], registry: Registry) -> Iterator[Item]:
    """Every input record as a pipeline item: files through :func:`checkengine.batch.source.read_items`
    (which keeps each format's fast path), the other sources' records to validate in the workers."""
    return cast("Iterator[Item]", read_pieces(addresses, registry, ranged=False))


def read_pieces(addresses: Iterable[Address], registry: Registry, *,
                ranged: bool) -> Iterator[Item | JsonLinesFile]:
    """:func:`read_items`; with *ranged*, each regular JSON Lines file whole (for workers that
    read their byte ranges of it themselves, :mod:`checkengine.batch.ranges`)."""
    from checkengine.batch.source import item_of, read_pieces as read_files

    for address in addresses:
        if not isinstance(address, Records) and source_for(address, registry).name == FILES:
            yield from read_files([local_path(address)], registry, ranged=ranged)
            continue
        for raw in raw_records([address], registry):
            yield item_of(raw)


def estimate_total(addresses: Iterable[Address], registry: Registry) -> int | None:
    """The sum of the sources' estimates (None when none could count)."""
    total, found = 0, False
    for address in addresses:
        if isinstance(address, Records):
            continue
        count = source_for(address, registry).estimate_total(str(address), registry)
        if count is not None:
            total, found = total + count, True
    return total if found else None


def input_files(addresses: Iterable[Address], registry: Registry) -> list[Path]:
    """Every local file the addresses read."""
    return [path for address in addresses if not isinstance(address, Records)
            for path in source_for(address, registry).files(str(address), registry)]


def has_folder(addresses: Iterable[Address]) -> bool:
    """Whether an address is a folder (a run over folders leaves out kinds the rulebook does not check)."""
    return any(not isinstance(a, Records) and not SCHEME.match(str(a)) and Path(a).is_dir() for a in addresses)
