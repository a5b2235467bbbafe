"""The ``phrases`` check type: required sets by position, forbidden phrases, languages, folding."""

from __future__ import annotations

from typing import Any

import pytest

from checkengine.builtin.checks_phrasing import phrases_for
from checkengine.errors import UserError

GREETING = {"zh-Hant": ["您好", "請問您辦理什麼業務"], "en": ["hello"]}
FAREWELL = {"zh-Hans": ["请慢走"], "en": ["goodbye"]}


def _check(**extra: Any) -> dict[str, Any]:
    check: dict[str, Any] = {
        "type": "phrases",
        "require": [{"name": "greeting", "position": "opening", "phrases": {"param": "greeting_phrases"}},
                    {"name": "farewell", "position": "closing", "phrases": FAREWELL}],
        "forbid": [{"name": "rude", "phrases": {"zh-Hant": ["不知道"], "en": ["no idea"]}}],
    }
    check.update(extra)
    return check


@pytest.fixture
def book(make_book: Any, helpers: Any) -> Any:
    return make_book([helpers.rule("PHR", _check(), kinds=["transcript"])],
                     {"greeting_phrases": helpers.param(GREETING, unit="list")})


def _transcript(make_record: Any, language: str, *texts: tuple[str, str]) -> Any:
    turns = [{"speaker": who, "text": text} for who, text in texts]
    return make_record("transcript", "TR-1", data={"language": language, "turns": turns})


def _run(evaluate: Any, book: Any, record: Any, helpers: Any, lang: str = "en") -> dict[str, Any]:
    result = evaluate(book, [record], lang=lang)
    assert result["errors"] == []
    out: dict[str, Any] = helpers.outcome_of(result, "PHR")
    return out


def test_folding_across_script_width_and_case(book: Any, make_record: Any, evaluate: Any, helpers: Any) -> None:
    # Simplified greeting against a Traditional list, full-width Latin, Traditional farewell
    # against a Simplified list: all match.
    record = _transcript(make_record, "zh-TW",
                         ("agent", "ＨＥＬＬＯ！您好，请问您办理什么业务？"),
                         ("customer", "存款"),
                         ("agent", "好的，請慢走。"))
    o = _run(evaluate, book, record, helpers)
    assert o["outcome"] == "pass"
    assert o["observed"] == {"matched": {"greeting": {"phrase": "您好", "turn": 1},
                                         "farewell": {"phrase": "请慢走", "turn": 3}},
                             "missing": [], "forbidden": []}
    assert o["explanation"].startswith("found greeting, farewell; no forbidden phrase in the agent's turns; ")


def test_positions_missing_and_forbidden_explained(book: Any, make_record: Any, evaluate: Any,
                                                   helpers: Any) -> None:
    # The greeting comes second (not the opening turn); the farewell is the customer's, not the agent's.
    record = _transcript(make_record, "zh-Hant",
                         ("agent", "喂"), ("agent", "您好"), ("customer", "我不知道"),
                         ("agent", "這個我不知道"), ("customer", "請慢走"))
    o = _run(evaluate, book, record, helpers)
    assert o["outcome"] == "fail"
    assert o["explanation"] == (
        "greeting: none of 您好, 請問您辦理什麼業務 in the agent's first turn; "
        "farewell: none of 请慢走 in the agent's last turn; "
        "forbidden phrase '不知道' (rude) in turn 4; "
        'greeting_phrases = {"en": ["hello"], "zh-Hant": ["您好", "請問您辦理什麼業務"]} (since 2020-01-01)'
    )
    assert o["observed"]["missing"] == ["greeting", "farewell"]
    assert o["observed"]["forbidden"] == [{"set": "rude", "phrase": "不知道", "turn": 4}]


def test_anywhere_position_and_english(make_book: Any, make_record: Any, evaluate: Any, helpers: Any) -> None:
    check = {"type": "phrases", "require": [{"name": "thanks", "phrases": {"en": ["thank you"]}}]}
    book = make_book([helpers.rule("PHR", check, kinds=["transcript"])])
    found = _transcript(make_record, "en-GB", ("agent", "Hi"), ("agent", "THANK  YOU for calling"),
                        ("agent", "Bye"))
    assert _run(evaluate, book, found, helpers)["outcome"] == "pass"
    missing = _transcript(make_record, "en", ("agent", "Hi"), ("customer", "thank you"))
    assert _run(evaluate, book, missing, helpers)["outcome"] == "fail"


