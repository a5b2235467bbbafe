"""Actions made, moved and read: from an archived run's outcomes, and from people's updates.

An action is about one thing to put right: a rule of a rulebook at a site, for one employee when
the failed record has one (``[book, rule, site, employee]``). A failed outcome opens it; another
failure while it is open is linked to it (``failed_again``); a failure on a later record after it
was closed reopens it; a later record that passes the rule verifies a done action and closes it.
Processing a run twice changes nothing the second time (a record already linked is skipped).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Mapping

from checkengine.actions.evidence import EvidenceFile, keep_files, photo_file
from checkengine.actions.followup import resolve_follow_up
from checkengine.actions.lifecycle import EVENT_OF, Action, TransitionRefused, check_transition, fold
from checkengine.archive.reading import Reader
from checkengine.archive.store import Store, now
from checkengine.archive.tracking import (
    action_events, action_head, action_heads, add_event, lock_actions, new_action, run_book, run_group_outcomes,
    run_people, run_record_outcomes, site_block,
)
from checkengine.errors import UserError


@dataclass
class RunActions:
    """What processing one run did."""

    run: int
    opened: list[int] = field(default_factory=list)
    reopened: list[int] = field(default_factory=list)
    failed_again: list[int] = field(default_factory=list)
    verified: list[int] = field(default_factory=list)

    def line(self) -> str:
        return (f"run {self.run}: actions {len(self.opened)} opened, {len(self.reopened)} reopened, "
                f"{len(self.failed_again)} failed again, {len(self.verified)} verified by a passing record")


def action_key(book: str, rule: str, site: str | None, employee: str | None) -> str:
    return json.dumps([book, rule, site, employee], ensure_ascii=False)


def _zone(data: Mapping[str, Any]) -> str | None:
    site = data.get("site")
    zone = site.get("timezone") if isinstance(site, Mapping) else None
    return zone if isinstance(zone, str) and zone else None


def load_action(archive: Reader, action_id: int) -> Action:
    head = action_head(archive, action=action_id)
    if head is None:
        raise UserError(f"no action {action_id} in the archive; `checkengine actions list` shows the ids")
    return fold(head, action_events(archive, [action_id])[action_id])


def _append(store: Store, action: Action, **event: Any) -> Action:
    event.setdefault("at", now())
    add_event(store, action.id, action.seq + 1, **event)
    head = {"id": action.id, "book": action.book, "rule": action.rule, "site": action.site, "team": action.team,
            "employee": action.employee, "zone": action.zone, "opened_at": action.opened_at}
    return fold(head, [*action.events, {**event, "seq": action.seq + 1}])


def _period_end(row: Mapping[str, Any]) -> str | None:
    """The last day of an aggregate group's period (its day, ISO week or month)."""
    if row["day"]:
        return str(row["day"])
    if row["week"]:
        iso_year, iso_week = str(row["week"]).split("-W")
        return date.fromisocalendar(int(iso_year), int(iso_week), 7).isoformat()
    if row["month"]:
        year, month = (int(p) for p in str(row["month"]).split("-"))
        following = date(year + month // 12, month % 12 + 1, 1)
        return date.fromordinal(following.toordinal() - 1).isoformat()
    return None


def group_items(store: Reader, run: int, outcome: str, rules: list[str] | None = None) -> list[dict[str, Any]]:
    """Aggregate outcomes of *run* as action items: a group without a site of its own belongs to the
    site of its employee's (or team's) records in the run, or to the run's only site; its record is
    the group (``[employee=E020 period=2026-11]``) and its day the period's last."""
    people = run_people(store, run)
    by_employee = {e: (s, t) for s, t, e in people if e}
    by_team = {t: s for s, t, _ in people if t}
    sites = {s for s, _, _ in people}
    blocks: dict[str | None, dict[str, Any]] = {}
    out = []
    for g in run_group_outcomes(store, run, outcome, rules):
        site_of, team_of = by_employee.get(g["employee"], (None, None))
        site = g["site"] or site_of or by_team.get(g["team"]) or (next(iter(sites)) if len(sites) == 1 else None)
        if site not in blocks:
            blocks[site] = (site_block(store, site) if site else None) or {}
        label = "[" + " ".join(f"{k}={v}" for k, v in sorted(g["group"].items())) + "]"
        out.append({"id": g["id"], "rule": g["rule"], "site": site, "team": g["team"] or team_of,
                    "employee": g["employee"], "day": _period_end(g), "record_id": label,
                    "data": {"site": blocks[site], "subject": {"employee": g["employee"], "team": g["team"] or team_of}}})
    return out


def _last_failure_day(action: Action) -> str:
    days = [e["day"] for e in action.events if e["event"] in ("opened", "reopened", "failed_again") and e.get("day")]
    return max(days, default="")


def process_run(store: Store, run: int) -> RunActions:
    """Open, link, reopen and verify actions from the outcomes of *run* (in one transaction)."""
    with store.writing():
        return actions_of_run(store, run)


def actions_of_run(store: Store, run: int) -> RunActions:
    """:func:`process_run` inside the caller's transaction (the workspace keeps a submission's run,
    its actions and its audit-log entry in one)."""
    done = RunActions(run)
    lock_actions(store)
    found = run_book(store, run)
    if found is None:
        raise UserError(f"no run {run} in the archive; `checkengine archive query` shows what is archived")
    book, merged = found
    actor = f"run:{run}"
    cache: dict[str, Action] = {}

    def current(key: str) -> Action | None:
        if key not in cache:
            head = action_head(store, key=key)
            if head is None:
                return None
            cache[key] = fold(head, action_events(store, [int(head["id"])])[int(head["id"])])
        return cache[key]

    for item in run_record_outcomes(store, run, "fail", with_data=True) + group_items(store, run, "fail"):
        key = action_key(book, item["rule"], item["site"], item["employee"])
        day = date.fromisoformat(item["day"]) if item["day"] else None
        follow = resolve_follow_up(merged, item["rule"], item["data"], day)
        details = {"basis": follow.basis, "outcome": item["id"]}
        where = {"run": run, "record_id": item["record_id"], "day": item["day"]}
        action = current(key)
        if action is None:
            at = now()
            new = new_action(store, key=key, book=book, rule=item["rule"], site=item["site"], team=item["team"],
                             employee=item["employee"], zone=_zone(item["data"]), at=at)
            fresh = {"id": new, "book": book, "rule": item["rule"], "site": item["site"], "team": item["team"],
                    "employee": item["employee"], "zone": _zone(item["data"]), "opened_at": at}
            cache[key] = _append(store, fold(fresh, []), at=at, actor=actor, event="opened", owner=follow.owner,
                                 owner_role=follow.owner_role, due=follow.as_dict()["due"], details=details,
                                 **where)
            done.opened.append(new)
        elif item["record_id"] in action.records or (item["day"] or "") < _last_failure_day(action):
            continue  # already linked, or older than what the action knows
        elif action.status == "closed":
            cache[key] = _append(store, action, actor=actor, event="reopened", owner=follow.owner,
                                 owner_role=follow.owner_role, due=follow.as_dict()["due"],
                                 note="the rule failed again", details=details, **where)
            done.reopened.append(action.id)
        else:
            cache[key] = _append(store, action, actor=actor, event="failed_again", details=details, **where)
            done.failed_again.append(action.id)

    waiting: dict[str, Action] = {}
    heads = action_heads(store, book=book)
    if heads:
        events = action_events(store, [int(h["id"]) for h in heads])
        for row in heads:
            known = cache.get(row["key"]) or fold(row, events[int(row["id"])])
            if known.status == "done":
                waiting[row["key"]] = known
    if waiting:
        rules = sorted({a.rule for a in waiting.values()})
        for item in run_record_outcomes(store, run, "pass", rules) + group_items(store, run, "pass", rules):
            key = action_key(book, item["rule"], item["site"], item["employee"])
            action = waiting.get(key)
            if action is None or action.status != "done" or item["record_id"] in action.records:
                continue
            if (item["day"] or "") < _last_failure_day(action):
                continue
            waiting[key] = _append(store, action, actor=actor, event="verified", run=run,
                                   record_id=item["record_id"], day=item["day"],
                                   note="a later record passes the rule", details={"outcome": item["id"]})
            done.verified.append(action.id)
    return done


def update_action(store: Store, action_id: int, verb: str, *, actor: str, note: str | None = None,
                  photos: list[Path] | None = None, to: str | None = None, due: date | None = None) -> Action:
    """Apply one person's update to an action (refused with a UserError when not allowed)."""
    with store.writing():
        return apply_update(store, action_id, verb, actor=actor, note=note, files=[photo_file(p) for p in photos or []],
                            to=to, due=due)


def apply_update(store: Store, action_id: int, verb: str, *, actor: str, note: str | None = None,
                 files: list[EvidenceFile] | None = None, to: str | None = None, due: date | None = None) -> Action:
    """:func:`update_action` inside the caller's transaction, with photos already checked (the
    workspace writes the update and its audit-log entry together)."""
    if due is not None and verb != "assign":
        raise TransitionRefused(f"--due goes with assign (a new due day for the person it goes to), not with '{verb}'",
                                "due_only_with_assign", verb=verb)
    if not actor.strip() or actor.startswith("run:"):
        raise TransitionRefused(f"--by {actor!r}: give the id of the person making the update (e.g. --by E022)",
                                "no_actor")
    lock_actions(store)
    action = load_action(store, action_id)
    check_transition(action, verb, actor, note=note, files=[f.digest for f in files or []], owner=to)
    at = now()
    digests = keep_files(store, list(files or []), at=at)
    return _append(store, action, at=at, actor=actor, event=EVENT_OF[verb], owner=to if verb == "assign" else None,
                   due=due.isoformat() if due else None, note=note, files=digests)


def list_actions(archive: Reader, *, site: str | None = None, owner: str | None = None, status: str | None = None,
                 overdue: bool = False, when: datetime | date | None = None) -> list[Action]:
    """Actions matching every filter, oldest first (*owner* matches the person or the role)."""
    heads = action_heads(archive, site=site)
    events = action_events(archive, [int(h["id"]) for h in heads])
    out = []
    for head in heads:
        action = fold(head, events[int(head["id"])])
        if owner is not None and owner not in (action.owner, action.owner_role):
            continue
        if status is not None and action.status != status:
            continue
        if overdue and not action.overdue(when):
            continue
        out.append(action)
    return out
