"""``checkengine keys new``: a self-signed test key and certificate for trying out signing."""

from __future__ import annotations

import click


@click.group("keys")
def command() -> None:
    """Make signing keys for trying out signed forms (self-signed; not for production)."""


@command.command("new")
@click.option("--name", required=True, help="The signer's name (the certificate's common name).")
@click.option("--output", "-o", "out_dir", required=True, metavar="DIR",
              help="Folder for key.p12, key.pem and cert.pem (created if missing).")
@click.option("--days", type=click.IntRange(1, 3650), default=365, show_default=True,
              help="How long the certificate is valid.")
@click.option("--password-file", metavar="FILE",
              help="Read the key password from FILE (else CHECKENGINE_KEY_PASSWORD, else a prompt).")
@click.option("--force", is_flag=True, help="Replace an existing key in DIR.")
def new(name: str, out_dir: str, days: int, password_file: str | None, force: bool) -> int:
    """Make an EC key and a self-signed certificate labelled
    "SELF-SIGNED TEST KEY – NOT FOR PRODUCTION".

    Writes DIR/key.p12 (key and certificate, password-protected), DIR/key.pem (the key,
    encrypted with the same password) and DIR/cert.pem (give it to `verify --trust`).
    """
    from pathlib import Path

    from checkengine.errors import Location, UserError
    from checkengine.pdf import passwords
    from checkengine.pdf.keys import fingerprint, load_certificates, new_self_signed

    if Path(out_dir).exists() and not Path(out_dir).is_dir():
        raise UserError("it exists and is not a folder; give a folder for the key files (-o)", Location(out_dir))
    secret = passwords.provider(password_file, confirm=True)(f"the new key in {out_dir}")
    files = new_self_signed(name, out_dir, secret, days=days, force=force)
    cert = load_certificates(files.cert_pem)[0]
    click.echo(f"made a self-signed test key for {name} (SELF-SIGNED TEST KEY – NOT FOR PRODUCTION)")
    click.echo(f"  key store:   {files.p12}")
    click.echo(f"  key (PEM):   {files.key_pem}")
    click.echo(f"  certificate: {files.cert_pem} (SHA-256 {fingerprint(cert, 32)})")
    click.echo(f"  valid until: {cert.not_valid_after_utc:%Y-%m-%d} UTC")
    return 0