def test_language_without_phrases_is_an_error(book: Any, make_record: Any, evaluate: Any, helpers: Any) -> None:
    # The rulebook has Spanish-less phrase sets; a Spanish transcript cannot be judged.
    book.languages.append("es")
    record = _transcript(make_record, "es", ("agent", "Hola"), ("agent", "Adiós"))
    o = _run(evaluate, book, record, helpers)
    assert o["outcome"] == "error"
    assert o["explanation"] == (
        "the check could not run: the phrase set 'greeting' has no phrases for the transcript's language es "
        "(it has: en, zh-Hant); add phrases for es; "
        'greeting_phrases = {"en": ["hello"], "zh-Hant": ["您好", "請問您辦理什麼業務"]} (since 2020-01-01)'
    )


def test_explanations_in_chinese(book: Any, make_record: Any, evaluate: Any, helpers: Any) -> None:
    record = _transcript(make_record, "zh-Hant", ("agent", "您好"), ("agent", "不知道"))
    o = _run(evaluate, book, record, helpers, lang="zh-Hant")
    assert o["explanation"] == (
        "farewell：agent 的最後一句發言中沒有 请慢走 任一用語; 第 2 句出現禁用語「不知道」（rude）; "
        'greeting_phrases = {"en": ["hello"], "zh-Hant": ["您好", "請問您辦理什麼業務"]}（自 2020-01-01 起）')


def test_missing_turns_need_review(make_book: Any, make_record: Any, evaluate: Any, helpers: Any) -> None:
    check = {"type": "phrases", "field": "data.dialogue",
             "forbid": [{"name": "rude", "phrases": {"zh-Hant": ["不知道"]}}]}
    book = make_book([helpers.rule("PHR", check, kinds=["mystery_shopping"])])
    record = make_record("mystery_shopping", "MS-1", data={"language": "zh-Hant"})
    o = _run(evaluate, book, record, helpers)
    assert (o["outcome"], o["explanation"]) == (
        "needs_review", "data.dialogue was not observed; an auditor must record it")


def test_phrases_parameter_must_be_a_language_mapping(make_book: Any, helpers: Any) -> None:
    from checkengine.engine import Engine

    check = {"type": "phrases", "require": [{"name": "greeting", "phrases": {"param": "greeting_phrases"}}]}
    book = make_book([helpers.rule("PHR", check, kinds=["transcript"])],
                     {"greeting_phrases": helpers.param(["hello"])})
    with pytest.raises(UserError) as caught:
        Engine(book)
    assert caught.value.location.path == "sections[0].rules[0].check.require[0].phrases.param"
    assert caught.value.bare_message == (
        "parameter 'greeting_phrases' (value since 2020-01-01) must map languages to lists of phrases "
        "(e.g. {en: [Hello], zh-Hant: [你好]}) [CE203]")


def test_options_are_validated(make_book: Any, helpers: Any) -> None:
    from checkengine.engine import Engine

    bad = {"type": "phrases", "require": [{"name": "g", "position": "middle", "phrases": {"en": ["hi"]}}]}
    book = make_book([helpers.rule("PHR", bad, kinds=["transcript"])])
    with pytest.raises(UserError) as caught:
        Engine(book)
    assert caught.value.location.path == "sections[0].rules[0].check.require[0].position"
    empty = make_book([helpers.rule("PHR", {"type": "phrases"}, kinds=["transcript"])])
    with pytest.raises(UserError) as caught:
        Engine(empty)
    assert caught.value.bare_message == (
        "phrases needs require, forbid or both (e.g. require: [{name: greeting, position: opening, "
        "phrases: {param: greeting_phrases}}]) [CE203]")


def test_chinese_variants_share_their_lists() -> None:
    mapping = {"zh-Hant": ["你好"], "zh-Hans": ["您好"], "zh": ["早安"], "en": ["hello"], "en-GB": ["hullo"]}
    assert phrases_for(mapping, "zh-TW") == ["你好", "您好", "早安"]
    assert phrases_for(mapping, "zh-Hans") == ["你好", "您好", "早安"]
    assert phrases_for(mapping, "en") == ["hello", "hullo"]
    assert phrases_for(mapping, "ko") == []


# 001 Ⅸ 一: 當顧客走到櫃台前時，營業人員應主動打招呼「你好、請問你辦理什麼業務,請慢走」等禮貌用語常掛嘴邊。
SEED_GREETING = {"zh-Hant": ["請問你辦理什麼業務"], "ko": ["무엇을 도와드릴까요"], "en": ["how may I help you"]}


