"""A recorded value on the audit form (checkengine/pdf/form_words.py): a code by its meaning - the
observation's choices, or the rule's own ``choices`` for a record field that is no observation -
and a code the rulebook gives no words for as a fixed sentence of the form's language, never bare."""

from __future__ import annotations

from pathlib import Path

import pytest

from checkengine import api
from checkengine.pdf.form_words import Words
from checkengine.pdf.labels import Formatter

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("en", "zh-Hant", "zh-Hans", "ko", "es")


def _words(rule: dict[str, object], lang: str) -> Words:
    return Words(rule, Formatter(lang), lang, "en")


def _visitor_rule() -> dict[str, object]:
    """mystery-shopping's INS-01-qualified-visitor as the bundled rulebook has it. The seed's
    INS-01: visits are made by 行業專家 (industry experts) or 聘請的社會監督員 (engaged social
    supervisors); the rule checks inspector.role, a record field that is no observation."""
    book = api.load_rulebook(ROOT / "rulebooks" / "mystery-shopping.yaml")
    return next(r for s in book.merged["sections"] for r in s["rules"] if r["id"] == "INS-01-qualified-visitor")


@pytest.mark.parametrize("lang, words", [
    ("es", "supervisor social contratado"), ("en", "an engaged social supervisor"),
    ("zh-Hant", "聘請的社會監督員"), ("zh-Hans", "聘请的社会监督员"),
])
def test_a_record_fields_code_is_printed_by_the_rules_choices(lang: str, words: str) -> None:
    rule = _visitor_rule()
    said = _words(rule, lang)
    assert said.value("social_supervisor") == words
    expected = said.value(["industry_expert", "social_supervisor"])
    assert "_" not in expected and words in expected


def test_an_observations_own_choices_come_first() -> None:
    rule = {"id": "R", "check": {"type": "one_of", "field": "observations.chair", "values": ["in_use"]},
            "observations": {"chair": {"question": {"en": "The chair"}, "choices": {"in_use": {"en": "in use"}}}},
            "choices": {"in_use": {"en": "not this one"}}}
    assert _words(rule, "en").value("in_use") == "in use"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_code_without_words_is_a_fixed_sentence_in_the_forms_language(lang: str) -> None:
    rule = {"id": "R", "check": {"type": "one_of", "field": "shift.kind", "values": ["night_short"]}}
    said = _words(rule, lang).value("night_short")
    assert said != "night_short" and "night_short" in said  # the code, said to be one
    sentence = Formatter(lang).labels.fmt("code_without_words", code="night_short")
    assert said == sentence
    if lang != "en":
        assert "rulebook" not in said  # in the form's language
    # plain words and other values are as they were
    assert _words(rule, lang).value("night") == "night"


def test_the_example_mystery_shopping_form_prints_the_visitors_role_in_words() -> None:
    """The example visit MS-2026-11-16-001 was made by a social supervisor: its Spanish form says
    so in words (the rule's choices), in the observed and the expected column alike."""
    import re

    from checkengine.pdf.render import render_audit_form
    from checkengine.pdf.verify.printed import extract

    book = api.load_rulebook(ROOT / "rulebooks" / "mystery-shopping.yaml")
    inspections = ROOT / "examples" / "month-2026-11" / "inspections"
    path = inspections / "MS-2026-11-16-001.yaml"
    result = api.evaluate_record_file(book, path, lang="es")
    pdf = render_audit_form(result, api.load_record(path), book.merged, lang="es", base_dir=inspections).pdf
    text = " ".join(" ".join(w.text for w in page.words) for page in extract(pdf))
    flat = "".join(text.split())
    assert "supervisorsocialcontratado" in flat and "expertodelsector" in flat
    assert not re.search(r"social_super|industry_exp", text)
