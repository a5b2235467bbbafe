"""Who may see and change which corrective action in the workspace (docs/actions.md, "In the
workspace").

An action's owner is a person id of the records (``E001``) or, when the failed record named
nobody for the follow-up role, a role at a site (``team_leader`` at cc-taipei). A workspace user
is matched to it through :mod:`checkengine.archive.people`: their person id (set by an
administrator with ``checkengine serve link-person``), their user name (what the workspace
writes as a record's ``inspector.id``), and the owner roles they hold at their sites - those of
the link, and the one their workspace role is (a site manager is ``site_manager``, an auditor
``inspector``).

- An action is a user's own when its owner is one of their ids, or when it names no person and its
  owner role is one they hold at its site.
- A site manager sees every action of their sites, an administrator every action; others only
  their own. Anything else is "not found".
- The owner starts it, marks it done (with evidence), adds notes; a manager of its site (or an
  administrator) does that too, and alone assigns, verifies, rejects and reopens. The lifecycle
  then refuses a verification by whoever marked it done (``check_transition``).
"""

from __future__ import annotations

from dataclasses import dataclass

from checkengine.actions.lifecycle import Action
from checkengine.archive.people import PersonLink
from checkengine.archive.workspace import User

#: the action owner role a workspace role is at the user's sites
ROLE_AS_OWNER = {"site_manager": "site_manager", "auditor": "inspector"}
OWNER_VERBS = ("start", "done", "note")
MANAGER_VERBS = ("assign", "start", "done", "note", "verify", "reject", "reopen")


@dataclass(frozen=True)
class Who:
    """A signed-in user as the records know them."""

    user: User
    person: str | None
    owner_roles: frozenset[str]

    @classmethod
    def of(cls, user: User, link: PersonLink | None) -> Who:
        roles = set(link.owner_roles if link else ())
        if user.role in ROLE_AS_OWNER:
            roles.add(ROLE_AS_OWNER[user.role])
        return cls(user, link.person if link else None, frozenset(roles))

    @property
    def actor(self) -> str:
        """The id an update is written under: the person id, else the user name."""
        return self.person or self.user.username

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(i for i in (self.person, self.user.username) if i)

    def owns(self, action: Action) -> bool:
        if action.owner is not None:
            return action.owner in self.ids
        return action.owner_role in self.owner_roles and action.site in self.user.sites

    def manages(self, action: Action) -> bool:
        if self.user.role == "administrator":
            return True
        return self.user.role == "site_manager" and action.site in self.user.sites

    def may_see(self, action: Action) -> bool:
        return self.user.active and (self.owns(action) or self.manages(action))

    def may(self, verb: str, action: Action) -> bool:
        if not self.may_see(action):
            return False
        if self.manages(action):
            return verb in MANAGER_VERBS
        return verb in OWNER_VERBS

    def verbs(self, action: Action) -> list[str]:
        """What this user may do to *action* in its state (the lifecycle's verbs they are allowed)."""
        from checkengine.actions.lifecycle import VERBS

        return [v for v, (states, _) in VERBS.items() if action.status in states and self.may(v, action)]

    @property
    def oversees(self) -> bool:
        """Whether the user has a manager's overview (a site manager or an administrator)."""
        return self.user.role in ("site_manager", "administrator")
