"""Adding a batch to the archive: a run, its records with their outcomes, its groups and errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable

from checkengine.archive.rows import RecordRows, encode_record, group_row
from checkengine.archive.store import Store
from checkengine.batch.executors import Executor
from checkengine.batch.interrupt import StopFlag
from checkengine.batch.job import EngineSpec, Encoder
from checkengine.batch.run import BatchOptions, evaluate_batch
from checkengine.batch.writers import Tally
from checkengine.records import RecordError


class ArchiveSink:
    """Receives a batch in input order and inserts it, a chunk at a time."""

    encoder: Encoder | None = staticmethod(encode_record)

    def __init__(self, archive: Store, run: int, book: str) -> None:
        self.archive = archive
        self.run = run
        self.book = book
        self.records: list[RecordRows] = []
        self.errors: list[tuple[Any, ...]] = []

    def record(self, seq: int, payload: RecordRows) -> None:
        self.records.append(payload)

    def error(self, seq: int, error: RecordError) -> None:
        loc = error.location
        self.errors.append((self.run, seq, loc.file, loc.line, loc.column, loc.path, error.message))

    def groups(self, entries: list[dict[str, Any]]) -> None:
        self.flush()
        self.archive.add_groups(self.run, self.book, [group_row(entry) for entry in entries])

    def flush(self) -> None:
        self.archive.add_records(self.run, self.book, self.records)
        self.archive.add_errors(self.errors)
        self.records, self.errors = [], []


def add_batch(
    archive: Store,
    spec: EngineSpec,
    paths: Iterable[str | Path],
    executor: Executor,
    *,
    language: str,
    stop: StopFlag | None = None,
    options: BatchOptions | None = None,
    after_chunk: Callable[[int], None] | None = None,
) -> tuple[int, Tally]:
    """Evaluate *paths* and archive everything as one run, in one transaction. (run id, counts)."""
    inputs = [str(p) for p in paths]
    book = spec.book
    book_id = archive.add_rulebook(book.id, book.version, book.digest, book.merged)
    with archive.writing():
        waivers = [w.as_dict(status="given") for w in spec.waivers]
        run = archive.begin_run(book_id, language=language, as_of=spec.on.isoformat() if spec.on else None,
                                inputs=inputs, waivers=waivers)
        sink = ArchiveSink(archive, run, book.id)
        tally = evaluate_batch(spec, inputs, sink, executor, stop=stop, options=options, after_chunk=after_chunk)
        sink.flush()
        archive.end_run(run, status="interrupted" if tally.interrupted else "complete", records=tally.records,
                        errors=tally.errors, groups=tally.groups)
    return run, tally
