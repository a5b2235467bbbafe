"""The workspace's one door to the engine: the rulebooks it serves, and evaluating a submitted
record with one of them. (When the in-memory record source of the pipeline's ports lands, this is
the module that switches to it.)"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from checkengine.api import evaluate_record_data, load_rulebook
from checkengine.errors import UserError
from checkengine.pdf.checklist import judged_on_visit, visit_kinds
from checkengine.rulebook.model import Rulebook


@dataclass(frozen=True)
class Served:
    """A rulebook the workspace offers, with the kinds of visit it has checklists for."""

    book: Rulebook
    kinds: tuple[str, ...]


class Library:
    """The rulebooks of a folder (``*.yaml`` directly in it) that have rules judged on a visit."""

    def __init__(self, books: Mapping[str, Served]) -> None:
        self.books = dict(books)

    @classmethod
    def load(cls, folder: Path) -> Library:
        if not folder.is_dir():
            raise UserError(f"--rulebooks {folder}: not a folder; give the folder of the rulebooks to serve")
        books: dict[str, Served] = {}
        for path in sorted(folder.glob("*.yaml")):
            book = load_rulebook(path)
            rules = [r for s in book.merged.get("sections", []) for r in s.get("rules", [])]
            kinds = tuple(k for k in visit_kinds() if any(judged_on_visit(r, k) for r in rules))
            if kinds:
                books[book.id] = Served(book, kinds)
        if not books:
            raise UserError(f"--rulebooks {folder}: no rulebook there has rules for a visit "
                            f"({', '.join(visit_kinds())}); give a folder of rulebooks with inspection rules")
        return cls(books)

    def get(self, rulebook_id: str) -> Rulebook:
        served = self.books.get(rulebook_id)
        if served is None:
            raise UserError(f"rulebook {rulebook_id!r} is not served here; served: {', '.join(self.books)}")
        return served.book


def reevaluate(record: dict[str, Any], merged: dict[str, Any], result: dict[str, Any], waivers: Any) -> dict[str, Any]:
    """A signed form's embedded record evaluated against its embedded rulebook and waivers, as the
    form was made (what ``checkengine verify`` does; the public verify page calls it)."""
    from checkengine.api import rulebook_from_merged
    from checkengine.pdf.waiverdata import waivers_from_data

    return evaluate_record_data(rulebook_from_merged(merged), record, lang=result.get("language"),
                                waivers=waivers_from_data(waivers), file=str(record.get("id", "-")))


def evaluate(book: Rulebook, record: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """The engine's whole result for one record (``records`` holds exactly its entry)."""
    return evaluate_record_data(book, dict(record), lang=lang, file="(submitted)")
