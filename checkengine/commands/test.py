"""``checkengine test``: rulebook unit tests, with rule coverage."""

from __future__ import annotations

import json

import click

from checkengine.commands._common import FiniteFloatRange


@click.command("test")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--coverage", is_flag=True, help="List the rules that lack a passing or a failing case.")
@click.option("--min-coverage", type=FiniteFloatRange(0, 100), default=None, metavar="PERCENT",
              help="Fail (exit 1) when fewer rules than this have both a passing and a failing case.")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def command(paths: tuple[str, ...], coverage: bool, min_coverage: float | None, fmt: str) -> int:
    """Run the rulebook tests found in PATHs (files or folders of kind: tests).

    Exit 0 all pass, 1 a test failed or coverage is below --min-coverage, 2 unusable input.
    """
    from checkengine.errors import UserError
    from checkengine.ruletests import run_tests

    suite = run_tests(list(paths))
    if not suite.cases:
        raise UserError(f"no rulebook tests (files with kind: tests) found in {', '.join(paths)}")
    percent = suite.coverage_percent()
    uncovered = [r for r in suite.coverage() if not (r["pass"] and r["fail"])]
    if fmt == "json":
        click.echo(json.dumps({
            "schema": "checkengine/tests/1",
            "cases": [{"file": c.file, "line": c.location.line, "name": c.name, "passed": c.passed,
                       "problems": c.problems} for c in suite.cases],
            "coverage": {"percent": round(percent, 2), "rules": suite.coverage()},
        }, ensure_ascii=False, indent=2))
    else:
        for case in suite.failed:
            click.echo(f"{case.location.prefix()}FAILED {case.name}")
            for problem in case.problems:
                click.echo(f"    {problem}")
        if coverage:
            for row in uncovered:
                lacking = " and ".join(k for k in ("pass", "fail") if not row[k])
                click.echo(f"{row['file']}:{row['line']}: {row['rule']}: no {lacking} case")
            click.echo(f"coverage: {percent:.1f}% of {len(suite.coverage())} rules have a passing and a failing case")
        passed = len(suite.cases) - len(suite.failed)
        click.echo(f"{passed} passed, {len(suite.failed)} failed")
    if suite.failed:
        return 1
    if min_coverage is not None and percent < min_coverage:
        click.echo(f"coverage {percent:.1f}% is below --min-coverage {min_coverage:g}%", err=True)
        return 1
    return 0
