"""``checkengine oscal``: rulebooks as OSCAL catalogs and profiles (results: ``--format oscal``)."""

from __future__ import annotations

import json

import click

from checkengine.commands._common import open_output


@click.group("oscal")
def command() -> None:
    """Export rulebooks as OSCAL 1.1 (NIST): a catalog (controls = rules, parts = cited clauses),
    and a profile of an overlay over its parent's catalog. Evaluation results are OSCAL
    assessment results with `evaluate|batch|archive query --format oscal`."""


@command.command("catalog")
@click.argument("rulebook", metavar="RULEBOOK")
@click.option("--lang", help="Language of titles and statements (default: the rulebook's first).")
@click.option("--output", "-o", metavar="FILE", help="Write to FILE (atomically) instead of stdout.")
def catalog(rulebook: str, lang: str | None, output: str | None) -> int:
    """Write RULEBOOK (as merged, after extends) as an OSCAL catalog."""
    from checkengine.oscal_export import catalog as build
    from checkengine.rulebook.load import load_rulebook

    book = load_rulebook(rulebook)
    _check_lang(book.languages, lang)
    with open_output(output) as out:
        json.dump(build(book, lang=lang), out, ensure_ascii=False, indent=2)
        out.write("\n")
    return 0


@command.command("profile")
@click.argument("overlay", metavar="OVERLAY")
@click.option("--catalog", "catalog_href", metavar="HREF",
              help="Where the parent's catalog is (default: <parent id>.catalog.json beside the profile).")
@click.option("--lang", help="Language of titles (default: the overlay's first).")
@click.option("--output", "-o", metavar="FILE", help="Write to FILE (atomically) instead of stdout.")
def profile(overlay: str, catalog_href: str | None, lang: str | None, output: str | None) -> int:
    """Write OVERLAY (a rulebook with extends) as an OSCAL profile of its parent's catalog."""
    from pathlib import Path

    from checkengine.errors import Location, UserError
    from checkengine.oscal_export import profile as build
    from checkengine.rulebook.load import load_rulebook
    from checkengine.yamlio import load_file

    doc = load_file(overlay)
    parent_ref = doc.data.get("extends") if isinstance(doc.data, dict) else None
    if not isinstance(parent_ref, str):
        raise UserError("not an overlay (it has no extends:); export it with `checkengine oscal catalog`",
                        Location(overlay))
    book = load_rulebook(overlay)
    parent = load_rulebook(Path(overlay).parent / parent_ref)
    _check_lang(book.languages, lang)
    href = catalog_href or f"{parent.id}.catalog.json"
    with open_output(output) as out:
        json.dump(build(book, parent, catalog_href=href, lang=lang), out, ensure_ascii=False, indent=2)
        out.write("\n")
    return 0


def _check_lang(languages: list[str], lang: str | None) -> None:
    if lang is not None and lang not in languages:
        from checkengine.errors import UserError

        raise UserError(f"--lang {lang}: the rulebook is in {', '.join(languages)}; choose one of them")
