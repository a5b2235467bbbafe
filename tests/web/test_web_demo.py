"""The demo that ``make serve`` seeds (checkengine/web/demo.py): every user the whole loop needs,
each able to do their step - the auditor their site's checklists, the site manager the review of
them, the team leader the corrective action a failed floor item opens, the administrator all - and
a signing key for each signer that the profile page takes. The pages themselves are driven by the
browser tests; here the seeded store and keys are checked as those pages check them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from checkengine.actions.followup import resolve_follow_up
from checkengine.actions.lifecycle import Action
from checkengine.archive.people import person_links
from checkengine.archive.store import open_archive
from checkengine.errors import UserError
from checkengine.web.action_access import Who
from checkengine.web.auth import check_password
from checkengine.web.demo import USERS, make_keys, seed
from checkengine.web.evaluation import Library
from checkengine.web.review import may_review
from checkengine.web.signing import key_subject

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "month-2026-11"


@pytest.fixture(scope="module")
def library() -> Library:
    return Library.load(ROOT / "rulebooks")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, library: Library) -> tuple[str, dict[str, str]]:
    store = str(tmp_path_factory.mktemp("demo") / "store.sqlite")
    with open_archive(store, write=True) as archive:
        logins = seed(archive, EXAMPLES, library)
    return store, {demo.username: password for demo, password in logins}


def _who(archive: object, username: str) -> Who:
    user = archive.user_named(username)  # type: ignore[attr-defined]
    assert user is not None, username
    return Who.of(user, person_links(archive, [user.id]).get(user.id))  # type: ignore[arg-type]


def test_every_demo_user_signs_in_with_the_password_printed(seeded: tuple[str, dict[str, str]]) -> None:
    store, logins = seeded
    assert set(logins) == {u.username for u in USERS}
    assert {u.role for u in USERS} == {"auditor", "site_manager", "policy_author", "administrator"}
    with open_archive(store, write=False) as archive:
        for username, password in logins.items():
            user = archive.user_named(username)
            assert check_password(user, password), username
            assert not check_password(user, password + "x")


def test_the_auditor_has_checklists_and_their_manager_reviews_them(seeded: tuple[str, dict[str, str]]) -> None:
    store, _ = seeded
    with open_archive(store, write=False) as archive:
        lin = archive.user_named("auditor.lin")
        wang = archive.user_named("manager.wang")
        huang = archive.user_named("manager.huang")
        assert lin is not None and wang is not None and huang is not None
        mine = archive.inspections_visible_to(lin)
        assert mine and {i.site for i in mine} == {"cc-taipei"}
        assert "cs-floor" in {i.rulebook for i in mine}
        assert all(i.assigned_to == lin.id for i in mine)
        assert all(may_review(wang, i) for i in mine)
        assert not any(may_review(huang, i) for i in mine)  # another site's manager
        assert not any(may_review(lin, i) for i in mine)  # an auditor reviews nothing


def test_a_failed_floor_item_is_the_team_leaders_action(seeded: tuple[str, dict[str, str]],
                                                         library: Library) -> None:
    """The demo's floor inspections name an employee of team T1 and no team leader: cs-floor's
    ``follow_up: {owner: team_leader}`` makes the action the team-leader role's at cc-taipei, which
    leader.wang (E001, T1's leader in the example month) holds; the manager verifies it."""
    store, _ = seeded
    with open_archive(store, write=False) as archive:
        lin = archive.user_named("auditor.lin")
        assert lin is not None
        floor = next(i for i in archive.inspections_visible_to(lin) if i.rulebook == "cs-floor")
        record = {"site": {"id": floor.site}, "subject": dict(floor.subject),
                  "inspector": {"id": "auditor.lin"}}
        follow = resolve_follow_up(library.books["cs-floor"].book.merged, "WKS-03-desk-tidy", record,
                                   date.fromisoformat(floor.due))
        assert follow.owner is None and follow.owner_role == "team_leader" and follow.due is not None
        action = Action(1, "cs-floor", "WKS-03-desk-tidy", floor.site, floor.subject.get("team"),
                        floor.subject.get("employee"), "Asia/Taipei", "2026-11-03T10:00:00+08:00",
                        owner=follow.owner, owner_role=follow.owner_role, due=follow.due.isoformat())
        leader, manager, admin = (_who(archive, n) for n in ("leader.wang", "manager.wang", "admin"))
        assert leader.person == "E001" and leader.actor == "E001"
        assert leader.owns(action) and leader.verbs(action) == ["start", "done", "note"]
        assert not _who(archive, "auditor.lin").owns(action)
        done = Action(**{**action.__dict__, "status": "done", "done_by": "E001"})
        assert not leader.may("verify", done)
        assert manager.may("verify", done) and admin.may("verify", done)
        assert not _who(archive, "manager.huang").may_see(done)


def test_seeding_again_renews_passwords_and_duplicates_nothing(tmp_path: Path, library: Library) -> None:
    store = str(tmp_path / "store.sqlite")
    with open_archive(store, write=True) as archive:
        first = dict((d.username, p) for d, p in seed(archive, EXAMPLES, library))
        admin = archive.user_named("admin")
        assert admin is not None
        inspections = len(archive.inspections_visible_to(admin))
    with open_archive(store, write=True) as archive:
        second = dict((d.username, p) for d, p in seed(archive, EXAMPLES, library))
        assert len(archive.inspections_visible_to(admin)) == inspections
        assert not check_password(archive.user_named("auditor.lin"), first["auditor.lin"])
        assert check_password(archive.user_named("auditor.lin"), second["auditor.lin"])
        leader = archive.user_named("leader.wang")
        assert leader is not None
        links = archive.rows('SELECT person FROM user_people WHERE "user" = ?', (leader.id,))
        assert [r["person"] for r in links] == ["E001"]


def test_each_signer_gets_a_key_store_the_profile_takes(tmp_path: Path) -> None:
    keys = make_keys(tmp_path / "demo-keys")
    assert {k.user.username for k in keys} == {"auditor.lin", "auditor.chen", "manager.wang", "manager.huang"}
    for key in keys:
        p12 = key.p12.read_bytes()
        assert key.user.name.split(" (")[0] in key_subject(p12, key.password)  # what /profile checks
        with pytest.raises(UserError):
            key_subject(p12, key.password + "x")
        assert key.cert.read_text().startswith("-----BEGIN CERTIFICATE-----")
        assert key.p12.stat().st_mode & 0o077 == 0  # the key store is its owner's only
