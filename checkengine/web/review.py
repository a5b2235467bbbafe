"""The site manager's review of a signed submission, and where an inspection stands.

An inspection goes: open (nothing submitted) -> to sign (the auditor's submission, not signed
yet) -> awaiting review (signed by the auditor) -> accepted (the site manager accepted it and
countersigned the form) or sent back (with the manager's comment: it is the auditor's again, to
correct and submit anew; that new submission is signed and reviewed in its turn, and the earlier
one and its signed form stay as they were). Only a manager of the inspection's site reviews.
A form countersigned before reviews were kept counts as accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Sequence

from checkengine.archive.reading import Reader
from checkengine.archive.review import Facts, Review, review_facts
from checkengine.archive.workspace import Inspection, Submission, User

Status = Literal["open", "to_sign", "awaiting_review", "sent_back", "accepted"]
MAX_COMMENT = 4000


@dataclass(frozen=True)
class State:
    status: Status
    facts: Facts

    @property
    def forms(self) -> dict[str, dict[str, Any]]:
        """The signed forms (by role) of the latest submission."""
        latest = self.facts.latest
        return dict(self.facts.signed.get(latest, {})) if latest is not None else {}

    @property
    def review(self) -> Review | None:
        """The review of the latest submission."""
        latest = self.facts.latest
        return self.facts.reviews.get(latest) if latest is not None else None

    @property
    def sent_back(self) -> Review | None:
        """The review that sent the inspection back, while it is the auditor's to correct."""
        return self.review if self.status == "sent_back" else None


def state_of(facts: Facts) -> State:
    latest = facts.latest
    if latest is None:
        return State("open", facts)
    review = facts.reviews.get(latest)
    signed = facts.signed.get(latest, {})
    if review is not None:
        return State("accepted" if review.decision == "accepted" else "sent_back", facts)
    if "manager" in signed:
        return State("accepted", facts)
    return State("awaiting_review" if "inspector" in signed else "to_sign", facts)


def states(archive: Reader, inspections: Sequence[int]) -> dict[int, State]:
    return {i: state_of(f) for i, f in review_facts(archive, inspections).items()}


def state(archive: Reader, inspection: int) -> State:
    return states(archive, [inspection])[inspection]


def may_review(user: User, inspection: Inspection) -> bool:
    """A site manager of the inspection's site - no one else, not an administrator either."""
    return user.role == "site_manager" and inspection.site in user.sites


def history(facts: Facts, submissions: Sequence[Submission]) -> list[dict[str, Any]]:
    """Every submission, newest first, with its signed forms and its review."""
    return [{"submission": s, "forms": facts.signed.get(s.id, {}), "review": facts.reviews.get(s.id)}
            for s in reversed(submissions)]


def entered_from(record: dict[str, Any], not_observed: Sequence[str]) -> dict[str, str]:
    """The checklist's field values that say what a submitted *record* said, so that an inspection
    sent back opens with the answers given before (the auditor corrects what the manager asked)."""
    entered: dict[str, str] = {}
    for rule, answer in (record.get("answers") or {}).items():
        entered[f"answer:{rule}"] = str(answer.get("result", ""))
        if answer.get("comment"):
            entered[f"comment:{rule}"] = str(answer["comment"])
    for rule in not_observed:
        entered.setdefault(f"answer:{rule}", "not_observed")
    for name, value in (record.get("observations") or {}).items():
        if value is None:
            entered[f"obs:{name}"] = "not_observed"
            entered[f"nobs:{name}"] = "on"
            continue
        text = ("yes" if value else "no") if isinstance(value, bool) else str(value)
        entered[f"obs:{name}"] = entered[f"fu:{name}"] = text
    for action in record.get("corrective_actions") or []:
        for part in ("action", "owner", "due"):
            entered[f"{part}:{action.get('rule')}"] = str(action.get(part, ""))
    return entered
