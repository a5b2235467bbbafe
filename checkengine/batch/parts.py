"""Workers that write their share of the output; the parent splices the shares in input order.

With the local pool, a worker does not send each record's output line back to the parent to be
unpickled and written there (the parent, on the same cores, was the bottleneck): it appends the
lines of each chunk to its own *part file* (the writer's :class:`PartForm`: the very text the
writer would have written) and sends back a small :class:`PartResult` - where the chunk's bytes
are, the ids and positions of its records (duplicate ids are found across the whole run, by the
parent), its counts, the unusable records' errors the format lists at the end, and its partial
aggregate state. The parent copies each chunk's bytes into the output in input order
(``os.copy_file_range`` or ``sendfile``, in the kernel; :mod:`checkengine.batch.splice`), so the
output is byte for byte what the writer would have written itself.

The part files live in a private folder next to the output (on standard output, in the
temporary folder), ``.NAME.<pid>.<random>.parts`` as :func:`checkengine.output.open_output`
names its own temporary file; the folder is removed when the run ends however it ends, and one
left by a killed run (its process gone) is removed by the next run that writes the same output.
"""

from __future__ import annotations

import contextlib
import errno
import os
from array import array
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Protocol

from checkengine.batch.job import OUTCOME_KEYS, SKIP, Evaluated, Job
from checkengine.batch.ranges import RangeChunk, range_items
from checkengine.batch.source import Chunk, validated
from checkengine.batch.worker import ChunkResult, runner_for
from checkengine.records import RecordError

if TYPE_CHECKING:
    from checkengine.batch.output import TextSink
    from checkengine.batch.writers import Tally

#: errors of a chunk sent back as objects (the parent names the first few unusable records on stderr)
NOTED = 10
WIDTH = len(OUTCOME_KEYS) + 1  # counts per outcome, then 1 when the record passed
#: a chunk's text is appended to the part whenever this much is waiting (memory per worker)
SPILL_BYTES = 1 << 18


class PartForm(Protocol):
    """How a writer's records and errors are written by the workers (``JsonLinesPart``, ...)."""

    inline_errors: bool
    """True: errors go into the part, among the records; False: back to the parent as text."""

    def record(self, seq: int, payload: Any) -> str: ...

    def error(self, seq: int, error: RecordError) -> str: ...


@dataclass(frozen=True)
class PartPlan:
    """Where a run's parts go: the folder (:func:`part_folder`), and the output they are copied
    into (the writer's stream) with its name for messages."""

    folder: str
    out: TextSink | None
    target: str


@dataclass(frozen=True)
class PartTask:
    """A chunk to evaluate into this worker's part file in *folder*."""

    chunk: Chunk | RangeChunk
    folder: str
    form: PartForm


@dataclass
class PartResult(ChunkResult):
    """What comes back of a :class:`PartTask`: no outputs, but where they are and what they hold."""

    part: str = ""
    begin: int = 0
    end: int = 0
    #: per output (records and errors), in input order: its sequence number, where its bytes
    #: start in the part, 1 for an error, the record's id (None: no id, or an error), its position
    seqs: array[int] = field(default_factory=lambda: array("q"))
    marks: array[int] = field(default_factory=lambda: array("q"))
    kinds: bytearray = field(default_factory=bytearray)
    keys: list[str | None] = field(default_factory=list)
    lines: array[int] = field(default_factory=lambda: array("q"))
    columns: array[int] = field(default_factory=lambda: array("q"))
    files: list[str | None] | str | None = None
    """The file of every output, or one for all (a range of one file)."""
    counts: array[int] = field(default_factory=lambda: array("l"))
    """Per output, its outcomes per kind (``OUTCOME_KEYS``) and 1 when it passed (0 for an error)."""
    sums: list[int] = field(default_factory=lambda: [0] * WIDTH)
    records: int = 0
    errors: int = 0
    kept: list[str] = field(default_factory=list)
    """The errors' texts, for a format that lists them at the end."""
    noted: list[RecordError] = field(default_factory=list)
    """The chunk's first errors, as objects."""
    failure: tuple[int, str] | None = None
    """(errno, message) when the part could not be written."""

    @property
    def count(self) -> int:
        return len(self.seqs)


