"""What the store keeps of corrective actions, evidence files, e-mail digests and schedule
decisions (migration 4): every change is a new row, the tables are append-only like the rest of
the archive. The rules of an action's life are not here (``checkengine.actions``): only the SQL.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Mapping, Sequence

from checkengine.archive.reading import Reader, decode
from checkengine.archive.store import Store

EVENT_COLUMNS = ("action", "seq", "at", "actor", "event", "owner", "owner_role", "due", "note", "files", "run",
                 "record_id", "day", "details")


def _json(value: Any) -> str | None:
    return None if value in (None, [], {}) else json.dumps(value, ensure_ascii=False, sort_keys=True)


# -- actions -----------------------------------------------------------------------------------------
ACTIONS_LOCK = 0x43484B42  # the advisory lock that lets one writer at a time change actions (PostgreSQL)


def lock_actions(store: Store) -> None:
    """Inside :meth:`Store.writing`: wait until no other writer changes actions (two runs opening
    the same actions at once would otherwise deadlock on the unique key). SQLite's one writer at a
    time needs nothing more."""
    if store.dialect == "postgresql":
        store.execute("SELECT pg_advisory_xact_lock(?)", (ACTIONS_LOCK,))


def action_head(archive: Reader, action: int | None = None, key: str | None = None) -> Mapping[str, Any] | None:
    """The ``actions`` row of *action* (by id) or *key*; None when there is none."""
    if action is not None:
        rows = archive.rows("SELECT * FROM actions WHERE id = ?", (action,))
    else:
        rows = archive.rows("SELECT * FROM actions WHERE key = ?", (key,))
    return rows[0] if rows else None


def action_heads(archive: Reader, *, site: str | None = None, book: str | None = None,
                 rules: Sequence[str] | None = None) -> list[Mapping[str, Any]]:
    """``actions`` rows, oldest first, of *site* / *book* / *rules* when given."""
    terms, params = ["1 = 1"], []
    for column, value in (("site", site), ("book", book)):
        if value is not None:
            terms.append(f"{column} = ?")
            params.append(value)
    if rules is not None:
        terms.append(f"rule IN ({', '.join('?' for _ in rules) or 'NULL'})")
        params.extend(rules)
    return archive.rows(f"SELECT * FROM actions WHERE {' AND '.join(terms)} ORDER BY id", params)


def action_events(archive: Reader, actions: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """The events of *actions*, each action's in order, JSON decoded."""
    out: dict[int, list[dict[str, Any]]] = {a: [] for a in actions}
    for start in range(0, len(actions), 500):
        chunk = list(actions[start:start + 500])
        marks = ", ".join("?" for _ in chunk)
        for row in archive.rows(f"SELECT * FROM action_events WHERE action IN ({marks}) ORDER BY action, seq", chunk):
            item = {k: row[k] for k in EVENT_COLUMNS if k != "action"}
            item["files"] = decode(row["files"], "an action's files") or []
            item["details"] = decode(row["details"], "an action's details") or {}
            out[int(row["action"])].append({k: v for k, v in item.items() if v not in (None, [], {})})
    return out


