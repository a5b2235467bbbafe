"""``checkengine form``: a blank fillable checklist, and reading a filled one back as a record."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from checkengine.commands._common import DATE


@click.group("form")
def command() -> None:
    """Blank fillable checklists (PDF) and reading them back."""


def _subject(text: str) -> dict[str, object]:
    from checkengine import limits
    from checkengine.errors import UserError
    from checkengine.yamlio import load_text

    cap = limits.OPTION_CHARS.get()
    if len(text) > cap:
        raise UserError(f"--subject is {len(text)} characters long; the limit is {cap}: give an "
                        f"employee id or a short mapping (or {limits.OPTION_CHARS.hint()})")
    value: object = None
    try:  # the rulebooks' strict YAML reader: safe, aliases bounded, no tags
        value = load_text(text, "--subject", max_values=limits.OPTION_VALUES.get()).data
    except UserError as exc:
        if "alias" in exc.bare_message or "more than" in exc.bare_message or "nested" in exc.bare_message:
            raise
    if isinstance(value, dict) and any(not isinstance(v, (str, int)) for v in value.values()):
        raise UserError(f"--subject: each value of the mapping must be text (e.g. '{{employee: E001, "
                        "name: 王小明}}')")
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items()}
    if isinstance(value, (str, int)) and str(value).strip():
        return {"employee": str(value)}
    raise UserError(f"--subject '{text}': give an employee id (E001) or a mapping like '{{employee: E001, name: 王小明}}'")


@command.command("checklist")
@click.option("--rulebook", "-r", required=True, metavar="RULEBOOK", help="The rulebook (YAML).")
@click.option("--subject", required=True, help="Employee id, or a mapping '{employee: E001, name: ...}'.")
@click.option("--date", "day", type=DATE, required=True, help="The inspection date (YYYY-MM-DD).")
@click.option("--lang", required=True, help="The checklist's language (one of the rulebook's).")
@click.option("--site", help="The site id.")
@click.option("--kind", help="The kind of visit (a record kind filled in on a visit; `checkengine plugins` "
              "lists the kinds); default: the one the rulebook's rules are for.")
@click.option("--timezone", default="UTC", show_default=True, help="The site's time zone (Asia/Taipei ...).")
@click.option("--output", "-o", required=True, metavar="OUT.pdf")
@click.option("--force", is_flag=True, help="Replace an existing output file.")
def checklist(rulebook: str, subject: str, day: date, lang: str, site: str | None, kind: str | None,
              timezone: str, output: str, force: bool) -> int:
    """Write a blank, fillable checklist of RULEBOOK for one subject and date."""
    from checkengine import api
    from checkengine.pdf.checklist import render_checklist
    from checkengine.pdf.logs import surface_warnings
    from checkengine.pdf.output import refuse_existing

    surface_warnings()
    refuse_existing(Path(output), force=force)
    book = api.load_rulebook(rulebook)
    render_checklist(book.merged, subject=_subject(subject), day=day, lang=lang, site=site, kind=kind,
                     timezone=timezone, out_path=output, force=force,
                     warn=lambda text: click.echo(f"checkengine: warning: {text}", err=True))
    click.echo(f"wrote {output}")
    return 0


@command.command("read")
@click.argument("filled", type=click.Path(dir_okay=False), metavar="FILLED.pdf")
@click.option("--output", "-o", metavar="RECORD.yaml", help="Write the record here (default: stdout).")
@click.option("--force", is_flag=True, help="Replace an existing output file.")
def read(filled: str, output: str | None, force: bool) -> int:
    """Read a filled checklist back as an inspection record (YAML).

    Items left blank are not answered: a rule without an answer is left out of answers, an
    observation without a value is null (not known). A checklist with nothing filled in, or without
    the time of the visit, is refused (exit 2).
    """

    import yaml

    from checkengine.pdf.checklist import read_filled
    from checkengine.pdf.output import write_atomic

    filled_in = read_filled(filled)
    gaps = []
    if filled_in.unanswered_rules:
        gaps.append(f"# not answered: {', '.join(filled_in.unanswered_rules)}\n")
    if filled_in.unanswered_observations:
        gaps.append(f"# not observed (null): {', '.join(filled_in.unanswered_observations)}\n")
    text = "# read from " + Path(filled).name + " by checkengine form read\n" + "".join(gaps) + yaml.safe_dump(
        filled_in.record, allow_unicode=True, sort_keys=False
    )
    if output:
        write_atomic(output, text.encode("utf-8"), force=force)
        blank = len(filled_in.unanswered_rules) + len(filled_in.unanswered_observations)
        click.echo(f"wrote {output}" + (f" ({blank} item{'s' if blank != 1 else ''} not answered)" if blank else ""),
                   err=True)
    else:
        click.echo(text, nl=False)
    return 0
