"""The workspace's store path of corrective actions on SQLite and on a real PostgreSQL: a submitted
checklist's failed item opens its action in the submission's own transaction (the opening code of
``archive add``), and an update from the web (``apply_update`` and its audit-log entry in one
transaction) keeps the lifecycle's rules - a refused one leaves nothing behind."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from checkengine.actions.evidence import EvidenceFile
from checkengine.actions.tracker import apply_update, list_actions
from checkengine.archive.store import open_archive
from checkengine.errors import UserError
from checkengine.web.checklist import screens_for
from checkengine.web.photos import accept
from checkengine.web.submit import submit

from photo_files import png

SITE = {"id": "cc-taipei", "name": "台北客服中心", "country": "TW", "timezone": "Asia/Taipei", "type": "call_centre"}


def test_a_submission_opens_its_action_and_the_web_updates_it(archive_at: str, make_book: Any, helpers: Any) -> None:
    manual = {"type": "manual", "prompt": {"en": "Tidy?", "zh-Hant": "整潔？", "zh-Hans": "整洁？"}}
    book = make_book([helpers.rule("DESK", manual, follow_up={"due_days": 3, "owner": "team_leader"})])
    when = datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("Asia/Taipei"))
    with open_archive(archive_at, write=True) as store:
        with store.writing():
            store.add_site(SITE)
            lin = store.add_user(username="auditor.lin", name="Lin", role="auditor", password_hash="$argon2id$x",
                                 sites=["cc-taipei"])
            iid = store.add_inspection(site="cc-taipei", rulebook=book.id, kind="floor_inspection",
                                       subject={"employee": "E014", "team": "T2"}, due="2026-12-03",
                                       assigned_to=lin, created_by=lin)
        user = store.user_by_id(lin)
        inspection = store.inspection(iid)
        assert user is not None and inspection is not None
        screens = screens_for(book, "floor_inspection", when.date(), "en")
        kept = submit(store, book, inspection, user, screens, {"answer:DESK": "fail"}, device_id="d" * 32,
                      lang="en", site=SITE, when=when, address="127.0.0.1")
        [action] = list_actions(store, site="cc-taipei")
        assert (action.status, action.owner, action.owner_role, action.due, action.employee) == (
            "open", None, "team_leader", "2026-12-06", "E014")
        assert action.events[0]["actor"] == f"run:{kept.run}" and action.records == [f"WS-{iid}"]
        log = [e["action"] for e in store.audit_entries()]
        assert log[:2] == ["corrective actions from a submission", "inspection submitted"]
        # The same submission sent again opens nothing more.
        submit(store, book, inspection, user, screens, {"answer:DESK": "fail"}, device_id="d" * 32, lang="en",
               site=SITE, when=when, address="127.0.0.1")
        assert [a.id for a in list_actions(store)] == [action.id]
        # Done with a photo accepted as the checklist's are, kept as evidence by its hash.
        photo = accept(png(30, 20))
        evidence = EvidenceFile("sha256:" + photo.digest, photo.media_type, "photo.png", photo.data)
        with store.writing():
            done = apply_update(store, action.id, "done", actor="E010", note="cleared", files=[evidence])
            store.log("action updated", user=user, address=None, target=f"action {action.id}", detail={"verb": "done"})
        assert done.status == "done" and done.events[-1]["files"] == [evidence.digest]
        # The doer verifying it: refused, and the transaction leaves nothing (not even the log line).
        with pytest.raises(UserError, match="E010 marked it done, so E010 cannot verify it"):
            with store.writing():
                store.log("action updated", user=user, address=None, target=f"action {action.id}",
                          detail={"verb": "verify"})
                apply_update(store, action.id, "verify", actor="E010")
        [after] = list_actions(store)
        assert after.status == "done" and len(after.events) == 2
        assert [e["action"] for e in store.audit_entries()][0] == "action updated"
        assert len([e for e in store.audit_entries() if e["action"] == "action updated"]) == 1
        # A second person rejects it (with the reason), it is done again, verified, and reopened.
        with store.writing():
            apply_update(store, action.id, "reject", actor="manager.wang", note="the drawer is not locked")
            apply_update(store, action.id, "done", actor="E010", note="locked now")
            closed = apply_update(store, action.id, "verify", actor="manager.wang")
        assert closed.status == "closed"
        with pytest.raises(UserError, match="'reopen' needs the reason"):
            with store.writing():
                apply_update(store, action.id, "reopen", actor="manager.wang")
        with store.writing():
            reopened = apply_update(store, action.id, "reopen", actor="manager.wang", note="papers again")
        assert (reopened.status, [e["event"] for e in reopened.events][2:]) == (
            "open", ["rejected", "done", "verified", "reopened"])
