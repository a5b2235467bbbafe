"""Sinks: the one output API. Every ``--format`` of every command is a sink, found by name in the
registry (``checkengine_register_sinks``), so a plugin's format works wherever its kind of result is
written.

A sink declares which kinds of result it writes (:data:`KINDS`):

* ``evaluation`` - the results of ``evaluate``, ``batch`` and ``archive query``, *streamed*:
  :meth:`Sink.open` gives a :class:`SinkWriter` that receives ``header``, then each ``record``
  and ``error`` in input order, then the aggregate ``groups``, then ``close`` with the counts.
  Memory stays flat whatever the number of records, unless the format itself must hold them all.
* ``lint``, ``tests``, ``diff``, ``outcomes`` - one document each (a lint report, a rulebook test
  suite, a rulebook diff with its replay, the archived outcomes ``archive query`` selects), written
  by :meth:`Sink.write`.

A sink writes text, or bytes when ``binary`` is set (the command then hands it a binary stream).
The reporters of the older ``checkengine_register_reporters`` hook are adapted into collecting
evaluation sinks (:class:`ReporterSink`); that hook is kept for existing plugins and deprecated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable, Protocol

from checkengine.errors import UserError

if TYPE_CHECKING:
    from checkengine.batch.writers import Tally
    from checkengine.plugins import Registry
    from checkengine.records import Record, RecordError
    from checkengine.reporting import Reporter

EVALUATION = "evaluation"
LINT = "lint"
TESTS = "tests"
DIFF = "diff"
OUTCOMES = "outcomes"
KINDS = (EVALUATION, LINT, TESTS, DIFF, OUTCOMES)

#: The header fields of an evaluation result, in the order the result schema lists them.
HEAD_KEYS = ("schema", "rulebook", "language", "generated_at")

Encoder = Callable[[int, dict[str, Any], "Record"], Any]


class Output(Protocol):
    """Where a sink writes: a text stream (or a binary one, for a ``binary`` sink)."""

    def write(self, data: Any, /) -> int: ...

    def flush(self) -> None: ...


class SinkWriter(Protocol):
    """One run's output of an evaluation sink.

    ``encoder`` (None: the entry itself) runs where the record was evaluated - a worker process or
    a Dask worker - and turns (position, result entry, record) into the payload that ``record``
    receives: a line of JSON pickles far faster than the entry's nested dicts. It must be a
    module-level function (or a ``functools.partial`` of one), so that it pickles by name.
    """

    encoder: Encoder | None

    def header(self, head: dict[str, Any]) -> None:
        """The result's header: ``schema``, ``rulebook``, ``language``, ``generated_at`` (and
        ``order`` from ``batch``)."""

    def record(self, seq: int, payload: Any) -> None:
        """One record's result (its encoded entry), *seq* its position in the input."""

    def error(self, seq: int, error: RecordError) -> None:
        """An unusable record, at input position *seq*; the run goes on."""

    def groups(self, entries: list[dict[str, Any]]) -> None:
        """The aggregate groups, judged over the whole run (not called when interrupted)."""

    def close(self, tally: Tally) -> None:
        """The end of the run, with its counts (``tally.interrupted`` when stopped early)."""

    def flush(self) -> None:
        """Push what was written so far (called after each chunk)."""


class Sink:
    """An output format. ``name`` is what ``--format`` takes; ``kinds`` the results it writes."""

    name: str = ""
    summary: str = ""
    kinds: tuple[str, ...] = (EVALUATION,)
    binary: bool = False

    def open(self, out: Any, *, verbose: bool = False) -> SinkWriter:
        """A writer for one evaluation run, writing to *out* (kind ``evaluation``)."""
        raise TypeError(f"the sink '{self.name}' does not write evaluation results")

    def write(self, document: Any, out: Any, **options: Any) -> None:
        """Write one whole document of a document kind (``lint``, ``tests``, ``diff``, ``outcomes``)."""
        raise TypeError(f"the sink '{self.name}' does not write documents")

    def write_runs(self, results: list[dict[str, Any]], out: Any, *, verbose: bool = False) -> None:
        """Several evaluation results in one output (``archive query``). A sink that holds one run
        streams a single one and refuses more, naming the formats that can."""
        if len(results) != 1:
            raise UserError(f"--format {self.name} holds one run, and the selection spans {len(results)} runs; "
                            "narrow it (--period, --rule ...) or choose a format that holds several "
                            "(oscal, hdf, json)")
        replay(results[0], self.open(out, verbose=verbose))


def replay(result: dict[str, Any], writer: SinkWriter) -> None:
    """Feed a whole evaluation result (``result.schema.json``) to *writer*, as a run would."""
    from checkengine.batch.writers import Tally
    from checkengine.errors import Location
    from checkengine.records import Record, RecordError

    writer.header({k: result[k] for k in HEAD_KEYS if k in result})
    tally = Tally()
    for seq, entry in enumerate(result["records"]):
        rec = entry["record"]
        record = Record(rec, Location(rec.get("file"), rec.get("line")))
        writer.record(seq, entry if writer.encoder is None else writer.encoder(seq, entry, record))
        counts = [0] * len(tally.summary)
        for o in entry["outcomes"]:
            counts[list(tally.summary).index(o["outcome"])] += 1
        tally.add_record(tuple(counts), bool((entry.get("score") or {}).get("passed", True)))
    for err in result["errors"]:
        tally.errors += 1
        writer.error(-1, RecordError(Location(err.get("file"), err.get("line"), err.get("column"),
                                              err.get("path")), err["message"]))
    writer.groups(list(result["groups"]))
    tally.add_groups(list(result["groups"]))
    writer.close(tally)


class ReporterSink(Sink):
    """A reporter of the deprecated ``checkengine_register_reporters`` hook as an evaluation sink:
    it collects the run and renders the whole result at the end."""

    def __init__(self, reporter: Reporter) -> None:
        self.reporter = reporter
        self.name, self.summary = reporter.name, reporter.summary

    def open(self, out: Any, *, verbose: bool = False) -> SinkWriter:
        from checkengine.batch.collect import ReporterWriter

        return ReporterWriter(self.reporter, out, verbose=verbose)

    def write_runs(self, results: list[dict[str, Any]], out: Any, *, verbose: bool = False) -> None:
        self.reporter.render_runs(results, out, verbose=verbose)


class DocumentSink(Sink):
    """A document format given as a function ``write(document, out, **options)``."""

    def __init__(self, name: str, kind: str, function: Callable[..., None], summary: str = "") -> None:
        self.name, self.summary, self.kinds, self.function = name, summary, (kind,), function

    def write(self, document: Any, out: Any, **options: Any) -> None:
        self.function(document, out, **options)


def sinks_of(registry: Registry, kind: str) -> dict[str, Sink]:
    """The sinks that write *kind*, by name."""
    return registry.sinks.get(kind, {})


def find_sink(registry: Registry, kind: str, name: str, *, command: str | None = None,
              also: Iterable[str] = ()) -> Sink:
    """The sink *name* of *kind*, or a UserError listing the formats *command* takes."""
    found = sinks_of(registry, kind).get(name)
    if found is None:
        choices = ", ".join(sorted(set(sinks_of(registry, kind)) | set(also)))
        where = f" for {command}" if command else ""
        raise UserError(f"unknown format '{name}'{where}; choose one of: {choices}")
    return found
