"""Replaying past records under two rulebooks and keeping what would change.

Each worker evaluates a record under both rulebooks and sends back only the differences (most
records change in nothing, so almost nothing travels back). Aggregates are folded into both
books' states, merged across chunks in input order, and judged once at the end, as a batch is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from checkengine.batch.job import EngineSpec, engine_for
from checkengine.engine import Engine, GroupStates
from checkengine.records import Record

ABSENT = "absent"  # the rule does not exist (or is disabled) in that rulebook


@dataclass(frozen=True)
class OutcomeChange:
    rule: str
    old: str
    new: str
    old_explanation: str | None
    new_explanation: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "old": self.old, "new": self.new,
                "old_explanation": self.old_explanation, "new_explanation": self.new_explanation}


@dataclass(frozen=True)
class RecordChanges:
    """The changes of one record (or of one aggregate group, with ``group`` set)."""

    record: dict[str, Any] | None
    group: dict[str, Any] | None
    changes: tuple[OutcomeChange, ...]

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"record": self.record} if self.record is not None else {"group": self.group}
        out["changes"] = [c.as_dict() for c in self.changes]
        return out


def _record_meta(record: Record) -> dict[str, Any]:
    data = record.data
    return {"id": data["id"], "kind": data["kind"], "file": record.location.file, "line": record.location.line}


def compare(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> tuple[OutcomeChange, ...]:
    """Outcome changes rule by rule (a rule only one side has is ``absent`` on the other)."""
    before = {o["rule"]: o for o in old}
    after = {o["rule"]: o for o in new}
    out = []
    for rule in list(before) + [r for r in after if r not in before]:
        a, b = before.get(rule), after.get(rule)
        a_outcome = a["outcome"] if a else ABSENT
        b_outcome = b["outcome"] if b else ABSENT
        if a_outcome != b_outcome:
            out.append(OutcomeChange(rule, a_outcome, b_outcome, a["explanation"] if a else None,
                                     b["explanation"] if b else None))
    return tuple(out)


class ReplayRunner:
    """Verdicts first under both rulebooks; full outcomes (with their explanations) only for the
    records whose verdicts differ, which are the ones reported (:mod:`checkengine.diff.verdicts`)."""

    def __init__(self, old: Engine, new: Engine) -> None:
        from checkengine.diff.verdicts import verdict_engine

        self.old = old
        self.new = new
        self._verdicts = {id(old): verdict_engine(old), id(new): verdict_engine(new)}
        self._usable: tuple[int, bool, bool] | None = None

    def _verdict(self, engine: Engine, record: Record) -> tuple[list[dict[str, Any]], str | None]:
        problem = engine.precheck(record)
        if problem is not None:
            return [], problem.message
        return engine.evaluate_record(record)["outcomes"], None

    def _same(self, record: Record) -> bool | None:
        """Whether both rulebooks give *record* the same verdicts (None: unusable under one)."""
        from checkengine.diff.verdicts import verdicts

        old_ok = self.old.precheck(record) is None
        new_ok = self.new.precheck(record) is None
        self._usable = (id(record), old_ok, new_ok)
        if not (old_ok and new_ok):
            return None if old_ok != new_ok else True
        return (verdicts(self.old, self._verdicts[id(self.old)], record)
                == verdicts(self.new, self._verdicts[id(self.new)], record))

    def process(self, record: Record, seq: int) -> RecordChanges | None:
        if self._same(record):
            return None
        old, old_problem = self._verdict(self.old, record)
        new, new_problem = self._verdict(self.new, record)
        self._usable = (id(record), old_problem is None, new_problem is None)
        changes = compare(old, new)
        if (old_problem is None) != (new_problem is None):
            # Unusable under one book only (a language it lacks, an observation it needs).
            changes = (OutcomeChange("(record)", "unusable" if old_problem else "usable",
                                     "unusable" if new_problem else "usable", old_problem, new_problem),) + changes
        return RecordChanges(_record_meta(record), None, changes) if changes else None

    def new_groups(self) -> tuple[GroupStates, GroupStates]:
        return self.old.new_groups(), self.new.new_groups()

    def fold(self, groups: tuple[GroupStates, GroupStates], record: Record) -> None:
        usable = self._usable if self._usable and self._usable[0] == id(record) else None
        old_ok = usable[1] if usable else self.old.precheck(record) is None
        new_ok = usable[2] if usable else self.new.precheck(record) is None
        if old_ok:
            self.old.fold(groups[0], record)
        if new_ok:
            self.new.fold(groups[1], record)

    def merge(self, a: tuple[GroupStates, GroupStates],
              b: tuple[GroupStates, GroupStates]) -> tuple[GroupStates, GroupStates]:
        return self.old.merge(a[0], b[0]), self.new.merge(a[1], b[1])

    def finish(self, groups: tuple[GroupStates, GroupStates]) -> list[RecordChanges]:
        """The aggregate groups whose outcome changes, in the order of the rules and groups."""
        def keyed(entries: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
            return {(e["rule"], json.dumps(e["group"], sort_keys=True)): e for e in entries}

        before = keyed(self.old.finish_groups(groups[0]))
        after = keyed(self.new.finish_groups(groups[1]))
        out = []
        for key in list(before) + [k for k in after if k not in before]:
            a, b = before.get(key), after.get(key)
            changes = compare([a] if a else [], [b] if b else [])
            if changes:
                out.append(RecordChanges(None, (a or b or {}).get("group"), changes))
        return out


@dataclass(frozen=True)
class ReplayJob:
    old: EngineSpec
    new: EngineSpec

    @property
    def key(self) -> str:
        return f"replay:{self.old.key}:{self.new.key}"

    def runner(self) -> ReplayRunner:
        return ReplayRunner(engine_for(self.old), engine_for(self.new))
