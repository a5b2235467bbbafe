"""``checkengine lint``: rulebooks, sources catalogues, waivers and rulebook tests."""

from __future__ import annotations

import click

from checkengine.commands._common import open_output
from checkengine.errors import Location
from checkengine.findings import Finding


def _where(finding: Finding) -> str:
    loc = finding.location
    return Location(loc.file, loc.line, loc.column).prefix().rstrip(": ") or "-"


@click.command("lint")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--format", "-f", "fmt", default="text", show_default=True,
              help="text, json, junit, sarif, github (annotations on the lines, for GitHub Actions), or a "
                   "plugin's lint sink.")
@click.option("--output", "-o", metavar="FILE", help="Write the report to FILE instead of stdout.")
def command(paths: tuple[str, ...], fmt: str, output: str | None) -> int:
    """Check rulebooks, sources catalogues, waivers and tests (files or folders).

    Exit 0 clean, 1 findings, 2 unusable input (unreadable file, invalid YAML, schema violation).
    """
    import gc

    from checkengine.cli import PROCESS_ENDS
    from checkengine.yamlio import collector_paused

    # The collector is paused for the run, imports included: lint builds trees (modules, plugins,
    # documents, rules, compiled checks) that live until it exits, so the collections only walked
    # them again and again (a tenth of lint's time on a 1,000-rule book); what they could free is
    # held by the documents. When the process ends with lint (the console script), the collector
    # stays off and what is alive is frozen: the first collection after the pause, and the
    # interpreter's last one at exit, would each walk everything lint built (another tenth).
    ends = bool((click.get_current_context().find_root().obj or {}).get(PROCESS_ENDS))
    if ends:
        gc.disable()
    with collector_paused():
        from checkengine.lint.run import lint_paths
        from checkengine.plugins import default_registry
        from checkengine.sinks import LINT, find_sink

        sink = find_sink(default_registry(), LINT, fmt)
        report = lint_paths(paths)
    with open_output(output, binary=sink.binary) as out:
        sink.write(report, out)
    if ends:
        gc.freeze()
    unusable = [f for f in report.findings if f.unusable]
    if unusable and fmt == "text" and output in (None, "-"):
        click.echo(f"checkengine: {len(unusable)} file{'s' if len(unusable) != 1 else ''} could not be checked, "
                   f"the first {_where(unusable[0])} (listed above)", err=True)
    elif unusable:  # exit 2: say which files could not be checked, whatever the report's format
        click.echo(f"checkengine: {len(unusable)} file{'s' if len(unusable) != 1 else ''} could not be checked:",
                   err=True)
        for finding in unusable:
            click.echo(f"  {finding.text()}", err=True)
    return report.exit_code
