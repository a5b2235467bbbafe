"""``checkengine schema``: the JSON Schemas, for editors, CI and other tools."""

from __future__ import annotations

import json
from pathlib import Path

import click

from checkengine.commands._common import open_output


@click.command("schema")
@click.option("--print", "-p", "name", metavar="NAME",
              help="Print schema NAME (rulebook, sources, waivers, tests, record, result) as one "
                   "self-contained document (references to the others bundled in).")
@click.option("--write", "-w", "folder", metavar="DIR",
              help="Write every schema file into DIR as shipped (relative references between them).")
@click.option("--output", "-o", metavar="FILE", help="With --print: write to FILE instead of stdout.")
def command(name: str | None, folder: str | None, output: str | None) -> int:
    """Print or write the JSON Schemas (they resolve offline: no $id, relative $refs).

    Use them with check-jsonschema, yaml-language-server or VS Code:
    `checkengine schema --print rulebook -o rulebook.schema.json`.
    """
    from checkengine.errors import Location, UserError
    from checkengine.schema_bundle import SUFFIX, bundled, names, shipped_text

    known = names()
    if (name is None) == (folder is None):
        raise UserError(f"give --print NAME or --write DIR; the schemas are: {', '.join(known)}")
    if name is not None:
        if name not in known:
            raise UserError(f"--print {name}: no such schema; choose one of: {', '.join(known)}")
        with open_output(output) as out:
            json.dump(bundled(name), out, ensure_ascii=False, indent=2)
            out.write("\n")
        return 0
    assert folder is not None
    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise UserError("it exists and is not a folder; give a folder (--write)", Location(folder))
    target.mkdir(parents=True, exist_ok=True)
    for each in known:
        text = shipped_text(each)
        with open_output(target / (each + SUFFIX)) as out:
            out.write(text)
    click.echo(f"wrote {len(known)} schemas to {target}: " + ", ".join(k + SUFFIX for k in known), err=True)
    return 0
