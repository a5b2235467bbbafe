"""The archived rulebooks as the report reads them: titles in the report's language, sections,
tags, corrective actions, and parameter values as of a date."""

from __future__ import annotations

from datetime import date
from typing import Any

from checkengine.archive.reading import Reader
from checkengine.i18n import pick

TARGET_PARAMETER = "target_pass_rate_percent"


class RuleIndex:
    """Titles, sections, tags, corrective actions and parameters of the archived rulebooks (the
    newest archived version of each)."""

    def __init__(self, archive: Reader, lang: str) -> None:
        self.lang = lang
        self.books: dict[str, dict[str, Any]] = {}
        self.rows: dict[str, dict[str, Any]] = {}
        for row in archive.rulebooks():
            self.books[row["id"]] = row["merged"]
            self.rows[row["id"]] = {"id": row["id"], "version": row["version"], "digest": row["digest"]}
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

    def tagged(self, book: str, rule: str, tag: str) -> bool:
        return tag in self.tags(book, rule)

    def section_order(self, book: str) -> list[str]:
        return [s["id"] for s in (self.books.get(book) or {}).get("sections", [])]

    def parameter(self, book: str, name: str, on: date) -> Any:
        values = (((self.books.get(book) or {}).get("parameters") or {}).get(name) or {}).get("values") or {}
        dates = sorted(d for d in values if d <= on.isoformat())
        return values[dates[-1]].get("value") if dates else None

    def bound(self, book: str, rule: str, side: str, on: date, used: Any = None) -> float | None:
        """The ``min`` or ``max`` (*side*) of a rule's check: a literal, or the parameter it names -
        the value the outcome was judged with (*used*: the outcome's ``parameters``), else the
        value in force on *on*."""
        check = (self.rules.get((book, rule)) or {}).get("check") or {}
        value = check.get(side)
        if isinstance(value, dict) and "param" in value:
            name = value["param"]
            judged = used.get(name) if isinstance(used, dict) else None
            value = judged.get("value") if isinstance(judged, dict) else self.parameter(book, name, on)
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    def minimum(self, book: str, rule: str, on: date) -> float | None:
        """The ``min`` of a count rule as of *on* (a literal or a parameter)."""
        return self.bound(book, rule, "min", on)

    def target(self, book: str, on: date) -> float | None:
        """The rulebook's target pass rate in % as of *on* (its ``target_pass_rate_percent``
        parameter), or None: without a target, no rate is marked good or bad."""
        value = self.parameter(book, TARGET_PARAMETER, on)
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
