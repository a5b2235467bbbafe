"""``checkengine schedule``: what a period's schedules want at a site, what was done, overdue and
missed; a manager excuses or reschedules an occurrence with a reason (kept in the archive)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import click

from checkengine.commands._common import DATE
from checkengine.commands.archive import DB_HELP


@dataclass(frozen=True)
class ScheduleOptions:
    db: str | None
    period: str
    sites: tuple[str, ...]
    rulebooks: tuple[str, ...]
    today: date | None
    status: str | None
    fmt: str
    output: str | None


def _title(title: object) -> str:
    if isinstance(title, dict):
        return str(title.get("en") or next(iter(title.values()), ""))
    return str(title)


def run_list(opts: ScheduleOptions) -> int:
    from checkengine.archive.store import archive_location, open_archive
    from checkengine.archive.tracking import sites_of
    from checkengine.batch.output import guarded_output
    from checkengine.errors import ExitCode, UserError
    from checkengine.report.period import parse_period
    from checkengine.schedules.plan import load_schedules, plan_site

    period = parse_period(opts.period)
    with open_archive(archive_location(opts.db), write=False) as archive:
        schedules = load_schedules(archive, opts.rulebooks)
        if not schedules:
            raise UserError("no schedules: the rulebooks declare none (docs/schedules.md); give --rulebook with a "
                            "rulebook that has schedules:, or archive runs of one")
        sites = list(opts.sites) or sites_of(archive, sorted({s.book for s, _ in schedules}))
        slots = [slot for site in sites for slot in plan_site(archive, schedules, site, period, opts.today)]
    items = [s.as_dict() for s in slots if opts.status is None or s.status == opts.status]
    with guarded_output(opts.output) as out:
        if opts.fmt == "json":
            out.write(json.dumps(items, ensure_ascii=False, indent=1) + "\n")
        else:
            for item in items:
                late = " (late)" if item["late"] else ""
                who = f" {item['subject']}" if item["subject"] else ""
                moved = f" (moved from {item['original_due']})" if "original_due" in item else ""
                why = f": {item['decision']['reason']}" if item.get("decision") else ""
                out.write(f"{item['due']}{moved} {item['site']}{who} {item['book']}:{item['schedule']} "
                          f"[{item['source']}] {item['status']}{late} {len(item['found'])}/{item['needed']}"
                          f"{why} - {_title(item['title'])}\n")
            counts = {s: sum(1 for i in slots if i.status == s) for s in
                      ("done", "due", "overdue", "missed", "excused", "upcoming")}
            out.write(f"{opts.period}: " + ", ".join(f"{n} {s}" for s, n in counts.items()) + "\n")
    return int(ExitCode.FINDINGS) if any(i["status"] == "missed" for i in items) else 0


@click.group("schedule", invoke_without_command=True)
@click.option("--period", metavar="PERIOD", help="A month (2026-11) or an ISO week (2026-W45).")
@click.option("--site", "sites", multiple=True, metavar="SITE", help="A site (repeatable; default: every site archived).")
@click.option("--rulebook", "-r", "rulebooks", multiple=True, metavar="RULEBOOK",
              help="Rulebooks whose schedules to use (default: the newest archived version of each).")
@click.option("--today", type=DATE, help="Judge due, overdue and missed as of this day (default: today on the site's clock).")
@click.option("--status", type=click.Choice(["done", "excused", "upcoming", "due", "overdue", "missed"]))
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--output", "-o", metavar="FILE", help="Write to FILE (atomically) instead of stdout.")
@click.option("--db", metavar="FILE_OR_URL", help=DB_HELP)
@click.pass_context
def command(ctx: click.Context, period: str | None, sites: tuple[str, ...], rulebooks: tuple[str, ...],
            today: date | None, status: str | None, fmt: str, output: str | None, db: str | None) -> int | None:
    """List what the schedules want in a period: due, done, overdue and missed occurrences.

    Exit 0; 1 when an occurrence was missed; 2 for bad input. `schedule excuse` and `schedule
    reschedule` record a manager's decision about one occurrence."""
    if ctx.invoked_subcommand is not None:
        return None
    if period is None:
        from checkengine.errors import UserError

        raise UserError("give the period: checkengine schedule --period 2026-11 (a month or an ISO week)")
    return run_list(ScheduleOptions(db, period, sites, rulebooks, today, status, fmt, output))


def _decide(event: str, name: str, site: str, due: date, actor: str, reason: str, subject: str | None,
            book: str | None, rulebooks: tuple[str, ...], db: str | None, new_due: date | None) -> int:
    from checkengine.archive.store import archive_location, open_archive
    from checkengine.schedules.decide import decide
    from checkengine.schedules.plan import load_schedules

    with open_archive(archive_location(db), write=True) as archive:
        schedules = load_schedules(archive, rulebooks)
        with archive.writing():
            schedule = decide(archive, schedules, name, book=book, site=site, due=due,
                              event="rescheduled" if new_due else "excused", actor=actor, reason=reason,
                              subject=subject, new_due=new_due)
    what = f"moved to {new_due.isoformat()}" if new_due else "excused"
    click.echo(f"{schedule.book}:{schedule.id} at {site} due {due.isoformat()}: {what} by {actor}", err=True)
    return 0


def _common(fn: click.decorators.FC) -> click.decorators.FC:
    for decorator in reversed([
        click.argument("name", metavar="SCHEDULE"),
        click.option("--site", required=True, metavar="SITE"),
        click.option("--due", required=True, type=DATE, help="The occurrence: its due day as the schedule set it."),
        click.option("--by", "actor", required=True, metavar="PERSON", help="The manager deciding (their id)."),
        click.option("--reason", required=True, metavar="TEXT", help="Why (kept in the history)."),
        click.option("--subject", metavar="EMPLOYEE", help="Whose occurrence, for a schedule counted per person."),
        click.option("--book", metavar="RULEBOOK_ID", help="The rulebook, when two have a schedule of that name."),
        click.option("--rulebook", "-r", "rulebooks", multiple=True, metavar="RULEBOOK"),
        click.option("--db", metavar="FILE_OR_URL", help=DB_HELP),
    ]):
        fn = decorator(fn)
    return fn


@command.command("excuse")
@_common
def excuse(name: str, site: str, due: date, actor: str, reason: str, subject: str | None, book: str | None,
           rulebooks: tuple[str, ...], db: str | None) -> int:
    """Excuse one occurrence (it is no longer missed), with the reason. Exit 0."""
    return _decide("excused", name, site, due, actor, reason, subject, book, rulebooks, db, None)


@command.command("reschedule")
@_common
@click.option("--to", "new_due", required=True, type=DATE, help="The new due day.")
def reschedule(name: str, site: str, due: date, actor: str, reason: str, subject: str | None, book: str | None,
               rulebooks: tuple[str, ...], db: str | None, new_due: date) -> int:
    """Move one occurrence's due day, with the reason. Exit 0."""
    return _decide("rescheduled", name, site, due, actor, reason, subject, book, rulebooks, db, new_due)
