"""Who sees and changes which corrective action (checkengine/web/action_access.py): an action is a
user's own by their person id, their user name, or an owner role they hold at its site; a site
manager sees their sites' actions and alone assigns, verifies, rejects and reopens."""

from __future__ import annotations

import pytest

from checkengine.actions.lifecycle import Action
from checkengine.archive.people import PersonLink
from checkengine.archive.workspace import User
from checkengine.web.action_access import Who


def user(name: str, role: str, *sites: str, active: bool = True) -> User:
    return User(1, name, name, role, "$argon2id$x", None, active, tuple(sites))


def action(owner: str | None = None, role: str | None = "team_leader", site: str = "cc-taipei",
           status: str = "open") -> Action:
    return Action(7, "cs-floor", "WKS-03-desk-tidy", site, "T1", "E014", "Asia/Taipei", "2026-12-05",
                  status=status, owner=owner, owner_role=role)


LEADER = Who.of(user("lead.chang", "auditor", "cc-taipei"), PersonLink("E010", ("team_leader",), "admin", "t"))
LIN = Who.of(user("auditor.lin", "auditor", "cc-taipei"), None)
WANG = Who.of(user("manager.wang", "site_manager", "cc-taipei"), None)
HUANG = Who.of(user("manager.huang", "site_manager", "br-banqiao"), None)
ADMIN = Who.of(user("admin", "administrator"), None)
AUTHOR = Who.of(user("author.liu", "policy_author"), PersonLink(None, ("team_leader",), "admin", "t"))


@pytest.mark.parametrize(("who", "the_action", "owns", "sees"), [
    (LEADER, action(), True, True),                      # the team-leader role at their site
    (LEADER, action(site="br-banqiao"), False, False),   # ... not at another site
    (LEADER, action(owner="E010"), True, True),          # their person id
    (LEADER, action(owner="E011"), False, False),        # someone else's, though the role matches
    (LIN, action(), False, False),                       # an auditor is an inspector, not a team leader
    (LIN, action(owner="auditor.lin", role="inspector"), True, True),  # the inspector named by their records
    (LIN, action(owner=None, role="inspector"), True, True),
    (WANG, action(), False, True),                       # a manager sees the site's actions
    (WANG, action(owner=None, role="site_manager"), True, True),
    (HUANG, action(), False, False),
    (ADMIN, action(site="anywhere"), False, True),
    (AUTHOR, action(), False, False),                    # no site: a role without a site owns nothing
])
def test_who_owns_and_sees(who: Who, the_action: Action, owns: bool, sees: bool) -> None:
    assert (who.owns(the_action), who.may_see(the_action)) == (owns, sees)


def test_what_each_may_do() -> None:
    assert LEADER.verbs(action()) == ["start", "done", "note"]
    assert WANG.verbs(action()) == ["assign", "start", "done", "note"]
    assert WANG.verbs(action(status="done")) == ["verify", "reject", "note"]
    assert LEADER.verbs(action(status="done")) == ["note"]
    assert WANG.verbs(action(status="closed")) == ["reopen", "note"]
    assert HUANG.verbs(action()) == []
    assert not LEADER.may("verify", action(status="done"))


def test_the_actor_is_the_person_id_else_the_user_name() -> None:
    assert (LEADER.actor, LIN.actor) == ("E010", "auditor.lin")
    inactive = Who.of(user("gone", "site_manager", "cc-taipei", active=False), None)
    assert not inactive.may_see(action())
