"""``checkengine affected``: the rulebooks a change affects, for a pull request's impact report."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from checkengine.commands._common import open_output


@click.command("affected")
@click.argument("changed", nargs=-1, metavar="CHANGED_FILE...")
@click.option("--base", "base", required=True, metavar="DIR",
              help="A checkout of the base revision (git worktree add DIR BASE_SHA).")
@click.option("--search", multiple=True, default=("rulebooks",), show_default=True, metavar="DIR",
              help="Where overlays are looked for (repeatable).")
@click.option("--changed-from", metavar="FILE",
              help="Read the changed files from FILE, one a line (git diff --name-only); - for stdin.")
@click.option("--format", "-f", "fmt", type=click.Choice(["tsv", "json"]), default="tsv", show_default=True,
              help="tsv: PATH<TAB>WHY a line (changed, new, removed, unreadable, extends PARENT).")
@click.option("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout.")
def command(changed: tuple[str, ...], base: str, search: tuple[str, ...], changed_from: str | None,
            fmt: str, output: str | None) -> int:
    """List the rulebooks among the CHANGED files (by content, not by name) and every rulebook
    that extends one of them, run from the root of the pull request's checkout.

    Exit 0 (an empty list when no rulebook changed), 2 when --base is not a folder.
    """
    from checkengine.affected import affected
    from checkengine.errors import Location, UserError

    if not Path(base).is_dir():
        raise UserError("--base: not a folder; check the base revision out first "
                        "(git worktree add DIR BASE_SHA)", Location(base))
    names = list(changed)
    if changed_from == "-":
        names += sys.stdin.read().splitlines()
    elif changed_from:
        try:
            names += Path(changed_from).read_text("utf-8").splitlines()
        except OSError as exc:
            raise UserError(f"--changed-from: cannot read it ({exc.strerror})", Location(changed_from)) from None
    found = affected(names, head=Path.cwd(), base=Path(base), search=search)
    with open_output(output) as out:
        if fmt == "json":
            json.dump([{"path": a.path, "why": a.why} for a in found], out, indent=2)
            out.write("\n")
        else:
            out.writelines(f"{a.path}\t{a.why}\n" for a in found)
    return 0
