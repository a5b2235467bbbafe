"""Rulebooks as OSCAL 1.1: a catalog (controls = rules, parts = cited clauses) and, for an
overlay, a profile of its parent's catalog.

The catalog has one group per section and one control per rule: its statement (the rule's
description or title), one ``item`` part per cited seed clause (number, text and document), the
check as properties; the rulebook's parameters are catalog parameters with their value in force
(every dated value as a property). The profile of an overlay imports the parent's catalog,
excludes the rules the overlay disables, sets the parameters it overrides, and alters the rules
it changes; rules the overlay adds cannot be expressed by a profile and are listed in its remarks
(export the overlay's own catalog for them).
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any

from checkengine import __version__
from checkengine.builtin.oscal import OSCAL_VERSION, props, uid
from checkengine.rulebook.model import Rule, Rulebook

_TOKEN = re.compile(r"[^\w\-.]", re.UNICODE)


def token(text: str) -> str:
    """*text* as an OSCAL token (letters, digits, ``-``, ``_``, ``.``; not starting with a digit)."""
    out = _TOKEN.sub("_", text)
    return out if out and (out[0].isalpha() or out[0] == "_") else f"_{out}"


def _text(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        return str(value.get(lang) or next(iter(value.values()), ""))
    return "" if value is None else str(value)


def _metadata(book: Rulebook, title: str, lang: str) -> dict[str, Any]:
    return {
        "title": title,
        "last-modified": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "version": book.version,
        "oscal-version": OSCAL_VERSION,
        "props": props([("rulebook", book.id), ("rulebook-digest", book.digest), ("language", lang),
                        ("generator", f"checkengine {__version__}")]),
    }


def _control(book: Rulebook, rule: Rule, control_id: str, lang: str) -> dict[str, Any]:
    statement = _text(rule.description, lang) or _text(rule.title, lang)
    parts: list[dict[str, Any]] = [{"id": f"{control_id}_smt", "name": "statement", "prose": statement}]
    for n, clause_id in enumerate(rule.sources):
        clause = book.clauses.get(clause_id)
        part: dict[str, Any] = {"id": f"{control_id}_smt.{token(clause_id)}_{n}", "name": "item",
                                "title": clause_id,
                                "prose": clause.text if clause else f"clause {clause_id}"}
        if clause:
            part["props"] = props([("clause", clause.id), ("document", clause.document),
                                   ("number", clause.number)])
        parts[0].setdefault("parts", []).append(part)
    if rule.corrective_action:
        parts.append({"id": f"{control_id}_gdn", "name": "guidance",
                      "prose": "Corrective action: " + _text(rule.corrective_action, lang)})
    control: dict[str, Any] = {
        "id": control_id,
        "title": _text(rule.title, lang) or rule.id,
        "props": props([("label", rule.id), ("severity", rule.severity), ("weight", rule.weight),
                        ("check-type", rule.check.get("type")),
                        ("check", json.dumps(rule.check, ensure_ascii=False, sort_keys=True)),
                        ("effective-from", rule.effective_from), ("effective-until", rule.effective_until),
                        *(("clause", c) for c in rule.sources)]),
        "parts": parts,
    }
    return control


def _params(book: Rulebook, lang: str) -> list[dict[str, Any]]:
    out = []
    for name, param in book.parameters.items():
        current = param.at(None)
        entry: dict[str, Any] = {"id": token(name), "label": _text(param.description, lang) or name,
                                 "props": props([("unit", param.unit),
                                                 *((f"value-since-{since}", json.dumps(v.get("value"), ensure_ascii=False))
                                                   for since, v in sorted(param.values.items()))])}
        if current is not None:
            entry["values"] = [json.dumps(current.value, ensure_ascii=False)
                               if not isinstance(current.value, str) else current.value]
        if not entry["props"]:
            del entry["props"]
        out.append(entry)
    return out


def control_ids(book: Rulebook) -> dict[int, str]:
    """A unique control id per rule (a rule id used by two dated versions gets its start date)."""
    ids: dict[int, str] = {}
    seen: set[str] = set()
    for rule in book.rules():
        cid = token(rule.id)
        if cid in seen:
            cid = token(f"{rule.id}.{rule.effective_from or len(seen)}")
        seen.add(cid)
        ids[id(rule)] = cid
    return ids


def catalog(book: Rulebook, *, lang: str | None = None) -> dict[str, Any]:
    lang = lang or book.source_language
    ids = control_ids(book)
    groups = []
    for section in book.sections:
        controls = [_control(book, r, ids[id(r)], lang) for r in section.rules]
        group: dict[str, Any] = {"id": token(section.id), "title": _text(section.title, lang) or section.id}
        if controls:
            group["controls"] = controls
        groups.append(group)
    doc: dict[str, Any] = {
        "uuid": uid("catalog", book.digest),
        "metadata": _metadata(book, f"{_text(book.title, lang)} ({book.id} {book.version})", lang),
    }
    params = _params(book, lang)
    if params:
        doc["params"] = params
    if groups:
        doc["groups"] = groups
    documents = dict.fromkeys(c.document for c in book.clauses.values())
    if documents:
        doc["back-matter"] = {"resources": [{"uuid": uid("document", d), "title": f"source document {d}"}
                                            for d in documents]}
    return {"catalog": doc}


def profile(overlay: Rulebook, parent: Rulebook, *, catalog_href: str, lang: str | None = None) -> dict[str, Any]:
    """The profile of *overlay* over *parent*'s catalog (found at *catalog_href*)."""
    lang = lang or overlay.source_language
    parent_ids = control_ids(parent)
    by_id = {r.id: r for r in overlay.rules()}
    kept = {r.id for r in parent.rules()} & set(by_id)
    imported: dict[str, Any] = {"href": catalog_href, "include-all": {}}
    dropped = [parent_ids[id(r)] for r in parent.rules() if r.id not in kept]
    if dropped:
        imported["exclude-controls"] = [{"with-ids": dropped}]
    modify: dict[str, Any] = {}
    set_params = []
    for name, param in overlay.parameters.items():
        before = parent.parameters.get(name)
        if before is not None and before.values != param.values:
            current = param.at(None)
            entry: dict[str, Any] = {"param-id": token(name)}
            if current is not None:
                entry["values"] = [current.value if isinstance(current.value, str)
                                   else json.dumps(current.value, ensure_ascii=False)]
            entry["props"] = props([(f"value-since-{since}", json.dumps(v.get("value"), ensure_ascii=False))
                                    for since, v in sorted(param.values.items())])
            set_params.append(entry)
    if set_params:
        modify["set-parameters"] = set_params
    alters = []
    for rule in parent.rules():
        mine = by_id.get(rule.id)
        if mine is None or mine.raw == rule.raw:
            continue
        changed = sorted(k for k in set(mine.raw) | set(rule.raw) if mine.raw.get(k) != rule.raw.get(k))
        cid = parent_ids[id(rule)]
        alters.append({"control-id": cid, "adds": [{"position": "ending", "parts": [{
            "id": f"{cid}_overlay", "name": "overlay", "title": f"{overlay.id} changes {', '.join(changed)}",
            "prose": json.dumps({k: mine.raw.get(k) for k in changed}, ensure_ascii=False, sort_keys=True)}]}]})
    if alters:
        modify["alters"] = alters
    doc: dict[str, Any] = {
        "uuid": uid("profile", overlay.digest, parent.digest),
        "metadata": _metadata(overlay, f"{_text(overlay.title, lang)} ({overlay.id} {overlay.version}) over "
                                       f"{parent.id} {parent.version}", lang),
        "imports": [imported],
    }
    added = [r.id for r in overlay.rules() if r.id not in {p.id for p in parent.rules()}]
    if added:
        doc["metadata"]["remarks"] = ("Rules the overlay adds (a profile cannot add controls; they are in "
                                      f"the overlay's own catalog): {', '.join(added)}")
    if modify:
        doc["modify"] = modify
    return {"profile": doc}
