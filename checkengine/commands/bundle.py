"""``checkengine bundle``: pack a rulebook into one versioned, digest-named, signable archive,
or verify one."""

from __future__ import annotations

from pathlib import Path

import click

from checkengine.commands._common import open_output


@click.command("bundle")
@click.argument("path", metavar="RULEBOOK_OR_BUNDLE")
@click.option("--output", "-o", "out_dir", default=".", show_default=True, metavar="DIR",
              help="The folder the bundle (and its .p7s signature) is written to.")
@click.option("--search", multiple=True, metavar="DIR",
              help="Where to look for overlays and tests (default: the rulebook's folder; repeatable).")
@click.option("--sign", "key_path", metavar="KEY",
              help="Sign the bundle with this key (PKCS#12): a detached CMS signature BUNDLE.p7s.")
@click.option("--password-file", metavar="FILE",
              help="Read the key password from FILE (else CHECKENGINE_KEY_PASSWORD, else a prompt).")
@click.option("--verify", is_flag=True, help="PATH is a bundle: check its digest, files and signature.")
@click.option("--trust", multiple=True, metavar="CERT.pem",
              help="With --verify: a certificate the signer's must chain to (repeatable).")
def command(path: str, out_dir: str, search: tuple[str, ...], key_path: str | None, password_file: str | None,
            verify: bool, trust: tuple[str, ...]) -> int:
    """Pack RULEBOOK with its parents, overlays, sources catalogues and tests into
    DIR/<id>-<version>-<digest>.tar.gz (reproducible: the same files give the same name), signed
    with --sign; `evaluate --rulebook BUNDLE` runs it. With --verify, check a bundle instead.

    Exit 0; with --verify 1 when the signature is invalid or not trusted; 2 unusable input.
    """
    if verify:
        return _verify(path, trust)
    from checkengine.bundle.pack import pack
    from checkengine.errors import Location, UserError

    folder = Path(out_dir)
    if not folder.is_dir():
        raise UserError("not a folder; create it first (--output DIR)", Location(out_dir))
    key = None
    if key_path:  # the key is opened before anything is written: a wrong password leaves nothing
        from checkengine.pdf import passwords
        from checkengine.pdf.keys import load_key

        key = load_key(key_path, password=passwords.provider(password_file))
    packed = pack(path, search=search or None)
    target = folder / packed.name
    with open_output(target, binary=True) as out:
        out.write(packed.data)
    click.echo(f"{target}  sha256:{packed.digest}  {len(packed.manifest['files'])} files")
    if key is not None:
        from checkengine.bundle.signature import sign

        with open_output(f"{target}.p7s", binary=True) as out:
            out.write(sign(packed.data, key))
        click.echo(f"{target}.p7s  signed by {key.common_name}")
    return 0


def _verify(path: str, trust: tuple[str, ...]) -> int:
    from checkengine.bundle.unpack import read_bundle
    from checkengine.errors import UserError

    manifest, files, digest = read_bundle(path)
    book = manifest["rulebook"]
    click.echo(f"{path}: {book['id']} {book['version']} (rulebook {book['digest']}), {len(files)} files intact, "
               f"bundle sha256:{digest}")
    signature = Path(f"{path}.p7s")
    if not signature.is_file():
        if trust:
            click.echo(f"{path}: not signed (no {signature.name} beside it)", err=True)
            return 1
        click.echo("not signed")
        return 0
    if not trust:
        raise UserError(f"{signature.name}: give the certificates to trust with --trust CERT.pem")
    from checkengine.bundle.signature import check

    result = check(Path(path).read_bytes(), signature, list(trust))
    for problem in result.problems:
        click.echo(f"{signature}: {problem}", err=True)
    click.echo(f"signed by {result.signer}: {'valid' if result.valid else 'INVALID'}, "
               f"{'trusted' if result.trusted else 'NOT trusted'}")
    return 0 if result.valid and result.trusted else 1
