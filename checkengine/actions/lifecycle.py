"""An action's life: its events folded through one state machine into its current state.

States: ``open`` (made from a failed outcome, or reopened), ``assigned``, ``in_progress``,
``done`` (with evidence: a note or a photo), ``closed`` (verified by a second person, or by a later
record that passes the same rule). ``overdue`` is not a state but a fact about a date: an action
that is not done or closed whose due day has passed on the site's clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterable, Mapping
from zoneinfo import ZoneInfo

from checkengine.errors import UserError

STATES = ("open", "assigned", "in_progress", "done", "closed")
#: what a person may do, from which states, and the state it leads to (None: stays)
VERBS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "assign": (("open", "assigned", "in_progress"), "assigned"),
    "start": (("open", "assigned"), "in_progress"),
    "done": (("open", "assigned", "in_progress"), "done"),
    "verify": (("done",), "closed"),
    "reject": (("done",), "in_progress"),
    "reopen": (("closed",), "open"),
    "note": (STATES, None),
}
#: the event each verb writes
EVENT_OF = {"assign": "assigned", "start": "started", "done": "done", "verify": "verified", "reject": "rejected",
            "reopen": "reopened", "note": "noted"}
_NEXT = {EVENT_OF[v]: target for v, (_, target) in VERBS.items()}
_NEXT.update(opened="open", failed_again=None)
OPEN_STATES = ("open", "assigned", "in_progress")


@dataclass
class Action:
    """An action as its events leave it."""

    id: int
    book: str
    rule: str
    site: str | None
    team: str | None
    employee: str | None
    zone: str | None
    opened_at: str
    status: str = "open"
    owner: str | None = None
    owner_role: str | None = None
    due: str | None = None
    done_by: str | None = None
    reopened: int = 0
    records: list[str] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def seq(self) -> int:
        return len(self.events)

    def today(self, now: datetime | date | None = None) -> date:
        """Today on the site's clock (the machine's when the site has no zone); a given day as it is."""
        if isinstance(now, date) and not isinstance(now, datetime):
            return now
        moment = now or datetime.now().astimezone()
        return moment.astimezone(ZoneInfo(self.zone)).date() if self.zone else moment.date()

    def overdue(self, now: datetime | date | None = None) -> bool:
        return self.status in OPEN_STATES and self.due is not None and self.due < self.today(now).isoformat()

    def as_dict(self, now: datetime | date | None = None, *, history: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id, "status": self.status, "overdue": self.overdue(now), "book": self.book,
            "rule": self.rule, "site": self.site, "team": self.team, "employee": self.employee,
            "owner": self.owner, "owner_role": self.owner_role, "due": self.due, "opened_at": self.opened_at,
            "reopened": self.reopened, "records": self.records,
        }
        if history:
            out["history"] = self.events
        return out


def fold(head: Mapping[str, Any], events: Iterable[Mapping[str, Any]]) -> Action:
    """The action of the ``actions`` row *head* after *events* (in ``seq`` order)."""
    action = Action(int(head["id"]), head["book"], head["rule"], head["site"], head["team"], head["employee"],
                    head["zone"], head["opened_at"])
    for event in events:
        kind = event["event"]
        target = _NEXT[kind]
        if target is not None:
            action.status = target
        if event.get("owner") is not None:
            action.owner = event["owner"]
        if event.get("owner_role") is not None:
            action.owner_role = event["owner_role"]
        if event.get("due") is not None:
            action.due = event["due"]
        if kind == "done":
            action.done_by = event["actor"]
        elif kind == "reopened":
            action.reopened += 1
            action.done_by = None
        record = event.get("record_id")
        if record and record not in action.records:
            action.records.append(record)
        action.events.append(dict(event))
    return action


class TransitionRefused(UserError):
    """An update the lifecycle refuses: the command's message (naming its options), and *key* and
    *values* for another front end to say it in its own words (the workspace's ``labels.yaml``)."""

    def __init__(self, message: str, key: str, **values: str) -> None:
        super().__init__(message)
        self.key = key
        self.values = values


def check_transition(action: Action, verb: str, actor: str, *, note: str | None, files: list[str],
                     owner: str | None) -> None:
    """Refuse (TransitionRefused, a UserError: exit 2) an update the action's state or the rules do not allow."""
    if verb not in VERBS:
        raise TransitionRefused(f"'{verb}' is not an action update; use one of: {', '.join(VERBS)}", "not_a_verb",
                                verb=verb)
    allowed, _ = VERBS[verb]
    if action.status not in allowed:
        possible = [v for v, (states, _) in VERBS.items() if action.status in states]
        raise TransitionRefused(
            f"action {action.id} is {action.status}: it cannot be '{verb}' (only from {', '.join(allowed)}); "
            f"from {action.status} you can: {', '.join(possible)}", "wrong_state", verb=verb, status=action.status)
    if verb == "assign" and not owner:
        raise TransitionRefused(f"action {action.id}: assign needs the person it goes to (--to PERSON)",
                                "assign_needs_person")
    if verb == "done" and not note and not files:
        raise TransitionRefused(f"action {action.id}: 'done' needs evidence: a note (--note TEXT) or a photo "
                                "(--photo FILE), or both", "done_needs_evidence")
    if verb in ("reject", "reopen") and not note:
        raise TransitionRefused(f"action {action.id}: '{verb}' needs the reason (--note TEXT)", "needs_reason",
                                verb=verb)
    if verb == "verify" and action.done_by == actor:
        raise TransitionRefused(
            f"action {action.id}: {actor} marked it done, so {actor} cannot verify it; a second person "
            "verifies (or the next record that passes the rule does)", "verify_own_work", actor=actor)
