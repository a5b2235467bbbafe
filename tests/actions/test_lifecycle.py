"""The state machine an action's events are folded through, and the overdue rule on the site's clock."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pytest

from checkengine.actions.lifecycle import VERBS, check_transition, fold
from checkengine.errors import UserError

HEAD = {"id": 7, "book": "cs-floor", "rule": "DRS-01-uniform", "site": "cc-taipei", "team": "T1", "employee": "E004",
        "zone": "Asia/Taipei", "opened_at": "2026-11-03T10:20:00+08:00"}


def event(seq: int, kind: str, actor: str = "E001", **extra: Any) -> dict[str, Any]:
    return {"seq": seq, "at": f"2026-11-0{seq}T09:00:00+08:00", "actor": actor, "event": kind, **extra}


def test_the_events_make_the_state() -> None:
    events = [event(1, "opened", "run:1", due="2026-11-17", owner_role="team_leader", record_id="FI-1"),
              event(2, "assigned", "E022", owner="E001"), event(3, "started"), event(4, "done", note="fixed"),
              event(5, "rejected", "E022", note="still creased"), event(6, "done", note="new uniform"),
              event(7, "verified", "E022"), event(8, "reopened", "run:9", record_id="FI-2", due="2026-12-04"),
              event(9, "failed_again", "run:10", record_id="FI-3")]
    states = [fold(HEAD, events[:n]).status for n in range(1, 10)]
    assert states == ["open", "assigned", "in_progress", "done", "in_progress", "done", "closed", "open", "open"]
    action = fold(HEAD, events)
    assert (action.owner, action.owner_role, action.due, action.reopened, action.records, action.done_by) == (
        "E001", "team_leader", "2026-12-04", 1, ["FI-1", "FI-2", "FI-3"], None)


def test_overdue_is_judged_on_the_site_clock() -> None:
    action = fold(HEAD, [event(1, "opened", "run:1", due="2026-11-17")])
    # 16:30 UTC on the 17th is already the 18th in Taipei (+08:00): overdue there
    assert action.overdue(datetime(2026, 11, 17, 16, 30, tzinfo=timezone.utc))
    assert not action.overdue(datetime(2026, 11, 17, 15, 30, tzinfo=timezone.utc))
    assert not action.overdue(date(2026, 11, 17)) and action.overdue(date(2026, 11, 18))
    done = fold(HEAD, [event(1, "opened", "run:1", due="2026-11-17"), event(2, "done", note="x")])
    assert not done.overdue(date(2026, 12, 1))  # done, awaiting verification: not overdue


@pytest.mark.parametrize("status_events", [[], ["assigned"], ["started"], ["done"], ["done", "verified"]])
def test_every_verb_is_allowed_exactly_from_its_states(status_events: list[str]) -> None:
    events = [event(1, "opened", "run:1")] + [event(i + 2, e, "E001" if e != "verified" else "E022",
                                                    owner="E001" if e == "assigned" else None)
                                              for i, e in enumerate(status_events)]
    action = fold(HEAD, events)
    for verb, (states, _) in VERBS.items():
        allowed = action.status in states
        try:
            check_transition(action, verb, "E030", note="why", files=[], owner="E002")
            refused = False
        except UserError:
            refused = True
        assert refused != allowed, (action.status, verb)
