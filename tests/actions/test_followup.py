"""Who follows up a failure and by when: the rule's follow_up, else the rulebook's; days from a
parameter in force on the record's date; the owner the record names for the role."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from checkengine.actions.followup import resolve_follow_up
from checkengine.rulebook.load import load_rulebook

ROOT = Path(__file__).resolve().parents[2]
MERGED: dict[str, Any] = {
    "parameters": {"fix_days": {"values": {"2020-01-01": {"value": 14}, "2026-11-15": {"value": 7}}},
                   "bad_days": {"values": {"2020-01-01": {"value": "a fortnight"}}}},
    "follow_up": {"due": "fix_days", "owner": "team_leader"},
    "sections": [{"id": "s", "rules": [
        {"id": "plain"},
        {"id": "urgent", "follow_up": {"due_days": 1, "owner": "inspector"}},
        {"id": "bad", "follow_up": {"due": "bad_days", "owner": "employee"}},
    ]}],
}
RECORD = {"inspector": {"id": "E021", "name": "林品管"}, "subject": {"employee": "E004", "team": "T1"},
          "site": {"id": "cc-taipei"}}


def test_the_rulebook_default_with_a_dated_parameter() -> None:
    before = resolve_follow_up(MERGED, "plain", RECORD, date(2026, 11, 3))
    assert before.as_dict() == {"due": "2026-11-17", "days": 14, "owner": None, "owner_role": "team_leader",
                                "basis": "rulebook follow_up.due: parameter fix_days since 2020-01-01"}
    after = resolve_follow_up(MERGED, "plain", RECORD, date(2026, 11, 20))  # the parameter changed on the 15th
    assert (after.due, after.days, after.basis) == (date(2026, 11, 27), 7,
                                                    "rulebook follow_up.due: parameter fix_days since 2026-11-15")


def test_a_rule_of_its_own_wins_and_the_record_names_the_owner() -> None:
    urgent = resolve_follow_up(MERGED, "urgent", RECORD, date(2026, 11, 3))
    assert (urgent.due, urgent.owner, urgent.owner_role, urgent.basis) == (
        date(2026, 11, 4), "E021", "inspector", "rule follow_up.due_days")


def test_no_deadline_is_invented() -> None:
    bad = resolve_follow_up(MERGED, "bad", RECORD, date(2026, 11, 3))
    assert (bad.due, bad.owner, bad.basis) == (
        None, "E004", "rule follow_up.due: parameter bad_days is not a whole number of days ('a fortnight')")
    bare = resolve_follow_up({"sections": []}, "plain", RECORD, date(2026, 11, 3))
    assert (bare.due, bare.owner, bare.basis) == (
        None, None, "no follow_up declared (by the rule or the rulebook): no due date")
    undated = resolve_follow_up(MERGED, "plain", RECORD, None)
    assert undated.due is None and undated.days == 7  # the newest value; no record date, no due day


def test_the_bundled_rulebooks_follow_up_in_14_days() -> None:
    """The seeds set no deadline; the bundled rulebooks keep the audit form's 14 days as a parameter."""
    for name, role in (("cs-floor", "team_leader"), ("management", "site_manager"), ("call-quality", "inspector")):
        book = load_rulebook(ROOT / "rulebooks" / f"{name}.yaml")
        found = resolve_follow_up(book.merged, next(book.rules()).id, RECORD, date(2026, 11, 3))
        assert (found.due, found.owner_role) == (date(2026, 11, 17), role), name
