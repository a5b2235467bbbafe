"""The tables of migration 3 (actions, their events, evidence files, digests sent, schedule
decisions) are append-only like the rest, on SQLite and on PostgreSQL; an action's events are
numbered, and a second writer of the same number is refused."""

from __future__ import annotations

from typing import Any

import pytest
from storetest import Raw, raw_failure

from checkengine.archive.schema import TRACKING_TABLES
from checkengine.archive.store import ArchiveError, open_archive
from checkengine.archive.tracking import (
    add_event, add_file, add_schedule_event, digest_sent, file_info, new_action, record_digest, schedule_events,
)


COLUMN = {"actions": "rule", "action_events": "event", "evidence_files": "name", "digests_sent": "day",
          "schedule_events": "reason"}


def fill(location: str) -> int:
    with open_archive(location, write=True) as store, store.writing():
        action = new_action(store, key='["b", "r", "s", null]', book="b", rule="r", site="s", team=None,
                            employee=None, zone="Asia/Taipei", at="2026-11-03T10:00:00+08:00")
        add_event(store, action, 1, at="2026-11-03T10:00:00+08:00", actor="run:1", event="opened", due="2026-11-17")
        for _ in range(2):  # the same content twice is kept once
            add_file(store, digest="sha256:00", media_type="image/png", name="a.png", content=b"\x89PNG", at="t")
        record_digest(store, day="2026-11-20", recipient="a@example.org", at="t", actions=[action])
        add_schedule_event(store, book="b", schedule="weekly", site="s", subject="", occurrence="2026-11-22",
                           event="excused", new_due=None, reason="drill", actor="E022", at="t")
    return action


def test_tracking_rows_are_never_changed_or_deleted(archive_at: str, db: Raw) -> None:
    fill(archive_at)
    for table in TRACKING_TABLES:
        assert db(f"SELECT count(*) FROM {table}") == [(1,)], table
        column = COLUMN[table]
        assert raw_failure(archive_at, f"UPDATE {table} SET {column} = {column}") == (
            f"the archive is append-only: rows of {table} are never changed")
        assert raw_failure(archive_at, f"DELETE FROM {table}") == (
            f"the archive is append-only: rows of {table} are never deleted")
    with open_archive(archive_at, write=False) as archive:
        assert digest_sent(archive, "2026-11-20", "a@example.org") and not digest_sent(archive, "2026-11-21",
                                                                                        "a@example.org")
        assert file_info(archive, "sha256:00", content=True) == {
            "digest": "sha256:00", "media_type": "image/png", "size": 4, "name": "a.png", "stored_at": "t",
            "content": b"\x89PNG"}
        assert [e["reason"] for e in schedule_events(archive, "s")] == ["drill"]


def test_truncate_is_refused_on_postgresql(postgres: Any) -> None:
    url = postgres.new_database()
    fill(url)
    for table in TRACKING_TABLES:
        assert raw_failure(url, f"TRUNCATE {table} CASCADE") == (
            f"the archive is append-only: rows of {table} are never deleted")


def test_two_events_of_one_number_are_refused(archive_at: str, db: Raw) -> None:
    action = fill(archive_at)
    with pytest.raises(ArchiveError) as caught:
        with open_archive(archive_at, write=True) as store, store.writing():
            add_event(store, action, 2, at="t", actor="E001", event="done", note="first")
            add_event(store, action, 2, at="t", actor="E002", event="done", note="second")
    assert "the archive refused the change" in str(caught.value) or "archive failed" in str(caught.value)
    assert db("SELECT count(*) FROM action_events") == [(1,)]  # the transaction left nothing behind
