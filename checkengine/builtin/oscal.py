"""The ``oscal`` reporter: results as an OSCAL 1.1 assessment-results document (NIST).

GRC tools (compliance-trestle, FedRAMP tooling, Lula) read assessment results. The mapping:

* one ``result`` per run (``evaluate`` and ``batch`` make one; ``archive query`` one per archived run);
* one ``observation`` per rule outcome, with its ``relevant-evidence``: the record's file and the
  photos the auditor gave, each a back-matter resource with its SHA-256 when the file can be read
  (for a record that is a signed PDF form, that digest is the signed form's);
* one ``finding`` per rule: ``satisfied`` when no outcome failed and none is unsettled,
  ``not-satisfied`` otherwise (the reason says which), targeting the rule id (a control of
  ``checkengine oscal catalog``) with the cited seed clauses as properties;
* each waived outcome is also a ``risk`` with status ``deviation-approved``, its waiver (who approved
  it, why) in the statement and its expiry as the deadline.

UUIDs are version-5 UUIDs of stable keys, so the same run always gives the same document.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, Callable, Iterable, TextIO

from checkengine import __version__, hookimpl
from checkengine.reporting import Reporter

OSCAL_VERSION = "1.1.3"
_NAMESPACE = uuid.UUID("5f0c6f63-2b0e-5d4a-9a51-6368656b656e")
_NOT_SETTLED = ("needs_review", "error")


def uid(*parts: object) -> str:
    """A stable version-5 UUID of *parts*."""
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join(str(p) for p in parts)))


def prop(name: str, value: object) -> dict[str, str]:
    text = " ".join(str(value).split()) or "-"
    return {"name": name, "value": text}


def props(pairs: Iterable[tuple[str, object]]) -> list[dict[str, str]]:
    return [prop(k, v) for k, v in pairs if v not in (None, "", [], {})]


def _text(value: Any) -> str:
    if isinstance(value, dict):  # a text in several languages
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


class Evidence:
    """The back-matter resources of one document: each record, each aggregate group and each
    evidence file once, a file with its SHA-256 when it can be read."""

    def __init__(self) -> None:
        self.resources: dict[str, dict[str, Any]] = {}
        self._digests: dict[str, str | None] = {}

    def _link(self, path: Path) -> dict[str, Any]:
        key = path.as_posix()
        if key not in self._digests:
            try:
                import hashlib  # here: OpenSSL's start-up is a cost of every command that loads plugins

                self._digests[key] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                self._digests[key] = None
        link: dict[str, Any] = {"href": key}
        if self._digests[key]:
            link["hashes"] = [{"algorithm": "SHA-256", "value": self._digests[key]}]
        if key.lower().endswith(".pdf"):
            link["media-type"] = "application/pdf"
        return link

    def _add(self, key: str, title: str, path: Path | None) -> str:
        if key not in self.resources:
            resource: dict[str, Any] = {"uuid": key, "title": title}
            if path is not None:
                resource["rlinks"] = [self._link(path)]
            self.resources[key] = resource
        return key

    def record(self, rec: dict[str, Any]) -> str:
        """The record (its file, and line, when it came from one); a signed PDF form is hashed whole."""
        kind = "the signed form" if str(rec.get("file") or "").lower().endswith(".pdf") else "the record"
        where = f" ({rec['file']}{':' + str(rec['line']) if rec.get('line') else ''})" if rec.get("file") else ""
        return self._add(uid("record", rec["id"], rec.get("file") or ""), f"{kind} {rec['kind']} {rec['id']}{where}",
                         Path(rec["file"]) if rec.get("file") else None)

    def group(self, group: dict[str, Any]) -> str:
        label = " ".join(f"{k}={v}" for k, v in group.items() if not isinstance(v, (list, dict))) or "group"
        return self._add(uid("group", json.dumps(group, sort_keys=True, ensure_ascii=False)),
                         f"aggregate group {label}", None)

    def file(self, href: str, base: Path | None) -> str:
        path = Path(href) if base is None or Path(href).is_absolute() else base / href
        return self._add(uid("resource", path.as_posix()), f"evidence {path.as_posix()}", path)

    def back_matter(self) -> dict[str, Any] | None:
        return {"resources": list(self.resources.values())} if self.resources else None


def _observation(run_key: str, rec: dict[str, Any] | None, o: dict[str, Any], collected: str,
                 evidence: Evidence) -> dict[str, Any]:
    key = rec["id"] if rec else json.dumps(o.get("group"), sort_keys=True, ensure_ascii=False)
    clauses = [s["clause"] for s in o.get("sources") or [] if s.get("clause")]
    subject = evidence.record(rec) if rec else evidence.group(o.get("group") or {})
    obs: dict[str, Any] = {
        "uuid": uid(run_key, "observation", key, o["rule"]),
        "title": f"{o['rule']}: {o.get('title') or o['rule']}",
        "description": o.get("explanation") or o["outcome"],
        "props": props([("rule", o["rule"]), ("section", o.get("section")), ("outcome", o["outcome"]),
                        ("severity", o.get("severity")), *(("clause", c) for c in clauses)]),
        # A person looked (an inspector is recorded), or the data was tested.
        "methods": ["EXAMINE" if rec and rec.get("inspector") else "TEST"],
        "types": ["finding" if o["outcome"] in ("fail", "waived", *_NOT_SETTLED) else "control-objective"],
        "subjects": [{"subject-uuid": subject, "type": "resource", "title": evidence.resources[subject]["title"]}],
        "collected": collected,
    }
    found: list[dict[str, Any]] = []
    base: Path | None = None
    if rec and rec.get("file"):
        found.append({"href": f"#{subject}", "description": evidence.resources[subject]["title"]})
        base = Path(rec["file"]).parent
    for photo in o.get("evidence") or []:
        ref = evidence.file(photo, base)
        found.append({"href": f"#{ref}", "description": f"evidence the auditor gave: {photo}"})
    if found:
        obs["relevant-evidence"] = found
    if o.get("comment"):
        obs["remarks"] = str(o["comment"])
    return obs


def _risk(run_key: str, obs: dict[str, Any], o: dict[str, Any]) -> dict[str, Any]:
    w = o.get("waiver") or {}
    scope = ", ".join(f"{k} {v}" for k, v in (w.get("scope") or {}).items()) or "every record"
    risk: dict[str, Any] = {
        "uuid": uid(run_key, "risk", obs["uuid"]),
        "title": f"Waived: {obs['title']}",
        "description": o.get("explanation") or "a failure under an active waiver",
        "statement": (f"Waiver {w.get('id') or '(no id)'} approved by {w.get('approved_by', '?')}: "
                      f"{_text(w.get('reason', ''))} (scope: {scope}; expires {w.get('expires', '?')})"),
        "props": props([("rule", o["rule"]), ("waiver", w.get("id")), ("approved-by", w.get("approved_by")),
                        ("waived-outcome", w.get("waived_outcome")), ("waiver-file", w.get("file"))]),
        "status": "deviation-approved",
        "related-observations": [{"observation-uuid": obs["uuid"]}],
    }
    if w.get("expires"):
        risk["deadline"] = f"{w['expires']}T23:59:59+00:00"
    return risk


def _finding(run_key: str, rule: str, items: list[tuple[dict[str, Any], dict[str, Any]]],
             risks: dict[str, str]) -> dict[str, Any]:
    outcomes = [o["outcome"] for o, _ in items]
    first = items[0][0]
    counts = {k: outcomes.count(k) for k in dict.fromkeys(outcomes)}
    if "fail" in counts:
        state, reason = "not-satisfied", "fail"
    elif any(k in counts for k in _NOT_SETTLED):
        state, reason = "not-satisfied", "needs-review"
    else:
        state, reason = "satisfied", "pass"
    tally = ", ".join(f"{n} {k}" for k, n in counts.items())
    clauses = dict.fromkeys(s["clause"] for o, _ in items for s in o.get("sources") or [] if s.get("clause"))
    status: dict[str, Any] = {"state": state, "reason": reason}
    if reason == "needs-review":
        status["remarks"] = "no failure, but some outcomes could not be settled (needs review or error)"
    finding: dict[str, Any] = {
        "uuid": uid(run_key, "finding", rule),
        "title": f"{rule}: {first.get('title') or rule}",
        "description": f"{len(items)} outcomes: {tally}.",
        "props": props([("rule", rule), ("section", first.get("section")), ("severity", first.get("severity")),
                        *(("clause", c) for c in clauses)]),
        "target": {"type": "objective-id", "target-id": rule, "status": status},
        "related-observations": [{"observation-uuid": obs["uuid"]} for _, obs in items],
    }
    related = [risks[obs["uuid"]] for _, obs in items if obs["uuid"] in risks]
    if related:
        finding["related-risks"] = [{"risk-uuid": r} for r in related]
    return finding


def oscal_result(result: dict[str, Any], evidence: Evidence, *, title: str | None = None) -> dict[str, Any]:
    """One OSCAL ``result`` of one run (a result document, ``result.schema.json``)."""
    book = result["rulebook"]
    run_key = uid("run", book["digest"], result["generated_at"], title or "")
    observations: list[dict[str, Any]] = []
    risks: list[dict[str, Any]] = []
    risk_of: dict[str, str] = {}
    by_rule: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {}
    pairs = [(entry["record"], o) for entry in result["records"] for o in entry["outcomes"]]
    pairs += [(None, o) for o in result["groups"]]
    stamps = [rec["timestamp"] for rec, _ in pairs if rec and rec.get("timestamp")]
    for rec, o in pairs:
        obs = _observation(run_key, rec, o, rec["timestamp"] if rec else result["generated_at"], evidence)
        observations.append(obs)
        by_rule.setdefault(o["rule"], []).append((o, obs))
        if o["outcome"] == "waived":
            risk = _risk(run_key, obs, o)
            risks.append(risk)
            risk_of[obs["uuid"]] = risk["uuid"]
    s = result["summary"]
    out: dict[str, Any] = {
        "uuid": run_key,
        "title": title or f"checkengine evaluation against {book['id']} {book['version']}",
        "description": (f"{len(result['records'])} records and {len(result['groups'])} aggregate groups: "
                        f"{s['pass']} passed, {s['fail']} failed, {s['waived']} waived, {s['needs_review']} "
                        f"need review, {s['error']} errors, {s['not_applicable']} not applicable; "
                        f"{len(result['errors'])} unusable records."),
        "start": min(stamps) if stamps else result["generated_at"],
        "end": result["generated_at"],
        "props": props([("rulebook", book["id"]), ("rulebook-version", book["version"]),
                        ("rulebook-digest", book["digest"]), ("language", result.get("language")),
                        ("as-of", book.get("as_of"))]),
        "reviewed-controls": {"control-selections": [{"include-all": {}}]},
    }
    if observations:
        out["observations"] = observations
    if risks:
        out["risks"] = risks
    findings = [_finding(run_key, rule, items, risk_of) for rule, items in by_rule.items()]
    if findings:
        out["findings"] = findings
    if result["errors"]:
        out["remarks"] = "Unusable records: " + "; ".join(
            f"{e.get('file') or '-'}{':' + str(e['line']) if e.get('line') else ''}: {e['message']}"
            for e in result["errors"])
    return out


def assessment_results(results: list[dict[str, Any]], *, titles: list[str] | None = None) -> dict[str, Any]:
    """The OSCAL assessment-results document of one or more runs."""
    evidence = Evidence()
    runs = [oscal_result(r, evidence, title=(titles[i] if titles else None)) for i, r in enumerate(results)]
    books = dict.fromkeys(f"{r['rulebook']['id']} {r['rulebook']['version']}" for r in results)
    last = max((r["generated_at"] for r in results), default="1970-01-01T00:00:00+00:00")
    plan = uid("plan", *books)
    doc: dict[str, Any] = {
        "uuid": uid("assessment-results", *(r["uuid"] for r in runs)),
        "metadata": {
            "title": "checkengine assessment results: " + ", ".join(books),
            "last-modified": last,
            "version": ", ".join(books) or "-",
            "oscal-version": OSCAL_VERSION,
            "props": props([("generator", f"checkengine {__version__}")]),
        },
        # checkengine has no separate assessment plan: the rulebook is the plan.
        "import-ap": {"href": f"#{plan}", "remarks": "The plan is the rulebook named in each result."},
        "results": runs,
    }
    evidence.resources[plan] = {"uuid": plan, "title": "rulebooks (the assessment plan): " + ", ".join(books)}
    doc["back-matter"] = evidence.back_matter()
    return {"assessment-results": doc}


class OscalReporter(Reporter):
    name = "oscal"
    summary = "OSCAL 1.1 assessment results (NIST), for GRC tools: observations, findings per rule, waivers as risks."

    def render(self, result: dict[str, Any], out: TextIO, *, verbose: bool = False) -> None:
        self.render_runs([result], out)

    def render_runs(self, results: list[dict[str, Any]], out: TextIO, *, verbose: bool = False) -> None:
        json.dump(assessment_results(results), out, ensure_ascii=False, indent=2)
        out.write("\n")


@hookimpl(trylast=True)
def checkengine_register_reporters(register: Callable[[Reporter], None]) -> None:
    register(OscalReporter())
