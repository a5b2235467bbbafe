"""Aggregate check types (count, rate, spacing): groups, periods, limits, and chunk-independence."""

from __future__ import annotations

import pickle
import random
from typing import Any

import pytest

from checkengine.builtin.aggregate_base import period_label, period_start
from checkengine.engine import Engine
from checkengine.errors import UserError


def _swap(make_record: Any, record_id: str, requester: str, counterpart: str, day: str) -> Any:
    return make_record("shift_swap", record_id,
                       data={"requester": requester, "counterpart": counterpart, "shift_date": day})


@pytest.fixture
def swap_book(make_book: Any, helpers: Any) -> Any:
    group = {"employee": ["data.requester", "data.counterpart"]}
    return make_book([
        helpers.rule("SWP-02", {"type": "count", "date": "data.shift_date", "period": "month", "group_by": group,
                                "max": {"param": "max_swaps"}}, kinds=["shift_swap"]),
        helpers.rule("SWP-03", {"type": "spacing", "date": "data.shift_date", "group_by": group,
                                "min_days": {"param": "gap"}}, kinds=["shift_swap"]),
    ], {"max_swaps": {"description": {"en": "p", "zh-Hant": "p", "zh-Hans": "p"}, "values": {
        "2020-01-01": {"value": 2, "reference": "SWP-02"}, "2026-12-01": {"value": 3, "reference": "SWP-02 rev"}}},
        "gap": helpers.param(2)})


def test_third_swap_in_a_month_fails_for_both_people(swap_book: Any, make_record: Any, evaluate: Any,
                                                     helpers: Any) -> None:
    swaps = [_swap(make_record, "SW-1", "E003", "E010", "2026-11-03"),
             _swap(make_record, "SW-2", "E011", "E003", "2026-11-10"),
             _swap(make_record, "SW-3", "E003", "E010", "2026-11-20"),
             _swap(make_record, "SW-4", "E003", "E003", "2026-12-20")]  # one person once, even if named twice
    groups = helpers.groups_of(evaluate(swap_book, swaps), "SWP-02")
    assert {k: (g["outcome"], g["observed"]) for k, g in groups.items()} == {
        "employee=E003 period=2026-11": ("fail", 3),
        "employee=E003 period=2026-12": ("pass", 1),
        "employee=E010 period=2026-11": ("pass", 2),
        "employee=E011 period=2026-11": ("pass", 1),
    }
    failed = groups["employee=E003 period=2026-11"]
    assert failed["group"] == {"employee": "E003", "period": "2026-11"}
    assert failed["explanation"] == ("3 counted; allowed ..2; counted: SW-1, SW-2, SW-3; "
                                     "max_swaps = 2 (since 2020-01-01)")
    # Parameters apply as of the period's start: December has the revised limit.
    assert groups["employee=E003 period=2026-12"]["parameters"]["max_swaps"]["value"] == 3


def test_consecutive_swaps_fail_with_both_dates(swap_book: Any, make_record: Any, evaluate: Any,
                                                helpers: Any) -> None:
    swaps = [_swap(make_record, "SW-1", "E1", "E2", "2026-11-30"),
             _swap(make_record, "SW-2", "E3", "E1", "2026-12-01"),
             _swap(make_record, "SW-3", "E2", "E4", "2026-12-02")]
    groups = helpers.groups_of(evaluate(swap_book, swaps), "SWP-03")
    assert {k: g["outcome"] for k, g in groups.items()} == {
        "employee=E1": "fail", "employee=E2": "pass", "employee=E3": "pass", "employee=E4": "pass"}
    assert groups["employee=E1"]["explanation"] == (
        "SW-1 on 2026-11-30 and SW-2 on 2026-12-01 are 1 day(s) apart; at least 2 required; gap = 2 (since 2020-01-01)")
    assert groups["employee=E1"]["details"]["too_close"] == [
        {"first": "SW-1", "first_date": "2026-11-30", "second": "SW-2", "second_date": "2026-12-01", "days": 1}]
    assert groups["employee=E2"]["explanation"].startswith("2 records, none fewer than 2 days apart")


