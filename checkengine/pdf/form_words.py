"""Outcomes in the words of the form's language, for managers: a coded value by what it means (the
rule's ``observations`` choices), a date as a date, a rule that does not apply by why (what was
not recorded, or recorded as what), an auditor's verdict by its label. Never CEL, never a field
name: what the form cannot put in words is said in a fixed sentence of the form's language.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Mapping

from checkengine.i18n import pick
from checkengine.pdf.labels import Formatter

_OBSERVATION = re.compile(r"\b(?:record\.)?observations\.([A-Za-z_][A-Za-z0-9_]*)")
_FIELD = re.compile(r"\b(?:record\.)?(?:data|observations|subject|site|answers)\.[A-Za-z_][\w.]*")
_CODE = re.compile(r"has\(|&&|\|\||==|!=|\brecord\.|\bnull\b")
_SOURCE_TAIL = re.compile(r"[;；]\s*(?:source|fuente|依據|依据|근거|출처)[:：].*$", re.IGNORECASE)
_HINT = re.compile(r"\s*[（(][^（()）]*[)）]\s*$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CODE_VALUE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")  # snake_case: a code, not a word
_VERDICTS = {"pass": "outcome_pass", "fail": "outcome_fail", "n.a.": "outcome_not_applicable"}


class Words:
    """One rule's texts in the form's language."""

    def __init__(self, rule: Mapping[str, Any], fmt: Formatter, lang: str, source_lang: str) -> None:
        self.rule = rule
        self.fmt = fmt
        self.labels = fmt.labels
        self.lang = lang
        self.source_lang = source_lang
        observations = rule.get("observations")
        self.observations: Mapping[str, Any] = observations if isinstance(observations, Mapping) else {}
        check = rule.get("check")
        self.check: Mapping[str, Any] = check if isinstance(check, Mapping) else {}

    def _pick(self, text: Any) -> str:
        return pick(text, self.lang, self.source_lang) if text else ""

    def question(self, name: str) -> str:
        """What the observation *name* records, without its filling hint; the rule's title when the
        rulebook asks no question about it."""
        spec = self.observations.get(name)
        text = self._pick(spec.get("question")) if isinstance(spec, Mapping) else ""
        text = _HINT.sub("", text).rstrip("?？ ")
        return text or self._pick(self.rule.get("title")) or self.labels["observation"]

    def asks(self, name: str) -> bool:
        spec = self.observations.get(name)
        return isinstance(spec, Mapping) and bool(spec.get("question"))

    def observed_name(self) -> str | None:
        """The observation the check reads (``check.field`` or ``check.observe``), if one."""
        for key in ("field", "observe"):
            found = _OBSERVATION.search(str(self.check.get(key) or ""))
            if found:
                return found.group(1)
        return None

    def manual(self) -> bool:
        """The auditor answers the rule (its check asks a ``prompt``): its values are verdicts."""
        return bool(self.check.get("prompt"))

    def value(self, value: Any, name: str | None = None) -> str:
        """*value* as the form prints it: a choice by its meaning, a date by the locale."""
        if name is None:
            name = self.observed_name()
        spec = self.observations.get(name) if name else None
        choices = spec.get("choices") if isinstance(spec, Mapping) else None
        if not isinstance(choices, Mapping) and name is None:
            choices = self.rule.get("choices")  # the codes of a record field that is no observation
        if isinstance(value, str):
            if isinstance(choices, Mapping) and value in choices:
                return self._pick(choices[value]) or value
            if self.manual() and value in _VERDICTS:
                return self.labels[_VERDICTS[value]]
            if _CODE_VALUE.match(value):
                # a code the rulebook gives no words for: said as one, never printed bare
                return self.labels.fmt("code_without_words", code=value)
            if _ISO_DATE.match(value):
                try:
                    return self.fmt.date(date.fromisoformat(value))
                except ValueError:
                    return value
            if value.startswith(".."):
                return self.fmt.value(value)
        if isinstance(value, (list, tuple)):
            return ", ".join(self.value(v, name) for v in value) or "—"
        if isinstance(value, Mapping) and not (value and set(value) <= {"min", "max"}):
            if value and all(str(k) in self.observations for k in value):
                # a group of observations: each by its question (never by its field name)
                return "; ".join(f"{self.question(str(k))}: {self.value(v, str(k)) if v not in ('', None) else '—'}"
                                 for k, v in value.items())
            # a check's own structure (matched / missing ...): its keys are no words; its values are
            parts = [self.value(v, name) for v in value.values() if v not in ("", None, [], {})]
            return "; ".join(parts) or "—"
        return self.fmt.value(value)

    def not_applicable(self, outcome: Mapping[str, Any], record: Mapping[str, Any]) -> str:
        """Why the rule did not apply, in words."""
        if outcome.get("observed") == "n.a.":
            return self.labels["na_auditor"]
        names = list(dict.fromkeys(_OBSERVATION.findall(str(self.rule.get("when") or ""))))
        given = record.get("observations")
        observations: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
        parts = []
        for name in names:
            value = observations.get(name)
            if value is None:
                parts.append(self.labels.fmt("na_not_recorded", what=self.question(name)))
            elif not self.asks(name):
                parts.append(self.labels["na_condition"])  # the title would say something else
            else:
                parts.append(self.labels.fmt("recorded_as", what=self.question(name), value=self.value(value, name)))
        return "; ".join(dict.fromkeys(parts)) if parts else self.labels["na_condition"]

    def explanation(self, outcome: Mapping[str, Any]) -> str:
        """The engine's explanation of a needs-review or error outcome, with every observation named
        by its question and the source (a column of its own) left out; a fixed sentence when it
        still reads as code."""
        text = _SOURCE_TAIL.sub("", self._pick(outcome.get("explanation")))
        text = _OBSERVATION.sub(lambda m: self.question(m.group(1)), text)
        if _CODE.search(text) or _FIELD.search(text):
            key = "review_generic" if outcome.get("outcome") == "needs_review" else "error_generic"
            return self.labels[key]
        return text
