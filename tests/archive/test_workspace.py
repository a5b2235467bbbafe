"""The workspace's tables in the store, on SQLite and on a real PostgreSQL: users scoped to sites,
who sees which inspection, device-made ids that make a resend no duplicate, and submissions and
the audit log append-only."""

from __future__ import annotations

from typing import Any

import pytest

from checkengine.archive.schema import WORKSPACE_APPEND_ONLY
from checkengine.archive.store import ArchiveError, open_archive
from checkengine.errors import UserError

from storetest import raw_failure

TAIPEI = {"id": "cc-taipei", "name": "台北客服中心", "country": "TW", "timezone": "Asia/Taipei", "type": "call_centre"}
BANQIAO = {"id": "br-banqiao", "name": "板橋分行", "country": "TW", "timezone": "Asia/Taipei", "type": "branch"}


def _seed(location: str) -> dict[str, int]:
    ids: dict[str, int] = {}
    with open_archive(location, write=True) as store, store.writing():
        store.add_site(TAIPEI)
        store.add_site(BANQIAO)
        store.add_site(TAIPEI)  # known already: kept as it was
        for name, role, sites in (("lin", "auditor", ["cc-taipei"]), ("chen", "auditor", ["br-banqiao"]),
                                  ("wang", "site_manager", ["cc-taipei"]), ("liu", "policy_author", []),
                                  ("admin", "administrator", ["cc-taipei", "br-banqiao"])):
            ids[name] = store.add_user(username=name, name=name.title(), role=role, password_hash="$argon2id$x",
                                       sites=sites)
        for auditor, site in (("lin", "cc-taipei"), ("chen", "br-banqiao")):
            ids[f"{auditor}-inspection"] = store.add_inspection(
                site=site, rulebook="cs-floor", kind="floor_inspection", subject={"employee": "E001"},
                due="2026-11-03", assigned_to=ids[auditor], created_by=ids["admin"])
    return ids


def test_who_sees_which_inspection(archive_at: str) -> None:
    ids = _seed(archive_at)
    with open_archive(archive_at, write=False) as store:
        assert store.sites() == {"br-banqiao": BANQIAO, "cc-taipei": TAIPEI}

        def seen(name: str) -> list[int]:
            user = store.user_named(name)
            assert user is not None
            return [i.id for i in store.inspections_visible_to(user)]

        assert seen("lin") == [ids["lin-inspection"]]
        assert seen("chen") == [ids["chen-inspection"]]
        assert seen("wang") == [ids["lin-inspection"]]
        assert seen("liu") == []
        assert sorted(seen("admin")) == sorted([ids["lin-inspection"], ids["chen-inspection"]])
        wang = store.user_named("wang")
        assert wang is not None and wang.sites == ("cc-taipei",) and wang.role == "site_manager"


def test_users_are_checked(archive_at: str) -> None:
    _seed(archive_at)
    with open_archive(archive_at, write=True) as store:
        for kwargs, message in (
                ({"username": "lin", "role": "auditor", "sites": []}, "user 'lin' exists already; choose another name"),
                ({"username": "x", "role": "boss", "sites": []},
                 "role 'boss': not a role; use one of auditor, site_manager, policy_author, administrator"),
                ({"username": "x", "role": "auditor", "sites": ["br-nowhere"]},
                 "site 'br-nowhere' is not known; known sites: br-banqiao, cc-taipei")):
            with pytest.raises(UserError) as caught, store.writing():
                store.add_user(name="X", password_hash="h", **kwargs)
            assert str(caught.value) == message
        assert store.user_named("x") is None


def test_a_device_id_is_submitted_once(archive_at: str) -> None:
    ids = _seed(archive_at)
    submission: dict[str, Any] = {"inspection": ids["lin-inspection"], "device_id": "d" * 32, "user": ids["lin"],
                                  "language": "en", "record": {"id": "WS-1"}, "not_observed": [],
                                  "result": {"records": []}, "run": None}
    with open_archive(archive_at, write=True) as store:
        with store.writing():
            first = store.add_submission(**submission)
        with pytest.raises(ArchiveError) as caught, store.writing():
            store.add_submission(**submission)
        assert "device_id" in str(caught.value)  # the unique index refuses it, on either backend
        found = store.submission_by_device_id("d" * 32)
        assert found is not None and found.id == first and found.record == {"id": "WS-1"}
        assert [s.id for s in store.submissions_of(ids["lin-inspection"])] == [first]
        assert store.submitted([ids["lin-inspection"], ids["chen-inspection"]]) == {ids["lin-inspection"]}


