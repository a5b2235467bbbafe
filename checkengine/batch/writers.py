"""Streaming writers of batch results: JSON Lines, one JSON document, or text for people.

Records are written as their chunk comes back, in input order. Unusable records (errors) are
listed where the format puts them: inline in JSON Lines, at the end in JSON and text (spooled
to a temporary file meanwhile, so memory stays flat however many there are).
"""

from __future__ import annotations

import functools
import tempfile
from dataclasses import dataclass, field
from typing import IO, Any, Callable, Literal, Protocol

from checkengine import jsonout
from checkengine.batch.job import OUTCOME_KEYS, Encoder
from checkengine.batch.output import TextSink
from checkengine.builtin.reporters import (
    error_line, group_line, is_shown, outcome_line, record_heading, summary_line,
)
from checkengine.records import Record, RecordError
from checkengine.sinks import HEAD_KEYS

BatchFormat = Literal["jsonl", "json", "text"]
SPOOL_BYTES = 1 << 20


@dataclass
class Tally:
    """Counts of a batch so far, as :meth:`Engine.result` counts them."""

    summary: dict[str, int] = field(default_factory=lambda: {k: 0 for k in OUTCOME_KEYS})
    records: int = 0
    errors: int = 0
    groups: int = 0
    failed_records: int = 0
    interrupted: bool = False
    left_out: dict[str, int] = field(default_factory=dict)  # kinds the rulebook does not check, by kind

    def add_record(self, counts: tuple[int, ...], passed: bool) -> None:
        self.records += 1
        for key, count in zip(OUTCOME_KEYS, counts):
            self.summary[key] += count
        if not passed:
            self.failed_records += 1

    def add_groups(self, entries: list[dict[str, Any]]) -> None:
        self.groups += len(entries)
        for o in entries:
            self.summary[o["outcome"]] += 1

    @property
    def exit_code(self) -> int:
        """As ``evaluate``: 2 unusable records, 1 failures, 0 all good (130 when interrupted)."""
        if self.interrupted:
            return 130
        if self.errors:
            return 2
        return 1 if self.summary["fail"] or self.failed_records else 0

    def as_dict(self) -> dict[str, Any]:
        return {"summary": dict(self.summary), "records": self.records, "groups": self.groups,
                "errors": self.errors, "interrupted": self.interrupted}


class ResultSink(Protocol):
    """Receives a batch's results in input order (writers, the archive, the report).

    ``encoder`` runs in the workers and makes each record's payload (None: the entry itself).
    """

    encoder: Encoder | None

    def record(self, seq: int, payload: Any) -> None: ...

    def error(self, seq: int, error: RecordError) -> None: ...

    def groups(self, entries: list[dict[str, Any]]) -> None: ...


class BatchWriter(ResultSink, Protocol):
    def header(self, head: dict[str, Any]) -> None: ...

    def close(self, tally: Tally) -> None: ...

    def flush(self) -> None: ...


def _dump(obj: Any) -> str:
    return jsonout.dumps(obj)


def encode_jsonl(seq: int, entry: dict[str, Any], record: Record) -> str:
    return _dump({"type": "record", "seq": seq, **entry})


def encode_json(seq: int, entry: dict[str, Any], record: Record) -> str:
    return _dump(entry)


def encode_text(seq: int, entry: dict[str, Any], record: Record, *, verbose: bool = False) -> str:
    rec = entry["record"]
    where = f"{rec['file']}:{rec['line']}" if rec.get("line") else rec["file"]
    lines = [record_heading(entry, where)]
    lines.extend(outcome_line(o) for o in entry["outcomes"] if is_shown(o, verbose))
    return "".join(lines)


def _shape(writer: JsonWriter | JsonLinesWriter, head: dict[str, Any], base: Encoder) -> dict[str, Any]:
    """The header as written: with a ``rules`` table (the caller asks for ``checkengine/result/2``)
    the records are written compact and the table once here; without one, the full shape (``/1``)."""
    from checkengine import resultdoc

    rules = head.get("rules")
    if rules is None:
        return head
    writer.encoder = resultdoc.encoder(base, rules)
    return {**head, "schema": resultdoc.SCHEMA_2}


