"""``checkengine actions``: corrective actions opened from archived runs, moved by people, mailed as digests."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import click

from checkengine.commands._common import DATE
from checkengine.commands.archive import DB_HELP

STATUSES = ("open", "assigned", "in_progress", "done", "closed")
VERBS = ("assign", "start", "done", "verify", "reject", "reopen", "note")


@click.group("actions")
def command() -> None:
    """Corrective actions: opened by `archive add` from failed outcomes (or by `actions open`),
    assigned, done with evidence, verified by a second person or a passing record, closed."""


def _text_line(item: dict[str, object]) -> str:
    flag = " OVERDUE" if item["overdue"] else ""
    who = " ".join(str(v) for v in (item["site"], item["team"], item["employee"]) if v)
    owner = item["owner"] or item["owner_role"] or "-"
    return (f"#{item['id']} {item['status']}{flag} {item['rule']} ({item['book']}) {who}; "
            f"owner {owner}; due {item['due'] or '-'}")


@dataclass(frozen=True)
class ListOptions:
    db: str | None
    site: str | None
    owner: str | None
    status: str | None
    overdue: bool
    today: date | None
    fmt: str
    output: str | None


def run_list(opts: ListOptions) -> int:
    from checkengine.actions.tracker import list_actions
    from checkengine.archive.store import archive_location, open_archive
    from checkengine.batch.output import guarded_output

    with open_archive(archive_location(opts.db), write=False) as archive:
        found = list_actions(archive, site=opts.site, owner=opts.owner, status=opts.status, overdue=opts.overdue,
                             when=opts.today)
    items = [a.as_dict(opts.today) for a in found]
    with guarded_output(opts.output) as out:
        if opts.fmt == "json":
            out.write(json.dumps(items, ensure_ascii=False, indent=1) + "\n")
        else:
            for item in items:
                out.write(_text_line(item) + "\n")
            out.write(f"{len(items)} actions ({sum(1 for i in items if i['overdue'])} overdue)\n")
    return 0


@command.command("list")
@click.option("--db", metavar="FILE_OR_URL", help=DB_HELP)
@click.option("--site", metavar="SITE")
@click.option("--owner", metavar="PERSON_OR_ROLE", help="The owner's id, or the owner role (team_leader ...).")
@click.option("--status", type=click.Choice(STATUSES))
@click.option("--overdue", is_flag=True, help="Only actions past their due day (on the site's clock).")
@click.option("--today", type=DATE, help="Judge overdue as of this day (default: today on each site's clock).")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--output", "-o", metavar="FILE", help="Write to FILE (atomically) instead of stdout.")
def list_(db: str | None, site: str | None, owner: str | None, status: str | None, overdue: bool,
          today: date | None, fmt: str, output: str | None) -> int:
    """List corrective actions matching every filter given. Exit 0."""
    return run_list(ListOptions(db, site, owner, status, overdue, today, fmt, output))


def run_show(db: str | None, action_id: int, fmt: str, today: date | None) -> int:
    from checkengine.actions.tracker import load_action
    from checkengine.archive.store import archive_location, open_archive

    with open_archive(archive_location(db), write=False) as archive:
        action = load_action(archive, action_id)
    item = action.as_dict(today, history=True)
    if fmt == "json":
        click.echo(json.dumps(item, ensure_ascii=False, indent=1))
        return 0
    click.echo(_text_line(item))
    click.echo(f"  opened {item['opened_at']}; records {', '.join(action.records) or '-'}")
    for event in action.events:
        extra = [f"{k} {event[k]}" for k in ("owner", "due", "record_id") if event.get(k)]
        extra += [f"photo {f}" for f in event.get("files") or []]
        note = f": {event['note']}" if event.get("note") else ""
        click.echo(f"  {event['seq']}. {event['at']} {event['actor']} {event['event']}"
                   + (f" ({'; '.join(extra)})" if extra else "") + note)
    return 0


@command.command("show")
@click.argument("action_id", type=click.IntRange(1), metavar="ID")
@click.option("--db", metavar="FILE_OR_URL", help=DB_HELP)
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--today", type=DATE, help="Judge overdue as of this day.")
def show(action_id: int, db: str | None, fmt: str, today: date | None) -> int:
    """An action's state and its whole history. Exit 0; 2 for an unknown id."""
    return run_show(db, action_id, fmt, today)


@command.command("update")
@click.argument("action_id", type=click.IntRange(1), metavar="ID")
@click.argument("verb", type=click.Choice(VERBS), metavar="|".join(VERBS))
@click.option("--by", "actor", required=True, metavar="PERSON", help="Who makes the update (their id).")
@click.option("--note", metavar="TEXT", help="What was done, or why (needed for done without a photo, reject, reopen).")
@click.option("--photo", "photos", multiple=True, type=click.Path(path_type=Path), metavar="FILE",
              help="A photo of the evidence (JPEG, PNG, GIF or WebP; repeatable), kept in the archive by its hash.")
