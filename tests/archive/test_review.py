"""The site manager's review in the store (migration 5), on SQLite and on a real PostgreSQL: each
signed form tied to the submission it was made from, one review per submission, a send-back
that the database refuses without a comment, and both tables append-only."""

from __future__ import annotations

import pytest

from checkengine.archive.review import add_review, link_form, review_facts
from checkengine.archive.review_schema import REVIEW_TABLES
from checkengine.archive.store import ArchiveError, open_archive

from storetest import raw_failure

SITE = {"id": "cc-taipei", "name": "台北客服中心", "timezone": "Asia/Taipei"}


def _seed(location: str) -> dict[str, int]:
    ids: dict[str, int] = {}
    with open_archive(location, write=True) as store, store.writing():
        store.add_site(SITE)
        for name, role in (("lin", "auditor"), ("wang", "site_manager")):
            ids[name] = store.add_user(username=name, name=name.title(), role=role, password_hash="$argon2id$x",
                                       sites=["cc-taipei"])
        ids["inspection"] = store.add_inspection(site="cc-taipei", rulebook="cs-floor", kind="floor_inspection",
                                                 subject={"employee": "E001"}, due="2026-11-03",
                                                 assigned_to=ids["lin"], created_by=ids["wang"])
        for n in (1, 2):
            ids[f"submission{n}"] = store.add_submission(
                inspection=ids["inspection"], device_id=f"{n}" * 32, user=ids["lin"], language="en",
                record={"n": n}, not_observed=[], result={}, run=None)
    return ids


def _form(location: str, ids: dict[str, int], role: str, submission: int | None) -> int:
    with open_archive(location, write=True) as store, store.writing():
        form = store.add_signed_form(inspection=ids["inspection"], role=role, pdf=b"%PDF-", sha256=role[0] * 64,
                                     user=ids["lin" if role == "inspector" else "wang"])
        if submission is not None:
            link_form(store, form=form, submission=submission)
    return form


def test_sent_back_then_accepted(archive_at: str) -> None:
    ids = _seed(archive_at)
    first = _form(archive_at, ids, "inspector", None)  # signed before migration 5: no link
    with open_archive(archive_at, write=True) as store, store.writing():
        add_review(store, inspection=ids["inspection"], submission=ids["submission1"], decision="sent_back",
                   comment="照片不清楚，請重拍", form=None, user=ids["wang"])
    second = _form(archive_at, ids, "inspector", ids["submission2"])
    countersigned = _form(archive_at, ids, "manager", ids["submission2"])
    with open_archive(archive_at, write=True) as store, store.writing():
        add_review(store, inspection=ids["inspection"], submission=ids["submission2"], decision="accepted",
                   comment=None, form=countersigned, user=ids["wang"])
    with open_archive(archive_at, write=False) as store:
        facts = review_facts(store, [ids["inspection"]])[ids["inspection"]]
    assert facts.submissions == [ids["submission1"], ids["submission2"]] and facts.latest == ids["submission2"]
    assert {s: {r: f["id"] for r, f in roles.items()} for s, roles in facts.signed.items()} == {
        ids["submission1"]: {"inspector": first},
        ids["submission2"]: {"inspector": second, "manager": countersigned}}
    back, accepted = facts.reviews[ids["submission1"]], facts.reviews[ids["submission2"]]
    assert (back.decision, back.comment, back.reviewer, back.form) == ("sent_back", "照片不清楚，請重拍", "Wang", None)
    assert (accepted.decision, accepted.form, accepted.user) == ("accepted", countersigned, ids["wang"])


@pytest.mark.parametrize("decision, comment", [("sent_back", None), ("sent_back", "   "), ("accepted", None),
                                               ("maybe", "x")])
def test_the_database_refuses_a_review_it_should(archive_at: str, decision: str, comment: str | None) -> None:
    """A send-back without a comment, an acceptance without its countersigned form, an unknown decision."""
    ids = _seed(archive_at)
    with pytest.raises(ArchiveError) as caught, open_archive(archive_at, write=True) as store, store.writing():
        add_review(store, inspection=ids["inspection"], submission=ids["submission1"], decision=decision,
                   comment=comment, form=None, user=ids["wang"])
    assert "check" in str(caught.value).lower(), str(caught.value)
    with open_archive(archive_at, write=False) as store:
        assert review_facts(store, [ids["inspection"]])[ids["inspection"]].reviews == {}


def test_one_review_per_submission(archive_at: str) -> None:
    ids = _seed(archive_at)
    with open_archive(archive_at, write=True) as store:
        with store.writing():
            add_review(store, inspection=ids["inspection"], submission=ids["submission1"], decision="sent_back",
                       comment="first", form=None, user=ids["wang"])
        with pytest.raises(ArchiveError) as caught, store.writing():
            add_review(store, inspection=ids["inspection"], submission=ids["submission1"], decision="sent_back",
                       comment="second", form=None, user=ids["wang"])
        assert "submission" in str(caught.value)
        assert review_facts(store, [ids["inspection"]])[ids["inspection"]].reviews[ids["submission1"]].comment == "first"


@pytest.mark.parametrize("table", REVIEW_TABLES)
def test_reviews_are_never_changed_or_deleted(archive_at: str, table: str) -> None:
    ids = _seed(archive_at)
    _form(archive_at, ids, "inspector", ids["submission1"])
    with open_archive(archive_at, write=True) as store, store.writing():
        add_review(store, inspection=ids["inspection"], submission=ids["submission1"], decision="sent_back",
                   comment="redo", form=None, user=ids["wang"])
    column = {"form_submissions": "submission", "reviews": "comment"}[table]
    assert raw_failure(archive_at, f"UPDATE {table} SET {column} = {column}") == (
        f"the archive is append-only: rows of {table} are never changed")
    assert raw_failure(archive_at, f"DELETE FROM {table}") == (
        f"the archive is append-only: rows of {table} are never deleted")
