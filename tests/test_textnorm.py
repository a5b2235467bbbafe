"""Folding text for phrase matching: pauses inside a phrase, word boundaries of spaced scripts."""

from __future__ import annotations

import pytest

from checkengine.textnorm import fold, phrase_key, said


@pytest.mark.parametrize(("text", "key"), [
    ("請問，你辦理 什麼業務？", "请问你办理什么业务"),      # 001 Ⅸ 一 with a speaker's pauses
    ("ＨＥＬＬＯ，  How may I help?", "hello how may i help"),
    ("무엇을 도와 드릴까요?", "무엇을도와드릴까요"),
    ("工號 1004 很高興", "工号1004很高兴"),
    ("～好的～", "好的"),
    ("", ""),
])
def test_phrase_key(text: str, key: str) -> None:
    assert phrase_key(text) == key


@pytest.mark.parametrize(("phrase", "text", "found"), [
    ("hi", "this is it", False),
    ("hi", "oh, hi there", True),
    ("no way", "piano wayward", False),
    ("no way", "no way!", True),
    ("请慢走", "谢谢请慢走", True),
    ("1004", "工号1004很高兴", True),
    ("", "anything", False),
])
def test_said_respects_word_boundaries_of_spaced_scripts(phrase: str, text: str, found: bool) -> None:
    assert said(phrase_key(phrase), phrase_key(text)) is found


def test_fold_keeps_punctuation() -> None:
    # normalize() in conditions (identifier patterns) relies on it.
    assert fold("Ａ－１２３　臺灣") == "a-123 台湾"
