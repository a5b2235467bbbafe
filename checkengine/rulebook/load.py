"""Loading a rulebook: strict YAML, schema validation, ``extends`` merging, sources catalogue.

Problems that make the input unusable (unreadable file, schema violation, a broken ``extends``)
raise :class:`UserError`. Problems in a well-formed book (a duplicate rule id, a citation of an
unknown clause, ...) are collected as findings: lint reports them all; ``strict=True`` raises the
first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checkengine import validation
from checkengine.errors import Location, UserError
from checkengine.findings import CodedError, Finding
from checkengine.inputs import display_path, relative_path
from checkengine.rulebook.model import Clause, Declared, Parameter, Rule, Rulebook, Section
from checkengine.yamlio import Document, load_file


@dataclass
class _Layer:
    """One rulebook file after validation, before merging."""

    path: Path
    doc: Document


@dataclass
class _Merged:
    parameters: dict[str, Parameter] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    clauses: dict[str, Clause] = field(default_factory=dict)
    scoring: dict[str, Any] = field(default_factory=dict)
    lookups: dict[str, Any] = field(default_factory=dict)
    disabled: dict[str, Any] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    follow_up: Declared | None = None
    schedules: dict[str, Declared] = field(default_factory=dict)


def _missing(path: Path) -> str:
    """Why *path* cannot be read as a YAML file: it does not exist, or is a folder, a device ..."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return "does not exist"
    from checkengine.inputs import kind_of

    return f"is {kind_of(mode)}, not a file"


