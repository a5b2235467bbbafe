"""A check's Result (checkengine/result.py): the explanation is a str or a deferred text (a
zero-argument callable), made once when it is read; a lazy outcome never makes it for a count or
a score, and its entry reads the same text as the eager one (issue 16: "the text is identical
when asked for")."""

from __future__ import annotations

import importlib
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from checkengine.checks import Result
from checkengine.engine import Engine
from checkengine.i18n import Message, message
from checkengine.outcome import Outcome
from checkengine.plugins import registry_with

PLUGINS = Path(__file__).parent / "plugins"


def test_a_str_is_kept_and_a_deferred_text_is_made_once() -> None:
    assert Result("pass", 1, 2, "seen").explanation == "seen"
    assert Result("pass").explanation == "" and Result("pass").details == {}
    calls: list[int] = []

    def make() -> str:
        calls.append(1)
        return "made"

    result = Result("fail", 3, 2, make)
    assert result.deferred and not calls
    assert result.explanation == "made" and result.explanation == "made"
    assert calls == [1] and not result.deferred
    assert result == Result("fail", 3, 2, "made") and result != Result("fail", 3, 2, "other")
    assert "explanation='made'" in repr(Result("fail", 3, 2, partial("{}".format, "made")))
    assert Result("pass", explanation=None).explanation == ""  # as before: no text
    result.explanation = "changed"
    assert result.explanation == "changed"


def test_a_deferred_text_that_is_no_str_is_refused() -> None:
    with pytest.raises(TypeError, match="a deferred explanation gave int, not str"):
        Result("pass", explanation=lambda: 3).explanation  # type: ignore[arg-type,return-value]
    with pytest.raises(TypeError, match="an explanation is a str or a zero-argument callable, not int"):
        Result("pass", explanation=3).explanation  # type: ignore[arg-type]


def test_a_message_deferred_is_the_message() -> None:
    for lang in ("en", "zh-Hant", "ko"):
        deferred = Message("in_range", lang, field="observations.n1", observed=41.0, expected="..40")
        assert deferred() == message("in_range", lang, field="observations.n1", observed=41.0, expected="..40")
        where = Message("phrases_where_opening", lang, speaker="agent")
        nested = Message("phrases_missing", lang, name="greeting", phrases=["您好", "你好"], where=where)
        assert nested() == message("phrases_missing", lang, name="greeting", phrases=["您好", "你好"],
                                   where=message("phrases_where_opening", lang, speaker="agent"))
        assert deferred() == deferred()  # the values are not consumed


def _plugin(name: str, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(PLUGINS))
    return importlib.import_module(name)


def test_a_plugin_s_deferred_text_is_made_only_when_the_entry_is_read(
        monkeypatch: pytest.MonkeyPatch, make_book: Any, make_record: Any, helpers: Any) -> None:
    plugin = _plugin("deferred_check_type", monkeypatch)
    words = _plugin("sample_check_type", monkeypatch)  # a plugin that returns a str, beside it
    registry = registry_with(plugin, words)
    book = make_book([
        helpers.rule("CHR-01", {"type": "max_chars", "field": "data.comment", "max": {"param": "most"}},
                     kinds=["mystery_shopping"]),
        helpers.rule("WRD-01", {"type": "max_words", "field": "data.comment", "max": {"param": "most"}},
                     kinds=["mystery_shopping"]),
    ], {"most": helpers.param(5)})
    record = make_record("mystery_shopping", "MS-1", data={"comment": "slow and rude"})
    engine = Engine(book, registry=registry)
    plugin.MADE.clear()
    lazy = engine.evaluate_record(record, lazy=True)
    assert [o["outcome"] for o in lazy["outcomes"]] == ["fail", "pass"]
    assert lazy["score"]["score"] is not None
    assert all(type(o) is Outcome and not o.done for o in lazy["outcomes"]) and plugin.MADE == []
    want = ["data.comment has 13 characters; at most 5; most = 5 (since 2020-01-01)",
            "data.comment has 3 words; at most 5; most = 5 (since 2020-01-01)"]
    assert [o["explanation"] for o in lazy["outcomes"]] == want
    assert plugin.MADE == ["data.comment has 13 characters; at most 5"]
    eager = engine.evaluate_record(record)
    assert [o["explanation"] for o in eager["outcomes"]] == want
    assert [dict(o) for o in lazy["outcomes"]] == eager["outcomes"]


def test_builtin_checks_defer_or_reuse_their_texts(
        make_book: Any, make_record: Any, helpers: Any) -> None:
    book = make_book([
        helpers.rule("NOT-01", {"type": "notice", "from": "data.requested_at", "to": "data.shift_start",
                                "min": 60}, kinds=["mystery_shopping"]),
        helpers.rule("PHR-01", {"type": "phrases", "require": [{"name": "greeting", "position": "opening",
                                                                "phrases": {"en": ["hello"]}}]},
                     kinds=["mystery_shopping"]),
    ])
    record = make_record("mystery_shopping", "MS-1", data={
        "requested_at": "2026-11-03T08:15:00+08:00", "shift_start": "2026-11-03T09:00:00+08:00",
        "language": "en", "turns": [{"speaker": "agent", "text": "yes?"}]})
    engine = Engine(book)
    lazy = engine.evaluate_record(record, lazy=True)["outcomes"]
    assert [o["outcome"] for o in lazy] == ["fail", "fail"]
    assert isinstance(lazy[0], Outcome) and lazy[0].result.deferred  # its times change with every record
    eager = engine.evaluate_record(record)["outcomes"]
    assert [o["explanation"] for o in lazy] == [o["explanation"] for o in eager]
    assert eager[0]["explanation"].startswith("45 minutes of notice (2026-11-03T08:15:00+08:00")
    assert "greeting" in eager[1]["explanation"] and "hello" in eager[1]["explanation"]
    again = engine.evaluate_record(record)["outcomes"]  # a failure's text, reused: the same
    assert [o["explanation"] for o in again] == [o["explanation"] for o in eager]
