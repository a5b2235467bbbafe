"""What the schema modules share: a script split into statements, and the append-only triggers of
tables added after migration 1 (whose PostgreSQL trigger function they reuse)."""

from __future__ import annotations


def statements(script: str) -> tuple[str, ...]:
    """The statements of a DDL script (one per ``;`` at a line's end)."""
    return tuple(s.strip() for s in script.split(";\n") if s.strip())


def verb(action: str) -> str:
    return "changed" if action == "UPDATE" else "deleted"


def append_only(tables: tuple[str, ...], dialect: str) -> tuple[str, ...]:
    """Triggers refusing UPDATE and DELETE (and TRUNCATE on PostgreSQL) on *tables*."""
    if dialect == "sqlite":
        return tuple(
            f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} BEGIN "
            f"SELECT RAISE(ABORT, 'the archive is append-only: rows of {table} are never {verb(action)}'); END"
            for table in tables for action in ("UPDATE", "DELETE"))
    return tuple(
        stmt for table in tables for stmt in (
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION checkengine_append_only()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION checkengine_append_only()"))