def test_weekly_meeting_group_exists_without_a_meeting(make_book: Any, make_record: Any, evaluate: Any,
                                                       helpers: Any) -> None:
    check = {"type": "count", "kinds": ["meeting", "attendance"], "date": ["data.held_on", "data.shift_start"],
             "period": "week", "group_by": {"team": "subject.team"}, "filter": "record.kind == 'meeting'", "min": 1}
    # Filed under meetings only: the check's own kinds still fold attendance in.
    book = make_book([helpers.rule("MGT-01", check, kinds=["meeting"])])
    records = [
        make_record("meeting", "MT-1", subject={"team": "T1"}, data={"meeting": "team", "held_on": "2026-11-03"}),
        make_record("attendance", "AT-1", subject={"team": "T1"},
                    data={"shift_start": "2026-11-04T09:00:00+08:00", "shift_end": "2026-11-04T17:00:00+08:00"}),
        make_record("attendance", "AT-2", subject={"team": "T1"},
                    data={"shift_start": "2026-11-10T09:00:00+08:00", "shift_end": "2026-11-10T17:00:00+08:00"}),
    ]
    groups = helpers.groups_of(evaluate(book, records), "MGT-01")
    assert {k: (g["outcome"], g["explanation"]) for k, g in groups.items()} == {
        "team=T1 period=2026-W45": ("pass", "1 counted; allowed 1.."),
        "team=T1 period=2026-W46": ("fail", "0 counted; allowed 1.."),
    }


@pytest.fixture
def loss_book(make_book: Any, helpers: Any) -> Any:
    check = {"type": "rate", "date": "data.date", "period": "month", "numerator": "data.abandoned",
             "denominator": "data.offered", "percent": True, "max": {"param": "max_loss"}}
    return make_book([helpers.rule("QAM-04", check, kinds=["call_stats"])], {"max_loss": helpers.param(5)})


def _calls(make_record: Any, record_id: str, day: str, offered: int, abandoned: int) -> Any:
    return make_record("call_stats", record_id, data={"date": day, "offered": offered, "abandoned": abandoned})


