"""A checklist on screen, made from a rulebook, and a filled one read back into a record.

The rules listed are those of the printed checklist (:mod:`checkengine.pdf.checklist`): in force
on the inspection's date, for its kind of visit, and judged from what a visit collects. A manual
rule asks for the auditor's answer; a rule judged from observations asks for each observation it
reads, typed (yes/no, a number, a choice, a text) with the rule's limit shown. Every question can
be answered "not observed", which is not "no": an answer left out of the record (the engine then
says the rule needs review), an observation recorded as ``null`` (not known).

:func:`read_form` checks a submission: every item answered (pass, fail, n.a. or not observed), the
values of their type, and what a failing answer requires by the rule (``evidence: {comment:
true}``); it gives the record and the list of problems, each naming its item, so the page can be
shown again with everything the auditor entered.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping

from checkengine.i18n import pick
from checkengine.pdf.checklist import judged_on_visit, observations_of, rules_in_force
from checkengine.plugins import default_registry
from checkengine.rulebook.model import Rulebook

ANSWERS = ("pass", "fail", "n.a.", "not_observed")
NOT_OBSERVED = "not_observed"
MAX_TEXT = 4000  # the record's text limit (docs/limits.md)


@dataclass
class Observation:
    name: str
    type: str  # bool, number, choice, text
    label: str
    choices: list[tuple[str, str]] = field(default_factory=list)
    limit: str = ""


@dataclass
class Item:
    rule: str
    title: str
    prompt: str
    manual: bool
    clauses: list[dict[str, str]]
    needs_comment: bool
    needs_photo: bool
    observations: list[Observation]
    #: asked when the answer fails (the rule's ``evidence.corrective_action`` and ``follow_up_questions``)
    needs_action: bool = False
    follow_up: list[Observation] = field(default_factory=list)


@dataclass
class Screen:
    id: str
    title: str
    items: list[Item]


def _limit(check: Mapping[str, Any], book: Rulebook, day: date) -> str:
    """The rule's limit in words a number field can show: ``≤ 15 minutes``, ``= 0``."""

    def value(v: Any) -> str:
        if isinstance(v, Mapping) and "param" in v:
            param = book.parameters.get(str(v["param"]))
            found = param.at(day) if param else None
            if found is None:
                return str(v["param"])
            return f"{found.value} {param.unit}" if param and param.unit else str(found.value)
        return str(v)

    check_type = default_registry().check_types.get(str(check.get("type")))
    return check_type.checklist_limit(check, value) if check_type is not None else ""


def screens_for(book: Rulebook, kind: str, day: date, lang: str) -> list[Screen]:
    """One screen per section of the rulebook, with the items judged on this kind of visit."""
    merged = book.merged
    source = book.source_language
    catalogue = merged.get("sources", {})
    screens: list[Screen] = []
    seen: set[str] = set()
    for section, rule in rules_in_force(merged, day):
        if not judged_on_visit(rule, kind):
            continue
        if not screens or screens[-1].id != section.get("id"):
            screens.append(Screen(str(section.get("id")), pick(section.get("title"), lang, source), []))
        check = rule.get("check") or {}
        src = rule.get("source")
        clauses = []
        for cid in (src if isinstance(src, list) else [src]):
            cid = cid.get("clause") if isinstance(cid, Mapping) else cid
            known = catalogue.get(cid, {}) if isinstance(cid, str) else {}
            clauses.append({"id": str(cid), "number": str(known.get("clause", "")), "text": str(known.get("text", ""))})
        questions = rule.get("observations") or {}
        observations = []
        for name, kind_of in observations_of(rule, default_registry()).items():
            if name in seen:
                continue  # asked once, at the first rule that reads it
            seen.add(name)
            asked = questions.get(name) or {}
            codes = asked.get("choices") or {}
            obs = Observation(name, "choice" if codes else kind_of, pick(asked.get("question"), lang, source) or name)
            obs.choices = [(str(code), pick(text, lang, source)) for code, text in codes.items()]
            if check.get("field") == f"observations.{name}":
                obs.limit = _limit(check, book, day)
            observations.append(obs)
        evidence = rule.get("evidence") or {}
        follow_up = []
        for name, asked in (rule.get("follow_up_questions") or {}).items():
            codes = asked.get("choices") or {}
            kind_of = "choice" if codes else {"yes_no": "bool", "number": "number"}.get(asked.get("type"), "text")
            follow_up.append(Observation(name, kind_of, pick(asked.get("question"), lang, source) or name,
                                         [(str(c), pick(t, lang, source)) for c, t in codes.items()]))
        screens[-1].items.append(Item(
            rule=str(rule["id"]), title=pick(rule.get("title"), lang, source),
            prompt=pick(check.get("prompt"), lang, source) if check.get("prompt") else "",
            manual=_answered(check), clauses=clauses,
            needs_comment=bool(evidence.get("comment")), needs_photo=bool(evidence.get("photo")),
            observations=observations, needs_action=bool(evidence.get("corrective_action")),
            follow_up=follow_up))
    return screens


