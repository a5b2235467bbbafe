"""The label catalogue of the printed forms, and locale-aware formatting with Babel.

Labels live in ``forms/labels.yaml`` (en, zh-Hant, zh-Hans, ko, es). Dates, times and numbers
are formatted for the form's locale (``zh-Hant`` -> ``zh_Hant_TW`` and so on).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml
from markupsafe import Markup
from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from checkengine.errors import UserError

_RANGE = re.compile(r"^(-?\d+(?:\.\d+)?)?\.\.(-?\d+(?:\.\d+)?)?$")
FORM_LANGUAGES = ("en", "zh-Hant", "zh-Hans", "ko", "es")

# A form language -> the Babel locale its dates and numbers are written in.
LOCALES = {
    "en": "en_GB",
    "zh-Hant": "zh_Hant_TW",
    "zh-Hans": "zh_Hans_CN",
    "ko": "ko_KR",
    "es": "es_ES",
}


def forms_dir() -> Path:
    """The folder with the templates, CSS and label catalogue (installed copy or the repo's)."""
    here = Path(__file__).resolve().parent.parent
    installed = here / "_forms"
    if installed.is_dir():
        return installed
    return here.parent / "forms"


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    data = yaml.safe_load((forms_dir() / "labels.yaml").read_text("utf-8"))
    if not isinstance(data, dict):
        raise UserError(f"{forms_dir() / 'labels.yaml'}: expected a mapping of labels")
    return data


def locale_for(lang: str) -> str:
    """The Babel locale for a form language; a full locale (``es_MX``) is taken as it is."""
    if lang in LOCALES:
        return LOCALES[lang]
    base = lang.replace("-", "_")
    try:
        Locale.parse(base)
    except (ValueError, LookupError):
        return "en_GB"
    return base


def label_language(lang: str) -> str:
    """The catalogue language used for *lang* (``zh-Hant-TW`` -> ``zh-Hant``; unknown -> en)."""
    if lang in FORM_LANGUAGES:
        return lang
    for known in FORM_LANGUAGES:
        if lang.startswith(known + "-") or lang.startswith(known + "_"):
            return known
    return "en"


class Labels(Mapping[str, str]):
    """The labels of one language; ``labels.fmt(key, **values)`` fills placeholders."""

    def __init__(self, lang: str) -> None:
        self.lang = label_language(lang)
        self._table = catalogue()

    def __getitem__(self, key: str) -> str:
        entry = self._table[key]
        return entry[self.lang] if self.lang in entry else entry["en"]  # "" is a label too (ko's page_before)

    def __iter__(self) -> Any:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)

    def fmt(self, key: str, **values: Any) -> str:
        return self[key].format(**values)


class Formatter:
    """Dates, times, numbers and values as a reader of *lang* expects them."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.locale = locale_for(lang)
        self.labels = Labels(lang)

    def datetime(self, value: Any, zone: str | None = None) -> str:
        when = parse_datetime(value)
        if when is None:
            return str(value or "")
        if when.tzinfo is None:
            text = format_datetime(when, "medium", locale=self.locale)
        else:
            text = format_datetime(when, "long", tzinfo=when.tzinfo, locale=self.locale)
        return f"{text} ({zone})" if zone else text

    def date(self, value: Any) -> str:
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, str):
            text = value
            try:
                value = date.fromisoformat(text[:10])
            except ValueError:
                return text
        if isinstance(value, date):
            return format_date(value, "long", locale=self.locale)
        return str(value or "")

    def number(self, value: float | int) -> str:
        return format_decimal(value, format="#,##0.##", locale=self.locale)

    def value(self, value: Any) -> str:
        """An observed or expected value: yes/no, locale numbers, lists, ranges."""
        if value is None:
            return "—"
        if isinstance(value, bool):
            return self.labels["yes"] if value else self.labels["no"]
        if isinstance(value, (int, float)):
            return self.number(value)
        if isinstance(value, str):
            bounds = _RANGE.match(value)
            if bounds and (bounds.group(1) or bounds.group(2)):
                low = float(bounds.group(1)) if bounds.group(1) else None
                high = float(bounds.group(2)) if bounds.group(2) else None
                return self.value({k: v for k, v in (("min", low), ("max", high)) if v is not None})
        if isinstance(value, (list, tuple)):
            return ", ".join(self.value(v) for v in value)
        if isinstance(value, Mapping):
            if value and set(value) <= {"min", "max"}:
                low, high = value.get("min"), value.get("max")
                if low is not None and high is not None:
                    return f"{self.value(low)} – {self.value(high)}"
                if high is not None:
                    return f"≤ {self.value(high)}"
                return f"≥ {self.value(low)}"
            return json.dumps(value, ensure_ascii=False, sort_keys=True)
        return str(value)


def parse_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def css_string(text: str) -> Markup:
    """*text* as a CSS string literal (for ``content:`` in the page margin boxes).

    Quotes, backslashes, line breaks (CSS ends a string at LF, CR and FF alike) and angle
    brackets are CSS-escaped, so the result is safe inside a ``<style>`` element even when the
    text comes from a record.
    """
    escaped = (
        str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")
        .replace("\r", "\\d ").replace("\f", "\\c ")
        .replace("<", "\\3c ").replace(">", "\\3e ").replace("&", "\\26 ")
    )
    return Markup(f'"{escaped}"')
