"""The printed result against the rules: the embedded record re-evaluated against the embedded
rulebook (and waivers) must give the embedded result. The evaluator is passed in, so that the
PDF code stays independent of the engine."""

from __future__ import annotations

from typing import Any, Callable

from checkengine.errors import UserError
from checkengine.pdf import attachments as att
from checkengine.pdf.verify.report import EvaluationReport

Reevaluate = Callable[[dict[str, Any], dict[str, Any], dict[str, Any], Any], dict[str, Any]]


def _outcome_key(outcome: dict[str, Any]) -> dict[str, Any]:
    return {
        "outcome": outcome.get("outcome"),
        "observed": outcome.get("observed"),
        "expected": outcome.get("expected"),
        "waived": bool(outcome.get("waiver")),
    }


def compare_results(printed: dict[str, Any], fresh: dict[str, Any]) -> list[str]:
    """The differences between the printed result and a fresh evaluation, as sentences."""
    problems: list[str] = []
    old_records = printed.get("records") or []
    new_records = fresh.get("records") or []
    if len(old_records) != 1 or len(new_records) != 1:
        return [f"the printed result has {len(old_records)} records and the re-evaluation {len(new_records)}; expected one each"]
    old = {o.get("rule"): o for o in old_records[0].get("outcomes") or []}
    new = {o.get("rule"): o for o in new_records[0].get("outcomes") or []}
    for rule in sorted(set(old) | set(new), key=str):
        if rule not in new:
            problems.append(f"{rule}: printed on the form, but the rules give no outcome for it")
            continue
        if rule not in old:
            problems.append(f"{rule}: the rules give '{new[rule].get('outcome')}', but the form does not show it")
            continue
        a, b = _outcome_key(old[rule]), _outcome_key(new[rule])
        for key in a:
            if a[key] != b[key]:
                problems.append(f"{rule}: the form says {key} {a[key]!r}, the rules give {b[key]!r}")
    s_old = old_records[0].get("score") or {}
    s_new = new_records[0].get("score") or {}
    for key in ("score", "grade", "passed"):
        if s_old.get(key) != s_new.get(key):
            problems.append(f"score: the form says {key} {s_old.get(key)!r}, the rules give {s_new.get(key)!r}")
    return problems


def embedded_data(data: bytes) -> dict[str, Any]:
    """The form's embedded JSON files, parsed: record, result, rulebook (merged) and waivers."""
    files = att.read_attachments(data)
    where = "the form"
    record = att.read_json_attachment(files, att.RECORD, where)
    result = att.read_json_attachment(files, att.RESULT, where)
    book = att.read_json_attachment(files, att.RULEBOOK, where)
    waivers = att.read_json_attachment(files, att.WAIVERS, where) if att.WAIVERS in files else None
    for name, value in ((att.RECORD, record), (att.RESULT, result), (att.RULEBOOK, book)):
        if not isinstance(value, dict):
            raise UserError(f"{where}: the attachment '{name}' is not a JSON object")
    return {"record": record, "result": result, "book": book, "waivers": waivers}


def check_evaluation(files: dict[str, Any], reevaluate: Reevaluate | None) -> EvaluationReport:
    """Re-evaluate the embedded record (see :func:`embedded_data`) and compare with the result."""
    from checkengine.rulebook.load import digest

    record, result, book, waivers = files["record"], files["result"], files["book"], files["waivers"]
    merged = book["merged"] if isinstance(book.get("merged"), dict) else book
    report = EvaluationReport(checked=False, rulebook=str(merged.get("id", "")), record=str(record.get("id", "")))
    computed = digest(merged)
    report.digest = computed
    named = (result.get("rulebook") or {}).get("digest")
    if isinstance(book, dict) and book.get("digest") and book["digest"] != computed:
        report.problems.append(
            f"the embedded rulebook's content digest is {computed}, not the {book['digest']} it claims"
        )
    if named != computed:
        report.problems.append(f"the result names the rulebook digest {named}, but the embedded rulebook's is {computed}")
    if reevaluate is None:
        report.problems.append("the result was not re-evaluated (no evaluator given)")
        return report
    try:
        fresh = reevaluate(record, merged, result, waivers)
    except UserError as exc:
        report.checked = True
        report.problems.append(f"the embedded record cannot be re-evaluated: {exc}")
        return report
    report.checked = True
    report.problems.extend(compare_results(result, fresh))
    return report


