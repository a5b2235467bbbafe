"""A third-party plugin that adds a source and a sink, as a plugin distribution would, without
touching checkengine itself.

* the source reads ``memo://NAME``: the records the embedding program (here, the test) put in
  :data:`MEMOS` under NAME, a record a line; a missing memo is an unusable input, not a crash;
* the sink ``verdicts`` writes one line per record (``id verdict``), the unusable records, and a
  closing count - streamed, so it works for evaluate, batch, Dask and archive query alike;
* the sink ``codes`` writes lint findings as ``CODE count`` lines (a sink of the ``lint`` kind);
* the executor ``threads`` runs chunks on a thread pool (the door a Spark or Ray plugin uses).
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

from checkengine import hookimpl
from checkengine.errors import Location
from checkengine.loading import RawRecord
from checkengine.records import Record, RecordError
from checkengine.sinks import LINT, Sink

MEMOS: dict[str, list[Any]] = {}


class MemoSource:
    name = "memo"
    summary = "memo://NAME: records kept in memory by the embedding program."
    schemes = ("memo",)

    def read(self, address: str, registry: Any) -> Iterator[RawRecord | RecordError]:
        memo = address[len("memo://"):]
        if memo not in MEMOS:
            yield RecordError(Location(address), f"no memo named '{memo}'; known: {', '.join(sorted(MEMOS))}")
            return
        for number, data in enumerate(MEMOS[memo], 1):
            yield RawRecord(data, Location(address, number, 1))

    def check(self, address: str, registry: Any) -> None:
        return None

    def estimate_total(self, address: str, registry: Any) -> int | None:
        return len(MEMOS.get(address[len("memo://"):], []))

    def files(self, address: str, registry: Any) -> list[Any]:
        return []


def verdict_line(seq: int, entry: dict[str, Any], record: Record) -> str:
    """Runs where the record was evaluated (a worker): only a short line travels back."""
    passed = (entry.get("score") or {}).get("passed", True)
    failed = sum(1 for o in entry["outcomes"] if o["outcome"] == "fail")
    return f"{entry['record']['id']} {'passed' if passed and not failed else 'FAILED'} ({failed} failed rules)"


class VerdictsWriter:
    encoder = staticmethod(verdict_line)

    def __init__(self, out: Any) -> None:
        self.out = out
        self.records = 0

    def header(self, head: dict[str, Any]) -> None:
        self.out.write(f"# verdicts of {head['rulebook']['id']}\n")

    def record(self, seq: int, payload: str) -> None:
        self.records += 1
        self.out.write(payload + "\n")

    def error(self, seq: int, error: RecordError) -> None:
        self.out.write(f"unusable {error.text()}\n")

    def groups(self, entries: list[dict[str, Any]]) -> None:
        self.out.write(f"# {len(entries)} aggregate groups\n")

    def close(self, tally: Any) -> None:
        self.out.write(f"# {self.records} records\n")

    def flush(self) -> None:
        self.out.flush()


class VerdictsSink(Sink):
    name = "verdicts"
    summary = "One line per record: its id and verdict."

    def open(self, out: Any, *, verbose: bool = False) -> VerdictsWriter:
        return VerdictsWriter(out)


class CodesSink(Sink):
    name = "codes"
    summary = "How many findings of each code."
    kinds = (LINT,)

    def write(self, document: Any, out: Any, **options: Any) -> None:
        counts: dict[str, int] = {}
        for finding in document.findings:
            counts[finding.code] = counts.get(finding.code, 0) + 1
        for code, count in sorted(counts.items()):
            out.write(f"{code} {count}\n")


class ThreadsExecutor:
    """Chunks on a pool of threads in this process (what a cluster plugin wraps around run_chunk)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.window = 2 * workers + 1
        self.pool: Any = None
        self.job: Any = None
        self.submitted = 0

    def connect(self) -> None:
        return None

    def start(self, job: Any) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.job, self.pool = job, ThreadPoolExecutor(self.workers)

    def submit(self, chunk: Any) -> Any:
        from checkengine.batch.worker import run_chunk

        self.submitted += 1
        return self.pool.submit(run_chunk, self.job, chunk)

    def close(self, *, cancel: bool) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=cancel)
            self.pool = None


CREATED: list[ThreadsExecutor] = []


class ThreadsType:
    name = "threads"
    summary = "A pool of threads in this process (--jobs N)."

    def create(self, *, jobs: int | None, scheduler: str | None, connect_timeout: float) -> ThreadsExecutor:
        executor = ThreadsExecutor(jobs or 2)
        CREATED.append(executor)
        return executor


@hookimpl
def checkengine_register_executors(register: Callable[[Any], None]) -> None:
    register(ThreadsType())


@hookimpl
def checkengine_register_sources(register: Callable[[Any], None]) -> None:
    register(MemoSource())


@hookimpl
def checkengine_register_sinks(register: Callable[[Sink], None]) -> None:
    register(VerdictsSink())
    register(CodesSink())
