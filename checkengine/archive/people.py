"""Who a workspace user is in the records: migration 5 of the store and its SQL.

A corrective action's owner is a person id of the records (``E001``: the employee, the team
leader, the inspector a record names) or, when the record names nobody for the role, a role at a
site (``team_leader`` at cc-taipei). A workspace user is a user name and a role. ``user_people``
links the two: a user's person id and the owner roles they hold at their sites. It is append-only
(a link is changed by a new row; the newest row of a user counts, the older ones are its
history), like the archive's other tables.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from checkengine.archive.ddl import append_only, statements
from checkengine.archive.reading import Reader, decode

if TYPE_CHECKING:
    from checkengine.archive.store import Store

PEOPLE_TABLES = ("user_people",)

_PEOPLE = """
CREATE TABLE user_people (
    id          {id},
    {user_col} NOT NULL REFERENCES users(id),
    person      TEXT,                   -- the user's id in the records (E001), or NULL
    owner_roles TEXT NOT NULL,          -- JSON list: the action owner roles they hold at their sites
    set_by      TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX user_people_by_user ON user_people({user_name}, id);
CREATE INDEX user_people_by_person ON user_people(person)
"""


def people_statements(dialect: str) -> tuple[str, ...]:
    if dialect == "sqlite":
        words = {"id": "INTEGER PRIMARY KEY", "user_col": '"user"      INTEGER', "user_name": '"user"'}
    else:
        words = {"id": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "user_col": '"user"      BIGINT',
                 "user_name": '"user"'}
    return statements(_PEOPLE.format(**words)) + append_only(PEOPLE_TABLES, dialect)


@dataclass(frozen=True)
class PersonLink:
    """A user's person id in the records and the owner roles they hold (at their sites)."""

    person: str | None
    owner_roles: tuple[str, ...]
    set_by: str
    at: str


def link_person(store: Store, *, user: int, person: str | None, owner_roles: Sequence[str], set_by: str,
                at: str) -> None:
    """Give *user* a person id and owner roles (inside :meth:`Store.writing`); replaces the last link."""
    store.execute('INSERT INTO user_people ("user", person, owner_roles, set_by, at) VALUES (?, ?, ?, ?, ?)',
                  (user, person or None, json.dumps(sorted(set(owner_roles))), set_by, at))


def person_links(archive: Reader, users: Sequence[int]) -> dict[int, PersonLink]:
    """The newest link of each of *users* that has one."""
    if not users:
        return {}
    marks = ", ".join("?" for _ in users)
    out: dict[int, PersonLink] = {}
    for row in archive.rows(f'SELECT "user", person, owner_roles, set_by, at FROM user_people '
                            f'WHERE "user" IN ({marks}) ORDER BY id', list(users)):
        out[int(row["user"])] = PersonLink(row["person"], tuple(decode(row["owner_roles"], "owner roles")),
                                           row["set_by"], row["at"])
    return out


def outcome_detail(archive: Reader, outcome: int) -> Mapping[str, Any] | None:
    """One archived outcome as an action page shows it: rule, outcome, explanation, comment,
    evidence, its record's id and day."""
    found = archive.rows("SELECT o.rule, o.outcome, o.severity, o.explanation, o.observed, o.expected, o.comment, "
                         "o.evidence, o.day, "
                         "r.record_id FROM outcomes o LEFT JOIN records r ON r.id = o.record WHERE o.id = ?",
                         (outcome,))
    if not found:
        return None
    row = dict(found[0])
    row["evidence"] = decode(row["evidence"], "evidence") if row["evidence"] else []
    for key in ("observed", "expected"):
        row[key] = decode(row[key], key) if row[key] is not None else None
    return row
