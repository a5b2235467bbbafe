"""Checks of a merged rulebook beyond its schema: translations, dates, citations."""

from __future__ import annotations

import difflib
from typing import Any, Iterator

from checkengine.findings import Finding
from checkengine.rulebook.model import Rule, Rulebook
from checkengine.yamlio import Document, PathT

_RULE_TEXTS = ("title", "description", "corrective_action")


def text_paths(data: dict[str, Any]) -> Iterator[PathT]:
    """Paths of every translatable text in one rulebook file."""
    for key in ("title", "description"):
        if key in data:
            yield (key,)
    for name, p in (data.get("parameters") or {}).items():
        yield ("parameters", name, "description")
    for si, section in enumerate(data.get("sections") or []):
        for key in ("title", "description"):
            if key in section:
                yield ("sections", si, key)
        for ri, rule in enumerate(section.get("rules") or []):
            yield from _rule_texts(rule, ("sections", si, "rules", ri))
    overrides = data.get("overrides") or {}
    for i, _ in enumerate(overrides.get("disable") or []):
        yield ("overrides", "disable", i, "reason")
    for i, rule in enumerate(overrides.get("replace") or []):
        yield from _rule_texts(rule, ("overrides", "replace", i))


def _rule_texts(rule: dict[str, Any], base: PathT) -> Iterator[PathT]:
    for key in _RULE_TEXTS:
        if key in rule:
            yield base + (key,)
    if isinstance(rule.get("check"), dict) and "prompt" in rule["check"]:
        yield base + ("check", "prompt")


def _get(data: Any, path: PathT) -> Any:
    for part in path:
        data = data[part]
    return data


def missing_translations(doc: Document) -> Iterator[Finding]:
    languages = doc.data.get("languages") or []
    if not languages:
        return
    source = languages[0]
    for path in text_paths(doc.data):
        value = _get(doc.data, path)
        have = {source} if isinstance(value, str) else set(value)
        missing = [lang for lang in languages if lang not in have]
        if missing:
            yield Finding(
                "CE204",
                f"no {', '.join(missing)} translation; the rulebook declares the languages "
                f"{', '.join(languages)}: give this text as a mapping with each of them",
                doc.location(path),
            )


def effective_dates(book: Rulebook) -> Iterator[Finding]:
    versions: dict[tuple[Any, ...], list[Rule]] = {}
    for rule in book.rules():
        start, end = rule.effective_from, rule.effective_until
        if start and end and start > end:
            yield Finding(
                "CE205",
                f"effective from {start} is after until {end}; swap them or fix the dates",
                _at(rule, "effective"),
            )
            continue
        if start or end:
            spec = rule.check
            key = (tuple(rule.sources), spec.get("type"), spec.get("field"), spec.get("expr"), spec.get("value"),
                   rule.when)
            versions.setdefault(key, []).append(rule)
    for rules in versions.values():
        rules.sort(key=lambda r: r.effective_from or "")
        for a, b in zip(rules, rules[1:]):
            a_end = a.effective_until or "9999-12-31"
            if (b.effective_from or "0000-01-01") <= a_end:
                yield Finding(
                    "CE206",
                    f"rules '{a.id}' and '{b.id}' check the same thing and are both in force from "
                    f"{b.effective_from or 'the start'} to {a.effective_until or 'no end'}; end '{a.id}' "
                    f"the day before '{b.id}' starts",
                    _at(b, "effective"),
                )


def citations(book: Rulebook) -> Iterator[Finding]:
    for rule in book.rules():
        for cid in rule.sources:
            if cid not in book.clauses:
                close = difflib.get_close_matches(cid, list(book.clauses), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                known = "no clauses are catalogued" if not book.clauses else "add the clause to the sources catalogue"
                yield Finding(
                    "CE207",
                    f"cites clause '{cid}', which is not in the sources catalogue{hint}; {known}",
                    _at(rule, "source"),
                )


def _at(rule: Rule, field: str) -> Any:
    from checkengine.errors import Location

    loc = rule.location
    return Location(loc.file, loc.line, loc.column, f"{loc.path}.{field}" if loc.path else field)
