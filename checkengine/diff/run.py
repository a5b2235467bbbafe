"""Running a replay over an archive or record files, keeping counts and spooling the changes."""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator

from checkengine.archive.store import is_url, open_archive
from checkengine.batch.executors import Executor
from checkengine.batch.interrupt import StopFlag
from checkengine.batch.pipeline import run_pipeline
from checkengine.batch.source import Item, Unchecked, chunked
from checkengine.batch.worker import Output, runner_for
from checkengine.diff.replay import RecordChanges, ReplayJob, ReplayRunner
from checkengine.errors import Location
from checkengine.plugins import Registry

SQLITE_MAGIC = b"SQLite format 3\x00"


def is_archive(source: str | Path) -> bool:
    """Whether *source* is an archive (a ``postgresql://`` URL, or a SQLite file) rather than records."""
    if is_url(source):
        return "table=" not in str(source)  # with table=, a table of records (a source), not an archive
    path = Path(source)
    if not path.is_file():
        return False
    with path.open("rb") as fh:
        return fh.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC


def archive_items(location: str | Path) -> Iterator[Item]:
    """The latest archived version of every record, in archive order (validated again in the
    workers: the record schema may have moved on since they were archived)."""
    with open_archive(location, write=False) as archive:
        for data, file, line in archive.latest_records():
            yield Unchecked(data, Location(file, line))


def replay_items(sources: Iterable[str | Path], registry: Registry) -> Iterator[Item]:
    """Archives (a SQLite file, a ``postgresql://`` URL without ``table=``) replay their latest
    records; any other input is read by its source (files, folders, ``-``, a plugin's scheme)."""
    from checkengine.sources import read_items

    for source in sources:
        if is_archive(source):
            yield from archive_items(source)
        else:
            yield from read_items([source], registry)


@dataclass
class ReplayResult:
    sources: list[str]
    records: int = 0
    unusable: int = 0
    changed_records: int = 0
    groups: list[RecordChanges] = field(default_factory=list)
    transitions: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    """(rule, old, new) -> how many records and groups make that move."""
    interrupted: bool = False
    spool: IO[str] = field(default_factory=lambda: tempfile.TemporaryFile("w+", encoding="utf-8"))
    """The changed records, one JSON object a line, in input order."""

    @property
    def changed(self) -> bool:
        return bool(self.changed_records or self.groups)

    def changed_entries(self) -> Iterator[dict[str, Any]]:
        self.spool.seek(0)
        for line in self.spool:
            yield json.loads(line)

    def close(self) -> None:
        self.spool.close()


def replay(
    job: ReplayJob,
    sources: list[str],
    executor: Executor,
    *,
    stop: StopFlag | None = None,
    chunk_size: int = 200,
    after_chunk: Callable[[int], None] | None = None,
) -> ReplayResult:
    runner = runner_for(job)
    assert isinstance(runner, ReplayRunner)
    result = ReplayResult(sources)

    def consume(output: Output) -> None:
        if output.error is not None:
            result.unusable += 1
            return
        result.records += 1
        changes: RecordChanges | None = output.payload
        if changes is None:
            return
        result.changed_records += 1
        for change in changes.changes:
            result.transitions[(change.rule, change.old, change.new)] += 1
        result.spool.write(json.dumps(changes.as_dict(), ensure_ascii=False) + "\n")

    items = replay_items(sources, runner.new.registry)
    done = run_pipeline(job, chunked(items, chunk_size), executor, consume=consume, stop=stop or StopFlag(),
                        after_chunk=after_chunk)
    if done.interrupted:
        result.interrupted = True
        return result
    result.groups = runner.finish(done.groups)
    for group in result.groups:
        for change in group.changes:
            result.transitions[(change.rule, change.old, change.new)] += 1
    return result
