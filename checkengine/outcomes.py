"""Outcomes: a check's result made into the outcome entry of the evaluation result.

:class:`Outcomes` runs one compiled rule on one record (applicability first, then the check; a
fact the record lacks is needs_review, a broken check an error, an auditor's answer set beside a
verdict from data) and finishes every outcome alike, record or group: the waiver that applies
decides the verdict at once; the rule's title, sources and corrective action in the engine's
language are made once per rule; the rest of the entry (the explanation joined from its parts,
the parameters in effect, values made JSON-safe) is rendered by :mod:`checkengine.outcome` when a
reader asks for it. :func:`record_meta` and :func:`subject_scope` are the record's part of the result and
the scope waivers match; :func:`record_date` the day whose parameter values apply to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

from checkengine import unknown
from checkengine.answers import answer_for, reconcile
from checkengine.applicability import CONDITION_FALSE, not_applicable
from checkengine.checks import CheckFailure, Env, Result
from checkengine.compiled import CompiledRule
from checkengine.conditions import EvaluationError, Undecidable
from checkengine.i18n import message, pick
from checkengine.fields import parse_datetime
from checkengine.kinds import person_of
from checkengine.localtime import Zone, zone_of
from checkengine.outcome import Outcome, entry, made
from checkengine.plugins import Registry
from checkengine.records import Record
from checkengine.rulebook.model import Rule, Rulebook
from checkengine.waivers import WaiverIndex


@dataclass(frozen=True)
class _RuleText:
    """The parts of a rule's outcomes that depend only on the rule and the language."""

    title: str
    sources: tuple[dict[str, Any], ...]
    clause: str | None
    corrective_action: str | None
    condition_false: str | None
    #: the rule's outcome entry with its fixed keys filled, in the entry's key order (copied per outcome)
    template: dict[str, Any]
    #: the keys of an outcome that are the rule's own (read from here without rendering the entry)
    fixed: dict[str, Any]


_FIXED = ("rule", "section", "title", "severity", "weight", "critical", "source", "corrective_action")


