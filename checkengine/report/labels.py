"""The report's labels (forms/report/labels.yaml) and its dates, months, weeks and numbers (Babel)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

import yaml
from babel.dates import format_date, format_interval, format_skeleton
from babel.numbers import format_decimal, format_percent

from checkengine.errors import UserError
from checkengine.pdf.labels import FORM_LANGUAGES, forms_dir, locale_for
from checkengine.report.period import Period, parse_period

REPORT_LANGUAGES = FORM_LANGUAGES


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    path = forms_dir() / "report" / "labels.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a mapping of labels")
    return data


def check_language(lang: str) -> None:
    if lang not in REPORT_LANGUAGES:
        raise UserError(f"--lang {lang}: reports are written in {', '.join(REPORT_LANGUAGES)}; choose one of them")


class ReportText:
    """Labels of one language, and locale formatting of what the report prints."""

    def __init__(self, lang: str) -> None:
        check_language(lang)
        self.lang = lang
        self.locale = locale_for(lang)

    def __getitem__(self, key: str) -> str:
        entry = catalogue()[key]
        # An empty label is a label ("page" has no word before the number in Korean): only a
        # missing one falls back to English.
        return entry[self.lang] if self.lang in entry else entry["en"]

    def fmt(self, key: str, **values: Any) -> str:
        return self[key].format(**values)

    def table(self) -> dict[str, str]:
        """Every label of the language, for templates (``L.site``)."""
        return {key: self[key] for key in catalogue()}

    def number(self, value: float | int | None) -> str:
        return "—" if value is None else format_decimal(value, format="#,##0.##", locale=self.locale)

    def percent(self, value: float | None) -> str:
        """*value* in percent (87.5 -> "87.5%", as the locale writes it)."""
        return "—" if value is None else format_percent(value / 100.0, format="#,##0.0%", locale=self.locale)

    def day(self, value: date) -> str:
        return format_date(value, "medium", locale=self.locale)

    def short_day(self, value: date) -> str:
        return format_skeleton("MMMd", value, locale=self.locale)

    def month(self, label: str) -> str:
        return format_skeleton("yMMM", parse_period(label).start, locale=self.locale)

    def period(self, period: Period) -> str:
        if period.kind == "month":
            return self.month(period.label)
        span = format_interval(period.start, period.end, "yMMMd", locale=self.locale)
        return f"{period.label} ({span})"

    def period_short(self, period: Period) -> str:
        return self.month(period.label) if period.kind == "month" else period.label

    def severity(self, value: str) -> str:
        key = f"severity_{value}"
        return self[key] if key in catalogue() else value

    def status(self, outcome: str) -> str:
        key = f"status_{outcome}"
        return self[key] if key in catalogue() else outcome
