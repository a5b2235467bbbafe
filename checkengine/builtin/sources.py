"""Built-in sources: files and folders, standard input (``-``), and PostgreSQL tables."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from checkengine import hookimpl, limits
from checkengine.errors import Location, UserError
from checkengine.loading import RawRecord
from checkengine.records import RecordError
from checkengine.sources import FILES, STDIN, Source, local_path

if TYPE_CHECKING:
    from checkengine.plugins import Registry

STDIN_NAME = "<stdin>"


class FileSource(Source):
    """Files and folders (searched recursively), each file read by the loader of its suffix."""

    name = FILES
    summary = "Record files (YAML, JSON, JSON Lines, CSV, a plugin's) and folders of them."
    schemes = (FILES,)

    def read(self, address: str, registry: Registry) -> Iterator[RawRecord | RecordError]:
        from checkengine.records import loaded_records, loaders_of

        for item in loaders_of([local_path(address)], registry):
            if isinstance(item, RecordError):
                yield item
                continue
            path, display, loader = item
            try:
                yield from loaded_records(loader, path, display)
            except UserError as exc:
                yield RecordError(exc.location, exc.bare_message)

    def estimate_total(self, address: str, registry: Registry) -> int | None:
        from checkengine.batch.source import estimate_total

        return estimate_total([local_path(address)], registry)

    def files(self, address: str, registry: Registry) -> list[Path]:
        from checkengine.records import record_files

        return [p for p in record_files([local_path(address)], registry) if isinstance(p, Path)]


class StdinSource(Source):
    """``-``: JSON Lines on standard input, streamed (one record a line)."""

    name = "stdin"
    summary = "- reads JSON Lines from standard input."
    schemes = (STDIN,)

    def check(self, address: str, registry: Registry) -> None:
        if sys.stdin is None or sys.stdin.isatty():
            raise UserError("- reads records from standard input, which is a terminal; pipe JSON Lines in "
                            "(e.g. cat records.jsonl | checkengine evaluate -r RULEBOOK -), or name the files")

    def read(self, address: str, registry: Registry) -> Iterator[RawRecord | RecordError]:
        from checkengine.builtin.loaders import _Bad, handle_lines, parse_json_line

        self.check(address, registry)
        stream: Any = getattr(sys.stdin, "buffer", sys.stdin)
        count = 0
        for number, line in handle_lines(stream, STDIN_NAME, limits.LINE_BYTES.get()):
            where = Location(STDIN_NAME, number, 1)
            count += 1
            if isinstance(line, _Bad):
                yield RecordError(line.location, line.message)
                continue
            data = parse_json_line(line, where)
            if isinstance(data, _Bad):
                yield RecordError(data.location, data.message)
            else:
                yield RawRecord(data, where)
        if not count:
            yield RecordError(Location(STDIN_NAME), (
                "no records on standard input (it was empty, or already read: a rulebook with lookups "
                "reads its input twice); pipe JSON Lines in, one record a line, or save them to a file"))


class PostgresSource(Source):
    """Records stored as JSON in a PostgreSQL table, one a row, streamed through a server-side cursor.

    ``postgresql://user@host/db?table=NAME`` reads the ``record`` column (json, jsonb or text) of
    every row; ``column=`` names another column, ``order=`` the column that orders the rows (default:
    the table's physical order). ``postgresql:///db?table=t`` or ``postgresql://?table=t`` take the
    rest from the PG* environment variables, as libpq does. Names are quoted as identifiers, never
    pasted into SQL.
    """

    name = "postgresql"
    summary = "postgresql://.../DB?table=NAME[&column=record][&order=id]: JSON records, a row each."
    schemes = ("postgresql", "postgres")
    OWN = ("table", "column", "order")

    def _parse(self, address: str) -> tuple[str, dict[str, str], str]:
        from checkengine.archive.store import shown

        parts = urlsplit(address)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        own = {k: params.pop(k) for k in self.OWN if k in params}
        name = shown(address)
        if not own.get("table"):
            raise UserError(f"{name}: name the table of records, e.g. {parts.scheme}://host/db?table=inspections "
                            "(with column=NAME when the JSON is not in a column named record)")
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(params), ""))
        return url, own, name

    def check(self, address: str, registry: Registry) -> None:
        from checkengine.archive.table_source import check_driver, check_table

        url, own, name = self._parse(address)
        check_driver(address)
        check_table(url, name, own["table"], own.get("column") or "record", own.get("order"))

    def read(self, address: str, registry: Registry) -> Iterator[RawRecord | RecordError]:
        from checkengine.archive.table_source import table_rows

        url, own, name = self._parse(address)
        display = f"{name.split('?')[0]}?table={own['table']}"
        for number, value in table_rows(url, name, own["table"], own.get("column") or "record", own.get("order")):
            yield self._record(value, Location(display, number, 1))

    @staticmethod
    def _record(value: Any, where: Location) -> RawRecord | RecordError:
        if isinstance(value, (str, bytes)):
            from checkengine.builtin.loaders import _Bad, parse_json_line

            text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
            value = parse_json_line(text, where)
            if isinstance(value, _Bad):
                return RecordError(value.location, value.message)
        if not isinstance(value, dict):
            return RecordError(where, f"the row holds {type(value).__name__} JSON, not a record (a JSON object "
                                      "with kind, id and timestamp)")
        return RawRecord(value, where)


@hookimpl(trylast=True)
def checkengine_register_sources(register: Callable[[Source], None]) -> None:
    for source in (FileSource(), StdinSource(), PostgresSource()):
        register(source)
