"""The ``hdf`` reporter: results in MITRE's Heimdall Data Format (HDF, InSpec's exec JSON).

Security dashboards (Heimdall, the SAF CLI, Vulcan) read HDF. The mapping: one profile per run
(the rulebook, with its digest as ``sha256``), one control per rule (sections as groups, severity
as impact, the cited seed clauses as tags and refs), and one control result per outcome on a
record or an aggregate group. HDF has four statuses: pass -> passed, fail -> failed, error ->
error; not_applicable, needs_review (Heimdall's "not reviewed") and waived -> skipped, with the
checkengine outcome in ``skip_message`` and a waiver as the control's ``waiver_data``.
"""

from __future__ import annotations

import json
from typing import Any, Callable, TextIO

from checkengine import __version__, hookimpl
from checkengine.reporting import Reporter

STATUS = {"pass": "passed", "fail": "failed", "error": "error", "not_applicable": "skipped",
          "needs_review": "skipped", "waived": "skipped"}
# Heimdall reads impact as severity: 0.7+ high, 0.4+ medium, above 0 low; 0 means not applicable.
IMPACT = {"critical": 1.0, "major": 0.7, "minor": 0.5, "info": 0.3}


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _result(rec: dict[str, Any] | None, o: dict[str, Any], when: str) -> dict[str, Any]:
    if rec is not None:
        subject = (rec.get("subject") or {}).get("employee")
        desc = f"{rec['kind']} {rec['id']}" + (f" ({subject})" if subject else "")
        where = rec.get("file")
        if where and rec.get("line"):
            where = f"{where}:{rec['line']}"
    else:
        group = o.get("group") or {}
        desc = "group " + " ".join(f"{k}={v}" for k, v in group.items() if not isinstance(v, (list, dict)))
        where = None
    res: dict[str, Any] = {
        "status": STATUS[o["outcome"]],
        "code_desc": f"{desc}: {o.get('title') or o['rule']}",
        "start_time": when,
        "run_time": 0,
        "resource": where,
        "resource_id": rec["id"] if rec else None,
    }
    if o["outcome"] in ("fail", "error"):
        res["message"] = o.get("explanation")
    elif o["outcome"] in ("needs_review", "waived", "not_applicable"):
        res["skip_message"] = f"{o['outcome']}: {o.get('explanation')}"
    else:
        res["message"] = o.get("explanation")
    if o.get("evidence"):
        res["message"] = f"{res.get('message') or ''} [evidence: {', '.join(o['evidence'])}]".strip()
    return res


def _control(rule: str, items: list[tuple[dict[str, Any] | None, dict[str, Any], str]]) -> dict[str, Any]:
    first = items[0][1]
    sources = [s for _, o, _ in items for s in (o.get("sources") or [])]
    clauses = list(dict.fromkeys(s["clause"] for s in sources if s.get("clause")))
    refs = [{"ref": f"{s['clause']} ({s.get('document') or '-'} {s.get('number') or ''})".strip()}
            for s in {s["clause"]: s for s in sources if s.get("clause")}.values()]
    control: dict[str, Any] = {
        "id": rule,
        "title": first.get("title") or rule,
        "desc": (first.get("source") or {}).get("text"),
        "descriptions": [{"label": "fix", "data": first["corrective_action"]}] if first.get("corrective_action") else [],
        "impact": IMPACT.get(first.get("severity") or "", 0.5),
        "refs": refs,
        "tags": {"section": first.get("section"), "severity": first.get("severity"),
                 "critical": bool(first.get("critical")), "clauses": clauses},
        "source_location": {"ref": None, "line": None},
        "results": [_result(rec, o, when) for rec, o, when in items],
    }
    waivers = [o["waiver"] for _, o, _ in items if o["outcome"] == "waived" and o.get("waiver")]
    if waivers:
        w = waivers[0]
        control["waiver_data"] = {
            "justification": _text(w.get("reason", "")),
            "expiration_date": w.get("expires"),
            "message": f"waiver {w.get('id') or '(no id)'} approved by {w.get('approved_by', '?')}; "
                       f"{len(waivers)} outcomes waived",
            "run": True,
            "skipped_due_to_waiver": False,
        }
    return control


def profile(result: dict[str, Any]) -> dict[str, Any]:
    """One HDF profile of one run (a result document, ``result.schema.json``)."""
    book = result["rulebook"]
    by_rule: dict[str, list[tuple[dict[str, Any] | None, dict[str, Any], str]]] = {}
    sections: dict[str, list[str]] = {}
    for entry in result["records"]:
        rec = entry["record"]
        for o in entry["outcomes"]:
            by_rule.setdefault(o["rule"], []).append((rec, o, rec.get("timestamp") or result["generated_at"]))
    for o in result["groups"]:
        by_rule.setdefault(o["rule"], []).append((None, o, result["generated_at"]))
    for rule, items in by_rule.items():
        sections.setdefault(items[0][1].get("section") or "rules", []).append(rule)
    return {
        "name": book["id"],
        "title": f"{book['id']} {book['version']}",
        "version": book["version"],
        "sha256": book["digest"].removeprefix("sha256:"),
        "summary": f"checkengine rulebook {book['id']} {book['version']} ({book['digest']})",
        "supports": [],
        "attributes": [{"name": "language", "value": result.get("language")},
                       {"name": "as_of", "value": book.get("as_of")},
                       {"name": "generated_at", "value": result["generated_at"]}],
        "groups": [{"id": sid, "title": sid, "controls": rules} for sid, rules in sections.items()],
        "status": "loaded",
        "controls": [_control(rule, items) for rule, items in by_rule.items()],
    }


def hdf_document(results: list[dict[str, Any]]) -> dict[str, Any]:
    profiles = [profile(r) for r in results]
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    for p in profiles:
        for c in p["controls"]:
            statuses = {r["status"] for r in c["results"]}
            key = "failed" if statuses & {"failed", "error"} else "passed" if statuses == {"passed"} else "skipped"
            counts[key] += 1
    sites = sorted({str(e["record"].get("site")) for r in results for e in r["records"] if e["record"].get("site")})
    return {
        "platform": {"name": "checkengine", "release": __version__, "target_id": ", ".join(sites) or None},
        "version": __version__,
        "statistics": {"duration": None, "controls": {k: {"total": v} for k, v in counts.items()}},
        "profiles": profiles,
    }


class HdfReporter(Reporter):
    name = "hdf"
    summary = "MITRE Heimdall Data Format (HDF), for Heimdall and security dashboards: a control per rule."

    def render(self, result: dict[str, Any], out: TextIO, *, verbose: bool = False) -> None:
        self.render_runs([result], out)

    def render_runs(self, results: list[dict[str, Any]], out: TextIO, *, verbose: bool = False) -> None:
        json.dump(hdf_document(results), out, ensure_ascii=False, indent=2)
        out.write("\n")


@hookimpl(trylast=True)
def checkengine_register_reporters(register: Callable[[Reporter], None]) -> None:
    register(HdfReporter())
