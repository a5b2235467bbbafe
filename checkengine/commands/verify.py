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
@click.option("--trust", multiple=True, metavar="CERT.pem",
              help="A certificate trusted for any role (repeatable): signers must chain to one of them.")
@click.option("--trust-inspector", multiple=True, metavar="CERT.pem",
              help="A certificate trusted for the inspector's signature only (repeatable).")
@click.option("--trust-manager", multiple=True, metavar="CERT.pem",
              help="A certificate trusted for the site manager's signature only (repeatable).")
@click.option("--allow-missing-countersignature", is_flag=True,
              help="Accept a form that the site manager has not signed yet (the verdict says so).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "oscal"]), default="text", show_default=True,
              help="text or json: the verdict; oscal: a valid form's result as OSCAL assessment results, "
                   "with the signed form's SHA-256 as the evidence (an invalid form prints its verdict, exit 1).")
def command(form: str, trust: tuple[str, ...], trust_inspector: tuple[str, ...], trust_manager: tuple[str, ...],
            allow_missing_countersignature: bool, fmt: str) -> int:
    """Verify every signature of FORM.pdf, what it shows, and that its result is what the rules give.

    Both the inspector and the site manager must have signed, with different certificates,
    each trusted for its role (--trust for any role); the file must have nothing after the
    manager's signature and nothing a reader shows that the signed result does not say. The
    embedded record is re-evaluated against the embedded rulebook and waivers. Exit 0 when
    the form is valid, 1 when anything is wrong (each problem on its own line; a damaged
    signed form too), 2 when the input is unusable.
    """
    from checkengine.errors import UserError
    from checkengine.pdf.verify import format_text, verify_pdf

    if not (trust or trust_inspector or trust_manager):
        raise UserError("give the trusted certificates with --trust CERT.pem (any role) or "
                        "--trust-inspector / --trust-manager CERT.pem")
    report = verify_pdf(form, list(trust), reevaluate=reevaluate,
                        trust_roles={"inspector": list(trust_inspector), "manager": list(trust_manager)},
                        allow_missing_countersignature=allow_missing_countersignature)
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    elif fmt == "oscal" and report.ok and report.embedded_result is not None:
        _echo_oscal(form, report.embedded_result)
    else:
        click.echo(format_text(report), err=fmt == "oscal")  # an invalid form gives no assessment results
    return 0 if report.ok else 1


def _echo_oscal(form: str, result: dict[str, Any]) -> None:
    """The verified form's embedded result as OSCAL assessment results; each record's evidence is
    the signed form itself, hashed whole, so a GRC tool can tie the finding to the signed file."""
    import io

    from checkengine.plugins import default_registry

    for entry in result.get("records", []):
        entry["record"] = dict(entry["record"], file=form)
        entry["record"].pop("line", None)
    out = io.StringIO()
    default_registry().reporters["oscal"].render(result, out)
    click.echo(out.getvalue(), nl=False)
