"""The report as HTML (jinja2, autoescaped) and PDF (the forms' WeasyPrint machinery).

The HTML carries its CSS and charts inline, so the file stands alone in a browser and the PDF
render fetches nothing: the safe fetcher (limited to the forms folder) refuses anything else a
template might ask for, network included.
"""

from __future__ import annotations

from datetime import datetime
from itertools import groupby
from typing import Any

from markupsafe import Markup

from checkengine.i18n import pick
from checkengine.pdf import fonts
from checkengine.pdf.fetcher import SafeFetcher
from checkengine.pdf.labels import forms_dir
from checkengine.pdf.weasy import environment, html_to_document, write_document
from checkengine.report import charts
from checkengine.report.model import Counts, ReportData
from checkengine.report.labels import ReportText

TEMPLATE = "report/report.html.j2"
MAX_BYTES = 5 * 1024 * 1024


def _rate(text: ReportText, counts: Counts) -> str:
    return text.percent(counts.rate)


def _tone(rate: float | None, target: float | None) -> str:
    """``bad`` below the rulebook's target, ``good`` at or above it, "" without a target: a rate is
    never red just for being under 100 %."""
    if rate is None or target is None:
        return ""
    return "bad" if rate < target else "good"


def _counts(text: ReportText, counts: Counts, target: float | None = None) -> dict[str, Any]:
    return {"passed": text.number(counts.passed), "failed": text.number(counts.failed),
            "not_applicable": text.number(counts.not_applicable), "needs_review": text.number(counts.needs_review),
            "error": text.number(counts.error), "waived": text.number(counts.waived),
            "other": text.number(counts.other), "rate": _rate(text, counts), "tone": _tone(counts.rate, target)}


def _points(text: ReportText, value: float | None) -> str:
    if value is None:
        return "—"
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return text.fmt("points", n=sign + text.number(round(abs(value), 1)))


def headline(data: ReportData, text: ReportText) -> dict[str, Any]:
    """The first page's figures, each with what it was in the previous period."""
    previous = data.previous
    before = text.period_short(data.period.previous())
    moved = None if previous is None or previous.rate is None or data.overall.rate is None else \
        data.overall.rate - previous.rate
    open_ = [a for a in data.tracked if a.status != "closed"]

    def delta(now: int, then: int | None) -> str:
        return "" if then is None else text.fmt("vs_previous", change=("+" if now >= then else "−") +
                                                text.number(abs(now - then)), period=before)

    return {
        "rate": _rate(text, data.overall), "tone": _tone(data.overall.rate, data.target),
        "rate_change": text.fmt("vs_previous", change=_points(text, moved), period=before) if moved is not None
        else text.fmt("no_previous", period=before),
        "direction": "" if moved is None or abs(moved) < 0.05 else ("up" if moved > 0 else "down"),
        "figures": [
            (text["records"], text.number(data.records), delta(data.records, data.previous_records)),
            (text["failed"], text.number(data.overall.failed),
             delta(data.overall.failed, previous.failed if previous else None)),
            (text["col_not_applicable"], text.number(data.overall.not_applicable), ""),
            (text["col_needs_review"], text.number(data.overall.needs_review), ""),
            (text["col_error"], text.number(data.overall.error), ""),
            (text["open_actions"], text.number(len(open_)), text.fmt("overdue_count", n=sum(a.overdue for a in open_))),
            (text["missed_count"], text.number(len(data.missed)), ""),
        ],
        "since": text.fmt("changed_since", period=before),
        "target_note": text.fmt("target_note", target=text.percent(data.target)) if data.target is not None
        else text["no_target_note"],
    }


def _loss_status(text: ReportText, outcome: str) -> str:
    if outcome == "fail":
        return text["over_limit"]
    return text["within_limit"] if outcome == "pass" else text.status(outcome)


