"""Evaluation: records against a compiled rulebook.

Rules are compiled once per rulebook (check options validated, conditions compiled, applicability
indexed by record kind). Record-scope rules run per record; group-scope rules (aggregates) fold
every record into per-group states, which merge associatively, so a batch split across processes
gives the same result as one run.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Hashable, Iterable, Literal

from checkengine import lookups, unknown, validation
from checkengine.answers import answer_for, reconcile
from checkengine.checks import (
    CheckFailure, CheckSpecError, CheckType, CompiledCheck, Compiler, Env, EnvCache, GroupCheck, Outcome, Result,
    parse_datetime,
)
from checkengine.conditions import Condition, ConditionError, Conditions, EvaluationError, Undecidable
from checkengine.errors import Location, UserError
from checkengine.findings import Finding
from checkengine.i18n import message, pick, show
from checkengine.kinds import field_value, person_of
from checkengine.localtime import site_zone_name, zone_info, zone_of
from checkengine.plugins import Registry, default_registry
from checkengine.records import Record, RecordError
from checkengine.rulebook.model import Rule, Rulebook
from checkengine.waivers import Waiver, WaiverIndex
from checkengine.yamlio import Document, format_path

RESULT_SCHEMA = "checkengine/result/1"

#: What to do with a record of a kind that no rule of the rulebook takes: report it as an error
#: (a record checked against the wrong rulebook), or leave it out (a folder of many kinds).
OtherKinds = Literal["error", "skip"]

# _not_applicable's answer when the rule's condition is false (its explanation is made once per rule).
_CONDITION_FALSE = "condition_false"


@dataclass
class CompiledRule:
    rule: Rule
    check: CompiledCheck | GroupCheck
    when: Condition | None
    kinds: frozenset[str] | None
    roles: frozenset[str] | None
    sites: frozenset[str] | None
    shifts: frozenset[str] | None
    teams: frozenset[str] | None
    #: every condition of the rule (its when and its check's), for sizing CEL contexts
    conditions: tuple[Condition, ...] = ()
    #: no date window, audience or condition to test: the check just runs (the common case)
    always_applies: bool = False

    def __post_init__(self) -> None:
        r = self.rule
        self.always_applies = (self.when is None and self.roles is None and self.sites is None
                               and self.shifts is None and self.teams is None
                               and not r.effective_from and not r.effective_until)

    @property
    def is_group(self) -> bool:
        return isinstance(self.check, GroupCheck)


@dataclass(frozen=True)
class _RuleText:
    """The parts of a rule's outcomes that depend only on the rule and the language."""

    title: str
    sources: tuple[dict[str, Any], ...]
    clause: str | None
    corrective_action: str | None
    condition_false: str | None


@dataclass
class GroupStates:
    """Partial aggregate states: rule id -> group key -> state. Picklable; merge with :meth:`merge`."""

    states: dict[str, dict[Hashable, Any]] = field(default_factory=dict)
    #: rule id -> (record id, reason) for records whose ``when`` condition failed (kept sorted).
    failures: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    #: rule ids whose failures are all undecidable on the records' facts (needs_review, not error)
    undecided: set[str] = field(default_factory=set)


def record_date(record: Mapping[str, Any]) -> date | None:
    """The record's day on its site's clock (as written when the site has no zone: it only picks
    which dated parameter values apply)."""
    ts = parse_datetime(record.get("timestamp"))
    if ts is None:
        return None
    zone = zone_of(record)
    return ts.astimezone(zone.info).date() if zone.info is not None and ts.tzinfo is not None else ts.date()