Copy = Callable[[int, int], None]
"""Copies the bytes [start, end) of a worker's part file to the output (:mod:`checkengine.batch.parts`)."""


class JsonLinesPart:
    """How a worker writes records and errors of the ``jsonl`` format into its part of the output
    (the writer writes them the same way): both inline, in input order."""

    inline_errors = True

    def record(self, seq: int, payload: str) -> str:
        return payload + "\n"

    def error(self, seq: int, error: RecordError) -> str:
        return _dump({"type": "error", "seq": seq, **error.as_dict()}) + "\n"


class JsonPart:
    """``json``: each record after a comma (the parent drops the run's first one); errors are
    kept for the ``errors`` list at the end, as their JSON text."""

    inline_errors = False

    def record(self, seq: int, payload: str) -> str:
        return ",\n" + payload

    def error(self, seq: int, error: RecordError) -> str:
        return _dump(error.as_dict())


class TextPart:
    """``text``: records as they are; errors kept for the end, as their line."""

    inline_errors = False

    def record(self, seq: int, payload: str) -> str:
        return payload

    def error(self, seq: int, error: RecordError) -> str:
        return error_line(error.as_dict())


class JsonLinesWriter:
    """One JSON object a line: header, then records (with ``seq``, their input position) and
    errors in input order, then groups, then a summary line - the last line, also when the run
    was interrupted, so a reader can tell a complete file from a cut one."""

    part_form = JsonLinesPart()

    def __init__(self, out: TextSink) -> None:
        self.out = out
        self.encoder: Encoder | None = encode_jsonl

    def header(self, head: dict[str, Any]) -> None:
        head = _shape(self, head, encode_jsonl)
        self.out.write(_dump({"type": "header", **head}) + "\n")

    def record(self, seq: int, payload: str) -> None:
        self.out.write(payload + "\n")

    def error(self, seq: int, error: RecordError) -> None:
        self.out.write(self.part_form.error(seq, error))

    def splice(self, copy: Copy, start: int, end: int) -> None:
        """Records and errors a worker wrote (its ``part_form``), in input order."""
        copy(start, end)

    def kept_error(self, seq: int, text: str) -> None:
        self.out.write(text)  # not used: the workers write jsonl errors inline

    def groups(self, entries: list[dict[str, Any]]) -> None:
        for entry in entries:
            self.out.write(_dump({"type": "group", **entry}) + "\n")

    def close(self, tally: Tally) -> None:
        self.out.write(_dump({"type": "summary", **tally.as_dict()}) + "\n")

    def flush(self) -> None:
        self.out.flush()


class _Spool:
    """Errors kept aside until the end of the document, in a file once they exceed 1 MiB."""

    def __init__(self) -> None:
        self.file: IO[str] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+", encoding="utf-8")
        self.count = 0

    def add(self, text: str) -> None:
        self.file.write(text + "\n")
        self.count += 1

    def lines(self) -> Any:
        self.file.seek(0)
        for line in self.file:
            yield line.rstrip("\n")

    def close(self) -> None:
        self.file.close()


