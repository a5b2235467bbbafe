"""The cover of the audit form: what a manager signs for. The headline (site, date, inspector, score
and grade, pass rate) and the failed and critical items first, each with its photos, its clauses
(in the form's language when the rulebook has the translation, with the original beside it) and
its corrective action: owner and due date from :func:`checkengine.actions.followup.resolve_follow_up`
(the rule's or the rulebook's ``follow_up``; no declaration, no due date) and status (open, or the
tracked status when the caller knows it).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable, Mapping
from zoneinfo import ZoneInfo

from babel.numbers import format_percent

from checkengine.actions.followup import FollowUp, resolve_follow_up
from checkengine.i18n import pick
from checkengine.pdf.form_words import Words
from checkengine.pdf.labels import Formatter, parse_datetime

SEVERITY_ORDER = {"critical": 0, "major": 1, "minor": 2, "info": 3}
#: Outcomes that put a critical rule on the cover although it did not fail: nobody could say it passed.
UNDECIDED = ("needs_review", "error")


def record_day(when: Any, zone: str | None) -> date | None:
    """The record's day in the site's calendar (its zone, when the record names one)."""
    moment = parse_datetime(when)
    if moment is None:
        return None
    if zone and moment.tzinfo is not None:
        try:
            moment = moment.astimezone(ZoneInfo(zone))
        except (KeyError, ValueError):
            pass
    return moment.date()


def pass_rate(outcomes: list[dict[str, Any]], fmt: Formatter) -> str:
    """Passed rules over the rules judged pass or fail (waived, not applicable and undecided
    rules left out); a dash when none was."""
    passed = sum(1 for o in outcomes if o.get("outcome") == "pass")
    judged = passed + sum(1 for o in outcomes if o.get("outcome") == "fail")
    if not judged:
        return "—"
    return str(format_percent(passed / judged, format="#,##0.#%", locale=fmt.locale))


def _person_name(value: Any) -> str:
    if isinstance(value, Mapping):
        name, ident = value.get("name") or "", value.get("id") or value.get("employee") or ""
        return f"{name} ({ident})" if name and ident else str(name or ident)
    return str(value or "")


def owner_words(follow: FollowUp, record: Mapping[str, Any], fmt: Formatter) -> str:
    """The owner as the form prints it: the role's label and the person the record names for it."""
    labels = fmt.labels
    if not follow.owner_role:
        return labels["no_owner"]
    role = labels.get(follow.owner_role, follow.owner_role)
    subject = record.get("subject") if isinstance(record.get("subject"), Mapping) else {}
    site = record.get("site") if isinstance(record.get("site"), Mapping) else {}
    assert isinstance(subject, Mapping) and isinstance(site, Mapping)
    person = {
        "team_leader": subject.get("team_leader"),
        "site_manager": site.get("manager"),
        "inspector": record.get("inspector"),
        "employee": {"name": subject.get("name"), "id": subject.get("employee")} if subject else None,
    }.get(follow.owner_role)
    name = _person_name(person) or (follow.owner or "")
    return f"{role}: {name}" if name else role


def listed_actions(record: Mapping[str, Any], fmt: Formatter, lang: str, source_lang: str) -> dict[str, dict[str, str]]:
    """The record's own ``corrective_actions``, by rule: they win over the rulebook's follow-up."""
    out: dict[str, dict[str, str]] = {}
    for item in record.get("corrective_actions") or []:
        if isinstance(item, Mapping) and item.get("rule"):
            out[str(item["rule"])] = {
                "action": pick(item.get("action"), lang, source_lang),
                "owner": _person_name(item.get("owner")),
                "due": fmt.date(item.get("due")) if item.get("due") else fmt.labels["no_due"],
            }
    return out


def action_of(
    outcome: Mapping[str, Any], rule: Mapping[str, Any], merged: Mapping[str, Any], record: Mapping[str, Any],
    day: date | None, fmt: Formatter, lang: str, source_lang: str, *,
    listed: Mapping[str, dict[str, str]], statuses: Mapping[str, str],
) -> dict[str, str]:
    """The corrective action of a failed outcome: what, who, by when, and its status."""
    labels = fmt.labels
    rule_id = str(outcome.get("rule", ""))
    status = statuses.get(rule_id, "open")
    status_text = labels.get(f"status_{status}", status)
    if rule_id in listed:
        return {"rule": rule_id, **listed[rule_id], "status": status_text}
    follow = resolve_follow_up(merged, rule_id, record, day)
    text = pick(rule.get("corrective_action"), lang, source_lang)
    if not text:
        text = labels.fmt("restore", title=pick(outcome.get("title"), lang, source_lang))
    return {
        "rule": rule_id,
        "action": text,
        "owner": owner_words(follow, record, fmt),
        "due": fmt.date(follow.due) if follow.due else labels["no_due"],
        "status": status_text,
    }


def tracked_statuses(actions: Iterable[Any], *, record_id: str, book: str) -> dict[str, str]:
    """Rule id -> status of the tracked actions (``checkengine.actions``) that *record_id*'s failures
    opened or failed again under the rulebook *book*; the newest action of a rule wins."""
    out: dict[str, str] = {}
    for action in sorted(actions, key=lambda a: a.id):
        if action.book == book and record_id in action.records:
            out[action.rule] = action.status
    return out


def clauses(sources: list[dict[str, str]]) -> list[dict[str, str]]:
    """Each clause with its text in the form's language and, when that is a translation, the original."""
    out = []
    for src in sources:
        translated = src.get("translation") or ""
        out.append({
            "clause": src["clause"], "number": src["number"],
            "text": translated or src["text"], "original": src["text"] if translated else "",
        })
    return out


def cover_items(
    outcomes: list[dict[str, Any]], rules: Mapping[str, Mapping[str, Any]], *, fmt: Formatter,
    lang: str, source_lang: str, sources_of: Any, photos_of: Any, comment_of: Any, actions: Mapping[str, dict[str, str]],
) -> list[dict[str, Any]]:
    """The failed items and the critical rules nobody could call passed, critical first."""
    labels = fmt.labels
    chosen = [o for o in outcomes if o.get("outcome") == "fail"
              or (o.get("severity") == "critical" and o.get("outcome") in UNDECIDED)]
    chosen.sort(key=lambda o: SEVERITY_ORDER.get(str(o.get("severity")), 9))
    items = []
    for o in chosen:
        rule = rules.get(str(o.get("rule")), {})
        words = Words(rule, fmt, lang, source_lang)
        outcome = str(o.get("outcome", ""))
        name = words.observed_name()
        found = ""
        if outcome == "fail" and name and not words.manual():
            value = words.value(o.get("observed"), name)
            found = labels.fmt("recorded_as", what=words.question(name), value=value) if words.asks(name) else value
        elif outcome in UNDECIDED:
            found = words.explanation(o)
        items.append({
            "rule": str(o.get("rule", "")),
            "title": pick(o.get("title"), lang, source_lang),
            "severity": labels.get(f"severity_{o.get('severity')}", str(o.get("severity", ""))),
            "critical": o.get("severity") == "critical",
            "outcome": outcome,
            "outcome_label": labels.get(f"outcome_{outcome}", outcome),
            "found": found,
            "expected": words.value(o.get("expected"), name) if outcome == "fail" and o.get("expected") is not None and not words.manual() else "",
            "comment": comment_of(o),
            "photos": photos_of(o),
            "clauses": clauses(sources_of(o)),
            "action": actions.get(str(o.get("rule", ""))),
        })
    return items