class RulebookLoader:
    """Loads rulebooks, caching parsed files so that overlays share their parent's work."""

    def __init__(self, parsed: dict[Path, Document] | None = None) -> None:
        """*parsed*: files already read and parsed (by resolved path), so that they are not read twice."""
        self.findings: list[Finding] = []
        self._docs: dict[Path, Document] = {}
        self._sources: dict[Path, list[Clause]] = {}
        self._parsed = dict(parsed or {})

    # -- files ---------------------------------------------------------------------------------
    def document(self, path: Path, schema_name: str) -> Document:
        """The parsed, schema-valid file at *path*; a :class:`CodedError` (CE100/CE101) if not."""
        path = path.resolve()
        if path not in self._docs:
            try:
                doc = self._parsed.pop(path, None) or load_file(path, display=display_path(path))
            except UserError as exc:
                raise CodedError.wrap("CE100", exc) from None
            if not isinstance(doc.data, dict):
                kind = "a list" if isinstance(doc.data, list) else "a single value"
                raise CodedError(
                    "CE101",
                    f"expected a mapping (key: value lines) at the top of the file, got {kind}; "
                    f"a {schema_name} file starts with 'checkengine: 1'",
                    Location(doc.file, 1, 1),
                )
            problems = validation.errors(schema_name, doc)
            if problems:
                raise CodedError.wrap("CE101", problems[0])
            self._docs[path] = doc
        return self._docs[path]

    # -- public ----------------------------------------------------------------------------------
    def load(self, path: Path | str) -> Rulebook:
        path = Path(path)
        chain = self._chain(path)
        merged = _Merged()
        for layer in chain:
            self._apply(layer, merged)
        top = chain[-1].doc.data
        merged_raw = self._merged_raw(top, merged)
        book = Rulebook(
            id=top["id"],
            version=str(top["version"]),
            title=top["title"],
            languages=list(top["languages"]),
            description=top.get("description"),
            parameters=merged.parameters,
            sections=merged.sections,
            clauses=merged.clauses,
            scoring=merged.scoring,
            lookups=merged.lookups,
            disabled=merged.disabled,
            files=merged.files,
            merged=merged_raw,
            path=chain[-1].doc.file,
            follow_up=merged.follow_up,
            schedules=list(merged.schedules.values()),
        )
        return book

    # -- extends ---------------------------------------------------------------------------------
    def _chain(self, path: Path) -> list[_Layer]:
        """The rulebook and its ancestors, the root ancestor first."""
        layers: list[_Layer] = []
        seen: list[Path] = []
        current: Path | None = path
        via: tuple[Document, Path] | None = None
        while current is not None:
            resolved = current.resolve()
            if resolved in seen:
                cycle = " -> ".join(display_path(p) for p in seen + [resolved])
                assert via is not None
                raise CodedError(
                    "CE102",
                    f"'{via[0].data['extends']}' makes a cycle ({cycle}); a rulebook cannot extend "
                    "itself or a rulebook that extends it: point extends at the real parent, or "
                    "remove it",
                    via[0].location(("extends",)),
                )
            if via is not None and not resolved.is_file():
                raise CodedError(
                    "CE102",
                    f"the parent rulebook '{via[0].data['extends']}' {_missing(resolved)} (looked for "
                    f"{relative_path(resolved)}); the path is relative to the folder of this "
                    "rulebook: fix the path, or add the parent file",
                    via[0].location(("extends",)),
                )
            doc = self.document(resolved, "rulebook")
            seen.append(resolved)
            layers.append(_Layer(resolved, doc))
            parent = doc.data.get("extends")
            if parent is None:
                current = None
            else:
                current = resolved.parent / parent
                via = (doc, current)
        layers.reverse()
        return layers

    # -- merging ---------------------------------------------------------------------------------
    def _apply(self, layer: _Layer, merged: _Merged) -> None:
        doc = layer.doc
        data = doc.data
        merged.files.append(doc.file)
        self._apply_sources(layer, merged)
        for name, raw in (data.get("parameters") or {}).items():
            if name in merged.parameters:
                self._finding(
                    "CE209",
                    f"parameter '{name}' is already defined by the parent rulebook "
                    f"({merged.parameters[name].location.prefix().rstrip(': ')}); an overlay "
                    "changes a parent's parameter under overrides.parameters: move it there",
                    doc.location(("parameters", name), key=True),
                )
                continue
            merged.parameters[name] = Parameter(
                name, raw["description"], raw.get("unit"), dict(raw["values"]),
                doc.location(("parameters", name), key=True),
            )
        if "scoring" in data:
            merged.scoring = {**merged.scoring, **data["scoring"]}
        merged.lookups.update(data.get("lookups") or {})  # an overlay may add or redefine one
        if "follow_up" in data:  # an overlay's follow_up replaces its parent's
            merged.follow_up = Declared(data["follow_up"], doc.file, ("follow_up",))
        for i, raw in enumerate(data.get("schedules") or []):  # by id: an overlay replaces or adds one
            merged.schedules[raw["id"]] = Declared(raw, doc.file, ("schedules", i))
        overrides = data.get("overrides") or {}
        for name, raw in (overrides.get("parameters") or {}).items():
            where = doc.location(("overrides", "parameters", name), key=True)
            if name not in merged.parameters:
                self._finding(
                    "CE209",
                    f"overrides.parameters names '{name}', which the parent rulebook does not define"
                    + _suggest(name, merged.parameters)
                    + "; override an existing parameter, or declare a new one under parameters",
                    where,
                )
                continue
            old = merged.parameters[name]
            merged.parameters[name] = Parameter(
                name, raw.get("description", old.description), old.unit,
                {**old.values, **raw["values"]}, where,
            )
        known = {r.id: (s, r) for s in merged.sections for r in s.rules}
        for i, item in enumerate(overrides.get("disable") or []):
            rid = item["rule"]
            if rid not in known:
                self._finding(
                    "CE209",
                    f"overrides.disable names rule '{rid}', which the parent rulebook does not have"
                    + _suggest(rid, known)
                    + "; name a rule of the parent (checkengine explain lists them), or remove "
                    "this entry",
                    doc.location(("overrides", "disable", i, "rule")),
                )
                continue
            section, rule = known.pop(rid)
            section.rules.remove(rule)
            merged.disabled[rid] = item["reason"]
        for i, raw in enumerate(overrides.get("replace") or []):
            rid = raw["id"]
            where = doc.location(("overrides", "replace", i))
            if rid not in known:
                self._finding(
                    "CE209",
                    f"overrides.replace names rule '{rid}', which the parent rulebook does not have"
                    + _suggest(rid, known)
                    + "; replace a rule of the parent, or add a new rule under sections",
                    doc.location(("overrides", "replace", i, "id")),
                )
                continue
            section, old_rule = known[rid]
            new_rule = Rule.from_raw(raw, section.id, where)
            section.rules[section.rules.index(old_rule)] = new_rule
            known[rid] = (section, new_rule)
        for si, raw_section in enumerate(data.get("sections") or []):
            found = next((s for s in merged.sections if s.id == raw_section["id"]), None)
            if found is None:
                section = Section(
                    raw_section["id"], raw_section.get("title"), raw_section.get("description"),
                    raw_section.get("weight"),
                )
                merged.sections.append(section)
            else:
                section = found
                section.title = raw_section.get("title", section.title)
                section.description = raw_section.get("description", section.description)
            for ri, raw_rule in enumerate(raw_section.get("rules") or []):
                where = doc.location(("sections", si, "rules", ri))
                rule = Rule.from_raw(raw_rule, section.id, where)
                if rule.id in known:
                    first = known[rule.id][1].location
                    self._finding(
                        "CE201",
                        f"rule id '{rule.id}' is already used (first at "
                        f"{first.prefix().rstrip(': ')}); rule ids must be unique in the merged "
                        "rulebook: rename this rule, or use overrides.replace to change the "
                        "parent's rule",
                        doc.location(("sections", si, "rules", ri, "id")),
                    )
                    continue
                known[rule.id] = (section, rule)
                section.rules.append(rule)

    def _apply_sources(self, layer: _Layer, merged: _Merged) -> None:
        doc = layer.doc
        for i, item in enumerate(doc.data.get("sources") or []):
            if "include" in item:
                target = (layer.path.parent / item["include"]).resolve()
                if not target.is_file():
                    raise CodedError(
                        "CE100",
                        f"the sources file '{item['include']}' {_missing(target)} (looked for "
                        f"{relative_path(target)}); the path is relative to the folder of this "
                        "rulebook: fix the path, or add the file",
                        doc.location(("sources", i, "include")),
                    )
                clauses = self._catalogue(target)
            else:
                clauses = _clauses_of(item)
            for clause in clauses:
                if clause.id in merged.clauses and merged.clauses[clause.id] != clause:
                    self._finding(
                        "CE210",
                        f"clause '{clause.id}' is defined twice in the sources catalogue, "
                        f"differently (in the documents {merged.clauses[clause.id].document} and "
                        f"{clause.document}); clause ids must be unique: rename one",
                        doc.location(("sources", i)),
                    )
                merged.clauses[clause.id] = clause

    def _catalogue(self, path: Path) -> list[Clause]:
        if path not in self._sources:
            doc = self.document(path, "sources")
            clauses: list[Clause] = []
            for document in doc.data["documents"]:
                clauses.extend(_clauses_of(document))
            self._sources[path] = clauses
        return self._sources[path]

    def _merged_raw(self, top: dict[str, Any], merged: _Merged) -> dict[str, Any]:
        """The merged book as plain data: what `explain` prints and what the digest covers."""
        out: dict[str, Any] = {
            "checkengine": 1,
            "id": top["id"],
            "version": str(top["version"]),
            "title": top["title"],
            "languages": top["languages"],
        }
        if top.get("description") is not None:
            out["description"] = top["description"]
        out["parameters"] = {
            name: {k: v for k, v in (("description", p.description), ("unit", p.unit),
                                     ("values", dict(sorted(p.values.items())))) if v is not None}
            for name, p in merged.parameters.items()
        }
        if merged.scoring:
            out["scoring"] = merged.scoring
        if merged.lookups:
            out["lookups"] = merged.lookups
        out["sections"] = []
        for s in merged.sections:
            sec: dict[str, Any] = {"id": s.id}
            if s.title is not None:
                sec["title"] = s.title
            if s.description is not None:
                sec["description"] = s.description
            if s.weight is not None:
                sec["weight"] = s.weight
            sec["rules"] = _copied([r.raw for r in s.rules])
            out["sections"].append(sec)
        if merged.disabled:
            out["disabled"] = merged.disabled
        if merged.follow_up is not None:
            out["follow_up"] = merged.follow_up.raw
        if merged.schedules:
            out["schedules"] = [d.raw for d in merged.schedules.values()]
        cited = {c for s in merged.sections for r in s.rules for c in r.sources}
        cited |= {d.raw["source"]["clause"] if isinstance(d.raw["source"], dict) else d.raw["source"]
                  for d in merged.schedules.values()}
        out["sources"] = {
            cid: {"document": c.document, "clause": c.number, "text": c.text}
            for cid, c in sorted(merged.clauses.items())
            if cid in cited
        }
        return out

    def _finding(self, code: str, message: str, where: Location, level: str = "error") -> None:
        self.findings.append(Finding(code, message, where, level))  # type: ignore[arg-type]