@pytest.mark.parametrize("table", WORKSPACE_APPEND_ONLY)
def test_history_is_never_changed_or_deleted(archive_at: str, table: str) -> None:
    ids = _seed(archive_at)
    with open_archive(archive_at, write=True) as store, store.writing():
        store.add_submission(inspection=ids["lin-inspection"], device_id="e" * 32, user=ids["lin"], language="en",
                             record={}, not_observed=[], result={}, run=None)
        store.log("login", user=store.user_named("lin"), address="127.0.0.1")
        store.add_photo(digest="a" * 64, media_type="image/jpeg", width=1, height=1, data=b"\xff\xd8jpeg")
        store.link_photo(inspection=ids["lin-inspection"], rule="WKS-03", digest="a" * 64, user=ids["lin"])
        store.add_signing_key(user=ids["lin"], p12=b"0\x82p12", subject="CN=Lin")
        store.add_signed_form(inspection=ids["lin-inspection"], role="inspector", pdf=b"%PDF-", sha256="b" * 64,
                              user=ids["lin"])
    column = {"submissions": "language", "audit_log": "action", "photos": "width", "photo_links": "rule",
              "signing_keys": "subject", "signed_forms": "role"}[table]
    assert raw_failure(archive_at, f"UPDATE {table} SET {column} = {column}") == (
        f"the archive is append-only: rows of {table} are never changed")
    assert raw_failure(archive_at, f"DELETE FROM {table}") == (
        f"the archive is append-only: rows of {table} are never deleted")
    with open_archive(archive_at, write=False) as store:
        entries = store.audit_entries()
        photo = store.photo("a" * 64)
        photos = store.photos_of(ids["lin-inspection"])
        key = store.signing_key(ids["lin"])
        forms = store.signed_forms(ids["lin-inspection"])
        pdf = store.signed_form_pdf(forms["inspector"]["id"])
    assert [(e["username"], e["action"], e["address"]) for e in entries] == [("lin", "login", "127.0.0.1")]
    assert photo == ("image/jpeg", b"\xff\xd8jpeg", [ids["lin-inspection"]]) and photos == {"WKS-03": ["a" * 64]}
    assert key == (b"0\x82p12", "CN=Lin") and forms["inspector"]["sha256"] == "b" * 64 and pdf == (
        ids["lin-inspection"], b"%PDF-")


def test_a_users_role_sites_and_state_change(archive_at: str) -> None:
    ids = _seed(archive_at)
    with open_archive(archive_at, write=True) as store:
        with store.writing():
            store.set_role_and_sites(ids["lin"], "site_manager", ["br-banqiao", "cc-taipei", "br-banqiao"])
            store.set_active(ids["chen"], False)
        lin, chen = store.user_by_id(ids["lin"]), store.user_by_id(ids["chen"])
        assert lin is not None and (lin.role, lin.sites, lin.active) == ("site_manager", ("br-banqiao", "cc-taipei"), True)
        assert chen is not None and not chen.active
        with pytest.raises(UserError, match=r"^role 'root': not a role; use one of auditor, site_manager"):
            store.set_role_and_sites(ids["lin"], "root", [])
        with pytest.raises(UserError, match=r"^site 'br-nowhere' is not known; known sites: br-banqiao, cc-taipei$"):
            with store.writing():
                store.set_role_and_sites(ids["lin"], "auditor", ["br-nowhere"])
        lin = store.user_by_id(ids["lin"])
        assert lin is not None and (lin.role, lin.sites) == ("site_manager", ("br-banqiao", "cc-taipei"))  # unchanged
        with store.writing():
            store.set_active(ids["chen"], True)
        chen = store.user_by_id(ids["chen"])
        assert chen is not None and chen.active