@pytest.mark.parametrize(("abandoned", "outcome"), [(50, "pass"), (51, "fail"), (0, "pass")])
def test_loss_rate_limit(loss_book: Any, make_record: Any, evaluate: Any, helpers: Any,
                         abandoned: int, outcome: str) -> None:
    records = [_calls(make_record, "C1", "2026-11-03", 600, abandoned - abandoned // 2),
               _calls(make_record, "C2", "2026-11-17", 400, abandoned // 2)]
    group = helpers.groups_of(evaluate(loss_book, records), "QAM-04")["period=2026-11"]
    assert (group["outcome"], group["observed"]) == (outcome, abandoned / 10)


def test_loss_rate_explanation_and_float_fields(loss_book: Any, make_record: Any, evaluate: Any,
                                                helpers: Any) -> None:
    # 3 of 60 is 5 %: at the limit passes.
    records = [make_record("call_stats", f"C{i}", data={"date": "2026-11-03", "offered": 20, "abandoned": 1})
               for i in range(3)]
    group = helpers.groups_of(evaluate(loss_book, records), "QAM-04")["period=2026-11"]
    assert (group["outcome"], group["explanation"]) == (
        "pass", "5 % (3 / 60 over 3 records); allowed ..5; max_loss = 5 (since 2020-01-01)")


def test_no_calls_offered_is_not_applicable(loss_book: Any, make_record: Any, evaluate: Any, helpers: Any) -> None:
    group = helpers.groups_of(evaluate(loss_book, [_calls(make_record, "C1", "2026-11-03", 0, 0)]),
                              "QAM-04")["period=2026-11"]
    assert (group["outcome"], group["explanation"]) == (
        "not_applicable", "does not apply: data.offered sums to 0 over 1 records, so there is no rate to judge")


def test_float_sums_do_not_depend_on_order(make_book: Any, make_record: Any, evaluate: Any, helpers: Any) -> None:
    check = {"type": "rate", "date": "data.day", "numerator": "data.x", "denominator": "data.y", "percent": False,
             "max": 1}
    book = make_book([helpers.rule("R", check, kinds=["mystery_shopping"])])
    values = [0.1, 0.2, 0.3, 1e16, -1e16, 0.7]
    records = [make_record("mystery_shopping", f"M{i}", data={"day": "2026-11-03", "x": v, "y": 1.0})
               for i, v in enumerate(values)]
    forward = helpers.groups_of(evaluate(book, records), "R")["period=2026-11"]
    backward = helpers.groups_of(evaluate(book, records[::-1]), "R")["period=2026-11"]
    assert forward["details"] == backward["details"]
    assert forward["details"]["numerator"] == 1.3  # plain float sums lose the small values next to 1e16


def test_unusable_records_make_the_group_an_error(make_book: Any, make_record: Any, evaluate: Any,
                                                  helpers: Any) -> None:
    check = {"type": "count", "date": "data.when", "filter": "record.data.n > 1", "max": 5}
    book = make_book([helpers.rule("C", check, kinds=["mystery_shopping"])])
    records = [make_record("mystery_shopping", "MS-1", data={"when": "2026-11-03", "n": 2}),
               make_record("mystery_shopping", "MS-2", data={"when": "2026-11-04"}),
               make_record("mystery_shopping", "MS-3", data={"n": 2})]
    groups = helpers.groups_of(evaluate(book, records), "C")
    assert {k: g["outcome"] for k, g in groups.items()} == {"period=2026-11": "error", "period=None": "error"}
    assert groups["period=2026-11"]["explanation"] == (
        "1 records could not be used: MS-2: the condition `record.data.n > 1` reads a field that the record "
        "does not have: 'n'")
    assert groups["period=None"]["explanation"] == "1 records could not be used: MS-3: no usable date in data.when"


def test_failing_when_condition_is_reported(make_book: Any, make_record: Any, evaluate: Any, helpers: Any) -> None:
    check = {"type": "count", "date": "data.shift_date", "max": 5}
    book = make_book([helpers.rule("C", check, kinds=["shift_swap"], when="record.data.form_filed")])
    records = [_swap(make_record, "SW-1", "E1", "E2", "2026-11-03")]
    result = evaluate(book, records)
    assert [(g["outcome"], g["group"], g["explanation"]) for g in result["groups"]] == [(
        "error", {"records": ["SW-1"]},
        "the rule's condition failed for 1 records: SW-1: the condition `record.data.form_filed` reads a field "
        "that the record does not have: 'form_filed'")]


def test_unknown_option_and_missing_limit_are_compile_errors(make_book: Any, helpers: Any) -> None:
    book = make_book([helpers.rule("C", {"type": "count", "date": "data.shift_date", "maximum": 2},
                                   kinds=["shift_swap"])])
    with pytest.raises(UserError) as caught:
        Engine(book)
    assert caught.value.location.path == "sections[0].rules[0].check.maximum"
    assert caught.value.bare_message.endswith("(check type 'count') [CE203]")
    book = make_book([helpers.rule("C", {"type": "rate", "date": "d", "numerator": "a", "denominator": "b"},
                                   kinds=["call_stats"])])
    with pytest.raises(UserError, match=r"rate needs min, max or both"):
        Engine(book)


@pytest.mark.parametrize(("day", "period", "label", "start"), [
    ("2026-11-03", "day", "2026-11-03", "2026-11-03"),
    ("2026-11-03", "week", "2026-W45", "2026-11-02"),
    ("2027-01-01", "week", "2026-W53", "2026-12-28"),
    ("2026-11-03", "month", "2026-11", "2026-11-01"),
    ("2026-11-03", "year", "2026", "2026-01-01"),
])
def test_period_labels(day: str, period: str, label: str, start: str) -> None:
    from datetime import date

    assert period_label(date.fromisoformat(day), period) == label
    assert period_start(label) == date.fromisoformat(start)


# -- chunk independence ----------------------------------------------------------------------------
@pytest.fixture
def mixed(make_book: Any, make_record: Any, helpers: Any) -> tuple[Any, list[Any]]:
    group = {"employee": ["data.requester", "data.counterpart"]}
    book = make_book([
        helpers.rule("COUNT", {"type": "count", "date": "data.shift_date", "period": "week", "group_by": group,
                               "filter": "record.data.shift_kind != 'night'", "max": 2}, kinds=["shift_swap"]),
        helpers.rule("SPACE", {"type": "spacing", "date": "data.shift_date", "group_by": group, "min_days": 3},
                     kinds=["shift_swap"]),
        helpers.rule("RATE", {"type": "rate", "date": "data.date", "period": "month", "numerator": "data.abandoned",
                              "denominator": "data.offered", "max": 5}, kinds=["call_stats"]),
    ])
    rng = random.Random(7)
    records = []
    for i in range(120):
        a, b = rng.sample(["E1", "E2", "E3", "E4", "E5"], 2)
        day = f"2026-{rng.choice(['10', '11'])}-{rng.randint(1, 28):02d}"
        records.append(make_record("shift_swap", f"SW-{i:03d}", data={
            "requester": a, "counterpart": b, "shift_date": day, "shift_kind": rng.choice(["day", "night"])}))
    for i in range(60):
        offered = rng.randint(0, 300)
        records.append(make_record("call_stats", f"CS-{i:03d}", data={
            "date": f"2026-{rng.choice(['10', '11'])}-{rng.randint(1, 28):02d}", "offered": offered,
            "abandoned": rng.randint(0, offered // 10), "service_level": rng.random() * 100}))
    return book, records


def test_split_fold_merge_equals_one_pass(mixed: tuple[Any, list[Any]]) -> None:
    book, records = mixed
    engine = Engine(book)
    whole = engine.new_groups()
    for r in records:
        engine.fold(whole, r)
    expected = engine.finish_groups(whole)
    assert {g["outcome"] for g in expected} >= {"pass", "fail"}
    rng = random.Random(11)
    for _ in range(5):
        shuffled = records[:]
        rng.shuffle(shuffled)
        cut = rng.randint(1, len(shuffled) - 1)
        halves = []
        for part in (shuffled[:cut], shuffled[cut:]):
            states = engine.new_groups()
            for r in part:
                engine.fold(states, r)
            halves.append(pickle.loads(pickle.dumps(states)))  # as if from another process
        merged = engine.merge(halves[1], halves[0])
        assert engine.finish_groups(merged) == expected


def test_merge_is_associative(mixed: tuple[Any, list[Any]]) -> None:
    book, records = mixed
    engine = Engine(book)
    parts = [records[i::3] for i in range(3)]

    def fold(part: list[Any]) -> Any:
        states = engine.new_groups()
        for r in part:
            engine.fold(states, r)
        return states

    left = engine.merge(engine.merge(fold(parts[0]), fold(parts[1])), fold(parts[2]))
    right = engine.merge(fold(parts[0]), engine.merge(fold(parts[1]), fold(parts[2])))
    assert left.states == right.states
    assert engine.finish_groups(left) == engine.finish_groups(right)


def test_spacing_state_is_the_sorted_union_however_it_is_chunked() -> None:
    """Sorted runs merged as they come (not a re-sort per add): the same dates as one sorted union,
    whatever the chunks and the order of adds, and equal, hashable and picklable as before."""
    import pickle

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from checkengine.builtin.checks_aggregate import SpacingState

    item = st.tuples(st.sampled_from(["2026-11-01", "2026-11-02", "2026-11-09", "2026-12-01"]),
                     st.sampled_from(["A", "B", "C", "D", "E"]))

    @settings(max_examples=200, deadline=None, database=None)
    @given(st.lists(st.lists(item, max_size=12), max_size=6))
    def chunked(chunks: list[list[tuple[str, str]]]) -> None:
        states = []
        for chunk in chunks:
            state = SpacingState()
            for it in chunk:
                state = state.added(it)
            states.append(state)
        total = SpacingState()
        for state in states:
            total = total.merged(state)
        right = SpacingState()
        for state in reversed(states):
            right = state.merged(right)
        expected = tuple(sorted({it for chunk in chunks for it in chunk}))
        assert total.dates == right.dates == expected
        assert total == right == SpacingState(expected) and hash(total) == hash(SpacingState(expected))
        assert pickle.loads(pickle.dumps(total)) == total

    chunked()
