"""``checkengine audit``: evaluate one record, render its audit form, and sign it as the inspector."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from checkengine.commands._common import FiniteFloatRange


@click.command("audit")
@click.option("--rulebook", "-r", required=True, metavar="RULEBOOK", help="The rulebook (YAML).")
@click.argument("record", type=click.Path(dir_okay=False), metavar="RECORD")
@click.option("--lang", required=True, help="The form's language (one of the rulebook's).")
@click.option("--output", "-o", required=True, metavar="FORM.pdf", help="Where to write the form.")
@click.option("--sign", "key_path", metavar="KEY",
              help="Sign as the inspector with this PKCS#12 key store (.p12) or PEM key (with --cert).")
@click.option("--cert", "cert_path", metavar="CERT.pem", help="The certificate of a PEM key.")
@click.option("--password-file", metavar="FILE",
              help="Read the key password from FILE (else CHECKENGINE_KEY_PASSWORD, else a prompt).")
@click.option("--tsa", metavar="URL", help="An RFC 3161 timestamp server (makes a PAdES B-T signature).")
@click.option("--waivers", "-w", multiple=True, metavar="FILE", help="A waivers file (repeatable).")
@click.option("--max-photo-size", type=FiniteFloatRange(0.1, 200), default=10.0, show_default=True,
              metavar="MB", help="Refuse evidence photos larger than this.")
@click.option("--actions-db", metavar="DB",
              help="Show each corrective action's tracked status from this archive (a SQLite file or a "
                   "postgresql:// URL); without it every action is shown as open.")
@click.option("--force", is_flag=True, help="Replace an existing output file.")
@click.option("--fail-on-findings", is_flag=True,
              help="Exit 1 (after writing the form) when a rule failed or the inspection did not pass.")
def command(rulebook: str, record: str, lang: str, output: str, key_path: str | None,
            cert_path: str | None, password_file: str | None, tsa: str | None,
            waivers: tuple[str, ...], max_photo_size: float, actions_db: str | None, force: bool,
            fail_on_findings: bool) -> int:
    """Evaluate RECORD and write its audit form as PDF/A-3b, signed if --sign is given.

    The form embeds the record, the result and the merged rulebook, so `checkengine verify`
    can re-check it later.

    Exit 0 when the form was written, even when rules failed (the form reports them); with
    --fail-on-findings, 1 when a rule failed or the inspection did not pass (the form is still
    written). Exit 2 on unusable input (nothing is written).
    """
    from checkengine import api
    from checkengine.errors import UserError
    from checkengine.pdf.logs import surface_warnings
    from checkengine.pdf import passwords
    from checkengine.pdf.output import refuse_existing, write_atomic
    from checkengine.pdf.render import render_audit_form
    from checkengine.pdf.waiverdata import waivers_to_data
    from checkengine.plugins import default_registry
    from checkengine.waivers import load_waivers

    surface_warnings()
    out = Path(output)
    refuse_existing(out, force=force)
    if cert_path and not key_path:
        raise UserError("--cert is the certificate of the --sign key; give --sign KEY too")
    key = None
    if key_path:
        from checkengine.pdf.keys import load_key

        key = load_key(key_path, cert_path=cert_path, password=passwords.provider(password_file))
    book = api.load_rulebook(rulebook)
    if lang not in book.languages:
        raise UserError(
            f"the rulebook '{book.id}' has no '{lang}' translation; its languages are "
            f"{', '.join(book.languages)}"
        )
    waiver_list = [w for path in waivers for w in load_waivers(path)]
    result = api.evaluate_record_file(book, record, lang=lang, waivers=waiver_list)
    data = api.load_record(record)
    registry = default_registry()
    status = _tracked(actions_db, str(data.get("id", "")), book.id) if actions_db else None

    def hook(context: dict[str, Any], res: dict[str, Any]) -> None:
        registry.hook.checkengine_form_context(context=context, result=res)

    rendered = render_audit_form(
        result, data, book.merged, lang=lang, base_dir=Path(record).resolve().parent,
        force=force, max_photo_mb=max_photo_size, waivers=waivers_to_data(waiver_list) or None,
        context_hook=hook, signer_names={"inspector": key.common_name} if key else None, action_status=status,
    )
    pdf = rendered.pdf
    if key is not None:
        from checkengine.pdf.sign import sign_pdf

        pdf = sign_pdf(pdf, key, field="inspector", tsa_url=tsa)
    write_atomic(out, pdf, force=force)
    signed = f", signed by {key.common_name}" if key else ", unsigned"
    click.echo(f"wrote {out} ({rendered.pages} page{'s' if rendered.pages != 1 else ''}{signed})")
    if fail_on_findings:
        findings = _findings(result)
        if findings:
            click.echo(f"checkengine: findings: {findings}", err=True)
            return 1
    return 0


def _tracked(db: str, record_id: str, book: str) -> dict[str, str]:
    """Rule id -> the tracked status of the action this record's failure opened (or failed again)."""
    from checkengine.actions.tracker import list_actions
    from checkengine.archive.store import open_archive
    from checkengine.pdf.form_cover import tracked_statuses

    with open_archive(db, write=False) as archive:
        return tracked_statuses(list_actions(archive), record_id=record_id, book=book)


def _findings(result: dict[str, Any]) -> str:
    """The failed rules and a failed score of the (one-record) result, as a sentence; '' if none."""
    entry = (result.get("records") or [{}])[0]
    failed = [str(o.get("rule")) for o in entry.get("outcomes") or [] if o.get("outcome") == "fail"]
    parts = []
    if failed:
        parts.append(f"{len(failed)} rule{'s' if len(failed) != 1 else ''} failed ({', '.join(failed)})")
    score = entry.get("score") or {}
    if score and not score.get("passed", True):
        parts.append(f"the inspection did not pass (score {score.get('score')}"
                     f"{', grade ' + str(score['grade']) if score.get('grade') else ''})")
    return "; ".join(parts)
