"""The interactive HTML report: the records behind the figures, filtered in the browser by site,
team, rule and period, with charts drawn by Vega-Lite (vendored: the page works offline).

The page is one file: its CSS, the vendored chart library (``forms/report/vendor``), the page's
own script (``forms/report/interactive.js``) and the data (JSON in a ``<script type=
"application/json">`` element, escaped by jinja2's ``tojson`` so that no value can close it) are
inline. Every text the page shows is in the report's language.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from markupsafe import Markup

from checkengine.archive.reading import PeriodScope, Reader
from checkengine.pdf import fonts
from checkengine.pdf.labels import forms_dir
from checkengine.pdf.weasy import environment
from checkengine.report.labels import ReportText
from checkengine.report.model import ReportData
from checkengine.report.period import Period

TEMPLATE = "report/interactive.html.j2"
VENDOR = ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js")
COLUMNS = ("period", "site", "team", "rule", "outcome", "day", "record", "employee")
#: the labels the page's script needs
SCRIPT_LABELS = ("all", "pass_rate", "passed", "failed", "col_not_applicable", "col_needs_review", "col_error",
                 "col_waived", "rule", "record", "day", "site", "team", "employee", "outcome", "shown", "no_data",
                 "period", "target", "outcome_pass", "outcome_fail", "status_not_applicable", "status_needs_review",
                 "status_error", "status_waived", "chart_pass_rate", "overall")


def drill_rows(archive: Reader, sites: Sequence[str], team: str | None, periods: Sequence[Period],
               lang: str) -> dict[str, list[Any]]:
    """The latest outcomes (records and aggregate groups) of *sites* in *periods*, column by column
    (COLUMNS): what the page filters and lists."""
    from checkengine.report.data import ReportReader

    out: dict[str, list[Any]] = {c: [] for c in COLUMNS}

    def add(*values: Any) -> None:
        for column, value in zip(COLUMNS, values):
            out[column].append(value)

    for site in sites:
        reader = ReportReader(archive, site=site, team=team, lang=lang)
        for period in periods:
            for r in archive.record_outcome_rows(PeriodScope(site, team, period.column, period.label)):
                add(period.label, site, r["team"], r["rule"], r["outcome"], r["day"], r["record_id"], r["employee"])
            _, groups, people = reader.period_counts(period)
            for g in groups:
                key = g["group"]
                employee = key.get("employee")
                who = key.get("team") or (people.get(employee, {}).get("team") if employee else None)
                label = " ".join(f"{k}={v}" for k, v in key.items() if k != "site")
                add(period.label, site, who, g["rule"], g["outcome"], g["day"] or g["week"] or g["month"],
                    f"[{label}]", employee)
    return out


def _vendor() -> Markup:
    # The builds are the projects' own files, inlined unmodified; none holds "</script" (checked by
    # the tests), so each stays inside its element.
    return Markup("\n".join(f"<script>{(forms_dir() / 'report' / 'vendor' / name).read_text('utf-8')}</script>"
                            for name in VENDOR))


def page_data(data: ReportData, text: ReportText) -> dict[str, Any]:
    rules: dict[str, dict[str, str]] = {}
    titles = {(s.book, s.section): s.title for s in data.sections}
    for r in data.rules:
        rules[r.rule] = {"title": r.title, "section": titles.get((r.book, r.section), r.section),
                         "severity": text.severity(r.severity)}
    periods = [p.period for p in data.trend]
    return {
        "labels": {key: text[key] for key in SCRIPT_LABELS},
        "locale": str(text.locale).replace("_", "-"),
        "font": fonts.face_for(text.lang),
        "periods": [{"id": p.label, "label": text.period_short(p)} for p in periods],
        "current": data.period.label,
        "site": data.site,
        "rules": rules,
        "target": data.target,
        "rows": data.drill,
    }


def render_interactive(data: ReportData, lang: str, *, generated: datetime | None = None) -> str:
    """The interactive page of *data* (its ``drill`` rows read by :func:`drill_rows`)."""
    from checkengine.report.render import context

    text = ReportText(lang)
    page = context(data, lang, generated=generated)
    page.update(page_data=page_data(data, text), vendor=_vendor(),
                script=Markup((forms_dir() / "report" / "interactive.js").read_text("utf-8")))
    return environment().get_template(TEMPLATE).render(**page)