class JsonWriter:
    """The result document (``result.schema.json``) of ``evaluate``, ``batch`` and Dask alike,
    streamed: the same input gives the same bytes whatever the executor. A run stopped early
    ends with ``"interrupted": true``, outside the schema on purpose: a cut result must not pass
    for a whole one."""

    part_form = JsonPart()

    def __init__(self, out: TextSink) -> None:
        self.out = out
        self.encoder: Encoder | None = encode_json
        self.first = True
        self.spool = _Spool()
        self._groups: list[dict[str, Any]] = []

    def header(self, head: dict[str, Any]) -> None:
        head = _shape(self, head, encode_json)
        keys = (*HEAD_KEYS, "rules")
        self.out.write("{\n" + "".join(f"{_dump(k)}: {_dump(head[k])},\n" for k in keys if k in head))
        self.out.write('"records": [')

    def record(self, seq: int, payload: str) -> None:
        self.out.write(("\n" if self.first else ",\n") + payload)
        self.first = False

    def error(self, seq: int, error: RecordError) -> None:
        self.spool.add(self.part_form.error(seq, error))

    def splice(self, copy: Copy, start: int, end: int) -> None:
        """Records a worker wrote, each after ``,\\n``: the run's first one after ``\\n`` alone."""
        if start < end and self.first:
            copy(start + 1, end)
            self.first = False
        else:
            copy(start, end)

    def kept_error(self, seq: int, text: str) -> None:
        self.spool.add(text)

    def groups(self, entries: list[dict[str, Any]]) -> None:
        self._groups = entries

    def close(self, tally: Tally) -> None:
        self.out.write("\n],\n\"groups\": [" + ",\n".join(_dump(g) for g in self._groups) + "],\n\"errors\": [")
        first = True
        for line in self.spool.lines():
            self.out.write(("\n" if first else ",\n") + line)
            first = False
        self.spool.close()
        cut = ',\n"interrupted": true' if tally.interrupted else ""
        self.out.write(f"],\n\"summary\": {_dump(tally.summary)}{cut}\n}}\n")

    def flush(self) -> None:
        self.out.flush()


class TextWriter:
    """For people, as ``evaluate --format text``: findings per record, aggregates, summary."""

    part_form = TextPart()

    def __init__(self, out: TextSink, *, verbose: bool = False) -> None:
        self.out = out
        self.verbose = verbose
        self.encoder: Encoder | None = functools.partial(encode_text, verbose=verbose)
        self.spool = _Spool()
        self._groups: list[dict[str, Any]] = []

    def header(self, head: dict[str, Any]) -> None:
        book = head["rulebook"]
        self.out.write(f"rulebook {book['id']} {book['version']} ({book['digest'][:19]})\n")

    def record(self, seq: int, payload: str) -> None:
        self.out.write(payload)

    def error(self, seq: int, error: RecordError) -> None:
        self.spool.add(self.part_form.error(seq, error))

    def splice(self, copy: Copy, start: int, end: int) -> None:
        copy(start, end)

    def kept_error(self, seq: int, text: str) -> None:
        self.spool.add(text)

    def groups(self, entries: list[dict[str, Any]]) -> None:
        self._groups = entries

    def close(self, tally: Tally) -> None:
        if self._groups:
            self.out.write("\naggregates\n")
        for o in self._groups:
            if is_shown(o, self.verbose):
                self.out.write(group_line(o))
        if self.spool.count:
            self.out.write("\n")
        for line in self.spool.lines():
            self.out.write(line + "\n")
        self.spool.close()
        self.out.write(summary_line(tally.records, tally.groups, tally.errors, tally.summary))
        if tally.interrupted:
            self.out.write(f"interrupted: the first {tally.records + tally.errors} input records are "
                           "reported; aggregates were not evaluated\n")

    def flush(self) -> None:
        self.out.flush()


def check_format(fmt: str, command: str = "batch") -> None:
    """A UserError unless *fmt* is a registered evaluation sink."""
    from checkengine.plugins import default_registry
    from checkengine.sinks import EVALUATION, find_sink

    find_sink(default_registry(), EVALUATION, fmt, command=command)


def make_writer(fmt: str, out: TextSink, *, verbose: bool = False) -> BatchWriter:
    """A writer of the registered evaluation sink *fmt* (streamed, or collecting for a reporter)."""
    from checkengine.plugins import default_registry
    from checkengine.sinks import EVALUATION, find_sink

    writer: BatchWriter = find_sink(default_registry(), EVALUATION, fmt, command="batch").open(out, verbose=verbose)
    return writer
