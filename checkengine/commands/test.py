"""``checkengine test``: rulebook unit tests, with rule coverage."""

from __future__ import annotations

import click

from checkengine.commands._common import FiniteFloatRange, open_output


@click.command("test")
@click.argument("paths", nargs=-1, required=True, metavar="PATH_OR_BUNDLE...")
@click.option("--coverage", is_flag=True, help="List the rules that lack a passing or a failing case.")
@click.option("--min-coverage", type=FiniteFloatRange(0, 100), default=None, metavar="PERCENT",
              help="Fail (exit 1) when fewer rules than this have both a passing and a failing case.")
@click.option("--format", "-f", "fmt", default="text", show_default=True,
              help="text, json, junit for test-result views, sarif for code scanning, github for "
                   "annotations on the failing rule's line, or a plugin's tests sink.")
@click.option("--output", "-o", metavar="FILE", help="Write the report to FILE (atomically) instead of stdout.")
def command(paths: tuple[str, ...], coverage: bool, min_coverage: float | None, fmt: str,
            output: str | None) -> int:
    """Run the rulebook tests found in PATHs (files or folders of kind: tests).

    Exit 0 all pass, 1 a test failed or coverage is below --min-coverage, 2 unusable input.
    """
    from checkengine.errors import UserError
    from checkengine.plugins import default_registry
    from checkengine.ruletests import run_tests
    from checkengine.sinks import TESTS, find_sink

    from checkengine.bundle.unpack import extract, is_bundle

    sink = find_sink(default_registry(), TESTS, fmt, command="test")
    # A bundle brings its own tests: run them against the rulebooks it holds.
    suite = run_tests([str(extract(p)[0]) if is_bundle(p) else p for p in paths])
    if not suite.cases:
        raise UserError(f"no rulebook tests (files with kind: tests) found in {', '.join(paths)}")
    with open_output(output, binary=sink.binary) as out:
        sink.write(suite, out, coverage=coverage)
    if output and suite.failed:
        click.echo(f"checkengine: {len(suite.failed)} of {len(suite.cases)} rulebook tests failed "
                   f"(details in {output})", err=True)
    if suite.failed:
        return 1
    percent = suite.coverage_percent()
    if min_coverage is not None and percent < min_coverage:
        click.echo(f"coverage {percent:.1f}% is below --min-coverage {min_coverage:g}%", err=True)
        return 1
    return 0
