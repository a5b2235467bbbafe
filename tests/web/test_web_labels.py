"""The workspace's words (checkengine/web/labels.yaml): every label in each of the five languages
and nothing else (an unquoted comma in a flow mapping once split "Submitted, to sign" into a
label "Submitted" and a stray key), and every placeholder the English text has in every language."""

from __future__ import annotations

import string

from checkengine.i18n import UI_LANGUAGES
from checkengine.web.labels import Labels, catalogue


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_label_has_the_five_languages_and_no_stray_keys() -> None:
    wrong = {key: sorted(entry) for key, entry in catalogue().items() if set(entry) != set(UI_LANGUAGES)}
    assert wrong == {}
    empty = [(key, lang) for key, entry in catalogue().items() for lang, text in entry.items()
             if not isinstance(text, str) or not text.strip()]
    assert empty == []


def test_every_language_has_the_placeholders_of_the_english_text() -> None:
    differ = [(key, lang) for key, entry in catalogue().items() for lang, text in entry.items()
              if _fields(text) != _fields(entry["en"])]
    assert differ == []


def test_a_label_with_a_comma_is_whole() -> None:
    assert Labels("en").st_to_sign == "Submitted, to sign"
    assert Labels("ko").st_to_sign == "제출됨, 서명 대기"