def _copied(data: list[Any]) -> list[Any]:
    """A deep copy of a schema-valid file's plain data, by a JSON round trip (several times faster
    than deepcopy; orjson's three times faster again, the standard library's for what orjson
    refuses; the schemas refuse the NaN and infinities that orjson would write as null)."""
    import orjson

    try:
        copied: list[Any] = orjson.loads(orjson.dumps(data))
    except orjson.JSONEncodeError:
        copied = json.loads(json.dumps(data))
    return copied


def _clauses_of(document: dict[str, Any]) -> list[Clause]:
    return [
        Clause(
            id=c["id"],
            document=document["id"],
            number=c["clause"],
            text=c["text"],
            translations=dict(c.get("translations") or {}),
            document_title=document.get("title", ""),
        )
        for c in document["clauses"]
    ]


def _suggest(name: str, options: Any) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def digest(merged: dict[str, Any]) -> str:
    """A content digest of the merged rulebook: stable across key order and formatting."""
    canonical = json.dumps(merged, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    import hashlib  # here: OpenSSL's start-up is a cost of every command, and only the digest needs it

    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def load_rulebook(path: Path | str, *, strict: bool = True) -> Rulebook:
    """Load a rulebook; with *strict*, the first finding is raised as a :class:`UserError`."""
    loader = RulebookLoader()
    book = loader.load(path)
    if strict:
        errors = [f for f in loader.findings if f.level == "error"]
        if errors:
            raise errors[0].as_error()
    return book
