"""The condition language: compiling (errors named), evaluating, caching, and our functions."""

from __future__ import annotations

from typing import Any

import pytest

from checkengine.conditions import ConditionError, Conditions, EvaluationError
from checkengine.plugins import default_registry


@pytest.fixture(scope="module")
def conditions() -> Conditions:
    return Conditions(default_registry().cel_functions)


def _run(conditions: Conditions, text: str, record: dict[str, Any], params: dict[str, Any] | None = None) -> Any:
    return conditions.compile(text).run(conditions.context(record, params or {}))


def test_evaluates_over_record_and_params(conditions: Conditions) -> None:
    record = {"kind": "leave_request", "data": {"leave_type": "sick", "days": 2}}
    assert _run(conditions, "record.data.leave_type == 'sick' && record.data.days > params.max_days", record,
                {"max_days": 1}) is True
    assert _run(conditions, "has(record.data.certificates)", record) is False
    assert _run(conditions, "double(record.data.days) * 1.5", record) == 3.0


def test_compiled_once_and_params_listed(conditions: Conditions) -> None:
    text = "record.observations.minutes_outside <= params.max_minutes_outside + params.grace"
    first = conditions.compile(text)
    assert conditions.compile(text) is first
    assert first.params == ("grace", "max_minutes_outside")


@pytest.mark.parametrize(("text", "message"), [
    ("record.data.x ==", "the condition does not parse: "),
    ("rec.data.x == 1", "the condition uses the unknown variable 'rec'; the variables are: record, params, group "
                        "(e.g. record.observations.badge)"),
    ("shout(record.data.x)", "the condition calls the unknown function 'shout'; besides CEL's standard functions "
                             "these exist: "),
])
def test_compile_errors_say_what_is_wrong(conditions: Conditions, text: str, message: str) -> None:
    with pytest.raises(ConditionError) as caught:
        conditions.compile(text)
    assert str(caught.value).startswith(message)


def test_unknown_function_lists_ours(conditions: Conditions) -> None:
    with pytest.raises(ConditionError) as caught:
        conditions.compile("shout(1)")
    listed = str(caught.value).split("these exist: ")[1].split(", ")
    assert {"minutes_between", "weekday_before", "month_of", "iso_week", "contains_phrase"} <= set(listed)


def test_division_by_zero_and_missing_field_are_evaluation_errors(conditions: Conditions) -> None:
    with pytest.raises(EvaluationError) as caught:
        _run(conditions, "record.data.errors / record.data.calls > 1", {"data": {"errors": 1, "calls": 0}})
    assert str(caught.value) == "the condition `record.data.errors / record.data.calls > 1` divides by zero"
    with pytest.raises(EvaluationError) as caught:
        _run(conditions, "record.data.calls > 1", {"data": {}})
    assert str(caught.value) == ("the condition `record.data.calls > 1` reads a field that the record does not "
                                 "have: 'calls'")


def test_function_errors_are_evaluation_errors(conditions: Conditions) -> None:
    with pytest.raises(EvaluationError) as caught:
        _run(conditions, "minutes_between(record.a, record.b) > 0", {"a": "2026-11-03T08:00:00", "b": "2026-11-03T09:00:00+08:00"})
    assert "has no time zone" in str(caught.value)


