"""The auditor's workspace in the store (``checkengine serve``): sites, users and their sites,
inspections assigned to auditors, submissions and the audit log, in SQL both backends share.

The methods that write do not open a transaction: the web app wraps each state change - the
change itself and its audit-log entry, and for a submission its archived run - in one
:meth:`~checkengine.archive.store.Store.writing` block, so that either all of it is kept or none.
"""

from __future__ import annotations

import json
from abc import abstractmethod
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from checkengine.archive.reading import LATEST_RECORD, Reader, decode
from checkengine.archive.workspace_schema import ROLES
from checkengine.errors import UserError


def _now() -> str:
    from checkengine.archive.store import now

    return now()


@dataclass(frozen=True)
class User:
    id: int
    username: str
    name: str
    role: str
    password: str
    language: str | None
    active: bool
    sites: tuple[str, ...]


@dataclass(frozen=True)
class Inspection:
    id: int
    site: str
    rulebook: str
    kind: str
    subject: dict[str, Any]
    due: str
    assigned_to: int
    assignee: str
    created_by: int
    created_at: str


@dataclass(frozen=True)
class Submission:
    id: int
    inspection: int
    device_id: str
    submitted_by: int
    submitted_at: str
    language: str
    record: dict[str, Any]
    not_observed: list[str]
    result: dict[str, Any]
    run: int | None


_INSPECTION = ("SELECT i.id, i.site, i.rulebook, i.kind, i.subject, i.due, i.assigned_to, u.username AS assignee, "
               "i.created_by, i.created_at FROM inspections i JOIN users u ON u.id = i.assigned_to")


def _inspection(row: Mapping[str, Any]) -> Inspection:
    return Inspection(int(row["id"]), row["site"], row["rulebook"], row["kind"], decode(row["subject"], "a subject"),
                      row["due"], int(row["assigned_to"]), row["assignee"], int(row["created_by"]), row["created_at"])


def _submission(row: Mapping[str, Any]) -> Submission:
    return Submission(int(row["id"]), int(row["inspection"]), row["device_id"], int(row["submitted_by"]),
                      row["submitted_at"], row["language"], decode(row["record"], "a submitted record"),
                      decode(row["not_observed"], "a submission's items not observed"),
                      decode(row["result"], "a submission's result"),
                      None if row["run"] is None else int(row["run"]))


