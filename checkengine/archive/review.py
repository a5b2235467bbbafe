"""What the store keeps of the site manager's review (migration 5): which submission each signed
form was made from, and each review (accepted with the countersigned form, or sent back with a
comment). Every change is a new row; the rules of the review are not here
(:mod:`checkengine.web.review`): only the SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from checkengine.archive.reading import Reader
from checkengine.archive.store import Store

_CHUNK = 500


@dataclass(frozen=True)
class Review:
    id: int
    inspection: int
    submission: int
    decision: str  # accepted, sent_back
    comment: str | None
    form: int | None
    user: int
    reviewer: str
    reviewed_at: str


@dataclass
class Facts:
    """Where an inspection stands: its submissions (oldest first), the roles whose signed form
    each submission has, and each submission's review."""

    submissions: list[int] = field(default_factory=list)
    signed: dict[int, dict[str, dict[str, Any]]] = field(default_factory=dict)
    reviews: dict[int, Review] = field(default_factory=dict)

    @property
    def latest(self) -> int | None:
        return self.submissions[-1] if self.submissions else None


def link_form(store: Store, *, form: int, submission: int) -> None:
    """Record that the signed form *form* was made from *submission* (inside :meth:`Store.writing`)."""
    store.execute("INSERT INTO form_submissions (form, submission) VALUES (?, ?)", (form, submission))


def add_review(store: Store, *, inspection: int, submission: int, decision: str, comment: str | None,
               form: int | None, user: int) -> int:
    """Keep a review; the database refuses a second one of the same submission, a send-back
    without a comment and an acceptance without its countersigned form."""
    from checkengine.archive.store import now

    return store.insert_returning_id(
        'INSERT INTO reviews (inspection, submission, decision, comment, form, "user", reviewed_at) '
        "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id", (inspection, submission, decision, comment, form, user, now()))


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


def review_facts(archive: Reader, inspections: Sequence[int]) -> dict[int, Facts]:
    """The :class:`Facts` of each of *inspections*. A form signed before migration 5 has no link to
    a submission: it was made from the inspection's first (then its only) submission."""
    out: dict[int, Facts] = {i: Facts() for i in inspections}
    ids = list(out)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        for row in archive.rows(f"SELECT id, inspection FROM submissions WHERE inspection IN ({_marks(chunk)}) "
                                "ORDER BY id", chunk):
            out[int(row["inspection"])].submissions.append(int(row["id"]))
        for row in archive.rows(
                'SELECT f.id, f.inspection, f.role, f.sha256, f.signed_at, u.name, fs.submission FROM signed_forms f '
                'JOIN users u ON u.id = f."user" LEFT JOIN form_submissions fs ON fs.form = f.id '
                f"WHERE f.inspection IN ({_marks(chunk)}) ORDER BY f.id", chunk):
            facts = out[int(row["inspection"])]
            submission = row["submission"] if row["submission"] is not None else (
                facts.submissions[0] if facts.submissions else None)
            if submission is not None:
                facts.signed.setdefault(int(submission), {})[row["role"]] = {
                    "id": int(row["id"]), "sha256": row["sha256"], "at": row["signed_at"], "by": row["name"]}
        for row in archive.rows(
                'SELECT r.id, r.inspection, r.submission, r.decision, r.comment, r.form, r."user", u.name, '
                'r.reviewed_at FROM reviews r JOIN users u ON u.id = r."user" '
                f"WHERE r.inspection IN ({_marks(chunk)}) ORDER BY r.id", chunk):
            review = Review(int(row["id"]), int(row["inspection"]), int(row["submission"]), row["decision"],
                            row["comment"], None if row["form"] is None else int(row["form"]), int(row["user"]),
                            row["name"], row["reviewed_at"])
            out[review.inspection].reviews[review.submission] = review
    return out
