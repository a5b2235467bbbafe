"""The parent's side of :mod:`checkengine.batch.parts`: the workers' part files spliced into the
output in input order, the run's counts and duplicate ids kept, and the parts' private folder.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from checkengine.batch.job import OUTCOME_KEYS
from checkengine.batch.parts import WIDTH, PartResult, write_all
from checkengine.errors import Location
from checkengine.records import DuplicateIds, RecordError

if TYPE_CHECKING:
    from checkengine.batch.output import TextSink
    from checkengine.batch.writers import Tally


class Splicer:
    """The parent's side: each :class:`PartResult`, in input order, into the writer and the tally."""

    def __init__(self, writer: Any, out: TextSink | None, tally: Tally, target: str) -> None:
        self.writer = writer
        self.tally = tally
        self.target = target
        self.note = getattr(writer, "note", None)
        self.seen: dict[str, tuple[str | None, int, int]] = {}
        self.sources: dict[str, int] = {}
        self.copier = _Copier(out, target)

    def take(self, result: PartResult) -> None:
        if result.failure is not None:
            from checkengine.output import output_error

            number, message = result.failure
            raise output_error(self.target, OSError(number, message))
        duplicates = self._duplicates(result)
        source = self._source(result.part)

        def copy(start: int, end: int) -> None:
            self.copier.copy(source, start, end)

        if not duplicates:
            self.writer.splice(copy, result.begin, result.end)
            tally = self.tally
            for key, count in zip(OUTCOME_KEYS, result.sums):
                tally.summary[key] += count
            tally.records += result.records
            tally.failed_records += result.records - result.sums[-1]
            tally.errors += result.errors
            if result.errors:
                if self.note is not None:
                    for problem in result.noted:
                        self.note(problem)
                if result.kept:
                    seqs = [seq for seq, kind in zip(result.seqs, result.kinds) if kind]
                    for seq, text in zip(seqs, result.kept):
                        self.writer.kept_error(seq, text)
            return
        self._take_slowly(result, duplicates, copy)

    def _take_slowly(self, result: PartResult, duplicates: dict[int, RecordError], copy: Any) -> None:
        """A chunk with repeated ids: those records become errors, in their place."""
        tally = self.tally
        start, error = result.begin, 0
        for i, seq in enumerate(result.seqs):
            if result.kinds[i]:
                if error < len(result.noted) and self.note is not None:
                    self.note(result.noted[error])
                if result.kept:
                    self.writer.kept_error(seq, result.kept[error])
                error += 1
                tally.errors += 1
                continue
            problem = duplicates.get(i)
            if problem is None:
                counts = result.counts[WIDTH * i:WIDTH * (i + 1)]
                tally.add_record(tuple(counts[:-1]), bool(counts[-1]))
                continue
            self.writer.splice(copy, start, result.marks[i])
            start = result.marks[i + 1] if i + 1 < len(result.marks) else result.end
            self.writer.error(seq, problem)
            tally.errors += 1
        self.writer.splice(copy, start, result.end)

    def _duplicates(self, result: PartResult) -> dict[int, RecordError]:
        """The outputs of *result* whose id came earlier in the run, as errors by position."""
        seen = self.seen
        found: dict[int, RecordError] = {}
        files = result.files
        for i, key in enumerate(result.keys):
            if key is None:
                continue
            file = files if not isinstance(files, list) else files[i]
            first = seen.get(key)
            if first is None:
                seen[key] = (file, result.lines[i], result.columns[i])
                continue
            ids = DuplicateIds()  # the message of a repeated id, as every reader words it
            ids.check(key, _location(*first))
            problem = ids.check(key, _location(file, result.lines[i], result.columns[i]))
            assert problem is not None
            found[i] = problem
        return found

    def _source(self, part: str) -> int:
        fd = self.sources.get(part)
        if fd is None:
            fd = self.sources[part] = os.open(part, os.O_RDONLY | os.O_CLOEXEC)
        return fd

    def close(self) -> None:
        for fd in self.sources.values():
            with contextlib.suppress(OSError):
                os.close(fd)
        self.sources.clear()


def _location(file: str | None, line: int, column: int) -> Location:
    return Location(file, None if line < 0 else line, None if column < 0 else column)


