"""Adding a batch to the archive: a run, its records with their outcomes, its groups and errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Iterable

from checkengine import __version__
from checkengine.archive.rows import RecordRows, encode_record, group_row
from checkengine.archive.store import Archive, now
from checkengine.batch.executors import Executor
from checkengine.batch.interrupt import StopFlag
from checkengine.batch.job import EngineSpec, Encoder
from checkengine.batch.run import BatchOptions, evaluate_batch
from checkengine.batch.writers import Tally
from checkengine.records import RecordError

RECORD_COLUMNS = ("id, run, book, seq, record_id, kind, site, team, employee, role, timestamp, day, month, week, "
                  "file, line, score, passed, grade, data")
OUTCOME_COLUMNS = ("run, book, record, group_key, rule, section, outcome, severity, weight, site, team, employee, "
                   "day, month, week, explanation, observed, expected, parameters, waiver, comment, evidence, "
                   "details")


def _marks(columns: str) -> str:
    return ", ".join("?" for _ in columns.split(","))


class ArchiveSink:
    """Receives a batch in input order and inserts it, a chunk at a time."""

    encoder: Encoder | None = staticmethod(encode_record)

    def __init__(self, archive: Archive, run: int, book: str) -> None:
        self.archive = archive
        self.run = run
        self.book = book
        self.next_record = archive.next_id("records")
        self.records: list[tuple[Any, ...]] = []
        self.outcomes: list[tuple[Any, ...]] = []
        self.errors: list[tuple[Any, ...]] = []

    def record(self, seq: int, payload: RecordRows) -> None:
        rid = self.next_record
        self.next_record += 1
        self.records.append((rid, self.run, self.book, *payload.record))
        self.outcomes.extend((self.run, self.book, rid, None, *row) for row in payload.outcomes)

    def error(self, seq: int, error: RecordError) -> None:
        loc = error.location
        self.errors.append((self.run, seq, loc.file, loc.line, loc.column, loc.path, error.message))

    def groups(self, entries: list[dict[str, Any]]) -> None:
        for entry in entries:
            key, row = group_row(entry)
            self.outcomes.append((self.run, self.book, None, key, *row))
        self.flush()

    def flush(self) -> None:
        db = self.archive.db
        if self.records:
            db.executemany(f"INSERT INTO records ({RECORD_COLUMNS}) VALUES ({_marks(RECORD_COLUMNS)})", self.records)
        if self.outcomes:
            db.executemany(f"INSERT INTO outcomes ({OUTCOME_COLUMNS}) VALUES ({_marks(OUTCOME_COLUMNS)})",
                           self.outcomes)
        if self.errors:
            db.executemany('INSERT INTO errors (run, seq, file, line, "column", path, message) '
                           "VALUES (?, ?, ?, ?, ?, ?, ?)", self.errors)
        self.records, self.outcomes, self.errors = [], [], []


def rulebook_row(archive: Archive, spec: EngineSpec) -> int:
    """The id of the rulebook's row (added the first time its digest is seen)."""
    book = spec.book
    db = archive.db
    db.execute("INSERT OR IGNORE INTO rulebooks (rulebook_id, version, digest, merged, archived_at) "
               "VALUES (?, ?, ?, ?, ?)",
               (book.id, book.version, book.digest, json.dumps(book.merged, ensure_ascii=False), now()))
    row = db.execute("SELECT id FROM rulebooks WHERE digest = ?", (book.digest,)).fetchone()
    return int(row[0])


def add_batch(
    archive: Archive,
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
    with archive.writing():
        book_id = rulebook_row(archive, spec)
        run = archive.next_id("runs")
        waivers = [w.as_dict(status="given") for w in spec.waivers]
        archive.db.execute(
            "INSERT INTO runs (id, rulebook, started_at, language, as_of, inputs, waivers, tool) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (run, book_id, now(), language, spec.on.isoformat() if spec.on else None,
             json.dumps(inputs, ensure_ascii=False), json.dumps(waivers, ensure_ascii=False, default=str),
             f"checkengine {__version__}"),
        )
        sink = ArchiveSink(archive, run, spec.book.id)
        tally = evaluate_batch(spec, inputs, sink, executor, stop=stop, options=options, after_chunk=after_chunk)
        sink.flush()
        archive.db.execute(
            "INSERT INTO run_ends (run, finished_at, status, records, errors, groups) VALUES (?, ?, ?, ?, ?, ?)",
            (run, now(), "interrupted" if tally.interrupted else "complete", tally.records, tally.errors,
             tally.groups),
        )
    return run, tally