def test_a_function_error_is_not_also_logged_to_stderr() -> None:
    """The error becomes the outcome's reason; the binding's own log line ("Python function ...
    failed") printed it a second time, hundreds of times over a replay. (A process of its own: pytest's
    log capture would hide the line.)"""
    import subprocess
    import sys

    script = (
        "from checkengine.conditions import Conditions, EvaluationError\n"
        "from checkengine.plugins import default_registry\n"
        "c = Conditions(default_registry().cel_functions)\n"
        "cond = c.compile('minutes_between(record.a, record.b) > 0')\n"
        "try:\n"
        "    cond.run(c.context({'a': '2026-11-03T08:00:00', 'b': '2026-11-03T09:00:00+08:00'}, {}))\n"
        "except EvaluationError as exc:\n"
        "    print('reason:', exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert "has no time zone" in done.stdout
    assert done.stderr == ""


@pytest.mark.parametrize(("text", "expected"), [
    ("minutes_between('2026-11-03T08:01:00+08:00', '2026-11-03T09:00:00+08:00')", 59.0),
    ("hours_between('2026-11-03T09:00:00+08:00', '2026-11-03T01:00:00Z')", 0.0),
    ("days_between('2026-11-03T23:00:00+08:00', '2026-11-04T00:30:00+08:00')", 1),
    ("time_of_day('2026-11-03T11:59:00+08:00') < '12:00'", True),
    ("weekday('2026-11-03')", 2),
    ("is_holiday('2026-10-10', 'TW')", True),
    ("is_holiday('2026-11-12', 'TW', ['2026-11-12'])", True),
    ("contains_phrase('ＨＥＬＬＯ，請慢走', '请慢走')", True),
    ("normalize('ＡＢＣ　臺灣')", "abc 台湾"),
    ("weekday_before('2026-11-03', 5, 25)", "2026-11-20"),
    ("month_of('2026-11-03T09:00:00+08:00')", "2026-11"),
    ("iso_week('2026-11-03')", "2026-W45"),
])
def test_builtin_functions(conditions: Conditions, text: str, expected: Any) -> None:
    assert _run(conditions, text, {}) == expected


def test_group_variable(conditions: Conditions) -> None:
    condition = conditions.compile("group.employee == 'E003'")
    assert condition.run(conditions.context(None, {}, {"employee": "E003", "period": "2026-11"})) is True


# -- contexts sized to what conditions read (checks.Env, cel_context) ---------------------------------
RECORD = {"kind": "floor_inspection", "observations": {"badge": "standard", "calls": 0, "errors": 2,
                                                       "items": ["phone", "cup"], "nested": {"a": 1, "b": {"c": 2}}},
          "data": {"turns": [{"speaker": "agent", "text": "hi"}], "language": "zh-Hant"}, "subject": {"role": "agent"}}


@pytest.mark.parametrize(("source", "paths", "names"), [
    ("record.observations.badge == 'standard'", {("observations", "badge")}, set()),
    ("record.data.turns.size() > 0 && params.min <= 1", {("data", "turns")}, {"min"}),
    ("size(record.observations) > 1", {("observations",)}, set()),
    ("record['data'].language == 'x'", None, set()),
    ("f(record) && params['x'] == 1", None, None),
    ("has(record.observations.nested.b.c)", {("observations", "nested", "b", "c")}, set()),
    ("'record.kind' == record . kind", {("kind",)}, set()),
])
def test_references(source: str, paths: Any, names: Any) -> None:
    from checkengine.cel_context import references

    found_paths, found_names = references(source)
    assert found_paths == (None if paths is None else frozenset(paths))
    assert found_names == (None if names is None else frozenset(names))


def test_prune_keeps_the_shape_and_never_changes_the_record() -> None:
    from checkengine.cel_context import prune

    before = repr(RECORD)
    pruned = prune(RECORD, frozenset({("observations", "nested", "b"), ("observations", "nested"),
                                      ("observations", "badge", "x"), ("data", "missing"), ("nothing",)}))
    assert pruned == {"observations": {"nested": {"a": 1, "b": {"c": 2}}, "badge": "standard"}, "data": {}}
    assert repr(RECORD) == before
    assert prune(RECORD, None) is RECORD


CONDITIONS = [
    "record.observations.badge == 'standard'",
    "has(record.observations.nested.b.c) && !has(record.observations.nested.z)",
    "record.observations.items.exists(i, i == 'cup')",
    "size(record.observations.nested) == 2",
    "record.data.turns[0].text == 'hi' && record.data.language.startsWith('zh')",
    "record.observations.errors / record.observations.calls > 1",  # division by zero
    "record.observations.missing == 1",  # a missing field
    "record.subject.role in ['agent', 'leader'] && params.limit > 2",
    "record.kind == 'floor_inspection'",
]


@pytest.mark.parametrize("source", CONDITIONS)
def test_a_sized_context_gives_what_the_whole_record_gives(source: str, make_book: Any, helpers: Any) -> None:
    from checkengine.cel_context import EnvCache
    from checkengine.checks import Env

    book = make_book([helpers.rule("R", {"type": "equals", "field": "kind", "value": "x"})],
                     {"limit": helpers.param(3)})
    conditions = Conditions(default_registry().cel_functions)
    condition = conditions.compile(source)
    others = [conditions.compile(text) for text in CONDITIONS[:3]]

    def outcome(env: Env) -> Any:
        try:
            return env.evaluate(condition)
        except EvaluationError as exc:
            return f"error: {exc}"

    whole = outcome(Env(book, RECORD, None, "en", conditions))
    sized = outcome(Env(book, RECORD, None, "en", conditions, cache=EnvCache(others + [condition])))
    # A condition the engine did not know about when it sized contexts still sees what it reads.
    late = Env(book, RECORD, None, "en", conditions, cache=EnvCache(others))
    assert [outcome(late) for _ in range(2)] == [whole, whole]
    assert sized == whole


def test_conditions_are_evaluated_once_per_record(make_book: Any, helpers: Any,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from checkengine.cel_context import EnvCache
    from checkengine.checks import Env

    book = make_book([helpers.rule("R", {"type": "equals", "field": "kind", "value": "x"})])
    conditions = Conditions(default_registry().cel_functions)
    condition = conditions.compile("record.observations.calls == 0")
    runs = []
    original = Env._run  # the condition's closures, or the CEL engine

    def counting(self: Any, condition: Any) -> Any:
        runs.append(condition.source)
        return original(self, condition)

    monkeypatch.setattr(Env, "_run", counting)
    env = Env(book, RECORD, None, "en", conditions, cache=EnvCache([condition]))
    assert [env.evaluate(condition) for _ in range(3)] == [True, True, True]
    assert len(runs) == 1
    failing = conditions.compile("record.observations.errors / record.observations.calls > 1")
    for _ in range(2):
        with pytest.raises(EvaluationError, match="divides by zero"):
            env.evaluate(failing)
    assert len(runs) == 2


def test_the_shape_of_a_condition_bounds_its_work() -> None:
    from checkengine.conditions import shape

    assert shape("record.x.map(a, a + 1)") == (1, 0)
    assert shape("record.x.map(a, record.y.map(b, b))") == (2, 0)
    assert shape("[1, 2, 3].all(x, [4, 5].exists(y, y == x))") == (2, 3)
    assert shape("size('a(b') > 0 && f(g(1, 2))") == (0, 0)


def test_a_condition_too_costly_is_refused_when_compiled_and_when_run() -> None:
    from checkengine.builtin.cel_functions import FUNCTIONS
    from checkengine.conditions import ConditionError, Conditions, EvaluationError

    conditions = Conditions(FUNCTIONS)
    big = "[" + ",".join(str(i) for i in range(200)) + "]"
    with pytest.raises(ConditionError, match=r"too costly: its macros nest 3 deep over a list of 200 items"):
        conditions.compile(f"{big}.all(a, {big}.all(b, {big}.all(c, a + b + c >= 0)))")
    nested = conditions.compile("record.xs.all(a, record.xs.all(b, a + b >= 0))")
    assert nested.run(conditions.context({"xs": [1] * 100}, {})) is True
    with pytest.raises(EvaluationError, match=r"would take about 2000\^2 steps on this record"):
        nested.run(conditions.context({"xs": [1] * 2000}, {}))


def test_integer_overflow_is_an_evaluation_error() -> None:
    from checkengine.builtin.cel_functions import FUNCTIONS
    from checkengine.conditions import Conditions, EvaluationError

    conditions = Conditions(FUNCTIONS)
    with pytest.raises(EvaluationError, match="Arithmetic overflow"):
        conditions.compile("record.n + 1 > 0").run(conditions.context({"n": 2**63 - 1}, {}))
