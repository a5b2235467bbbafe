"""Evaluation: records against a compiled rulebook.

Rules are compiled once per rulebook (:mod:`checkengine.compiled`: check options validated,
conditions compiled) and indexed here by record kind. This module holds the :class:`Engine`'s runs:
the precheck that makes a record unusable for a rulebook, record-scope rules per record (each
outcome built by :mod:`checkengine.outcomes` after :mod:`checkengine.applicability`), group-scope
rules (aggregates) that fold every record into per-group states, which merge associatively, so a
batch split across processes gives the same result as one run, and the whole run's result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Hashable, Iterable, Literal

from checkengine import lookups, unknown
from checkengine.applicability import not_applicable
from checkengine.cel_context import EnvCache
from checkengine.checks import CheckFailure, CheckSpecError, Env, GroupCheck, Outcome, Result
from checkengine.compiled import CompiledRule, check_location, compile_rule
from checkengine.conditions import Conditions, EvaluationError, Undecidable
from checkengine.errors import Location, UserError
from checkengine.findings import Finding
from checkengine.i18n import message
from checkengine.kinds import field_value
from checkengine.lanes import Lanes
from checkengine.localtime import site_zone_name, zone_info
from checkengine.outcome import entry_of
from checkengine.outcomes import Outcomes, record_date, record_meta, subject_scope
from checkengine.plugins import Registry, default_registry
from checkengine.precheck import Required, precheck
from checkengine.records import Record, RecordError
from checkengine.rulebook.model import Rulebook
from checkengine.waivers import Waiver, WaiverIndex

RESULT_SCHEMA = "checkengine/result/1"

#: What to do with a record of a kind that no rule of the rulebook takes: report it as an error
#: (a record checked against the wrong rulebook), or leave it out (a folder of many kinds).
OtherKinds = Literal["error", "skip"]

@dataclass
class GroupStates:
    """Partial aggregate states: rule id -> group key -> state. Picklable; merge with :meth:`merge`."""

    states: dict[str, dict[Hashable, Any]] = field(default_factory=dict)
    #: rule id -> (record id, reason) for records whose ``when`` condition failed (in the order they
    #: came; sorted when the rule is judged, so a sort per add or merge never makes it quadratic).
    failures: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    #: rule ids whose failures are all undecidable on the records' facts (needs_review, not error)
    undecided: set[str] = field(default_factory=set)


class Engine:
    """A rulebook compiled for evaluation in one language."""

    def __init__(
        self,
        book: Rulebook,
        *,
        registry: Registry | None = None,
        lang: str | None = None,
        waivers: Iterable[Waiver] = (),
        on: date | None = None,
        collect: list[Finding] | None = None,
        other_kinds: OtherKinds = "error",
        facts: lookups.Index | None = None,
    ) -> None:
        self.book = book
        self.other_kinds = other_kinds
        #: the last run's records left out (kinds this rulebook does not check, in a run over folders)
        self.left_out: dict[str, int] = {}
        self.registry = registry or default_registry()
        self.lang = lang or book.source_language
        if self.lang not in book.languages:
            raise UserError(
                f"the rulebook '{book.id}' has no '{self.lang}' text; --lang must be one of: "
                f"{', '.join(book.languages)}"
            )
        self.on = on
        self.waivers = WaiverIndex(waivers)
        self.lookups = lookups.compile_lookups(book.lookups)
        #: the index of the run's other records that lookups read (None: not built)
        self.facts = facts
        self._by_id: dict[str, CompiledRule] = {}
        self._last_env: tuple[Mapping[str, Any], Env] | None = None
        self._outcomes = Outcomes(book, self.lang, self.waivers, self._by_id)
        self._lanes = Lanes(self)
        self.conditions = Conditions(self.registry.cel_functions)
        self.rules: list[CompiledRule] = []
        self.by_kind: dict[str, list[CompiledRule]] = {}
        self.any_kind: list[CompiledRule] = []
        self.group_rules: list[CompiledRule] = []
        self.required: dict[str, Required] = {}  # by kind, the observations its rules read (precheck.py)
        for rule in book.rules():
            try:
                compiled = compile_rule(book, self.registry, self.conditions, rule)
            except CheckSpecError as exc:
                finding = Finding(exc.code, str(exc), check_location(rule, exc.subpath))
                if collect is None:
                    raise finding.as_error() from None
                collect.append(finding)
                continue
            self.rules.append(compiled)
            self._by_id[rule.id] = compiled
            if compiled.is_group:
                self.group_rules.append(compiled)
            elif compiled.kinds is None:
                self.any_kind.append(compiled)
            else:
                for kind in compiled.kinds:
                    self.by_kind.setdefault(kind, []).append(compiled)
        # Shared by every Env: parameter values by date, and which record fields conditions read.
        self.env_cache = EnvCache(c for compiled in self.rules for c in compiled.conditions)

    # -- per record --------------------------------------------------------------------------------
    def record_rules(self, kind: str) -> list[CompiledRule]:
        return self.by_kind.get(kind, []) + self.any_kind

    def covers(self, kind: str) -> bool:
        """Whether any rule of the rulebook (record or group scope) takes records of *kind*."""
        if kind in self.by_kind or self.any_kind:
            return True
        return any(c.kinds is None or kind in c.kinds for c in self.group_rules)

    def skips(self, record: Record) -> bool:
        """Whether *record* is left out of the run: its kind is not checked here, and the run
        reads folders of many kinds (``other_kinds="skip"``). Otherwise :meth:`precheck` makes
        such a record an error."""
        return self.other_kinds == "skip" and not self.covers(record.data["kind"])

    def evaluate_record(self, record: Record, *, lazy: bool = False) -> dict[str, Any]:
        """The outcomes of every record-scope rule for one record, with its score.

        With *lazy*, each outcome is an :class:`~checkengine.outcome.Outcome`: a read-only mapping
        whose verdict and rule keys cost nothing more, and whose explanation, parameters, sources
        and details are rendered when read (a count or a summary never pays for them). Without it,
        plain dicts, rendered here (the entry every reader of a result has always received)."""
        data = record.data
        if lazy:  # verdicts decided by the rules' lanes where they can be, entries when read
            return self._lanes.evaluate(record)
        on = self.on or record_date(data)
        # One Env (and so at most one CEL context) for all of the record's rules, and its folding.
        env = Env(self.book, data, on, self.lang, self.conditions, cache=self.env_cache)
        env.lookups = self._facts()
        env.eager = not lazy
        self._last_env = (data, env)
        scope = subject_scope(data, self.registry)
        made = self._outcomes.outcome
        outcomes = [made(compiled, data, env, on, scope) for compiled in self.record_rules(data["kind"])]
        entry: dict[str, Any] = {"record": record_meta(record), "outcomes": outcomes}
        entry["score"] = self.score(outcomes)
        return entry

    # -- groups (aggregates) -------------------------------------------------------------------------
    def new_groups(self) -> GroupStates:
        return GroupStates({c.rule.id: {} for c in self.group_rules})

    def fold(self, groups: GroupStates, record: Record) -> None:
        """Add one record to every group rule that takes its kind."""
        data = record.data
        kind = data["kind"]
        on = self.on or record_date(data)
        last = self._last_env  # read once: engines are shared by threads (dask workers)
        if last is not None and last[0] is data:
            env = last[1]
        else:
            env = Env(self.book, data, on, self.lang, self.conditions, cache=self.env_cache)
            env.lookups = self._facts()
        for compiled in self.group_rules:
            if compiled.kinds is not None and kind not in compiled.kinds:
                continue
            env.used = {}
            try:
                if not_applicable(compiled, data, env, on) is not None:
                    continue
                gap = unknown.first_unknown(data, compiled.rule.needs) if compiled.rule.needs else None
                if gap is not None:
                    raise unknown.FactUnknown(gap[0])
            except EvaluationError as exc:
                # Neither counted nor dropped in silence: the rule reports it (needs_review when the
                # records only lack a fact, error otherwise).
                rid = compiled.rule.id
                if isinstance(exc, Undecidable) and (rid not in groups.failures or rid in groups.undecided):
                    groups.undecided.add(rid)
                else:
                    groups.undecided.discard(rid)
                groups.failures.setdefault(rid, []).append((str(data.get("id", "?")), str(exc)))
                continue
            check = compiled.check
            assert isinstance(check, GroupCheck)
            table = groups.states[compiled.rule.id]
            for key in check.keys(data, env):
                state = table.get(key)
                table[key] = check.add(check.initial() if state is None else state, data, env)

    def merge(self, a: GroupStates, b: GroupStates) -> GroupStates:
        for compiled in self.group_rules:
            check = compiled.check
            assert isinstance(check, GroupCheck)
            rid = compiled.rule.id
            mine = a.states.setdefault(rid, {})
            for key, state in b.states.get(rid, {}).items():
                mine[key] = check.merge(mine[key], state) if key in mine else state
        for rid, failed in b.failures.items():
            undecided = (rid not in a.failures or rid in a.undecided) and rid in b.undecided
            a.failures.setdefault(rid, []).extend(failed)  # sorted once, when the rule is judged
            if undecided:
                a.undecided.add(rid)
            else:
                a.undecided.discard(rid)
        return a

    def finish_groups(self, groups: GroupStates) -> list[dict[str, Any]]:
        out = []
        for compiled in self.group_rules:
            check = compiled.check
            assert isinstance(check, GroupCheck)
            table = groups.states.get(compiled.rule.id, {})
            for key in sorted(table, key=_sort_key):
                described = check.describe_key(key)
                on = self.on or check.group_date(key)
                env = Env(self.book, None, on, self.lang, self.conditions, group=described, cache=self.env_cache)
                try:
                    result = check.finish(key, table[key], env)
                except (CheckFailure, EvaluationError) as exc:
                    result = Result("error", explanation=message("check_error", self.lang, reason=str(exc)))
                entry = entry_of(self._outcomes.finish(compiled.rule, result, env, on, described))
                entry["group"] = described
                out.append(entry)
            failed = sorted(groups.failures.get(compiled.rule.id) or ())
            if failed:
                reasons = "; ".join(f"{rid}: {why}" for rid, why in failed)
                outcome: Outcome = "needs_review" if compiled.rule.id in groups.undecided else "error"
                result = Result(outcome, explanation=message("group_condition_failed", self.lang,
                                                             count=len(failed), reasons=reasons))
                described = {"records": [rid for rid, _ in failed]}
                env = Env(self.book, None, self.on, self.lang, self.conditions, group=described)
                entry = entry_of(self._outcomes.finish(compiled.rule, result, env, self.on, described))
                entry["group"] = described
                out.append(entry)
        return out

    # -- scoring -------------------------------------------------------------------------------------
    def score(self, outcomes: list[Mapping[str, Any]]) -> dict[str, Any]:
        method = self.book.scoring.get("method", "weighted")
        scorer = self.registry.scorers.get(method)
        if scorer is None:
            from checkengine.plugin_hints import missing_scorer

            raise missing_scorer(self.book, method, list(self.registry.scorers))
        return scorer.score(outcomes, self.book)

    # -- whole runs ------------------------------------------------------------------------------------
    def result(
        self,
        records: list[dict[str, Any]],
        groups: list[dict[str, Any]],
        errors: list[RecordError],
    ) -> dict[str, Any]:
        summary = {k: 0 for k in ("pass", "fail", "not_applicable", "waived", "needs_review", "error")}
        for entry in records:
            for o in entry["outcomes"]:
                summary[o["outcome"]] += 1
        for o in groups:
            summary[o["outcome"]] += 1
        return {
            "schema": RESULT_SCHEMA,
            "rulebook": {"id": self.book.id, "version": self.book.version, "digest": self.book.digest,
                         "as_of": self.on.isoformat() if self.on else None},
            "language": self.lang,
            "generated_at": datetime.now().astimezone().isoformat(timespec="seconds"),
            "records": records,
            "groups": groups,
            "errors": [e.as_dict() for e in errors],
            "summary": summary,
        }

    def _facts(self) -> lookups.Facts | None:
        if not self.lookups:
            return None
        return lookups.Facts(self.facts, frozenset(lk.name for lk in self.lookups))

    def index(self, records: Iterable[Record]) -> lookups.Index:
        """The index of *records* under the rulebook's lookups (a first pass over the run)."""
        return lookups.build(self.lookups, (r.data for r in records))

    def run(self, items: Iterable[Record | RecordError]) -> dict[str, Any]:
        """Evaluate everything in one process (the batch command parallelises the same steps).

        With lookups, a first pass files the records for them, so that each record is judged
        with the facts the others hold."""
        own_index = bool(self.lookups) and self.facts is None
        if own_index:
            items = list(items)
            self.facts = self.index(item for item in items if isinstance(item, Record))
        records: list[dict[str, Any]] = []
        errors: list[RecordError] = []
        groups = self.new_groups()
        self.left_out = {}
        try:
            for item in items:
                if isinstance(item, RecordError):
                    errors.append(item)
                    continue
                if self.skips(item):
                    kind = str(item.data.get("kind"))
                    self.left_out[kind] = self.left_out.get(kind, 0) + 1
                    continue
                problem = self.precheck(item)
                if problem is not None:
                    errors.append(problem)
                    continue
                records.append(self.evaluate_record(item))
                self.fold(groups, item)
            return self.result(records, self.finish_groups(groups), errors)
        finally:
            if own_index:
                self.facts = None  # this run's records, not the next one's

    def precheck(self, record: Record) -> RecordError | None:
        """Problems that make a valid record unusable for this rulebook (a language it lacks).

        Every evaluation path calls this first, so this is where plugins prepare the record
        (``checkengine_prepare_record``), once per record however many rulebooks look at it.
        """
        return precheck(self, record)


def _sort_key(key: Hashable) -> str:
    return repr(key)


__all__ = ["Engine", "GroupStates", "record_date"]
