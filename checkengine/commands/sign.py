"""``checkengine sign``: add a signature (e.g. the site manager's countersignature) to a form."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("sign")
@click.argument("form", type=click.Path(dir_okay=False), metavar="FORM.pdf")
@click.option("--key", "key_path", required=True, metavar="KEY",
              help="A PKCS#12 key store (.p12) or a PEM private key (then give --cert).")
@click.option("--cert", "cert_path", metavar="CERT.pem", help="The certificate of a PEM key.")
@click.option("--field", default="manager", show_default=True,
              help="The signature field to fill: inspector or manager.")
@click.option("--output", "-o", metavar="OUT.pdf",
              help="Write the signed form here (default: replace FORM.pdf, atomically).")
@click.option("--password-file", metavar="FILE",
              help="Read the key password from FILE (else CHECKENGINE_KEY_PASSWORD, else a prompt).")
@click.option("--tsa", metavar="URL", help="An RFC 3161 timestamp server (makes a PAdES B-T signature).")
@click.option("--force", is_flag=True, help="Replace an existing OUT.pdf.")
def command(form: str, key_path: str, cert_path: str | None, field: str, output: str | None,
            password_file: str | None, tsa: str | None, force: bool) -> int:
    """Sign FORM.pdf in an empty signature field, as an incremental update.

    Earlier signatures stay valid. Without -o the form is replaced in place, through a temp
    file and an atomic rename.
    """
    from checkengine.pdf.logs import surface_warnings
    from checkengine.pdf import passwords
    from checkengine.pdf.keys import load_key
    from checkengine.pdf.output import read_pdf, write_atomic
    from checkengine.pdf.sign import sign_pdf

    surface_warnings()
    source = Path(form)
    data = read_pdf(source)
    target = Path(output) if output else source
    in_place = output is None or target.resolve() == source.resolve()
    if not in_place and target.exists() and not force:
        from checkengine.pdf.output import refuse_existing

        refuse_existing(target, force=False)
    key = load_key(key_path, cert_path=cert_path, password=passwords.provider(password_file))
    signed = sign_pdf(data, key, field=field, tsa_url=tsa)
    write_atomic(target, signed, force=force, replace_input=in_place)
    click.echo(f"signed {target} as '{field}' ({key.common_name})")
    return 0