_PARTS: dict[str, list[int]] = {}  # this process's part file in a folder: [descriptor, size]


def _part(folder: str) -> tuple[str, list[int]]:
    path = os.path.join(folder, f"{os.getpid()}.part")
    found = _PARTS.get(path)
    if found is None:
        for old in [p for p in _PARTS if not os.path.exists(os.path.dirname(p))]:
            with contextlib.suppress(OSError):
                os.close(_PARTS.pop(old)[0])  # a finished run's part (a long-lived worker)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
        found = _PARTS[path] = [fd, os.fstat(fd).st_size]
    return path, found


def run_part(job: Job, task: PartTask) -> PartResult:
    """Evaluate *task*'s chunk (the worker's side) and append its output to this worker's part."""
    runner = runner_for(job)
    chunk, form = task.chunk, task.form
    path, state = _part(task.folder)
    result = PartResult(chunk.index, [], runner.new_groups(), part=path, begin=state[1])
    ranged = isinstance(chunk, RangeChunk)
    result.files = chunk.display if isinstance(chunk, RangeChunk) else []
    items: Iterable[Any] = range_items(chunk) if isinstance(chunk, RangeChunk) else chunk.items
    pieces: list[bytes] = []
    pos = state[1]
    written = pos  # the part's bytes up to here are in the file
    zeros = (0,) * WIDTH
    sums = result.sums

    def spilled() -> bool:
        """Append what the chunk wrote so far to the part; False (and the failure noted) when it failed."""
        nonlocal written
        try:
            write_all(state[0], b"".join(pieces))
        except OSError as exc:
            result.failure = (exc.errno or errno.EIO, exc.strerror or str(exc))
            return False
        pieces.clear()
        written = pos
        return True

    def error(seq: int, problem: RecordError) -> None:
        nonlocal pos
        result.seqs.append(seq)
        result.marks.append(pos)
        result.kinds.append(1)
        result.keys.append(None)
        result.lines.append(-1)
        result.columns.append(-1)
        if not ranged:
            assert isinstance(result.files, list)
            result.files.append(None)
        result.counts.extend(zeros)
        result.errors += 1
        if len(result.noted) < NOTED:
            result.noted.append(problem)
        text = form.error(seq, problem)
        if form.inline_errors:
            data = text.encode("utf-8")
            pieces.append(data)
            pos += len(data)
        else:
            result.kept.append(text)

    for offset, item in enumerate(items):
        seq = chunk.start + offset
        record = validated(item)
        if record is None:
            continue
        if isinstance(record, RecordError):
            error(seq, record)
            continue
        evaluated = runner.process(record, seq)
        if evaluated is SKIP:
            kind = str(record.data.get("kind"))
            result.left_out[kind] = result.left_out.get(kind, 0) + 1
            continue
        if isinstance(evaluated, RecordError):
            error(seq, evaluated)
            continue
        assert isinstance(evaluated, Evaluated)
        runner.fold(result.groups, record)
        data = form.record(seq, evaluated.payload).encode("utf-8")
        result.seqs.append(seq)
        result.marks.append(pos)
        result.kinds.append(0)
        pieces.append(data)
        pos += len(data)
        key = record.data.get("id")
        result.keys.append(key if isinstance(key, str) else None)
        loc = record.location
        result.lines.append(-1 if loc.line is None else loc.line)
        result.columns.append(-1 if loc.column is None else loc.column)
        if not ranged:
            assert isinstance(result.files, list)
            result.files.append(loc.file)
        counts = (*evaluated.counts, 1 if evaluated.passed else 0)
        result.counts.extend(counts)
        for k, count in enumerate(counts):
            sums[k] += count
        result.records += 1
        if pos - written >= SPILL_BYTES and not spilled():
            return result
    if not spilled():
        return result
    state[1] = result.end = pos
    return result


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
