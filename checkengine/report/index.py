"""The archived rulebooks as the report reads them: titles in the report's language, sections,
tags, corrective actions, and parameter values as of a date."""

from __future__ import annotations

from datetime import date
from typing import Any

from checkengine.archive.rows import load_json
from checkengine.archive.store import Archive
from checkengine.i18n import pick


class RuleIndex:
    """Titles, sections, tags, corrective actions and parameters of the archived rulebooks (the
    newest archived version of each)."""

    def __init__(self, archive: Archive, lang: str) -> None:
        self.lang = lang
        self.books: dict[str, dict[str, Any]] = {}
        self.rows: dict[str, dict[str, Any]] = {}
        for row in archive.query("SELECT rulebook_id, version, digest, merged FROM rulebooks ORDER BY id"):
            self.books[row["rulebook_id"]] = load_json(row["merged"], f"the rulebook {row['rulebook_id']}")
            self.rows[row["rulebook_id"]] = {"id": row["rulebook_id"], "version": row["version"],
                                            "digest": row["digest"]}
        self.rules: dict[tuple[str, str], dict[str, Any]] = {}
        self.sections: dict[tuple[str, str], dict[str, Any]] = {}
        for book_id, merged in self.books.items():
            for section in merged.get("sections", []):
                self.sections[(book_id, section["id"])] = section
                for rule in section.get("rules", []):
                    self.rules[(book_id, rule["id"])] = rule

    def text(self, book: str, value: Any) -> str:
        merged = self.books.get(book) or {}
        source = (merged.get("languages") or ["en"])[0]
        return pick(value, self.lang, source) if value else ""

    def rule_title(self, book: str, rule: str) -> str:
        return self.text(book, (self.rules.get((book, rule)) or {}).get("title")) or rule

    def section_title(self, book: str, section: str) -> str:
        return self.text(book, (self.sections.get((book, section)) or {}).get("title")) or section

    def tags(self, book: str, rule: str) -> list[str]:
        return list((self.rules.get((book, rule)) or {}).get("tags") or [])

    def is_(self, book: str, rule: str, *, prefix: str, tag: str) -> bool:
        return rule == prefix or rule.startswith(prefix + "-") or tag in self.tags(book, rule)

    def section_order(self, book: str) -> list[str]:
        return [s["id"] for s in (self.books.get(book) or {}).get("sections", [])]

    def parameter(self, book: str, name: str, on: date) -> Any:
        values = (((self.books.get(book) or {}).get("parameters") or {}).get(name) or {}).get("values") or {}
        dates = sorted(d for d in values if d <= on.isoformat())
        return values[dates[-1]].get("value") if dates else None

    def minimum(self, book: str, rule: str, on: date) -> float | None:
        """The ``min`` of a count rule as of *on* (a literal or a parameter)."""
        check = (self.rules.get((book, rule)) or {}).get("check") or {}
        low = check.get("min")
        if isinstance(low, dict) and "param" in low:
            low = self.parameter(book, low["param"], on)
        return low if isinstance(low, (int, float)) and not isinstance(low, bool) else None


def bounds(expected: Any) -> tuple[float | None, float | None]:
    """(min, max) from an aggregate's expected text ``lo..hi`` (either side may be empty)."""
    if not isinstance(expected, str) or ".." not in expected:
        return None, None
    low, high = expected.split("..", 1)

    def number(text: str) -> float | None:
        try:
            return float(text.strip().replace(",", ""))
        except ValueError:
            return None

    return number(low), number(high)
