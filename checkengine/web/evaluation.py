"""The workspace's one door to the engine: the rulebooks it serves, and evaluating a submitted
record with one of them through the pipeline (the in-memory record source, the inline executor,
the JSON result sink), as ``evaluate`` does for a file.

The rules of a rulebook that a visit cannot judge (they read data the checklist does not collect:
attendance, handovers, appraisals) are its *data rules*. On submission they are judged from what
the store holds for the visit's site and month (the archive's latest records of the kinds they
apply to, see :func:`data_rules`); a data rule without data there is ``needs_review`` with the
reason, never a silent pass.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from checkengine.api import evaluate_record_data, load_rulebook
from checkengine.errors import Location, UserError
from checkengine.pdf.checklist import judged_on_visit, rules_in_force, visit_kinds
from checkengine.rulebook.model import Rulebook

if TYPE_CHECKING:
    from checkengine.engine import OtherKinds

#: archived records a submission's data rules are judged over, at most (a month of one site)
DATA_LIMIT = 20_000


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


def run_records(book: Rulebook, records: Iterable[Mapping[str, Any]], lang: str, *, name: str,
                other_kinds: OtherKinds = "error") -> dict[str, Any]:
    """The engine's result document for *records*, made by the pipeline: the in-memory source
    (:class:`~checkengine.sources.Records`), the inline executor, the JSON result sink."""
    from checkengine.batch.executors import InlineExecutor
    from checkengine.batch.job import EngineSpec
    from checkengine.batch.run import evaluate_batch, result_head
    from checkengine.batch.writers import JsonWriter
    from checkengine.sources import Records

    spec = EngineSpec(book, lang=lang, other_kinds=other_kinds)
    out = io.StringIO()
    writer = JsonWriter(out)
    writer.header(result_head(spec))
    writer.close(evaluate_batch(spec, [Records(records, name=name)], writer, InlineExecutor()))
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def evaluate(book: Rulebook, record: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """The engine's whole result for one record (``records`` holds exactly its entry)."""
    result = run_records(book, [dict(record)], lang, name="(submitted)")
    if result["errors"]:
        err = result["errors"][0]
        raise UserError(err["message"], Location(err["file"], err["line"], err["column"], err["path"]))
    return result


def rule_kinds(rule: Mapping[str, Any]) -> list[str]:
    applies = rule.get("applies_to")
    kinds = applies.get("kinds") if isinstance(applies, Mapping) else applies
    return [str(k) for k in kinds or []]


def data_rule_list(book: Rulebook, kind: str, on: date | None = None) -> list[dict[str, Any]]:
    """The rules of *book* that a visit of *kind* cannot judge (they read data the checklist does
    not collect), in the rulebook's order; with *on*, only those in force that day."""
    if on is None:
        rules = [r for s in book.merged.get("sections", []) for r in s.get("rules", [])]
    else:
        rules = [r for _, r in rules_in_force(book.merged, on)]
    return [r for r in rules if rule_kinds(r) and not judged_on_visit(r, kind)]


_WORST = ("fail", "needs_review", "pass", "not_applicable")


def data_rules(book: Rulebook, kind: str, site: str, month: str, archived: Sequence[Mapping[str, Any]] | None,
               lang: str, *, on: date | None = None) -> list[dict[str, Any]]:
    """Each data rule of *book* for a visit of *kind*, judged over *archived* (the store's latest
    records of *site* in *month* of the kinds those rules apply to; None: more than DATA_LIMIT).

    One entry per rule: ``rule``, ``kinds``, ``records`` (how many it was judged over), ``counts``
    (outcome -> number, over records and aggregate groups), ``outcome`` (the worst of them:
    fail, then needs_review, then pass; not_applicable when the rule applied to none) and
    ``explanation``. A rule with no record of its kinds there is ``needs_review``, saying so.
    With *on* (the visit's day), only the rules in force that day.
    """
    rules = data_rule_list(book, kind, on)
    if not rules:
        return []
    wanted = {k for r in rules for k in rule_kinds(r)}
    counts: dict[str, dict[str, int]] = {r["id"]: {} for r in rules}
    found: dict[str, int] = {}
    if archived:
        records = [r for r in archived if r.get("kind") in wanted]
        for r in records:
            found[str(r["kind"])] = found.get(str(r["kind"]), 0) + 1
        result = run_records(book, records, lang, name=f"(the store: {site} {month})", other_kinds="skip")
        entries = [o for e in result["records"] for o in e.get("outcomes", [])]
        entries += [{"rule": g.get("rule"), "outcome": g.get("outcome")} for g in result.get("groups") or []]
        for outcome in entries:
            if outcome.get("rule") in counts:
                tally = counts[outcome["rule"]]
                tally[outcome["outcome"]] = tally.get(outcome["outcome"], 0) + 1
    out = []
    for rule in rules:
        kinds = rule_kinds(rule)
        seen = sum(found.get(k, 0) for k in kinds)
        tally = counts[rule["id"]]
        values: dict[str, Any] = {"site": site, "month": month}
        if archived is None:
            outcome, reason = "needs_review", "data_too_many"
            values["limit"] = DATA_LIMIT
        elif not seen:
            outcome, reason = "needs_review", "data_no_records"
            values["kinds"] = " / ".join(kinds)
        else:
            outcome, reason = next((o for o in _WORST if tally.get(o)), "not_applicable"), "data_judged"
            values.update(records=seen, kinds=" / ".join(kinds))
        out.append({"rule": rule["id"], "kinds": kinds, "records": seen, "counts": tally, "outcome": outcome,
                    "reason": reason, "values": values, "explanation": explain(reason, values, tally, "en")})
    return out


def explain(reason: str, values: Mapping[str, Any], counts: Mapping[str, int], lang: str) -> str:
    """A data rule's explanation in *lang* (the workspace's labels): why it has its outcome."""
    from checkengine.web.labels import Labels

    labels = Labels(lang)
    tally = ", ".join(f"{n} {labels.get('outcome_' + o, o)}" for o, n in sorted(counts.items()))
    return labels(reason, **values, counts=tally or "-")
