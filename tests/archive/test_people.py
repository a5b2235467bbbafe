"""Who a workspace user is in the records (migration 5, ``user_people``), on SQLite and on a real
PostgreSQL: the newest link of a user counts, the older ones stay, and nothing is ever changed."""

from __future__ import annotations

import pytest

from checkengine.archive.people import PEOPLE_TABLES, PersonLink, link_person, person_links
from checkengine.archive.store import open_archive

from storetest import raw_failure


def _users(location: str) -> tuple[int, int]:
    with open_archive(location, write=True) as store, store.writing():
        store.add_site({"id": "cc-taipei", "timezone": "Asia/Taipei"})
        lead = store.add_user(username="lead.chang", name="Chang", role="auditor", password_hash="$argon2id$x",
                              sites=["cc-taipei"])
        other = store.add_user(username="wang", name="Wang", role="site_manager", password_hash="$argon2id$x",
                               sites=["cc-taipei"])
    return lead, other


def test_the_newest_link_counts(archive_at: str) -> None:
    lead, other = _users(archive_at)
    with open_archive(archive_at, write=True) as store:
        assert person_links(store, [lead, other]) == {}
        with store.writing():
            link_person(store, user=lead, person="E010", owner_roles=["team_leader"], set_by="admin", at="2026-12-01")
        with store.writing():
            link_person(store, user=lead, person="E011", owner_roles=["team_leader", "employee", "team_leader"],
                        set_by="admin", at="2026-12-02")
        assert person_links(store, [lead, other]) == {
            lead: PersonLink("E011", ("employee", "team_leader"), "admin", "2026-12-02")}
        assert person_links(store, []) == {}


@pytest.mark.parametrize("table", PEOPLE_TABLES)
def test_links_are_append_only(archive_at: str, table: str) -> None:
    lead, _ = _users(archive_at)
    with open_archive(archive_at, write=True) as store, store.writing():
        link_person(store, user=lead, person="E010", owner_roles=[], set_by="admin", at="2026-12-01")
    assert raw_failure(archive_at, f"UPDATE {table} SET person = 'E999'") == (
        f"the archive is append-only: rows of {table} are never changed")
    assert raw_failure(archive_at, f"DELETE FROM {table}") == (
        f"the archive is append-only: rows of {table} are never deleted")
    with open_archive(archive_at, write=False) as store:
        assert person_links(store, [lead])[lead].person == "E010"