@pytest.mark.parametrize(("language", "said"), [
    ("zh-Hant", "你好，請問，你辦理什麼業務？"),        # a comma where the teller paused
    ("zh-Hant", "你好，請問你辦理 什麼業務？"),          # a space where the transcriber heard a pause
    ("zh-Hans", "你好！请问…你办理、什么业务"),          # ellipsis and enumeration comma, Simplified
    ("zh-Hant", "你好，請問　你辦理什麼業務"),           # an ideographic (full-width) space
    ("ko", "안녕하세요, 무엇을 도와 드릴까요?"),          # Korean spacing of a pause
    ("en", "Hello, how may I... help you?"),
])
def test_a_pause_inside_a_required_phrase_is_still_the_phrase(make_book: Any, make_record: Any, evaluate: Any,
                                                                helpers: Any, language: str, said: str) -> None:
    # "where the seed asks for the words": the words are said, a pause between them is not another phrase.
    check = {"type": "phrases", "require": [{"name": "business", "position": "opening", "phrases": SEED_GREETING}]}
    book = make_book([helpers.rule("PHR", check, kinds=["transcript"])])
    book.languages.append("ko")  # transcripts in Korean are accepted; titles stay in the others
    o = _run(evaluate, book, _transcript(make_record, language, ("agent", said)), helpers)
    assert (o["outcome"], o["observed"]["missing"]) == ("pass", [])


def test_latin_words_stay_apart_and_other_words_still_miss(make_book: Any, make_record: Any, evaluate: Any,
                                                           helpers: Any) -> None:
    check = {"type": "phrases", "require": [{"name": "thanks", "phrases": {"en": ["thank you"], "zh-Hant": ["謝謝"]}}],
             "forbid": [{"name": "rude", "phrases": {"en": ["no way"], "zh-Hant": ["不歸我管"]}}]}
    book = make_book([helpers.rule("PHR", check, kinds=["transcript"])])
    # Two words run together across a pause are not glued: "piano, wayward" holds no "no way".
    o = _run(evaluate, book, _transcript(make_record, "en", ("agent", "Thank... you. Piano, wayward.")), helpers)
    assert (o["outcome"], o["observed"]["forbidden"]) == ("pass", [])
    o = _run(evaluate, book, _transcript(make_record, "en", ("agent", "thankful, you")), helpers)
    assert o["outcome"] == "fail"
    # A forbidden phrase with a pause in it is still forbidden (001 Ⅸ 二: 不能頂撞).
    o = _run(evaluate, book, _transcript(make_record, "zh-Hant", ("agent", "這個不歸，我管。")), helpers)
    assert o["observed"]["forbidden"] == [{"set": "rude", "phrase": "不歸我管", "turn": 1}]


def _greets_first_book(make_book: Any, helpers: Any) -> Any:
    check = {"type": "phrases", "require": [{"name": "greeting", "position": "first",
                                             "phrases": {"zh-Hant": ["你好", "您好"]}}]}
    return make_book([helpers.rule("PHR", check, kinds=["transcript"])])


def test_greets_first_means_speaking_before_the_customer(make_book: Any, make_record: Any, evaluate: Any,
                                                         helpers: Any) -> None:
    # 001 Ⅸ 一: 當顧客走到櫃台前時，營業人員應主動打招呼. The teller's first turn greets, but the
    # customer spoke first: that is answering, not greeting first.
    book = _greets_first_book(make_book, helpers)
    late = _transcript(make_record, "zh-Hant", ("customer", "我要匯款"), ("agent", "您好，請坐"))
    o = _run(evaluate, book, late, helpers)
    assert o["outcome"] == "fail"
    assert o["explanation"].split("; ")[0] == "greeting: the customer spoke first, the agent only in turn 2"
    assert o["observed"]["missing"] == ["greeting"]
    o = _run(evaluate, book, late, helpers, lang="zh-Hant")
    assert o["explanation"].split("; ")[0] == "greeting：customer 先開口，agent 到第 2 句才發言"
    first = _transcript(make_record, "zh-Hant", ("agent", "您好！"), ("customer", "我要匯款"))
    o = _run(evaluate, book, first, helpers)
    assert (o["outcome"], o["observed"]["matched"]) == ("pass", {"greeting": {"phrase": "您好", "turn": 1}})
    # Speaking first without a greeting is still missing the greeting.
    rude = _transcript(make_record, "zh-Hant", ("agent", "下一位"), ("customer", "我要匯款"))
    o = _run(evaluate, book, rude, helpers)
    assert o["explanation"].startswith("greeting: none of 你好, 您好 in the agent's first turn, before anyone else speaks")


def test_contains_phrase_folds_pauses_as_the_check_does() -> None:
    from checkengine.builtin.cel_functions import contains_phrase

    assert contains_phrase("你好，請問，你辦理 什麼業務？", "请问你办理什么业务")
    assert contains_phrase("Hello, how may I help you?", "how may I help")
    assert not contains_phrase("piano wayward", "no way")