def _frozen(values: list[str] | None) -> frozenset[str] | None:
    return frozenset(values) if values else None


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
        self._texts: dict[str, _RuleText] = {}
        self._by_id: dict[str, CompiledRule] = {}
        self._last_env: tuple[Mapping[str, Any], Env] | None = None
        self._param_texts: dict[tuple[str, str], str] = {}
        self.conditions = Conditions(self.registry.cel_functions)
        self.rules: list[CompiledRule] = []
        self.by_kind: dict[str, list[CompiledRule]] = {}
        self.any_kind: list[CompiledRule] = []
        self.group_rules: list[CompiledRule] = []
        for rule in book.rules():
            try:
                compiled = self._compile(rule)
            except CheckSpecError as exc:
                finding = Finding(exc.code, str(exc), _check_location(rule, exc.subpath))
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

    # -- compiling ---------------------------------------------------------------------------------
    def _compile(self, rule: Rule) -> CompiledRule:
        spec = rule.check
        name = spec.get("type")
        check_type = self.registry.check_types.get(str(name))
        if check_type is None:
            close = difflib.get_close_matches(str(name), list(self.registry.check_types), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            known = ", ".join(sorted(self.registry.check_types))
            if not close:  # not a typo: a type some plugin would provide
                from checkengine.plugin_hints import install_hint

                known += f"; or {install_hint('check type', str(name))}"
            raise CheckSpecError(f"unknown check type '{name}'{hint}; known types: {known}", ("type",))
        _validate_options(check_type, spec)
        compiler = Compiler(self.book, rule, self.conditions)
        check = check_type.compile(spec, compiler)
        conditions = list(compiler.compiled)
        when = None
        if rule.when:
            try:
                when = self.conditions.compile(rule.when)
            except ConditionError as exc:
                raise CheckSpecError(str(exc), ("..", "when"), code="CE208") from None
            conditions.append(when)
        for condition in conditions:
            for name in lookups.named(condition.source):
                if name not in self.book.lookups:
                    known = ", ".join(sorted(self.book.lookups)) or "none (declare it under lookups)"
                    where = ("..", "when") if condition is when else ()
                    raise CheckSpecError(f"the condition looks up '{name}', which the rulebook does not declare; "
                                         f"its lookups: {known}", where, code="CE208")
        applies = rule.applies_to
        kinds = _frozen(applies.get("kinds"))
        if isinstance(check, GroupCheck) and check.kinds:
            # The check's own kinds win: "one team meeting a week" folds attendance and meetings
            # even when the rule (and its checklist) is filed under meetings.
            kinds = check.kinds
        return CompiledRule(
            rule, check, when, kinds, _frozen(applies.get("roles")), _frozen(applies.get("sites")),
            _frozen(applies.get("shifts")), _frozen(applies.get("teams")), tuple(conditions),
        )

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

    def evaluate_record(self, record: Record) -> dict[str, Any]:
        """The outcomes of every record-scope rule for one record, with its score."""
        data = record.data
        on = self.on or record_date(data)
        # One Env (and so at most one CEL context) for all of the record's rules, and its folding.
        env = Env(self.book, data, on, self.lang, self.conditions, cache=self.env_cache)
        env.lookups = self._facts()
        self._last_env = (data, env)
        scope = _subject_scope(data, self.registry)
        outcomes = [self._outcome(compiled, data, env, on, scope) for compiled in self.record_rules(data["kind"])]
        entry = {"record": _record_meta(record), "outcomes": outcomes}
        entry["score"] = self.score(outcomes)
        return entry

    def _outcome(self, compiled: CompiledRule, data: Mapping[str, Any], env: Env, on: date | None,
                 scope: Mapping[str, Any]) -> dict[str, Any]:
        rule = compiled.rule
        if env.used:
            env.used = {}
        reason = None
        if not compiled.always_applies:
            try:
                reason = self._not_applicable(compiled, data, env, on)
            except Undecidable as exc:
                return self._finish(rule, self._review(str(exc)), env, on, scope)
            except EvaluationError as exc:
                result = self._unknown_fact(compiled, data) or Result(
                    "error", explanation=message("check_error", self.lang, reason=str(exc)))
                return self._finish(rule, result, env, on, scope)
        if reason is None:
            gap = self._unknown_fact(compiled, data, rule.needs) if rule.needs else None
            try:
                if gap is not None:
                    result = gap
                else:
                    result = compiled.check.run(data, env)  # type: ignore[union-attr]  # record rules only
            except Undecidable as exc:
                result = self._review(str(exc))
            except (CheckFailure, EvaluationError) as exc:
                result = self._unknown_fact(compiled, data) or Result(
                    "error", explanation=message("check_error", self.lang, reason=str(exc)))
            except Exception as exc:  # a broken check must not crash the run: that rule is an error
                reason_text = f"{type(exc).__name__}: {exc}"
                result = Result("error", explanation=message("check_error", self.lang, reason=reason_text))
        elif reason is _CONDITION_FALSE:
            # Not applicable only on known facts: a null (not known) the condition read may be why.
            assert compiled.when is not None
            result = self._unknown_fact(compiled, data, unknown.null_reads(compiled.when, data)) or Result(
                "not_applicable", explanation=self._text(rule).condition_false or "")
        else:
            result = Result("not_applicable", explanation=message("not_applicable", self.lang, reason=reason))
        answer = None if getattr(compiled.check, "reads_answers", False) else answer_for(data, rule.id)
        if answer is not None:  # the auditor also answered a rule judged from data: shown, never overridden
            result = reconcile(result, answer, self.lang)
        return self._finish(rule, result, env, on, scope)

    def _unknown_fact(self, compiled: CompiledRule, data: Mapping[str, Any],
                      paths: Iterable[str] | None = None) -> Result | None:
        """needs_review naming the first of *paths* (default: the fields the rule's conditions read,
        after one of them failed) that the record lacks or holds as null (checkengine.unknown)."""
        return unknown.unknown_fact(data, unknown.read_by(compiled.conditions) if paths is None else paths,
                                    self.lang)

    def _review(self, reason: str) -> Result:
        return Result("needs_review", explanation=message("undecidable", self.lang, reason=reason))

    def _not_applicable(self, compiled: CompiledRule, data: Mapping[str, Any], env: Env, on: date | None) -> str | None:
        rule = compiled.rule
        if not rule.in_force(on):
            window = f"{rule.effective_from or '…'} – {rule.effective_until or '…'}"
            return f"not in force on {on.isoformat() if on else '?'} (effective {window})"
        subject = data.get("subject") or {}
        if compiled.roles is not None and unknown.known(subject.get("role"), "subject.role") not in compiled.roles:
            return f"role {subject.get('role', '—')} not in {', '.join(sorted(compiled.roles))}"
        if compiled.teams is not None and unknown.known(subject.get("team"), "subject.team") not in compiled.teams:
            return f"team {subject.get('team', '—')} not in {', '.join(sorted(compiled.teams))}"
        site = (data.get("site") or {}).get("id")
        if compiled.sites is not None and unknown.known(site, "site.id") not in compiled.sites:
            return f"site {site or '—'} not in {', '.join(sorted(compiled.sites))}"
        shift = (data.get("shift") or {}).get("kind") or (data.get("data") or {}).get("shift_kind")
        if compiled.shifts is not None and unknown.known(shift, "shift.kind or data.shift_kind") not in compiled.shifts:
            return f"shift {shift or '—'} not in {', '.join(sorted(compiled.shifts))}"
        if compiled.when is not None:
            holds = env.evaluate(compiled.when)  # EvaluationError: the caller makes it an error outcome
            if holds is not True:
                return _CONDITION_FALSE
        return None

    def _text(self, rule: Rule) -> _RuleText:
        """The rule's title, sources and fixed explanations in this engine's language (made once)."""
        text = self._texts.get(rule.id)
        if text is not None:
            return text
        lang = self.lang
        fallback = self.book.source_language
        sources: list[dict[str, Any]] = []
        for cid in rule.sources:
            clause = self.book.clauses.get(cid)
            if clause is None:
                sources.append({"clause": cid})
                continue
            translated = clause.translations.get(lang) or clause.text
            sources.append({**clause.as_dict(), "translation": translated if translated != clause.text else None})
        clause_text = None
        if sources and "number" in sources[0]:
            clause_text = message("clause", lang, clause=sources[0]["clause"], number=sources[0]["number"])
        compiled = self._by_id.get(rule.id)
        when = compiled.when if compiled is not None else None
        text = _RuleText(
            title=pick(rule.title, lang, fallback),
            sources=tuple(sources),
            clause=clause_text,
            corrective_action=pick(rule.corrective_action, lang, fallback) or None,
            condition_false=message("not_applicable", lang, reason=message(
                "condition_false", lang, condition=when.source)) if when is not None else None,
        )
        self._texts[rule.id] = text
        return text

    def _param_text(self, name: str, pv: Any) -> str:
        key = (name, pv.since)  # one value per parameter and date
        text = self._param_texts.get(key)
        if text is None:
            text = self._param_texts[key] = message("parameter_in_effect", self.lang, name=name, value=pv.value,
                                                    since=pv.since)
        return text

    def _finish(
        self, rule: Rule, result: Result, env: Env, on: date | None, scope: Mapping[str, Any],
    ) -> dict[str, Any]:
        lang = self.lang
        fixed = self._text(rule)
        outcome = result.outcome
        waiver_info = None
        if self.waivers.by_rule and outcome in ("fail", "needs_review", "pass", "error"):
            active, expired = self.waivers.lookup(rule.id, scope, on)
            if active is not None:
                waiver_info = active.as_dict(status="active")
                if outcome in ("fail", "needs_review"):
                    waiver_info["waived_outcome"] = outcome
                    outcome = "waived"
            elif expired is not None:
                waiver_info = expired.as_dict(status="expired")
        parts = [result.explanation] if result.explanation else []
        if outcome == "waived" and waiver_info is not None:
            parts.append(message("waived", lang, expires=waiver_info["expires"],
                                 reason=pick(waiver_info["reason"], lang, self.book.source_language),
                                 approved_by=waiver_info["approved_by"]))
        elif waiver_info is not None and waiver_info["status"] == "expired":
            parts.append(message("waiver_expired", lang, expires=waiver_info["expires"]))
        used = env.used
        for name, pv in used.items():
            parts.append(self._param_text(name, pv))
        if fixed.clause is not None:
            parts.append(fixed.clause)
        details = result.details
        sources = list(fixed.sources)  # the clause dicts are shared by the rule's outcomes: read-only data
        explanation = parts[0] if len(parts) == 1 else "; ".join([p for p in parts if p])
        observed, expected = result.observed, result.expected
        if observed is not None and type(observed) not in _SCALARS:
            observed = _jsonable(observed)
        if expected is not None and type(expected) not in _SCALARS:
            expected = _jsonable(expected)
        return {
            "rule": rule.id,
            "section": rule.section,
            "title": fixed.title,
            "outcome": outcome,
            "severity": rule.severity,
            "weight": rule.weight,
            "critical": rule.critical,
            "explanation": explanation,
            "observed": observed,
            "expected": expected,
            "parameters": {n: pv.as_dict() for n, pv in used.items()} if used else {},
            "source": sources[0] if sources else None,
            "sources": sources,
            "waiver": waiver_info,
            "comment": details.get("comment") if details else None,
            "evidence": details.get("evidence", []) if details else [],
            "details": {k: _jsonable(v) for k, v in details.items() if k not in ("comment", "evidence")}
            if details else {},
            "corrective_action": fixed.corrective_action,
        }

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
                if self._not_applicable(compiled, data, env, on) is not None:
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
                failed = groups.failures.setdefault(rid, [])
                failed.append((str(data.get("id", "?")), str(exc)))
                failed.sort()
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
            a.failures[rid] = sorted(a.failures.get(rid, []) + failed)
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
                entry = self._finish(compiled.rule, result, env, on, described)
                entry["group"] = described
                out.append(entry)
            failed = groups.failures.get(compiled.rule.id)
            if failed:
                reasons = "; ".join(f"{rid}: {why}" for rid, why in failed)
                outcome: Outcome = "needs_review" if compiled.rule.id in groups.undecided else "error"
                result = Result(outcome, explanation=message("group_condition_failed", self.lang,
                                                             count=len(failed), reasons=reasons))
                described = {"records": [rid for rid, _ in failed]}
                env = Env(self.book, None, self.on, self.lang, self.conditions, group=described)
                entry = self._finish(compiled.rule, result, env, self.on, described)
                entry["group"] = described
                out.append(entry)
        return out

    # -- scoring -------------------------------------------------------------------------------------
    def score(self, outcomes: list[dict[str, Any]]) -> dict[str, Any]:
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
        data = record.data
        if not record.prepared:
            self.registry.hook.checkengine_prepare_record(record=data)
            record.prepared = True
        kind = data["kind"]
        if not self.covers(kind):
            # Never an empty "passed": the record was checked against the wrong rulebook.
            checked = sorted(set(self.by_kind) | {k for c in self.group_rules for k in (c.kinds or ())})
            return RecordError(
                Location(record.location.file, record.location.line, record.location.column, "kind"),
                f"no rule of {self.book.id} applies to kind {kind}; it checks: {', '.join(checked) or '—'} "
                f"(evaluate {kind} records against a rulebook that has rules for them)",
            )
        zone = site_zone_name(data)
        if zone is not None and (not isinstance(zone, str) or zone_info(zone) is None):
            return RecordError(
                Location(record.location.file, record.location.line, record.location.column, "site.timezone"),
                f"{zone!r} is not a known time zone; use an IANA name such as Asia/Taipei or Europe/Madrid",
            )
        record_kind = self.registry.record_kinds.get(kind)
        field = record_kind.language_field if record_kind is not None else None
        language = field_value(data, field) if field else None
        # A variant of a rulebook language will do (zh-TW for zh-Hant): phrase matching folds scripts.
        if field and isinstance(language, str) and _primary(language) not in {_primary(lang) for lang in self.book.languages}:
            return RecordError(
                Location(record.location.file, record.location.line, record.location.column, field),
                f"the {kind.replace('_', ' ')} is in '{language}', which the rulebook '{self.book.id}' lacks; "
                f"its languages are: {', '.join(self.book.languages)}",
            )
        on = self.on or record_date(data)
        env = Env(self.book, data, on, self.lang, self.conditions, cache=self.env_cache)
        env.lookups = self._facts()
        for compiled in self.record_rules(data["kind"]):
            needs = getattr(compiled.check, "required_field", None)
            if not needs or needs in compiled.rule.needs or not _missing(data, needs):
                continue  # a rule that declares it needs the field reports its absence itself
            try:
                applies = self._not_applicable(compiled, data, env, on) is None
            except EvaluationError:
                applies = True
            if applies:
                return RecordError(
                    Location(record.location.file, record.location.line, record.location.column, needs),
                    f"missing required observation '{needs}' (rule {compiled.rule.id} reads it); "
                    "add it, or set it to null if it could not be observed",
                )
        return None


def _primary(language: str) -> str:
    return language.split("-", 1)[0].lower()


def _missing(data: Mapping[str, Any], path: str) -> bool:
    current: Any = data
    for part in path.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return True
        current = current[part]
    return False


def _validate_options(check_type: CheckType, spec: Mapping[str, Any]) -> None:
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(check_type.schema())
    for err in sorted(validator.iter_errors(dict(spec)), key=lambda e: list(e.absolute_path)):
        doc = Document("-", dict(spec))
        explained = validation._explain(err, doc, ())
        path = tuple(err.absolute_path)
        if err.validator == "additionalProperties":
            extra = [k for k in spec if k not in check_type.schema()["properties"]]
            path = (extra[0],) if extra else path
        raise CheckSpecError(f"{explained.bare_message} (check type '{check_type.name}')", path)


def _check_location(rule: Rule, subpath: tuple[str | int, ...]) -> Location:
    base = rule.location
    field = "check" if not subpath or subpath[0] != ".." else ""
    parts = [p for p in subpath if p != ".."]
    tail = format_path(tuple([field] if field else []) + tuple(parts))  # require[0].phrases, as lint prints
    path = f"{base.path}.{tail}" if base.path and tail else (base.path or tail)
    return Location(base.file, base.line, base.column, path)


def _subject_scope(data: Mapping[str, Any], registry: Registry) -> dict[str, Any]:
    subject = data.get("subject") or {}
    employee = person_of(data, registry)
    return {"site": (data.get("site") or {}).get("id"), "employee": employee, "team": subject.get("team")}


def _record_meta(record: Record) -> dict[str, Any]:
    data = record.data
    return {
        "id": data["id"],
        "kind": data["kind"],
        "site": (data.get("site") or {}).get("id"),
        "subject": data.get("subject"),
        "inspector": data.get("inspector"),
        "timestamp": data.get("timestamp"),
        "file": record.location.file,
        "line": record.location.line,
    }


def _sort_key(key: Hashable) -> str:
    return repr(key)


_SCALARS = frozenset({bool, int, float, str})


def _jsonable(value: Any) -> Any:
    if value is None or type(value) in _SCALARS or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return show(value)


__all__ = ["Engine", "GroupStates", "record_date", "validation"]
