"""Checks of a merged rulebook beyond its schema: translations, dates, citations, parameters.

Findings about a rule carry the field path inside the rule (``sections[0].rules[2].effective``);
lint points them at the exact line once it has the file (:func:`checkengine.lint.run._relocate`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Iterator

from checkengine.checks import is_param_ref
from checkengine.errors import Location
from checkengine.findings import Finding
from checkengine.rulebook.model import Rule, Rulebook
from checkengine.yamlio import Document, PathT

if TYPE_CHECKING:
    from checkengine.plugins import Registry

_RULE_TEXTS = ("title", "description", "corrective_action")
_PARAMS_IN_CEL = re.compile(r"\bparams\.([A-Za-z_][A-Za-z0-9_]*)")


def text_paths(data: dict[str, Any]) -> Iterator[PathT]:
    """Paths of every translatable text in one rulebook file."""
    for key in ("title", "description"):
        if key in data:
            yield (key,)
    for name, p in (data.get("parameters") or {}).items():
        yield ("parameters", name, "description")
        for day, entry in (p.get("values") or {}).items():
            if "note" in entry:
                yield ("parameters", name, "values", day, "note")
    for i, band in enumerate((data.get("scoring") or {}).get("bands") or []):
        if "label" in band:
            yield ("scoring", "bands", i, "label")
    for si, section in enumerate(data.get("sections") or []):
        for key in ("title", "description"):
            if key in section:
                yield ("sections", si, key)
        for ri, rule in enumerate(section.get("rules") or []):
            yield from _rule_texts(rule, ("sections", si, "rules", ri))
    overrides = data.get("overrides") or {}
    for name, p in (overrides.get("parameters") or {}).items():
        if "description" in p:
            yield ("overrides", "parameters", name, "description")
    for i, _ in enumerate(overrides.get("disable") or []):
        yield ("overrides", "disable", i, "reason")
    for i, rule in enumerate(overrides.get("replace") or []):
        yield from _rule_texts(rule, ("overrides", "replace", i))


def _rule_texts(rule: dict[str, Any], base: PathT) -> Iterator[PathT]:
    for key in _RULE_TEXTS:
        if key in rule:
            yield base + (key,)
    for i, src in enumerate(rule["source"] if isinstance(rule.get("source"), list) else [rule.get("source")]):
        if isinstance(src, dict) and "note" in src:
            yield base + (("source", i, "note") if isinstance(rule["source"], list) else ("source", "note"))
    if isinstance(rule.get("check"), dict) and "prompt" in rule["check"]:
        yield base + ("check", "prompt")
    for code in rule.get("choices") or {} if isinstance(rule.get("choices"), dict) else ():
        yield base + ("choices", code)
    for key in ("observations", "follow_up_questions"):
        for name, asked in (rule.get(key) or {}).items():
            yield base + (key, name, "question")
            for code in (asked.get("choices") or {}) if isinstance(asked, dict) else ():
                yield base + (key, name, "choices", code)


def _get(data: Any, path: PathT) -> Any:
    for part in path:
        data = data[part]
    return data


def missing_translations(doc: Document) -> Iterator[Finding]:
    """CE204: a text that lacks one of the rulebook's languages."""
    languages = doc.data.get("languages") or []
    if not languages:
        return
    source = languages[0]
    for path in text_paths(doc.data):
        value = _get(doc.data, path)
        have = {source} if isinstance(value, str) else set(value)
        missing = [lang for lang in languages if lang not in have]
        if missing:
            plain = " (a plain string counts as the source language only)" if isinstance(value, str) else ""
            yield Finding(
                "CE204",
                f"no {', '.join(missing)} translation{plain}; the rulebook's languages are "
                f"{', '.join(languages)} and every text needs each of them: add "
                + ", ".join(f"{lang}: ..." for lang in missing),
                doc.location(path),
            )


def effective_dates(book: Rulebook) -> Iterator[Finding]:
    """CE205 inverted dates; CE206 two versions of a rule (same clause, same check) in force at once."""
    versions: dict[tuple[Any, ...], list[Rule]] = {}
    for rule in book.rules():
        start, end = rule.effective_from, rule.effective_until
        if start and end and start > end:
            yield Finding(
                "CE205",
                f"effective.from {start} is after effective.until {end}, so the rule is never in "
                "force; a rule is in force from 'from' to 'until', both days included: swap the "
                "dates or fix the wrong one",
                _at(rule, "effective"),
            )
            continue
        if start or end:
            # Two dated rules are versions of one standard when they enforce the same clauses with
            # the same check, condition and scope; only their dates (and wording) differ.
            key = (tuple(rule.sources), _canonical(rule.check), rule.when, _canonical(rule.applies_to))
            versions.setdefault(key, []).append(rule)
    for rules in versions.values():
        rules.sort(key=lambda r: r.effective_from or "")
        for a, b in zip(rules, rules[1:]):
            a_end = a.effective_until or "9999-12-31"
            if (b.effective_from or "0000-01-01") <= a_end:
                yield Finding(
                    "CE206",
                    f"rules '{a.id}' and '{b.id}' check the same thing and are both in force from "
                    f"{b.effective_from or 'the start'} to {a.effective_until or 'no end'}; a new "
                    f"version must start after the old one ends: give '{a.id}' effective.until the "
                    f"day before '{b.id}' starts",
                    _at(b, "effective"),
                )


