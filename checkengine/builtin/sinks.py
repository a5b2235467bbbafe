"""Built-in sinks: the streamed evaluation formats (jsonl, json, text, summary) and the formats of lint,
test, diff and archive query's listing. The other evaluation formats (junit, summary, oscal, hdf)
are reporters, adapted into collecting sinks by the registry (summary is streamed: it counts)."""

from __future__ import annotations

from typing import Any, Callable, Iterable

from checkengine import hookimpl
from checkengine.sinks import DIFF, EVALUATION, LINT, OUTCOMES, TESTS, DocumentSink, Sink, SinkWriter


class JsonLinesSink(Sink):
    name = "jsonl"
    summary = "One JSON object a line: a header, each record and error in input order, the groups, a summary."
    kinds = (EVALUATION,)

    def open(self, out: Any, *, verbose: bool = False) -> SinkWriter:
        from checkengine.batch.writers import JsonLinesWriter

        return JsonLinesWriter(out)


class JsonSink(Sink):
    name = "json"
    summary = "The whole result as one JSON document (result.schema.json), streamed."
    kinds = (EVALUATION,)

    def open(self, out: Any, *, verbose: bool = False) -> SinkWriter:
        from checkengine.batch.writers import JsonWriter

        return JsonWriter(out)


class TextSink(Sink):
    name = "text"
    summary = "For people: findings per record, then a summary (--verbose lists passes too)."
    kinds = (EVALUATION,)

    def open(self, out: Any, *, verbose: bool = False) -> SinkWriter:
        from checkengine.batch.writers import TextWriter

        return TextWriter(out, verbose=verbose)


def _lint(name: str) -> Callable[..., None]:
    def write(report: Any, out: Any, **options: Any) -> None:
        from checkengine.lint.reporters import FORMATS

        FORMATS[name](report, out)

    return write


def _tests(name: str) -> Callable[..., None]:
    def write(suite: Any, out: Any, *, coverage: bool = False, **options: Any) -> None:
        from checkengine.ruletest_report import FORMATS

        FORMATS[name](suite, out, coverage=coverage)

    return write


def _diff(name: str) -> Callable[..., None]:
    def write(document: Any, out: Any, *, rows: int = 100, **options: Any) -> None:
        from checkengine.diff.render import render_json, render_markdown, render_text

        diff, result = document
        if name == "json":
            render_json(diff, result, out)
        elif name == "markdown":
            render_markdown(diff, result, out, rows=rows)
        else:
            render_text(diff, result, out)

    return write


def outcomes_text(items: Iterable[dict[str, Any]], out: Any, *, history: bool = False, **options: Any) -> None:
    from checkengine.archive.query import text_line

    count = 0
    for item in items:
        out.write(text_line(item) + "\n")
        count += 1
    out.write(f"{count} outcomes ({'all evaluations' if history else 'latest evaluations'})\n")


def outcomes_json(items: Iterable[dict[str, Any]], out: Any, **options: Any) -> None:
    import json

    count = 0
    out.write("[")
    for item in items:
        out.write(("\n" if count == 0 else ",\n") + json.dumps(item, ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")


LINT_FORMATS = {"text": "path:line:col: CODE field: message, one a line, then a summary.",
                "json": "The findings as one JSON document (checkengine/lint/1).",
                "junit": "JUnit XML: a test suite per file.", "sarif": "SARIF 2.1.0, for code scanning.",
                "github": "GitHub Actions annotations on the lines."}
TEST_FORMATS = {"text": "Failed tests and a count.", "json": "Cases and coverage (checkengine/tests/1).",
                "junit": "JUnit XML: a suite per test file.", "sarif": "SARIF on the failing rule's line.",
                "github": "GitHub Actions annotations on the failing rule's line."}
DIFF_FORMATS = {"text": "For people.", "json": "The diff and replay as one JSON document.",
                "markdown": "For a pull-request comment."}


def builtin_sinks() -> list[Sink]:
    from checkengine.builtin.summary_sink import SummarySink

    found: list[Sink] = [JsonLinesSink(), JsonSink(), TextSink(), SummarySink()]
    found += [DocumentSink(n, LINT, _lint(n), s) for n, s in LINT_FORMATS.items()]
    found += [DocumentSink(n, TESTS, _tests(n), s) for n, s in TEST_FORMATS.items()]
    found += [DocumentSink(n, DIFF, _diff(n), s) for n, s in DIFF_FORMATS.items()]
    found += [DocumentSink("text", OUTCOMES, outcomes_text, "One outcome a line, then a count."),
              DocumentSink("json", OUTCOMES, outcomes_json, "The outcomes as a JSON array.")]
    return found


@hookimpl(trylast=True)
def checkengine_register_sinks(register: Callable[[Sink], None]) -> None:
    for sink in builtin_sinks():
        register(sink)