@click.option("--to", metavar="PERSON", help="assign: the person it goes to.")
@click.option("--due", type=DATE, help="assign: a new due day.")
@click.option("--db", metavar="FILE_OR_URL", help=DB_HELP)
def update(action_id: int, verb: str, actor: str, note: str | None, photos: tuple[Path, ...], to: str | None,
           due: date | None, db: str | None) -> int:
    """Move an action on: assign, start, done (with a note or photo), verify (not by who did it),
    reject (back to in progress), reopen, note. Exit 0; 2 when the update is not allowed."""
    from checkengine.actions.tracker import update_action
    from checkengine.archive.store import archive_location, open_archive

    with open_archive(archive_location(db), write=True) as archive:
        action = update_action(archive, action_id, verb, actor=actor, note=note, photos=list(photos), to=to, due=due)
    click.echo(f"action {action.id}: {action.status}", err=True)
    return 0


@command.command("open")
@click.option("--run", "runs", multiple=True, type=click.IntRange(1), metavar="N", help="An archived run (repeatable).")
@click.option("--all", "every", is_flag=True, help="Every archived run, oldest first.")
@click.option("--db", metavar="FILE_OR_URL", help=DB_HELP)
def open_(runs: tuple[int, ...], every: bool, db: str | None) -> int:
    """Open, reopen and verify actions from archived runs (as `archive add` does for its run).
    Running it again on a run changes nothing. Exit 0."""
    from checkengine.actions.tracker import process_run
    from checkengine.archive.store import archive_location, open_archive
    from checkengine.archive.tracking import runs_of
    from checkengine.errors import UserError

    if not runs and not every:
        raise UserError("say which runs: --run N (repeatable) or --all")
    with open_archive(archive_location(db), write=True) as archive:
        for run in (runs_of(archive) if every else runs):
            click.echo(process_run(archive, run).line(), err=True)
    return 0


@command.command("digest")
@click.option("--routes", required=True, type=click.Path(path_type=Path), metavar="FILE",
              help="Who gets which site's and team's actions, and their addresses (YAML, docs/actions.md).")
@click.option("--smtp-host", envvar="CHECKENGINE_SMTP_HOST", metavar="HOST", help="[env CHECKENGINE_SMTP_HOST]")
@click.option("--smtp-port", envvar="CHECKENGINE_SMTP_PORT", type=click.IntRange(1, 65535), default=587,
              show_default=True, help="[env CHECKENGINE_SMTP_PORT]")
@click.option("--starttls/--no-starttls", envvar="CHECKENGINE_SMTP_STARTTLS", default=True, show_default=True,
              help="Upgrade the connection with STARTTLS before logging in.")
@click.option("--smtp-user", envvar="CHECKENGINE_SMTP_USER", metavar="USER",
              help="Log in as USER; the password is read from CHECKENGINE_SMTP_PASSWORD only.")
@click.option("--from", "sender", envvar="CHECKENGINE_SMTP_FROM", metavar="ADDRESS", help="[env CHECKENGINE_SMTP_FROM]")
@click.option("--day", type=DATE, help="The digest's day (default: today); one digest per person per day.")
@click.option("--db", metavar="FILE_OR_URL", help=DB_HELP)
def digest(routes: Path, smtp_host: str | None, smtp_port: int, starttls: bool, smtp_user: str | None,
           sender: str | None, day: date | None, db: str | None) -> int:
    """E-mail each person one digest of the actions routed to them (once a day: a rerun the same
    day sends nothing twice). Exit 0; 2 for a bad routing file or SMTP settings."""
    from checkengine.actions.digest import PASSWORD_ENV, load_routes, send_digests, smtp_from
    from checkengine.actions.tracker import list_actions
    from checkengine.archive.store import archive_location, open_archive

    table = load_routes(routes)
    config = smtp_from({"host": smtp_host, "port": smtp_port, "starttls": starttls, "user": smtp_user,
                        "sender": sender})
    the_day = day or date.today()
    with open_archive(archive_location(db), write=True) as archive:
        actions = list_actions(archive)
        report = send_digests(archive, actions, table, config, day=the_day, password=os.environ.get(PASSWORD_ENV),
                              when=day)
    click.echo(f"digests of {the_day.isoformat()}: {len(report.sent)} sent, {len(report.skipped)} already sent today, "
               f"{len(report.unreachable)} without an address", err=True)
    for person in report.unreachable:
        click.echo(f"  no address for {person} (add it under people: in {routes})", err=True)
    return 0
