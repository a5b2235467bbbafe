"""``checkengine lint``: rulebooks, sources catalogues, waivers and rulebook tests."""

from __future__ import annotations

import click

from checkengine.commands._common import open_output


def _formats() -> list[str]:
    from checkengine.lint.reporters import FORMATS

    return sorted(FORMATS)


@click.command("lint")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--format", "-f", "fmt", default="text", show_default=True,
              help="text, json, junit, sarif or github (annotations on the lines, for GitHub Actions).")
@click.option("--output", "-o", metavar="FILE", help="Write the report to FILE instead of stdout.")
def command(paths: tuple[str, ...], fmt: str, output: str | None) -> int:
    """Check rulebooks, sources catalogues, waivers and tests (files or folders).

    Exit 0 clean, 1 findings, 2 unusable input (unreadable file, invalid YAML, schema violation).
    """
    from checkengine.errors import UserError
    from checkengine.lint.reporters import FORMATS
    from checkengine.lint.run import lint_paths

    if fmt not in FORMATS:
        raise UserError(f"unknown format '{fmt}'; choose one of: {', '.join(sorted(FORMATS))}")
    report = lint_paths(paths)
    with open_output(output) as out:
        FORMATS[fmt](report, out)
    return report.exit_code
