"""``checkengine serve``: the auditor's workspace, a web application (docs/serve.md)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import click

SECRET_ENV = "CHECKENGINE_SECRET_KEY"
STORE_HELP = ("The store: a SQLite file, or a postgresql:// URL (postgresql:// alone: the PG* environment "
              "variables) (default $CHECKENGINE_ARCHIVE, else ./checkengine-archive.sqlite). The same store "
              "as `checkengine archive`: submitted inspections are archived runs.")


@dataclass(frozen=True)
class ServeOptions:
    store: str | None
    rulebooks: str
    host: str
    port: int
    demo: str | None
    secret_key_file: str | None
    https: bool
    forwarded_allow_ips: str
    logins_per_minute: int
    trust: tuple[str, ...] = ()
    tsa: str | None = None


def _secret(path: str | None) -> tuple[str, bool]:
    """(the session and CSRF signing key, whether it lasts across restarts)."""
    import secrets

    from checkengine.errors import Location, UserError

    if path:
        try:
            text = Path(path).read_text("utf-8").strip()
        except OSError as exc:
            raise UserError(f"cannot read the secret key ({exc.strerror})", Location(path)) from None
        if len(text) < 32:
            raise UserError("the secret key is shorter than 32 characters; make one with "
                            "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'", Location(path))
        return text, True
    if os.environ.get(SECRET_ENV):
        if len(os.environ[SECRET_ENV]) < 32:
            raise UserError(f"{SECRET_ENV} is shorter than 32 characters; give a longer random key")
        return os.environ[SECRET_ENV], True
    return secrets.token_urlsafe(48), False


def run(opts: ServeOptions) -> int:
    import uvicorn

    from checkengine.archive.store import archive_location, shown, is_url
    from checkengine.web.app import Settings, create_app

    from checkengine.errors import UserError
    from checkengine.pdf.sign import shown_url

    location = archive_location(opts.store)
    if opts.tsa is not None and not opts.tsa.startswith(("http://", "https://")):
        raise UserError(f"--tsa {shown_url(opts.tsa)}: a timestamp server URL starts with http:// or https://")
    secret, lasting = _secret(opts.secret_key_file)
    trust = tuple(Path(t) for t in opts.trust)
    from checkengine.web.demo import DemoKey, make_keys

    keys: list[DemoKey] = []
    if opts.demo:
        # the demo's signing keys, next to a SQLite store (in ./demo-keys for a PostgreSQL one)
        keys = make_keys((Path(".") if is_url(location) else Path(location).parent) / "demo-keys")
        trust += tuple(k.cert for k in keys)  # so the demo's verify page knows its signers
    settings = Settings(store=location, rulebooks=Path(opts.rulebooks), secret_key=secret, https=opts.https,
                        logins_per_minute=opts.logins_per_minute, trust=trust, tsa=opts.tsa)
    app = create_app(settings)
    if opts.demo:
        from checkengine.web.demo import seed

        workspace = app.workspace
        with workspace.store() as store:
            logins = seed(store, Path(opts.demo), workspace.library)
        click.echo("demo logins (passwords made for this start; they change at the next):")
        for demo, password in logins:
            click.echo(f"  {demo.username:<14} {password}   {demo.role}, sites: {', '.join(demo.sites) or '-'}"
                       + (f"   - {demo.purpose}" if demo.purpose else ""))
        click.echo("demo signing keys (self-signed test keys, NOT FOR PRODUCTION; made for this start): upload one "
                   "on that user's profile (/profile), then give its password at each signing")
        for key in keys:
            click.echo(f"  {key.user.username:<14} {key.p12}   password {key.password}")
        click.echo("the loop: auditor.lin fills a floor checklist (fail an item, with a photo), signs it; "
                   "manager.wang sends it back or accepts and countersigns; leader.wang works the failed item's "
                   "action (My actions) and marks it done; manager.wang verifies it; anyone checks the "
                   "downloaded form on /verify")
    if not lasting:
        click.echo(f"note: no --secret-key-file or {SECRET_ENV}: a key was made for this start, so sign-ins "
                   "end when the server stops")
    if opts.tsa:
        click.echo(f"signatures are timestamped by {shown_url(opts.tsa)}")
    click.echo(f"store: {shown(location) if is_url(location) else location}")
    click.echo(f"open http://{opts.host}:{opts.port}/ in a browser (Ctrl-C stops the server)", color=False)
    sys.stdout.flush()
    uvicorn.run(app, host=opts.host, port=opts.port, log_level="warning", server_header=False,
                proxy_headers=opts.https, forwarded_allow_ips=opts.forwarded_allow_ips if opts.https else None,
                access_log=False)
    return 0


@click.group("serve", invoke_without_command=True)
@click.option("--store", metavar="PATH|URL", help=STORE_HELP)
@click.option("--rulebooks", default="rulebooks", show_default=True, metavar="DIR",
              help="The folder of the rulebooks whose checklists are served.")
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--demo", metavar="FOLDER", help="Add demo users and one inspection per example visit in FOLDER "
                                               "(e.g. examples/month-2026-11); print their logins.")
@click.option("--secret-key-file", metavar="FILE", help=f"The key that signs sessions and CSRF tokens (else "
                                                        f"${SECRET_ENV}, else one made for this start).")
@click.option("--https", is_flag=True, help="Behind a TLS reverse proxy: Secure cookies, HSTS, and the client "
                                            "address from X-Forwarded-For of --forwarded-allow-ips.")
@click.option("--forwarded-allow-ips", default="127.0.0.1", show_default=True,
              help="The proxies whose X-Forwarded-* headers are believed (with --https).")
@click.option("--logins-per-minute", type=click.IntRange(1, 1000), default=5, show_default=True,
              help="Sign-in attempts allowed a minute per client address and per user name.")
@click.option("--trust", multiple=True, metavar="CERT.pem",
              help="A certificate the public verify page (/verify) trusts for any role (repeatable).")
@click.option("--tsa", metavar="URL", help="An RFC 3161 timestamp server: every signature made in the workspace "
                                           "is timestamped (PAdES B-T).")
@click.pass_context
def command(ctx: click.Context, store: str | None, rulebooks: str, host: str, port: int, demo: str | None,
            secret_key_file: str | None, https: bool, forwarded_allow_ips: str, logins_per_minute: int,
            trust: tuple[str, ...], tsa: str | None) -> int:
    """Serve the auditor's workspace: checklists from the rulebooks, filled on a tablet or a phone,
    evaluated and archived on submission (docs/serve.md)."""
    if ctx.invoked_subcommand is not None:
        return 0
    return run(ServeOptions(store, rulebooks, host, port, demo, secret_key_file, https, forwarded_allow_ips,
                            logins_per_minute, trust, tsa))


@command.command("add-user")
@click.option("--store", metavar="PATH|URL", help=STORE_HELP)
@click.option("--username", required=True)
@click.option("--name", required=True, help="The name shown and written in the audit log.")
@click.option("--role", required=True, type=click.Choice(["auditor", "site_manager", "policy_author",
                                                          "administrator"]))
@click.option("--site", "sites", multiple=True, help="A site the user works on (repeat for several).")
@click.option("--language", help="The user's language (en, zh-Hant, zh-Hans, ko, es).")
def add_user(store: str | None, username: str, name: str, role: str, sites: tuple[str, ...],
             language: str | None) -> int:
    """Add a user; the password is asked twice (or read from CHECKENGINE_NEW_PASSWORD)."""
    from checkengine.archive.store import archive_location, open_archive
    from checkengine.errors import UserError
    from checkengine.web.auth import MIN_PASSWORD, hash_password

    password = os.environ.get("CHECKENGINE_NEW_PASSWORD") or click.prompt(
        f"password for {username}", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password is shorter than {MIN_PASSWORD} characters; choose a longer one")
    with open_archive(archive_location(store), write=True) as archive, archive.writing():
        archive.add_user(username=username, name=name, role=role, password_hash=hash_password(password),
                         sites=list(sites), language=language)
        archive.log("user added", user=None, address=None, username="checkengine serve add-user",
                    target=username, detail={"role": role, "sites": list(sites)})
    click.echo(f"added {username} ({role}; sites: {', '.join(sites) or '-'})")
    return 0


@command.command("add-site")
@click.option("--store", metavar="PATH|URL", help=STORE_HELP)
@click.option("--id", "site_id", required=True, help="The site's id, as records give it (site.id).")
@click.option("--name", help="The site's name.")
@click.option("--country", help="ISO 3166 country code (e.g. TW): the public holidays.")
@click.option("--timezone", help="IANA time zone (e.g. Asia/Taipei): the site's clock.")
@click.option("--type", "kind", type=click.Choice(["call_centre", "branch", "head_office"]))
def add_site(store: str | None, site_id: str, name: str | None, country: str | None, timezone: str | None,
             kind: str | None) -> int:
    """Add a site (as the records' ``site`` object: it is copied into every record made there)."""
    from checkengine.archive.store import archive_location, open_archive
    from checkengine.errors import Location, UserError
    from checkengine.pdf.checklist import visit_kinds
    from checkengine.records import RecordError, check_record

    site = {k: v for k, v in {"id": site_id, "name": name, "country": country, "timezone": timezone,
                              "type": kind}.items() if v is not None}
    checked = check_record({"kind": visit_kinds()[0], "id": "-", "timestamp": "2026-01-01T00:00:00Z", "site": site},
                           Location("--site"))
    if isinstance(checked, RecordError):
        raise UserError(checked.message, checked.location)
    with open_archive(archive_location(store), write=True) as archive, archive.writing():
        if site_id in archive.sites():
            raise UserError(f"site {site_id!r} exists already")
        archive.add_site(site)
        archive.log("site added", user=None, address=None, username="checkengine serve add-site", target=site_id,
                    detail=site)
    click.echo(f"added site {site_id}")
    return 0


@command.command("assign")
@click.option("--store", metavar="PATH|URL", help=STORE_HELP)
@click.option("--rulebooks", default="rulebooks", show_default=True, metavar="DIR")
@click.option("--rulebook", "rulebook_id", required=True, help="The id of a served rulebook (e.g. cs-floor).")
@click.option("--kind", help="The kind of visit, when the rulebook has checklists for several.")
@click.option("--site", required=True)
@click.option("--auditor", required=True, help="The user name of an auditor of the site.")
@click.option("--by", "by", required=True, help="Who assigns it: a site manager of the site, or an administrator.")
@click.option("--date", "due", required=True, help="The day of the visit (YYYY-MM-DD).")
@click.option("--employee", help="The person inspected: employee id.")
@click.option("--person", help="The person inspected: name.")
@click.option("--team", help="The person inspected: team.")
@click.option("--role", help="The person inspected: role (agent, teller ...).")
def assign(store: str | None, rulebooks: str, rulebook_id: str, kind: str | None, site: str, auditor: str, by: str,
           due: str, employee: str | None, person: str | None, team: str | None, role: str | None) -> int:
    """Assign an inspection (a checklist of a rulebook, at a site, on a day) to an auditor."""
    from checkengine.archive.store import archive_location, open_archive
    from checkengine.errors import UserError
    from checkengine.web.assigning import Assignment
    from checkengine.web.assigning import assign as assign_inspection
    from checkengine.web.evaluation import Library

    subject = {k: v for k, v in {"employee": employee, "name": person, "team": team, "role": role}.items() if v}
    wanted = Assignment(rulebook_id, site, auditor, due, kind, subject)
    library = Library.load(Path(rulebooks))
    with open_archive(archive_location(store), write=True) as archive:
        boss = archive.user_named(by)
        if boss is None:
            raise UserError(f"--by {by}: not a site manager of {site!r} nor an administrator")
        iid = assign_inspection(archive, library, wanted, boss, address=None)
    click.echo(f"inspection {iid} assigned to {auditor}")
    return 0


@command.command("link-person")
@click.option("--store", metavar="PATH|URL", help=STORE_HELP)
@click.option("--username", required=True, help="The workspace user.")
@click.option("--person", help="Their id in the records (E001: what subject.employee, subject.team_leader, "
              "site.manager or inspector.id say); actions owned by it are theirs.")
@click.option("--owner-role", "owner_roles", multiple=True,
              type=click.Choice(["team_leader", "site_manager", "inspector", "employee"]),
              help="An action owner role they hold at their sites (repeatable): actions owned by the role there, "
                   "with no person named, are theirs.")
@click.option("--by", "by", required=True, help="Who links them: an administrator (a user name).")
def link_person(store: str | None, username: str, person: str | None, owner_roles: tuple[str, ...], by: str) -> int:
    """Say who a user is in the records: their person id and the action owner roles they hold
    (docs/actions.md, "In the workspace"). A new link replaces the last; the old stay in the history."""
    from checkengine.archive.people import link_person as link
    from checkengine.archive.store import archive_location, now, open_archive
    from checkengine.errors import UserError

    if not person and not owner_roles:
        raise UserError("give --person ID, --owner-role ROLE, or both (a link with neither says nothing)")
    with open_archive(archive_location(store), write=True) as archive, archive.writing():
        user = archive.user_named(username)
        if user is None:
            raise UserError(f"--username {username}: no such user; add one with `checkengine serve add-user`")
        admin = archive.user_named(by)
        if admin is None or admin.role != "administrator":
            raise UserError(f"--by {by}: not an administrator")
        link(archive, user=user.id, person=person, owner_roles=owner_roles, set_by=by, at=now())
        archive.log("person linked", user=admin, address=None, target=username,
                    detail={"person": person, "owner_roles": sorted(owner_roles)})
    click.echo(f"{username} is {person or '(no person id)'} in the records; owner roles: "
               f"{', '.join(sorted(owner_roles)) or '-'}")
    return 0