class WorkspaceStore(Reader):
    """What ``checkengine serve`` keeps; a :class:`~checkengine.archive.store.Store` is one."""

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

    @abstractmethod
    def insert_returning_id(self, sql: str, params: Sequence[Any]) -> int: ...

    # -- sites -------------------------------------------------------------------------------------
    def add_site(self, site: Mapping[str, Any]) -> None:
        """Add *site* (the record's site object, with its ``id``) unless it is known already."""
        self.execute("INSERT INTO sites (id, data, added_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING",
                     (site["id"], json.dumps(dict(site), ensure_ascii=False, sort_keys=True), _now()))

    def sites(self) -> dict[str, dict[str, Any]]:
        return {row["id"]: decode(row["data"], "a site") for row in self.rows("SELECT id, data FROM sites ORDER BY id")}

    # -- users -------------------------------------------------------------------------------------
    def add_user(self, *, username: str, name: str, role: str, password_hash: str, sites: Sequence[str],
                 language: str | None = None) -> int:
        if role not in ROLES:
            raise UserError(f"role {role!r}: not a role; use one of {', '.join(ROLES)}")
        if self.rows("SELECT id FROM users WHERE username = ?", (username,)):
            raise UserError(f"user {username!r} exists already; choose another name")
        known = self.sites()
        unknown = [s for s in sites if s not in known]
        if unknown:
            raise UserError(f"site {unknown[0]!r} is not known; known sites: {', '.join(known) or '(none)'}")
        uid = self.insert_returning_id(
            "INSERT INTO users (username, name, role, password, language, active, created_at) "
            "VALUES (?, ?, ?, ?, ?, 1, ?) RETURNING id", (username, name, role, password_hash, language, _now()))
        for site in dict.fromkeys(sites):
            self.execute('INSERT INTO user_sites ("user", site) VALUES (?, ?)', (uid, site))
        return uid

    def set_password(self, user: int, password_hash: str) -> None:
        self.execute("UPDATE users SET password = ? WHERE id = ?", (password_hash, user))

    def set_role_and_sites(self, user: int, role: str, sites: Sequence[str]) -> None:
        """A user's role and sites, replacing the ones they had (the audit log keeps the history)."""
        if role not in ROLES:
            raise UserError(f"role {role!r}: not a role; use one of {', '.join(ROLES)}")
        known = self.sites()
        unknown = [s for s in sites if s not in known]
        if unknown:
            raise UserError(f"site {unknown[0]!r} is not known; known sites: {', '.join(known) or '(none)'}")
        self.execute("UPDATE users SET role = ? WHERE id = ?", (role, user))
        self.execute('DELETE FROM user_sites WHERE "user" = ?', (user,))
        for site in dict.fromkeys(sites):
            self.execute('INSERT INTO user_sites ("user", site) VALUES (?, ?)', (user, site))

    def set_active(self, user: int, active: bool) -> None:
        """Enable or disable a user: a disabled one cannot sign in, and their sessions end."""
        self.execute("UPDATE users SET active = ? WHERE id = ?", (1 if active else 0, user))

    def _user(self, where: str, value: Any) -> User | None:
        found = self.rows(f"SELECT id, username, name, role, password, language, active FROM users WHERE {where} = ?",
                          (value,))
        if not found:
            return None
        row = found[0]
        sites = tuple(r["site"] for r in self.rows('SELECT site FROM user_sites WHERE "user" = ? ORDER BY site',
                                                   (row["id"],)))
        return User(int(row["id"]), row["username"], row["name"], row["role"], row["password"], row["language"],
                    bool(row["active"]), sites)

    def user_named(self, username: str) -> User | None:
        return self._user("username", username)

    def user_by_id(self, user: int) -> User | None:
        return self._user("id", user)

    def users(self) -> list[User]:
        found = [self.user_by_id(int(r["id"])) for r in self.rows("SELECT id FROM users ORDER BY username")]
        return [u for u in found if u is not None]

    # -- inspections -------------------------------------------------------------------------------
    def add_inspection(self, *, site: str, rulebook: str, kind: str, subject: Mapping[str, Any], due: str,
                       assigned_to: int, created_by: int) -> int:
        return self.insert_returning_id(
            "INSERT INTO inspections (site, rulebook, kind, subject, due, assigned_to, created_by, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (site, rulebook, kind, json.dumps(dict(subject), ensure_ascii=False, sort_keys=True), due, assigned_to,
             created_by, _now()))

    def inspection(self, inspection: int) -> Inspection | None:
        found = self.rows(f"{_INSPECTION} WHERE i.id = ?", (inspection,))
        return _inspection(found[0]) if found else None

    def inspections_visible_to(self, user: User) -> list[Inspection]:
        """An administrator's: all; an auditor's: those assigned to them; a site manager's: those of
        their sites; a policy author's: none."""
        if user.role == "administrator":
            rows = self.rows(f"{_INSPECTION} ORDER BY i.due DESC, i.id DESC")
        elif user.role == "auditor":
            rows = self.rows(f"{_INSPECTION} WHERE i.assigned_to = ? ORDER BY i.due DESC, i.id DESC", (user.id,))
        elif user.role == "site_manager":
            rows = self.rows(f"{_INSPECTION} WHERE i.site IN (SELECT site FROM user_sites WHERE \"user\" = ?) "
                             "ORDER BY i.due DESC, i.id DESC", (user.id,))
        else:
            rows = []
        return [_inspection(r) for r in rows]

    # -- submissions -------------------------------------------------------------------------------
    def add_submission(self, *, inspection: int, device_id: str, user: int, language: str, record: Mapping[str, Any],
                       not_observed: Sequence[str], result: Mapping[str, Any], run: int | None) -> int:
        return self.insert_returning_id(
            "INSERT INTO submissions (inspection, device_id, submitted_by, submitted_at, language, record, "
            "not_observed, result, run) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (inspection, device_id, user, _now(), language, json.dumps(dict(record), ensure_ascii=False),
             json.dumps(list(not_observed)), json.dumps(dict(result), ensure_ascii=False, default=str), run))

    def _submissions(self, where: str, value: Any) -> list[Submission]:
        return [_submission(r) for r in self.rows(
            "SELECT id, inspection, device_id, submitted_by, submitted_at, language, record, not_observed, result, "
            f"run FROM submissions WHERE {where} = ? ORDER BY id", (value,))]

    def submissions_of(self, inspection: int) -> list[Submission]:
        return self._submissions("inspection", inspection)

    def submission_by_device_id(self, device_id: str) -> Submission | None:
        found = self._submissions("device_id", device_id)
        return found[0] if found else None

    def submitted(self, inspections: Sequence[int]) -> set[int]:
        """Which of *inspections* have a submission."""
        if not inspections:
            return set()
        marks = ", ".join("?" for _ in inspections)
        return {int(r["inspection"]) for r in self.rows(
            f"SELECT DISTINCT inspection FROM submissions WHERE inspection IN ({marks})", tuple(inspections))}

    def archived_records(self, *, site: str, month: str, kinds: Sequence[str], limit: int) -> list[Any] | None:
        """The latest archived version of every record of *site* in *month* (YYYY-MM) of *kinds*
        (what a submission's data rules are judged over); None when there are more than *limit*."""
        if not kinds:
            return []
        marks = ", ".join("?" for _ in kinds)
        sql = (f"SELECT r.data FROM records r WHERE r.site = ? AND r.month = ? AND r.kind IN ({marks}) AND "
               f"{LATEST_RECORD} ORDER BY r.id LIMIT {int(limit) + 1}")
        found = [decode(row["data"], "a record") for row in self.rows(sql, (site, month, *kinds))]
        return None if len(found) > limit else found

    # -- photos ------------------------------------------------------------------------------------
    def add_photo(self, *, digest: str, media_type: str, width: int, height: int, data: bytes) -> None:
        """Keep a photo by its content hash (a photo sent twice is kept once)."""
        self.execute("INSERT INTO photos (hash, media_type, width, height, data, added_at) VALUES (?, ?, ?, ?, ?, ?) "
                     "ON CONFLICT (hash) DO NOTHING", (digest, media_type, width, height, data, _now()))

    def link_photo(self, *, inspection: int, rule: str, digest: str, user: int) -> None:
        self.execute('INSERT INTO photo_links (inspection, rule, hash, "user", added_at) VALUES (?, ?, ?, ?, ?)',
                     (inspection, rule, digest, user, _now()))

    def photos_of(self, inspection: int) -> dict[str, list[str]]:
        """The photos taken for each item of an inspection (rule id -> hashes, in the order taken)."""
        found: dict[str, list[str]] = {}
        for row in self.rows("SELECT rule, hash FROM photo_links WHERE inspection = ? ORDER BY id", (inspection,)):
            if row["hash"] not in found.setdefault(row["rule"], []):
                found[row["rule"]].append(row["hash"])
        return found

    def photo(self, digest: str) -> tuple[str, bytes, list[int]] | None:
        """(media type, bytes, the inspections it was taken for) of a photo."""
        found = self.rows("SELECT media_type, data FROM photos WHERE hash = ?", (digest,))
        if not found:
            return None
        inspections = [int(r["inspection"]) for r in self.rows(
            "SELECT DISTINCT inspection FROM photo_links WHERE hash = ?", (digest,))]
        return str(found[0]["media_type"]), bytes(found[0]["data"]), inspections

    # -- signing -----------------------------------------------------------------------------------
    def add_signing_key(self, *, user: int, p12: bytes, subject: str) -> None:
        """A user's PKCS#12 store (the newest one is theirs)."""
        self.execute('INSERT INTO signing_keys ("user", p12, subject, added_at) VALUES (?, ?, ?, ?)',
                     (user, p12, subject, _now()))

    def signing_key(self, user: int) -> tuple[bytes, str] | None:
        """(PKCS#12 bytes, subject) of the user's newest key."""
        found = self.rows('SELECT p12, subject FROM signing_keys WHERE "user" = ? ORDER BY id DESC LIMIT 1', (user,))
        return (bytes(found[0]["p12"]), str(found[0]["subject"])) if found else None

    def add_signed_form(self, *, inspection: int, role: str, pdf: bytes, sha256: str, user: int) -> int:
        return self.insert_returning_id(
            'INSERT INTO signed_forms (inspection, role, pdf, sha256, "user", signed_at) VALUES (?, ?, ?, ?, ?, ?) '
            "RETURNING id", (inspection, role, pdf, sha256, user, _now()))

    def signed_forms(self, inspection: int) -> dict[str, dict[str, Any]]:
        """The newest signed form of each role (inspector, manager): id, sha256, who, when."""
        out: dict[str, dict[str, Any]] = {}
        for row in self.rows('SELECT f.id, f.role, f.sha256, f.signed_at, u.name FROM signed_forms f JOIN users u '
                             'ON u.id = f."user" WHERE f.inspection = ? ORDER BY f.id', (inspection,)):
            out[row["role"]] = {"id": int(row["id"]), "sha256": row["sha256"], "at": row["signed_at"], "by": row["name"]}
        return out

    def signed_form_pdf(self, form: int) -> tuple[int, bytes] | None:
        """(inspection, PDF bytes) of a signed form."""
        found = self.rows("SELECT inspection, pdf FROM signed_forms WHERE id = ?", (form,))
        return (int(found[0]["inspection"]), bytes(found[0]["pdf"])) if found else None

    # -- the audit log -----------------------------------------------------------------------------
    def log(self, action: str, *, user: User | None, address: str | None, target: str | None = None,
            detail: Mapping[str, Any] | None = None, username: str | None = None) -> None:
        """One entry of the append-only audit log: who, what, when, from where."""
        self.execute('INSERT INTO audit_log (at, "user", username, action, target, address, detail) '
                     "VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (_now(), user.id if user else None, user.username if user else username, action, target,
                      address, json.dumps(dict(detail), ensure_ascii=False) if detail else None))

    def audit_entries(self, limit: int = 200) -> list[dict[str, Any]]:
        return [dict(r) for r in self.rows(
            'SELECT id, at, "user", username, action, target, address, detail FROM audit_log ORDER BY id DESC '
            f"LIMIT {int(limit)}")]
