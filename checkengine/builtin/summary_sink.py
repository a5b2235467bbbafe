"""``--format summary`` streamed: outcome counts per rule, kept as the records come, so memory
stays flat (the reporter it replaces held the whole result to count it).

The worker reduces each record's entry to its (rule, title, section, outcome) rows: a rule's title
and section are the same string objects in every outcome, so a chunk pickles them once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from checkengine.builtin.summary_reporter import COLUMNS, HEAD, SummaryReporter
from checkengine.records import Record, RecordError
from checkengine.sinks import EVALUATION, Encoder, Sink, SinkWriter

if TYPE_CHECKING:  # the batch writers (and the engine they import) load when a run writes a summary
    from checkengine.batch.writers import Tally

Row = tuple[str, str, str, str]


def encode_summary(seq: int, entry: dict[str, Any], record: Record) -> list[Row]:
    return [(o["rule"], o["title"], o["section"], o["outcome"]) for o in entry["outcomes"]]


class SummaryWriter:
    """The summary reporter's table, counted as the run goes: the same text."""

    encoder: Encoder | None = staticmethod(encode_summary)

    def __init__(self, out: Any) -> None:
        from checkengine.batch.writers import _Spool

        self.out = out
        self.head: dict[str, Any] = {}
        self.rows: dict[str, dict[str, Any]] = {}
        self.spool = _Spool()
        self._groups: list[dict[str, Any]] = []

    def _count(self, rule: str, title: str, section: str, outcome: str) -> None:
        row = self.rows.get(rule)
        if row is None:
            row = self.rows[rule] = {"rule": rule, "title": title, "section": section, **{c: 0 for c in COLUMNS}}
        row[outcome] += 1

    def header(self, head: dict[str, Any]) -> None:
        self.head = head

    def record(self, seq: int, payload: Any) -> None:
        rows = encode_summary(seq, payload, None) if isinstance(payload, dict) else payload  # type: ignore[arg-type]
        known = self.rows.get  # _count inline: this runs for every outcome of the run
        for rule, title, section, outcome in rows:
            row = known(rule)
            if row is None:
                self._count(rule, title, section, outcome)
            else:
                row[outcome] += 1

    def error(self, seq: int, error: RecordError) -> None:
        err = error.as_dict()
        where = ":".join(str(x) for x in (err["file"], err.get("line"), err.get("column")) if x)
        path = f" {err['path']}:" if err.get("path") else ""
        self.spool.add(f"{where}: error:{path} {err['message']}")

    def groups(self, entries: list[dict[str, Any]]) -> None:
        self._groups = entries

    def close(self, tally: Tally) -> None:
        for o in self._groups:
            self._count(o["rule"], o["title"], o["section"], o["outcome"])
        book = self.head["rulebook"]
        out = self.out
        out.write(f"rulebook {book['id']} {book['version']} ({book['digest'][:19]}), "
                  f"{tally.records} records, {len(self._groups)} aggregate groups\n")
        rows = list(self.rows.values())
        width = max([len(r["rule"]) for r in rows] + [4])
        out.write(f"  {'rule':<{width}} " + " ".join(f"{h:>6}" for h in HEAD) + "  title\n")
        for row in rows:
            counts = " ".join(f"{row[c]:>6}" for c in COLUMNS)
            out.write(f"  {row['rule']:<{width}} {counts}  {row['title']}\n")
        for line in self.spool.lines():
            out.write(line + "\n")
        self.spool.close()
        s = tally.summary
        out.write(f"total: {s['pass']} passed, {s['fail']} failed, {s['waived']} waived, "
                  f"{s['needs_review']} need review, {s['error']} errors, {s['not_applicable']} not applicable, "
                  f"{tally.errors} unusable\n")

    def flush(self) -> None:
        self.out.flush()


class SummarySink(Sink):
    name = "summary"
    summary = SummaryReporter.summary
    kinds = (EVALUATION,)

    def open(self, out: Any, *, verbose: bool = False) -> SinkWriter:
        return SummaryWriter(out)

    def write_runs(self, results: list[dict[str, Any]], out: Any, *, verbose: bool = False) -> None:
        SummaryReporter().render_runs(results, out, verbose=verbose)
