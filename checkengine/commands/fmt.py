"""``checkengine fmt``: rewrite rulebooks, sources, waivers and tests in the stable layout."""

from __future__ import annotations

import click


@click.command("fmt")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--check", is_flag=True, help="Change nothing; list the files that are not formatted (exit 1).")
@click.option("--diff", "show_diff", is_flag=True, help="Print what would change, as a unified diff.")
def command(paths: tuple[str, ...], check: bool, show_diff: bool) -> int:
    """Put the keys of rulebooks, sources catalogues, waivers files and rulebook tests in the
    schema's order and quote dates, keeping comments and the rest as written. Folders are searched
    for such files; other YAML in them is left alone.

    Exit 0 formatted (or, with --check, already formatted), 1 with --check when some file is not,
    2 a file that cannot be read.
    """
    import difflib
    from pathlib import Path

    from checkengine.errors import UserError
    from checkengine.fmt import KINDS, format_file
    from checkengine.output import write_atomic
    from checkengine.lint.discover import classify, yaml_files
    from checkengine.inputs import display_path
    from checkengine.yamlio import load_file

    changed = 0
    for path in yaml_files(paths):
        shown = display_path(path)
        if Path(path) not in [Path(p) for p in paths]:  # found in a folder: only the kinds fmt knows
            try:
                if classify(load_file(path, display=shown).data) not in KINDS:
                    continue
            except UserError:
                pass  # format_file below reports it, with its location
        before, after = format_file(path, display=shown)
        if before == after:
            continue
        changed += 1
        if show_diff:
            click.echo("".join(difflib.unified_diff(before.splitlines(True), after.splitlines(True),
                                                    f"{shown} (as it is)", f"{shown} (formatted)")), nl=False)
        if check:
            click.echo(f"{shown}: not formatted (checkengine fmt {shown})")
        else:
            write_atomic(path, after.encode("utf-8"), replace_input=True)  # in place, on purpose
            click.echo(f"formatted {shown}")
    if check and changed:
        click.echo(f"checkengine: {changed} file{'s' if changed != 1 else ''} not formatted; run checkengine fmt",
                   err=True)
        return 1
    return 0
