"""``checkengine verify``: check a signed form's signatures and re-evaluate its embedded record."""

from __future__ import annotations

import json
from typing import Any

import click


def reevaluate(record: dict[str, Any], merged: dict[str, Any], result: dict[str, Any], waivers: Any) -> dict[str, Any]:
    """Evaluate the embedded record against the embedded rulebook, as the form was made."""
    from checkengine import api
    from checkengine.pdf.waiverdata import waivers_from_data

    book = api.rulebook_from_merged(merged)
    return api.evaluate_record_data(
        book, record, lang=result.get("language"), waivers=waivers_from_data(waivers),
        file=str(record.get("id", "-")),
    )


@click.command("verify")
@click.argument("form", type=click.Path(dir_okay=False), metavar="FORM.pdf")
@click.option("--trust", multiple=True, required=True, metavar="CERT.pem",
              help="A trusted certificate (repeatable): signers must chain to one of them.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def command(form: str, trust: tuple[str, ...], fmt: str) -> int:
    """Verify every signature of FORM.pdf and that its printed result is what the rules give.

    Signers, and the timestamp servers of timestamped signatures, must chain to a --trust
    certificate. The embedded record is re-evaluated against the embedded rulebook and
    waivers. Exit 0 when everything is valid, 1 when a signature, a timestamp or the result is
    invalid, 2 when the input is unusable.
    """
    from checkengine.pdf.verify import format_text, verify_pdf

    report = verify_pdf(form, list(trust), reevaluate=reevaluate)
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_text(report))
    return 0 if report.ok else 1
