"""Assigning an inspection: a checklist of a served rulebook, at a site, on a day, to an auditor of
that site, by a site manager of the site or an administrator. One function for both front ends:
``checkengine serve assign`` prints the refusal's message (naming its options), the workspace's
``/assign`` page says it in the page's language from its key (``labels.yaml``, ``as_*``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from checkengine.archive.store import Store
from checkengine.archive.workspace import User
from checkengine.errors import UserError
from checkengine.web.evaluation import Library

#: the fields that say who is inspected, and the most characters each may have
SUBJECT_FIELDS = ("employee", "name", "team", "role")
MAX_SUBJECT = 200


class AssignRefused(UserError):
    """An assignment refused: the command's message, and *key* and *values* for the workspace."""

    def __init__(self, message: str, key: str, **values: str) -> None:
        super().__init__(message)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class Assignment:
    rulebook: str
    site: str
    auditor: str
    due: str
    kind: str | None = None
    subject: Mapping[str, str] = field(default_factory=dict)


def may_assign(user: User, site: str | None = None) -> bool:
    """An administrator assigns at any site; a site manager at their sites (*site* None: at any of them)."""
    if user.role == "administrator":
        return True
    return user.role == "site_manager" and (site in user.sites if site is not None else bool(user.sites))


def assign(store: Store, library: Library, wanted: Assignment, boss: User, *, address: str | None) -> int:
    """Add the inspection *wanted* and its audit-log entry in one transaction; its id.

    Refused (AssignRefused, nothing written) when the date is not a date, the rulebook is not
    served or has no checklist of that kind, the auditor is not an auditor of the site, *boss* may
    not assign there, or a subject field is too long."""
    try:
        date.fromisoformat(wanted.due)
    except ValueError:
        raise AssignRefused(f"--date {wanted.due}: not a date; write YYYY-MM-DD (e.g. 2026-11-03)", "as_bad_date",
                            value=wanted.due[:40]) from None
    served = library.books.get(wanted.rulebook)
    if served is None:
        raise AssignRefused(f"--rulebook {wanted.rulebook}: no rulebook with checklists has that id; served: "
                            f"{', '.join(library.books)}", "as_no_rulebook", value=wanted.rulebook[:80])
    kinds = ", ".join(served.kinds)
    if wanted.kind is None and len(served.kinds) > 1:
        raise AssignRefused(f"--rulebook {wanted.rulebook} has checklists for {kinds}; choose one with --kind",
                            "as_no_kind", kinds=kinds)
    kind = wanted.kind or served.kinds[0]
    if kind not in served.kinds:
        raise AssignRefused(f"--kind {kind}: {wanted.rulebook} has checklists for {kinds}", "as_no_kind", kinds=kinds)
    subject = {k: str(v).strip() for k, v in wanted.subject.items() if v is not None and str(v).strip()}
    for name, value in subject.items():
        if name not in SUBJECT_FIELDS:
            raise AssignRefused(f"subject field {name!r}: not one of {', '.join(SUBJECT_FIELDS)}", "as_bad_subject",
                                value=name[:40])
        if len(value) > MAX_SUBJECT:
            raise AssignRefused(f"--{'person' if name == 'name' else name}: at most {MAX_SUBJECT} characters",
                                "as_too_long", most=str(MAX_SUBJECT))
    if not may_assign(boss, wanted.site):
        raise AssignRefused(f"--by {boss.username}: not a site manager of {wanted.site!r} nor an administrator",
                            "as_not_yours", site=wanted.site[:80])
    with store.writing():
        if wanted.site not in store.sites():
            raise AssignRefused(f"--site {wanted.site}: no such site; add it with `checkengine serve add-site`",
                                "as_no_site", site=wanted.site[:80])
        auditor = store.user_named(wanted.auditor)
        if auditor is None or auditor.role != "auditor" or not auditor.active or wanted.site not in auditor.sites:
            raise AssignRefused(f"--auditor {wanted.auditor}: not an auditor of site {wanted.site!r}; add one with "
                                "`checkengine serve add-user --role auditor --site ...`", "as_not_auditor",
                                auditor=wanted.auditor[:100], site=wanted.site[:80])
        iid = store.add_inspection(site=wanted.site, rulebook=wanted.rulebook, kind=kind, subject=subject,
                                   due=wanted.due, assigned_to=auditor.id, created_by=boss.id)
        store.log("inspection assigned", user=boss, address=address, target=f"inspection {iid}",
                  detail={"auditor": auditor.username, "rulebook": wanted.rulebook, "site": wanted.site,
                          "due": wanted.due})
    return iid


def auditors_of(store: Store, sites: list[str]) -> list[User]:
    """The active auditors of any of *sites*, by name."""
    return sorted((u for u in store.users() if u.role == "auditor" and u.active and set(u.sites) & set(sites)),
                  key=lambda u: (u.name, u.username))