@dataclass
class Filled:
    """A submission read back: the record's observations and answers, the items not observed, the
    problems that refuse it (item -> message key and values), and the values as entered."""

    observations: dict[str, Any]
    answers: dict[str, dict[str, Any]]
    not_observed: list[str]
    problems: dict[str, tuple[str, dict[str, Any]]]
    entered: dict[str, str]
    corrective_actions: list[dict[str, str]] = field(default_factory=list)
    #: the photos kept for each item (hashes), shown again when the form comes back
    photos: dict[str, list[str]] = field(default_factory=dict)


def _number(text: str) -> float | int | None:
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number


def read_form(screens: list[Screen], form: Mapping[str, str], photos: Mapping[str, list[str]] | None = None) -> Filled:
    """The record's parts from a submitted form (field names: ``answer:RULE``, ``comment:RULE``,
    ``obs:NAME``, and ``nobs:NAME`` to mark a number or a text not observed); *photos* are the
    hashes of the photos kept for each item."""
    photos = photos or {}
    filled = Filled({}, {}, [], {}, {})
    for screen in screens:
        for item in screen.items:
            if item.manual:
                key = f"answer:{item.rule}"
                said = (form.get(key) or "").strip()
                comment = (form.get(f"comment:{item.rule}") or "").strip()
                filled.entered[key] = said
                filled.entered[f"comment:{item.rule}"] = comment
                if len(comment) > MAX_TEXT:
                    filled.problems[item.rule] = ("too_long", {"limit": MAX_TEXT})
                elif said not in ANSWERS:
                    filled.problems[item.rule] = ("unanswered", {})
                elif said == NOT_OBSERVED:
                    filled.not_observed.append(item.rule)
                else:
                    if said == "fail" and item.needs_comment and not comment:
                        filled.problems[item.rule] = ("comment_required", {})
                    if said == "fail" and item.needs_photo and not photos.get(item.rule):
                        filled.problems.setdefault(item.rule, ("photo_required", {}))
                    if said == "fail":
                        _on_fail(filled, item, form)
                    answer: dict[str, Any] = {"result": said}
                    if comment:
                        answer["comment"] = comment
                    if photos.get(item.rule):
                        answer["evidence"] = [f"photo:{digest}" for digest in photos[item.rule]]
                    filled.answers[item.rule] = answer
            for obs in item.observations:
                _observation(filled, item, obs, form, f"obs:{obs.name}", not_observable=True)
    return filled


def _on_fail(filled: Filled, item: Item, form: Mapping[str, str]) -> None:
    """What the rule requires of a failing answer: a corrective action (``action:``, ``owner:``,
    ``due:``) and the answers to its follow-up questions (``fu:NAME``)."""
    if item.needs_action:
        action = {part: (form.get(f"{part}:{item.rule}") or "").strip() for part in ("action", "owner", "due")}
        for part, value in action.items():
            filled.entered[f"{part}:{item.rule}"] = value
        if not all(action.values()):
            filled.problems.setdefault(item.rule, ("action_required", {}))
        elif not _iso_date(action["due"]):
            filled.problems.setdefault(item.rule, ("bad_due", {"value": action["due"][:40]}))
        elif max(len(v) for v in action.values()) > MAX_TEXT:
            filled.problems.setdefault(item.rule, ("too_long", {"limit": MAX_TEXT}))
        else:
            filled.corrective_actions.append({"rule": item.rule, **action})
    for question in item.follow_up:
        _observation(filled, item, question, form, f"fu:{question.name}", not_observable=False)


def _iso_date(text: str) -> bool:
    from datetime import date as day

    try:
        day.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _observation(filled: Filled, item: Item, obs: Observation, form: Mapping[str, str], key: str, *,
                 not_observable: bool) -> None:
    """One observation (or follow-up answer) of *item* read into *filled*."""
    raw = (form.get(key) or "").strip()
    filled.entered[key] = raw
    if not_observable and form.get(f"nobs:{obs.name}"):
        # a number or a text is marked not observed by its own box (``nobs:NAME``)
        filled.entered[f"nobs:{obs.name}"] = "on"
        raw = NOT_OBSERVED
    if not_observable and raw == NOT_OBSERVED:
        filled.observations[obs.name] = None  # not known: the rule needs review
        filled.not_observed.append(obs.name)
        return
    problem: tuple[str, dict[str, Any]] | None = None
    value: Any = raw
    if not raw:
        problem = ("unanswered_observation", {"label": obs.label})
    elif obs.type == "bool":
        if raw not in ("yes", "no"):
            problem = ("bad_choice", {"label": obs.label})
        value = raw == "yes"
    elif obs.type == "number":
        value = _number(raw)
        if value is None:
            problem = ("not_a_number", {"label": obs.label, "value": raw[:40]})
    elif obs.type == "choice":
        if raw not in {code for code, _ in obs.choices}:
            problem = ("bad_choice", {"label": obs.label})
    elif len(raw) > MAX_TEXT:
        problem = ("too_long", {"limit": MAX_TEXT})
    if problem is not None:
        filled.problems.setdefault(item.rule, problem)
    else:
        filled.observations[obs.name] = value


def _answered(check: Mapping[str, Any]) -> bool:
    """Whether the auditor answers the check itself (pass / fail / n.a.) on the visit."""
    check_type = default_registry().check_types.get(str(check.get("type")))
    return bool(check_type is not None and check_type.answered_on_visit)