def citations(book: Rulebook) -> Iterator[Finding]:
    """CE207: a rule's source names a clause that the sources catalogue does not have."""
    for rule in book.rules():
        raw = rule.raw.get("source")
        items = raw if isinstance(raw, list) else [raw]
        for i, item in enumerate(items):
            cid = item["clause"] if isinstance(item, dict) else item
            if cid in book.clauses:
                continue
            sub = ("source",) + ((i,) if isinstance(raw, list) else ()) + (("clause",) if isinstance(item, dict) else ())
            import difflib  # only to suggest a name (start-up time)

            close = difflib.get_close_matches(str(cid), list(book.clauses), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            fix = ("the rulebook has no sources: add a sources catalogue (sources: [{include: ...}])"
                   if not book.clauses else "cite a catalogued clause, or add the clause to the sources catalogue")
            yield Finding(
                "CE207",
                f"cites clause '{cid}', which is not in the sources catalogue{hint}; {fix}",
                _at(rule, *sub),
            )


def parameter_references(book: Rulebook) -> Iterator[Finding]:
    """CE202: parameters named in conditions that do not exist, or that have no value yet.

    An unknown ``{param: NAME}`` in a check's options is reported when the check compiles; this
    adds ``params.NAME`` in conditions, and the dates on which a parameter has a value.
    """
    names = list(book.parameters)
    for rule in book.rules():
        for sub, name, in_cel in _references(rule):
            param = book.parameters.get(name)
            if param is None and in_cel:
                import difflib  # only to suggest a name (start-up time)

                close = difflib.get_close_matches(name, names, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                known = f"the parameters are {', '.join(sorted(names))}" if names else "none is declared"
                yield Finding(
                    "CE202",
                    f"unknown parameter '{name}'{hint}; {known}: fix the name, or declare it under "
                    "parameters",
                    _at(rule, *sub),
                )
            if param is None:
                continue
            first = min(param.values) if param.values else None
            start = rule.effective_from
            if first is not None and start is not None and start < first:
                yield Finding(
                    "CE202",
                    f"parameter '{name}' has no value before {first}, but the rule is in force from "
                    f"{start}; give '{name}' a value from {start} (parameters.{name}.values), or "
                    f"start the rule on {first}",
                    _at(rule, *sub),
                )


def _references(rule: Rule) -> Iterator[tuple[PathT, str, bool]]:
    """(path inside the rule, parameter name, named in a condition) of each parameter it uses."""
    if rule.when:
        for name in _PARAMS_IN_CEL.findall(rule.when):
            yield ("when",), name, True
    yield from _walk(rule.check, ("check",))


def _walk(value: Any, path: PathT) -> Iterator[tuple[PathT, str, bool]]:
    if is_param_ref(value):
        yield path + ("param",), value["param"], False
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, path + (i,))
    elif isinstance(value, str):
        for name in _PARAMS_IN_CEL.findall(value):
            yield path, name, True


_CEL_ERROR = re.compile(
    r"Failed to parse expression '.*?': ERROR: <input>:(\d+):(\d+): (.*?)(?: \| .*)?$", re.S
)


def tidy_condition_error(finding: Finding) -> Finding:
    """CE208 with the parser's report made readable: where in the condition, and what it expected."""
    found = _CEL_ERROR.search(finding.message)
    if finding.code != "CE208" or not found:
        return finding
    line, col, problem = found.groups()
    where = f"character {col}" if line == "1" else f"line {line}, character {col}"
    problem = problem.replace("Syntax error: ", "")
    mismatch = re.fullmatch(r"(?:mismatched|extraneous) input '(.*)' expecting (.*)", problem, re.S)
    if mismatch:
        got, wanted = mismatch.groups()
        seen = "the condition ends" if got == "<EOF>" else f"found '{got}'"
        problem = f"{seen} where one of {wanted} was expected"
    message = (f"the condition does not parse: at {where} of the condition, {problem}; write a CEL "
               "expression, e.g. record.observations.badge == \"standard\"")
    return Finding(finding.code, message, finding.location, finding.level)


def failing_answer_requirements(book: Rulebook, registry: Registry) -> Iterator[Finding]:
    """CE214: follow-up questions, a required corrective action or kept photo locations on a rule
    the auditor does not answer (not a manual check: it never has a failing answer to ask them of), or a follow-up
    question named like an observation that a rule reads (its answer would be judged as that one)."""
    read: set[str] = set()
    for rule in book.rules():
        read.update(_OBSERVATION.findall(_canonical(rule.check)))
        if rule.when:
            read.update(_OBSERVATION.findall(rule.when))
    for rule in book.rules():
        check_type = registry.check_types.get(str(rule.check.get("type")))
        manual = bool(check_type is not None and check_type.answered_on_visit)
        asked = list(rule.raw.get("follow_up_questions") or {})
        if not manual and (asked or rule.evidence.get("corrective_action") or rule.evidence.get("photo_location")):
            what = "follow_up_questions" if asked else "evidence"
            yield Finding("CE214", f"{what} on a rule of type '{rule.check.get('type')}': only a manual rule has a "
                                   "failing answer to ask it of; move it to a manual rule, or remove it", _at(rule, what))
        for name in asked:
            if name in read:
                yield Finding("CE214", f"the follow-up question '{name}' has the name of an observation that a rule "
                                       "reads, so its answer would be judged as that observation; rename it",
                              _at(rule, "follow_up_questions", name))


_OBSERVATION = re.compile(r"observations\.([A-Za-z_][A-Za-z0-9_]*)")


def _canonical(value: Any) -> str:
    """One text per value, equal for equal values whatever the order of their keys (orjson, in C:
    the standard library's encoder was a tenth of lint's time on a 1,000-rule book)."""
    import orjson

    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def _at(rule: Rule, *sub: str | int) -> Location:
    """The location of a field inside *rule* (its line is fixed up by lint from the file)."""
    loc = rule.location
    suffix = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in sub)
    path = (loc.path or "") + suffix
    return Location(loc.file, loc.line, loc.column, path.lstrip("."))
