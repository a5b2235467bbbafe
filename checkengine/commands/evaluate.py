"""``checkengine evaluate``: records against a rulebook, reported in a chosen format."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import click

from checkengine.commands._common import DATE, echo_left_out, echo_unusable, open_output, other_kinds, shown_on_stdout


@dataclass(frozen=True)
class EvaluateOptions:
    rulebook: str
    paths: tuple[str, ...]
    format: str
    lang: str | None
    on: date | None
    waivers: tuple[str, ...]
    output: str | None
    verbose: bool


def run(opts: EvaluateOptions) -> int:
    from checkengine.bundle.unpack import rulebook_path
    from checkengine.engine import Engine
    from checkengine.errors import UserError
    from checkengine.plugins import default_registry
    from checkengine.records import iter_records
    from checkengine.rulebook.load import load_rulebook
    from checkengine.waivers import load_waivers

    registry = default_registry()
    reporter = registry.reporters.get(opts.format)
    if reporter is None:
        raise UserError(f"unknown format '{opts.format}'; choose one of: {', '.join(sorted(registry.reporters))}")
    book = load_rulebook(rulebook_path(opts.rulebook))  # a rulebook, or a bundle of one
    waivers = [w for path in opts.waivers for w in load_waivers(path)]
    engine = Engine(book, registry=registry, lang=opts.lang, on=opts.on, waivers=waivers,
                    other_kinds=other_kinds(opts.paths))
    result = engine.run(iter_records(opts.paths, registry))
    with open_output(opts.output) as out:
        reporter.render(result, out, verbose=opts.verbose)
    echo_left_out(book.id, engine.left_out)
    if result["errors"]:
        echo_unusable(result["errors"], listed=shown_on_stdout(opts.format, opts.output))
        return 2
    failed = result["summary"]["fail"] > 0 or any(
        not (entry.get("score") or {}).get("passed", True) for entry in result["records"]
    )
    return 1 if failed else 0


@click.command("evaluate")
@click.option("--rulebook", "-r", required=True, metavar="RULEBOOK",
              help="The rulebook (YAML), or a bundle of one (checkengine bundle).")
@click.argument("paths", nargs=-1, required=True, metavar="RECORD_OR_FOLDER...")
@click.option("--format", "-f", "fmt", default="text", show_default=True,
              help="A reporter: text, json, jsonl, junit, summary, oscal, hdf, or one a plugin adds.")
@click.option("--lang", help="Language of titles and explanations (one of the rulebook's).")
@click.option("--on", type=DATE, help="Evaluate as of this date instead of each record's own date.")
@click.option("--waivers", "-w", multiple=True, metavar="FILE", help="A waivers file (repeatable).")
@click.option("--output", "-o", metavar="FILE", help="Write to FILE (atomically) instead of stdout.")
@click.option("--verbose", "-v", is_flag=True, help="Text format: list passes and n/a rules too.")
def command(rulebook: str, paths: tuple[str, ...], fmt: str, lang: str | None, on: date | None,
            waivers: tuple[str, ...], output: str | None, verbose: bool) -> int:
    """Evaluate inspection records against a rulebook.

    Exit 0 when every rule passes, 1 when any rule fails (or a critical rule fails an inspection),
    2 when a record or file is unusable (the others are still evaluated and reported).
    """
    return run(EvaluateOptions(rulebook, paths, fmt, lang, on, waivers, output, verbose))