class Outcomes:
    """The outcomes of a rulebook's rules in one language, with the run's waivers."""

    def __init__(self, book: Rulebook, lang: str, waivers: WaiverIndex, by_id: Mapping[str, CompiledRule]) -> None:
        self.book = book
        self.lang = lang
        self.waivers = waivers
        self._by_id = by_id
        self._texts: dict[str, _RuleText] = {}
        self._param_texts: dict[tuple[str, str], str] = {}

    def outcome(self, compiled: CompiledRule, data: Mapping[str, Any], env: Env, on: date | None,
                 scope: Mapping[str, Any]) -> Mapping[str, Any]:
        rule = compiled.rule
        if env.used:
            env.used = {}
        reason = None
        window = compiled.window
        if window is not None and type(on) is date and (window[0] is None or on >= window[0]) \
                and (window[1] is None or on <= window[1]):
            pass  # in force, and nothing else to test (not_applicable would say the same)
        elif not compiled.always_applies:
            try:
                reason = not_applicable(compiled, data, env, on)
            except Undecidable as exc:
                return self.finish(rule, self.review(str(exc)), env, on, scope)
            except EvaluationError as exc:
                result = self.unknown_fact(compiled, data) or Result(
                    "error", explanation=message("check_error", self.lang, reason=str(exc)))
                return self.finish(rule, result, env, on, scope)
        if reason is None:
            return self.judge(compiled, data, env, on, scope)
        if reason is CONDITION_FALSE:
            # Not applicable only on known facts: a null (not known) the condition read may be why.
            assert compiled.when is not None
            result = self.unknown_fact(compiled, data, unknown.null_reads(compiled.when, data)) or Result(
                "not_applicable", explanation=self.text(rule).condition_false or "")
        else:
            result = Result("not_applicable", explanation=message("not_applicable", self.lang, reason=reason))
        return self.answered(compiled, data, result, env, on, scope)

    def judge(self, compiled: CompiledRule, data: Mapping[str, Any], env: Env, on: date | None,
              scope: Mapping[str, Any]) -> Mapping[str, Any]:
        """The outcome of a rule that applies to the record: :meth:`outcome` once applicability is
        settled (its condition's parameters already in ``env.used``)."""
        rule = compiled.rule
        gap = self.unknown_fact(compiled, data, rule.needs) if rule.needs else None
        try:
            if gap is not None:
                result = gap
            else:
                result = compiled.check.run(data, env)  # type: ignore[union-attr]  # record rules only
        except Undecidable as exc:
            result = self.review(str(exc))
        except (CheckFailure, EvaluationError) as exc:
            result = self.unknown_fact(compiled, data) or Result(
                "error", explanation=message("check_error", self.lang, reason=str(exc)))
        except Exception as exc:  # a broken check must not crash the run: that rule is an error
            reason_text = f"{type(exc).__name__}: {exc}"
            result = Result("error", explanation=message("check_error", self.lang, reason=reason_text))
        return self.answered(compiled, data, result, env, on, scope)

    def answered(self, compiled: CompiledRule, data: Mapping[str, Any], result: Result, env: Env,
                 on: date | None, scope: Mapping[str, Any]) -> Mapping[str, Any]:
        """The outcome of *result*, with the auditor's answer to a rule judged from data shown
        beside it (never overriding it)."""
        rule = compiled.rule
        answers = data.get("answers")
        answer = answer_for(data, rule.id) if answers and rule.id in answers and not compiled.reads_answers \
            else None
        if answer is not None:
            result = reconcile(result, answer, self.lang)
        return self.finish(rule, result, env, on, scope)

    def unknown_fact(self, compiled: CompiledRule, data: Mapping[str, Any],
                      paths: Iterable[str] | None = None) -> Result | None:
        """needs_review naming the first of *paths* (default: the fields the rule's conditions read,
        after one of them failed) that the record lacks or holds as null (checkengine.unknown)."""
        return unknown.unknown_fact(data, unknown.read_by(compiled.conditions) if paths is None else paths,
                                    self.lang)

    def review(self, reason: str) -> Result:
        return Result("needs_review", explanation=message("undecidable", self.lang, reason=reason))


    def text(self, rule: Rule) -> _RuleText:
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
        title = pick(rule.title, lang, fallback)
        corrective = pick(rule.corrective_action, lang, fallback) or None
        template = {
            "rule": rule.id, "section": rule.section, "title": title, "outcome": None,
            "severity": rule.severity, "weight": rule.weight, "critical": rule.critical, "explanation": None,
            "observed": None, "expected": None, "parameters": None, "source": sources[0] if sources else None,
            "sources": None, "waiver": None, "comment": None, "evidence": None, "details": None,
            "corrective_action": corrective,
        }
        text = _RuleText(
            title=title,
            sources=tuple(sources),
            clause=clause_text,
            corrective_action=corrective,
            condition_false=message("not_applicable", lang, reason=message(
                "condition_false", lang, condition=when.source)) if when is not None else None,
            template=template,
            fixed={k: template[k] for k in _FIXED},
        )
        self._texts[rule.id] = text
        return text

    def param_text(self, name: str, pv: Any) -> str:
        key = (name, pv.since)  # one value per parameter and date
        text = self._param_texts.get(key)
        if text is None:
            text = self._param_texts[key] = message("parameter_in_effect", self.lang, name=name, value=pv.value,
                                                    since=pv.since)
        return text

    def render(self, o: Outcome) -> dict[str, Any]:
        """The entry of an outcome this made (:class:`~checkengine.outcome.Renderer`)."""
        return entry(self, o.text, o.result, dict.__getitem__(o, "outcome"), o.waiver, o.used)

    def rule_of(self, o: Outcome) -> CompiledRule | None:
        return None  # a check's result made it, not a verdict lane

    def template_of(self, o: Outcome) -> Mapping[str, Any]:
        return o.text.template

    def finish(
        self, rule: Rule, result: Result, env: Env, on: date | None, scope: Mapping[str, Any],
    ) -> Mapping[str, Any]:
        """The rule's outcome from *result*: the waiver that applies decides the verdict now; the
        entry (explanation, parameters, sources, details) is rendered when a reader asks for it."""
        fixed = self._texts.get(rule.id)
        if fixed is None:
            fixed = self.text(rule)
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
        used = env.used
        if env.eager:  # the caller wants the entry now: made directly, as it always was
            return entry(self, fixed, result, outcome, waiver_info, used or None)
        return made(outcome, result, used or None, waiver_info, fixed, self)


def subject_scope(data: Mapping[str, Any], registry: Registry) -> dict[str, Any]:
    subject = data.get("subject") or {}
    employee = person_of(data, registry)
    return {"site": (data.get("site") or {}).get("id"), "employee": employee, "team": subject.get("team")}


def record_meta(record: Record) -> dict[str, Any]:
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


def record_date(record: Mapping[str, Any], zone: Zone | None = None) -> date | None:
    """The record's day on its site's clock (as written when the site has no zone: it only picks
    which dated parameter values apply); *zone*: the record's, when the caller has it."""
    ts = parse_datetime(record.get("timestamp"))
    if ts is None:
        return None
    if zone is None:
        zone = zone_of(record)
    return ts.astimezone(zone.info).date() if zone.info is not None and ts.tzinfo is not None else ts.date()