def new_action(store: Store, *, key: str, book: str, rule: str, site: str | None, team: str | None,
               employee: str | None, zone: str | None, at: str) -> int:
    """A new action's id (inside :meth:`Store.writing`)."""
    return store.insert_returning_id(
        "INSERT INTO actions (key, book, rule, site, team, employee, zone, opened_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "RETURNING id", (key, book, rule, site, team, employee, zone, at))


def add_event(store: Store, action: int, seq: int, *, at: str, actor: str, event: str, owner: str | None = None,
              owner_role: str | None = None, due: str | None = None, note: str | None = None,
              files: Iterable[str] = (), run: int | None = None, record_id: str | None = None,
              day: str | None = None, details: Mapping[str, Any] | None = None) -> None:
    """One event of *action*; *seq* is the action's next (a second writer of the same seq fails)."""
    marks = ", ".join("?" for _ in EVENT_COLUMNS)
    store.execute(f"INSERT INTO action_events ({', '.join(EVENT_COLUMNS)}) VALUES ({marks})",
                  (action, seq, at, actor, event, owner, owner_role, due, note, _json(list(files)), run,
                   record_id, day, _json(dict(details or {}))))


# -- what a run found --------------------------------------------------------------------------------
def run_book(archive: Reader, run: int) -> tuple[str, dict[str, Any]] | None:
    """(rulebook id, merged rulebook) of *run*; None when there is no such run."""
    rows = archive.rows("SELECT rb.rulebook_id, rb.merged FROM runs ru JOIN rulebooks rb ON rb.id = ru.rulebook "
                        "WHERE ru.id = ?", (run,))
    if not rows:
        return None
    return rows[0]["rulebook_id"], decode(rows[0]["merged"], f"the rulebook of run {run}")


def runs_of(archive: Reader) -> list[int]:
    """Every finished run's id, oldest first."""
    return [int(r["run"]) for r in archive.rows("SELECT run FROM run_ends ORDER BY run")]


def _of_rules(sql: str, params: list[Any], rules: Sequence[str] | None) -> tuple[str, list[Any]]:
    """*sql* narrowed to the outcomes of *rules* (all when None; none when empty)."""
    if rules is None:
        return sql, params
    return sql + f" AND o.rule IN ({', '.join('?' for _ in rules) or 'NULL'})", [*params, *rules]


def run_record_outcomes(archive: Reader, run: int, outcome: str, rules: Sequence[str] | None = None,
                        with_data: bool = False) -> list[dict[str, Any]]:
    """The record outcomes of *run* that are *outcome* (of *rules* when given), in order: outcome
    id, rule, site, team, employee, day, record_id (and the record's data with *with_data*)."""
    sql = ("SELECT o.id, o.rule, o.site, o.team, o.employee, o.day, r.record_id"
           + (", r.data" if with_data else "") + " FROM outcomes o JOIN records r ON r.id = o.record "
           "WHERE o.run = ? AND o.outcome = ?")
    sql, params = _of_rules(sql, [run, outcome], rules)
    out = []
    for row in archive.rows(sql + " ORDER BY o.id", params):
        item = dict(row)
        if with_data:
            item["data"] = decode(row["data"], "a record")
        out.append(item)
    return out


def run_group_outcomes(archive: Reader, run: int, outcome: str,
                       rules: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """The aggregate group outcomes of *run* that are *outcome* (of *rules* when given), in order:
    outcome id, rule, site, team, employee, day, month, week and the group (decoded)."""
    sql = ("SELECT o.id, o.rule, o.site, o.team, o.employee, o.day, o.month, o.week, o.group_key FROM outcomes o "
           "WHERE o.run = ? AND o.record IS NULL AND o.outcome = ?")
    sql, params = _of_rules(sql, [run, outcome], rules)
    out = []
    for row in archive.rows(sql + " ORDER BY o.id", params):
        item = dict(row)
        item["group"] = decode(row["group_key"], "a group key") or {}
        out.append(item)
    return out


def run_people(archive: Reader, run: int) -> list[tuple[str | None, str | None, str | None]]:
    """(site, team, employee) of the records of *run*, each once."""
    rows = archive.rows("SELECT DISTINCT site, team, employee FROM records WHERE run = ? AND site IS NOT NULL", (run,))
    return [(r["site"], r["team"], r["employee"]) for r in rows]


# -- evidence files ----------------------------------------------------------------------------------
def add_file(store: Store, *, digest: str, media_type: str, name: str, content: bytes, at: str) -> None:
    """Keep *content* under its digest (once: the same photo twice is one row)."""
    store.execute("INSERT INTO evidence_files (digest, media_type, size, name, content, stored_at) "
                  "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (digest) DO NOTHING",
                  (digest, media_type, len(content), name, content, at))


def file_info(archive: Reader, digest: str, *, content: bool = False) -> dict[str, Any] | None:
    columns = "digest, media_type, size, name, stored_at" + (", content" if content else "")
    rows = archive.rows(f"SELECT {columns} FROM evidence_files WHERE digest = ?", (digest,))
    if not rows:
        return None
    item = dict(rows[0])
    if content:
        item["content"] = bytes(item["content"])
    return item


# -- digests -----------------------------------------------------------------------------------------
def digest_sent(archive: Reader, day: str, recipient: str) -> bool:
    return bool(archive.rows("SELECT 1 AS x FROM digests_sent WHERE day = ? AND recipient = ?", (day, recipient)))


def record_digest(store: Store, *, day: str, recipient: str, at: str, actions: Sequence[int]) -> None:
    store.execute("INSERT INTO digests_sent (day, recipient, sent_at, actions) VALUES (?, ?, ?, ?)",
                  (day, recipient, at, json.dumps(list(actions))))


# -- schedules ---------------------------------------------------------------------------------------
SCHEDULE_EVENT_COLUMNS = ("book", "schedule", "site", "subject", "occurrence", "event", "new_due", "reason",
                          "actor", "at")


def add_schedule_event(store: Store, **values: Any) -> None:
    marks = ", ".join("?" for _ in SCHEDULE_EVENT_COLUMNS)
    store.execute(f"INSERT INTO schedule_events ({', '.join(SCHEDULE_EVENT_COLUMNS)}) VALUES ({marks})",
                  tuple(values.get(c) for c in SCHEDULE_EVENT_COLUMNS))


def schedule_events(archive: Reader, site: str) -> list[dict[str, Any]]:
    """Every excuse and reschedule of *site*, oldest first."""
    return [dict(r) for r in archive.rows(
        f"SELECT id, {', '.join(SCHEDULE_EVENT_COLUMNS)} FROM schedule_events WHERE site = ? ORDER BY id", (site,))]


def site_records(archive: Reader, site: str, kinds: Sequence[str], first_day: str,
                 last_day: str) -> list[dict[str, Any]]:
    """The latest version of every record of *site* of *kinds* dated *first_day* to *last_day*:
    record_id, kind, employee, role, day and data (decoded), in date order."""
    marks = ", ".join("?" for _ in kinds) or "NULL"
    sql = (f"SELECT r.record_id, r.kind, r.employee, r.role, r.day, r.data FROM records r WHERE r.site = ? "
           f"AND r.kind IN ({marks}) AND r.day >= ? AND r.day <= ? AND r.id = (SELECT MAX(r2.id) FROM records r2 "
           "WHERE r2.record_id = r.record_id) ORDER BY r.day, r.id")
    out = []
    for row in archive.rows(sql, [site, *kinds, first_day, last_day]):
        item = dict(row)
        item["data"] = decode(row["data"], "a record")
        out.append(item)
    return out


def site_people(archive: Reader, site: str, role: str, first_day: str, last_day: str) -> list[str]:
    """The employees of *role* in *site*'s records dated *first_day* to *last_day*, sorted."""
    rows = archive.rows("SELECT DISTINCT employee FROM records WHERE site = ? AND role = ? AND day >= ? AND day <= ? "
                        "AND employee IS NOT NULL ORDER BY employee", (site, role, first_day, last_day))
    return [r["employee"] for r in rows]


def site_block(archive: Reader, site: str, sample: int = 200) -> dict[str, Any] | None:
    """The ``site`` block of *site* as its latest archived records give it (its zone, country,
    calendar): each key from the newest record that has it (not every kind of record carries all)."""
    rows = archive.rows("SELECT data FROM records WHERE site = ? ORDER BY id DESC LIMIT ?", (site, sample))
    merged: dict[str, Any] = {}
    for row in rows:
        block = (decode(row["data"], "a record") or {}).get("site")
        if isinstance(block, dict):
            for key, value in block.items():
                merged.setdefault(key, value)
    return merged or None


def sites_of(archive: Reader, books: Sequence[str]) -> list[str]:
    """The sites with records archived under any of *books*."""
    marks = ", ".join("?" for _ in books) or "NULL"
    rows = archive.rows(f"SELECT DISTINCT site FROM records WHERE book IN ({marks}) AND site IS NOT NULL "
                        "ORDER BY site", list(books))
    return [r["site"] for r in rows]
