"""SQL lives in the store package only: no other module of checkengine says SELECT, INSERT,
UPDATE, DELETE, CREATE TABLE, WHERE or JOIN, or imports a database driver. The report and the
diff read through the store's query interface (checkengine/archive/reading.py)."""

from __future__ import annotations

import re
from pathlib import Path

import checkengine

PACKAGE = Path(checkengine.__file__).resolve().parent
STORE = PACKAGE / "archive"
SQL = re.compile(r"\b(SELECT|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX|TRIGGER)|"
                 r"WHERE|JOIN|GROUP\s+BY|ORDER\s+BY)\b|^\s*(import|from)\s+(sqlite3|psycopg)\b", re.MULTILINE)


def sql_outside_the_store() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if STORE in path.parents:
            continue
        text = path.read_text("utf-8")
        for match in SQL.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {match.group(0).strip()}")
    return found


def test_no_sql_outside_the_store() -> None:
    assert sql_outside_the_store() == []


def test_the_check_finds_sql() -> None:
    """The pattern catches what it is for (so the test above can fail)."""
    samples = ['rows = db.execute("SELECT id FROM records")', "sql = 'INSERT INTO outcomes (rule) VALUES (?)'",
               "import sqlite3", "from psycopg import sql", 'q = f"... o JOIN records r ON ..."']
    assert all(SQL.search(sample) for sample in samples)
    assert not SQL.search("select the records from the archive (see docs/archive.md)")
    assert STORE.is_dir() and (STORE / "reading.py").is_file()