def context(data: ReportData, lang: str, *, generated: datetime | None = None) -> dict[str, Any]:
    text = ReportText(lang)
    css = "\n".join((forms_dir() / name).read_text("utf-8") for name in ("base.css", "report/report.css"))
    section_titles = {(s.book, s.section): s.title for s in data.sections}
    trend_labels = [text.period_short(p.period) for p in data.trend]
    series: dict[str, list[float | None]] = {text["overall"]: [p.overall.rate for p in data.trend]}
    titles = {r.rule: r.title for r in data.rules}
    for s in data.sections[: len(charts.SERIES) - 1]:
        series[s.title] = [p.sections[s.section].rate if s.section in p.sections else None for p in data.trend]
    coverage_svg = Markup("")
    if data.coverage:
        coverage_svg = charts.coverage_chart([c.employee for c in data.coverage], [c.monitored for c in data.coverage],
                                             [c.required for c in data.coverage], xlabel=text["chart_monitored"],
                                             lang=lang)
    loss_svg = Markup("")
    if data.call_loss:
        limit = next((d.limit for d in data.call_loss if d.limit is not None), None)
        loss_svg = charts.loss_chart([text.short_day(d.day) for d in data.call_loss], [d.rate for d in data.call_loss],
                                     limit, ylabel=text["chart_loss"], limit_label=text["limit"], lang=lang)
    rules_by_section = []
    for (book, section), rules in groupby(data.rules, key=lambda r: (r.book, r.section)):
        rules_by_section.append({
            "title": section_titles.get((book, section), section),
            "rules": [{"rule": r.rule, "title": r.title, "severity": text.severity(r.severity),
                       **_counts(text, r.counts, r.target)} for r in rules],
        })
    when = generated or datetime.now().astimezone()
    return {
        "html_lang": fonts.html_lang(lang),
        "L": text.table(),
        "css": Markup(css),
        "title": text["title_month" if data.period.kind == "month" else "title_week"],
        "site": data.site,
        "team": data.team or text["all_teams"],
        "period": text.period(data.period),
        "generated": f"{text.day(when.date())} {when.strftime('%H:%M')}",
        "books": data.books,
        "records": text.number(data.records),
        "overall": _counts(text, data.overall, data.target),
        "headline": headline(data, text),
        "changes": [{"rule": c.rule, "title": c.title, "kind": text[f"change_{c.kind}"], "bad": c.kind in
                     ("new_failure", "worse"), "before": text.percent(c.before), "after": text.percent(c.after),
                     "points": _points(text, c.points)} for c in data.changes],
        "tracked": [{"id": a.id, "rule": a.rule, "title": titles.get(a.rule, a.rule), "owner": a.owner or "—",
                     "status": text[f"action_{a.status}"], "overdue": a.overdue, "opened": text.day(a.opened),
                     "due": text.day(a.due) if a.due else "—", "age": text.number(a.age),
                     "employee": a.employee or "—"} for a in data.tracked],
        "compare": [{"site": c.site, "this": c.this, "records": text.number(c.records),
                     **_counts(text, c.counts, data.target), "open_actions": text.number(c.open_actions),
                     "overdue": text.number(c.overdue), "missed": text.number(c.missed)} for c in data.compare],
        "sections": [{"title": s.title, **_counts(text, s.counts, s.target)} for s in data.sections],
        "worst": [{"rule": r.rule, "title": r.title, "section": section_titles.get((r.book, r.section), r.section),
                   "severity": text.severity(r.severity), **_counts(text, r.counts, r.target)} for r in data.worst],
        "trend_help": text["trend_help_month" if data.period.kind == "month" else "trend_help_week"],
        "trend_svg": charts.trend_chart(trend_labels, series, ylabel=text["chart_pass_rate"], lang=lang,
                                        target=data.target, target_label=text["target"]),
        "trend": [{"label": label, "rate": _rate(text, p.overall) if p.overall.rate is not None else text["no_data"]}
                  for label, p in zip(trend_labels, data.trend)],
        "coverage_help": text.fmt("coverage_help", month=text.month(data.period.month)),
        "coverage_svg": coverage_svg,
        "coverage_rules": len({c.rule for c in data.coverage}),
        "coverage": [{"employee": c.employee, "team": c.team or "—", "monitored": text.number(c.monitored),
                      "required": text.number(c.required), "status": text.status(c.outcome),
                      "ok": c.outcome == "pass", "rule": c.rule} for c in data.coverage],
        "loss_svg": loss_svg,
        "call_loss": [{"day": text.day(d.day), "offered": text.number(d.offered), "abandoned": text.number(d.abandoned),
                       "rate": text.percent(d.rate), "limit": text.percent(d.limit),
                       "status": _loss_status(text, d.outcome), "ok": d.outcome != "fail",
                       "failing": text.fmt("queues_over", queues=", ".join(d.failing)) if d.failing else ""}
                      for d in data.call_loss],
        "actions": [{"rule": a.rule, "title": a.title, "severity": text.severity(a.severity),
                     "count": text.number(a.count), "action": a.action or text.fmt("restore", title=a.title),
                     "examples": ", ".join(a.samples) + (" " + text.fmt("more", n=a.count - len(a.samples))
                                                          if a.count > len(a.samples) else ""),
                     "when": (a.first if a.first == a.last else f"{a.first} – {a.last}") if a.first else "—"}
                    for a in data.actions],
        "rules_by_section": rules_by_section,
        "missed": [{"schedule": m["schedule"], "source": m["source"], "due": m["due"], "subject": m["subject"] or "—",
                    "title": pick(m["title"], lang, next(iter(m["title"])) if isinstance(m["title"], dict) else None)}
                   for m in data.missed],
    }


def render_html(data: ReportData, lang: str, *, generated: datetime | None = None) -> str:
    return environment().get_template(TEMPLATE).render(**context(data, lang, generated=generated))


def render_pdf(html: str, lang: str) -> bytes:
    fonts.require_fonts(lang)
    fetcher = SafeFetcher([forms_dir()], max_bytes=MAX_BYTES)
    document = html_to_document(html, fetcher=fetcher)
    return write_document(document, fetcher=fetcher)
