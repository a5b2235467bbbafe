"""checkengine.regex: `matches` patterns on RE2, in linear time."""

from __future__ import annotations

import pytest

from checkengine.regex import PatternError, compile_pattern


def test_a_catastrophic_pattern_for_backtracking_runs_at_once() -> None:
    pattern = compile_pattern("^(a+)+$")  # Python's re would backtrack for longer than the universe
    assert pattern.search("a" * 50_000 + "b") is None
    assert pattern.search("a" * 50_000) is not None


@pytest.mark.parametrize("pattern, message", [
    ("(a)\\1", "the pattern is not a valid regular expression: invalid escape sequence: \\1 (backreferences "
               "such as \\1 and look-around such as (?=...) are not supported: patterns run in linear time)"),
    ("a(?=b)", "the pattern is not a valid regular expression: invalid perl operator: (?= (backreferences "
               "such as \\1 and look-around such as (?=...) are not supported: patterns run in linear time)"),
    ("a" * 1001, "the pattern is 1,001 characters long; the limit is 1,000 (CHECKENGINE_MAX_PATTERN_CHARS)"),
])
def test_patterns_it_cannot_run_are_refused_with_the_reason(pattern: str, message: str) -> None:
    with pytest.raises(PatternError) as caught:
        compile_pattern(pattern)
    assert str(caught.value) == message
