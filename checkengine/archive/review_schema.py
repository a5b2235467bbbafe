"""The tables of the site manager's review (``checkengine serve``), in the two dialects: migration
5 of the store (:mod:`checkengine.archive.schema`). Both are append-only, enforced by the database
like the archive's tables (the PostgreSQL trigger function is migration 1's).

A signed form belongs to one submission (``form_submissions``): an inspection sent back and
submitted again has a second submission with its own signed form, and the first form stays. A
review is kept once per submission (a unique index: two managers deciding at once cannot both
win); a send-back carries its comment, which the database itself requires to be non-blank.
"""

from __future__ import annotations

from checkengine.archive.ddl import append_only, statements

REVIEW_TABLES = ("form_submissions", "reviews")
DECISIONS = ("accepted", "sent_back")

_REVIEW = """
CREATE TABLE form_submissions (
    form        {ref} PRIMARY KEY REFERENCES signed_forms(id),
    submission  {ref} NOT NULL REFERENCES submissions(id)
);
CREATE INDEX form_submissions_by_submission ON form_submissions(submission, form);
CREATE TABLE reviews (
    id          {id},
    inspection  {ref} NOT NULL REFERENCES inspections(id),
    submission  {ref} NOT NULL REFERENCES submissions(id),
    decision    TEXT NOT NULL CHECK (decision IN ({decisions})),
    comment     TEXT,                   -- why it was sent back (required then), or a note on accepting
    form        {ref} REFERENCES signed_forms(id),  -- the countersigned form, when accepted
    {user_col} NOT NULL REFERENCES users(id),
    reviewed_at TEXT NOT NULL,
    CHECK (decision <> 'sent_back' OR length(trim(coalesce(comment, ''))) > 0),
    CHECK (decision <> 'accepted' OR form IS NOT NULL)
);
CREATE UNIQUE INDEX reviews_one_per_submission ON reviews(submission);
CREATE INDEX reviews_by_inspection ON reviews(inspection, id)
"""


def review_statements(dialect: str) -> tuple[str, ...]:
    if dialect == "sqlite":
        words = {"id": "INTEGER PRIMARY KEY", "ref": "INTEGER", "user_col": '"user" INTEGER'}
    else:
        words = {"id": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "ref": "BIGINT", "user_col": '"user" BIGINT'}
    words["decisions"] = ", ".join(f"'{d}'" for d in DECISIONS)
    return statements(_REVIEW.format(**words)) + append_only(REVIEW_TABLES, dialect)
