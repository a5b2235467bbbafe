"""Batch output in any registered reporter's format (``oscal``, ``hdf``, ``junit``, a plugin's ...).

Those formats are one document over the whole run, so the records are kept until the end and the
reporter renders the result as ``evaluate`` would have made it. The streaming formats (``jsonl``,
``json``, ``text``) have writers of their own in :mod:`checkengine.batch.writers`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TextIO, cast

from checkengine.batch.job import Encoder
from checkengine.batch.output import TextSink
from checkengine.batch.writers import encode_json
from checkengine.records import RecordError

if TYPE_CHECKING:
    from checkengine.batch.writers import BatchWriter, Copy, Tally
    from checkengine.reporting import Reporter


class ReporterWriter:
    """Collects a batch and hands it to *reporter* on close."""

    encoder: Encoder | None = staticmethod(encode_json)

    def __init__(self, reporter: Reporter, out: TextSink, *, verbose: bool = False) -> None:
        self.reporter = reporter
        self.out = out
        self.verbose = verbose
        self.head: dict[str, Any] = {}
        self.records: list[dict[str, Any]] = []
        self.errors: list[dict[str, Any]] = []
        self._groups: list[dict[str, Any]] = []

    def header(self, head: dict[str, Any]) -> None:
        self.head = {k: head[k] for k in ("schema", "rulebook", "language", "generated_at")}

    def record(self, seq: int, payload: str) -> None:
        self.records.append(json.loads(payload))

    def error(self, seq: int, error: RecordError) -> None:
        self.errors.append(error.as_dict())

    def groups(self, entries: list[dict[str, Any]]) -> None:
        self._groups = entries

    def close(self, tally: Tally) -> None:
        result = {**self.head, "records": self.records, "groups": self._groups, "errors": self.errors,
                  "summary": dict(tally.summary)}
        self.reporter.render(result, cast(TextIO, self.out), verbose=self.verbose)

    def flush(self) -> None:
        self.out.flush()


class NotingWriter:
    """Passes everything to *inner*, keeping the first unusable records to name them on stderr."""

    def __init__(self, inner: BatchWriter, *, keep: int = 10) -> None:
        self.inner = inner
        self.keep = keep
        self.errors: list[dict[str, Any]] = []

    @property
    def encoder(self) -> Encoder | None:
        """The inner writer's (which may choose it from the header)."""
        return self.inner.encoder

    @encoder.setter
    def encoder(self, value: Encoder | None) -> None:
        self.inner.encoder = value

    def header(self, head: dict[str, Any]) -> None:
        self.inner.header(head)

    def record(self, seq: int, payload: Any) -> None:
        self.inner.record(seq, payload)

    def error(self, seq: int, error: RecordError) -> None:
        if len(self.errors) < self.keep:
            self.errors.append(error.as_dict())
        self.inner.error(seq, error)

    def groups(self, entries: list[dict[str, Any]]) -> None:
        self.inner.groups(entries)

    @property
    def part_form(self) -> Any:
        """How workers write the inner writer's records to their parts (None: they cannot)."""
        return getattr(self.inner, "part_form", None)

    def splice(self, copy: Copy, start: int, end: int) -> None:
        self.inner.splice(copy, start, end)  # type: ignore[attr-defined]  # only when part_form is set

    def kept_error(self, seq: int, text: str) -> None:
        self.inner.kept_error(seq, text)  # type: ignore[attr-defined]  # only when part_form is set

    def note(self, error: RecordError) -> None:
        """An error that reached the output through a worker's part, not through :meth:`error`."""
        if len(self.errors) < self.keep:
            self.errors.append(error.as_dict())

    def close(self, tally: Tally) -> None:
        self.inner.close(tally)

    def flush(self) -> None:
        self.inner.flush()