#: the output file is flushed to the disk whenever this much was copied into it since the last time
SYNC_BYTES = 32 << 20


class _Copier:
    """Copies byte ranges of part files to the output: in the kernel when the output is a file
    or a pipe (``copy_file_range``, else ``sendfile``), else through the output's text stream.

    An output file is flushed to the disk (``fdatasync``) every :data:`SYNC_BYTES` while the run
    goes on: the output is made durable before it is renamed into place, and flushing it all at
    the end (100 ms for 170 MB) kept the workers' cores idle; this process waits on the workers
    most of the time anyway."""

    def __init__(self, out: TextSink | None, target: str) -> None:
        self.out = out
        self.target = target
        self.fd: int | None = None
        self.method = "copy_file_range"
        self.unsynced = -1  # bytes copied since the last flush; -1: not a regular file, never flushed
        stream = getattr(out, "stream", out)
        try:
            self.fd = stream.fileno()  # type: ignore[union-attr]
        except (AttributeError, OSError, ValueError):
            self.fd = None  # a stream in memory (a test's runner): through its text
        if self.fd is not None:
            with contextlib.suppress(OSError):
                self.unsynced = 0 if stat.S_ISREG(os.fstat(self.fd).st_mode) else -1

    def copy(self, source: int, start: int, end: int) -> None:
        if end <= start:
            return
        if self.out is not None:
            self.out.flush()  # what the writer wrote before this range comes before it
        try:
            if self.fd is None:
                assert self.out is not None
                self.out.write(os.pread(source, end - start, start).decode("utf-8"))
                return
            self._sync_after(end - start)
            while start < end:
                start += self._copy(source, start, end - start)
        except BrokenPipeError:
            raise
        except OSError as exc:
            from checkengine.output import output_error

            raise output_error(self.target, exc) from None

    def _sync_after(self, count: int) -> None:
        """Flush the output to the disk when :data:`SYNC_BYTES` were copied since the last time
        (before this copy of *count* bytes: the kernel writes the last ones back meanwhile). A
        failure is the output's failure: the final flush could not report it again."""
        if self.unsynced < 0:
            return
        if self.unsynced >= SYNC_BYTES:
            assert self.fd is not None
            os.fdatasync(self.fd)
            self.unsynced = 0
        self.unsynced += count

    def _copy(self, source: int, start: int, count: int) -> int:
        assert self.fd is not None
        count = min(count, 1 << 30)
        if self.method == "copy_file_range":
            try:
                done = os.copy_file_range(source, self.fd, count, start)
                if done:
                    return done
            except OSError as exc:
                if exc.errno not in (errno.EXDEV, errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EBADF):
                    raise
            self.method = "sendfile"
        if self.method == "sendfile":
            try:
                done = os.sendfile(self.fd, source, start, count)
                if done:
                    return done
            except OSError as exc:
                if exc.errno not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EBADF):
                    raise
            self.method = "write"
        data = os.pread(source, min(count, 1 << 24), start)
        if not data:
            raise OSError(errno.EIO, "a part of the output ended early")
        write_all(self.fd, data)
        return len(data)


@contextlib.contextmanager
def part_folder(output: str | None) -> Iterator[str]:
    """A private folder for the workers' parts: next to *output* (the same file system, so the
    copies stay in the kernel), or in the temporary folder for standard output; removed at the end."""
    import tempfile

    target = None if output in (None, "-") else Path(output)
    try:
        if target is not None and target.parent.is_dir() and not _special(target):
            folder = target.parent
            _clean_stale(folder, target.name)
            path = tempfile.mkdtemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".parts", dir=folder)
        else:
            path = tempfile.mkdtemp(prefix="checkengine-parts-")
    except OSError as exc:  # the output's own temporary file was made there: rare, but a message
        from checkengine.output import output_error

        raise output_error(str(output or "<stdout>"), exc) from None
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _special(target: Path) -> bool:
    from checkengine.output import is_special

    return is_special(target)


def _clean_stale(folder: Path, name: str) -> None:
    """Remove part folders of *name* left by runs that were killed (their process is gone)."""
    from checkengine.output import left_by_dead_runs

    for path in left_by_dead_runs(folder, name, ".parts"):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
