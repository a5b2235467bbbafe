"""checkengine.lookups: facts from other records of the run (issue 9, point 5).

001 換班 六: "換班和還班均不得請假,否則按曠工處理" and 換班 五: "若交代不清造成誤班、空班的按曠工處理,並按
責任大小考核雙方當事人" are judged from the swap register evaluated in the same run, the same way by
`evaluate`, by `batch` over several processes and on Dask.
"""

from __future__ import annotations

import io
import json
import random
from pathlib import Path
from typing import Any, Iterator

import pytest

from checkengine import lookups
from checkengine.batch.executors import DaskExecutor, InlineExecutor, LocalExecutor
from checkengine.batch.job import EngineSpec
from checkengine.batch.run import BatchOptions, evaluate_batch, result_head
from checkengine.batch.writers import JsonLinesWriter
from checkengine.engine import Engine
from checkengine.plugins import default_registry
from checkengine.records import Record, iter_records
from checkengine.rulebook.load import load_rulebook

ROOT = Path(__file__).resolve().parents[1]
MONTH = ROOT / "examples" / "month-2026-11"
BOOK = ROOT / "rulebooks" / "leave-and-swaps.yaml"
RULES = ("SWP-05-no-leave-on-swapped-shift", "SWP-07-missed-swapped-shift", "SWP-06-holiday-duty-not-swapped")


def _month() -> list[Record]:
    return [r for r in iter_records([str(MONTH)], default_registry()) if isinstance(r, Record)]


def _verdicts_of(records: list[dict[str, Any]]) -> dict[tuple[str, str], str]:
    return {(e["record"]["id"], o["rule"]): o["outcome"] for e in records for o in e["outcomes"] if o["rule"] in RULES}


def _batch(executor: Any, chunk_size: int = 37) -> dict[tuple[str, str], str]:
    out = io.StringIO()
    spec = EngineSpec(load_rulebook(BOOK))
    writer = JsonLinesWriter(out)
    writer.header(result_head(spec))
    tally = evaluate_batch(spec, [MONTH], writer, executor, options=BatchOptions(chunk_size=chunk_size))
    writer.close(tally)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    return _verdicts_of([line for line in lines if line.get("type") == "record"])


@pytest.fixture(scope="module")
def evaluated() -> dict[tuple[str, str], str]:
    return _verdicts_of(Engine(load_rulebook(BOOK)).run(_month())["records"])


def test_the_register_decides_leave_on_a_swapped_shift(evaluated: dict[tuple[str, str], str]) -> None:
    # E011 took E010's shift of 21 November in swap 12 and then asked leave for it (LR-017).
    assert evaluated[("LR-2026-11-017", RULES[0])] == "fail"
    # E014 missed the shift of 25 November it had taken in swap 11, handed over unclearly.
    assert evaluated[("AT-2026-11-25-E014", RULES[1])] == "fail"
    assert sum(v == "pass" for k, v in evaluated.items() if k[1] == RULES[0]) >= 15
    # 001 換班 九: 節假日當班人員不允許換班 -- on the centre's holiday, 12 November, E014 works the shift it
    # took in swap 4 and E016 the one returned to it in swap 5; everyone else on duty works as rostered.
    holiday = {k[0]: v for k, v in evaluated.items() if k[1] == RULES[2] and v != "not_applicable"}
    assert {k for k, v in holiday.items() if v == "fail"} == {"AT-2026-11-12-E014", "AT-2026-11-12-E016"}
    assert len(holiday) == 13


def test_a_request_that_denies_the_swap_is_still_judged_by_the_register() -> None:
    records = _month()
    for record in records:
        if record.data["id"] == "LR-2026-11-017":
            record.data["data"]["on_swapped_shift"] = False  # the request says otherwise
    result = Engine(load_rulebook(BOOK), lang="en").run(records)
    o = [o for e in result["records"] if e["record"]["id"] == "LR-2026-11-017" for o in e["outcomes"]
         if o["rule"] == RULES[0]][0]
    assert o["outcome"] == "fail"
    assert o["observed"] == [["SW-2026-11-12"]]


def test_batch_over_processes_gives_what_evaluate_gives(evaluated: dict[tuple[str, str], str]) -> None:
    assert _batch(LocalExecutor(2)) == evaluated
    assert _batch(InlineExecutor(), chunk_size=5) == evaluated


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as local:
        yield local


def test_dask_gives_what_evaluate_gives(cluster: Any, evaluated: dict[tuple[str, str], str]) -> None:
    assert _batch(DaskExecutor(cluster.scheduler_address)) == evaluated


def test_a_record_judged_alone_cannot_look_up_the_others() -> None:
    engine = Engine(load_rulebook(BOOK), lang="en")
    leave = next(r for r in _month() if r.data["id"] == "LR-2026-11-017")
    assert engine.precheck(leave) is None
    o = [o for o in engine.evaluate_record(leave)["outcomes"] if o["rule"] == RULES[0]][0]
    assert o["outcome"] == "needs_review"
    assert o["explanation"].startswith(
        "needs review: the rule looks up other records ('worked_by_swap'), which this run does not have")


def test_partial_indexes_merge_to_the_whole_whatever_the_split() -> None:
    book = load_rulebook(BOOK)
    declared = lookups.compile_lookups(book.lookups)
    data = [r.data for r in _month()]
    whole = lookups.build(declared, data)
    assert sum(len(v) for v in whole["worked_by_swap"].values()) == 12 + 4  # 12 swaps, 4 of them returned
    rng = random.Random(9)
    for _ in range(5):
        rng.shuffle(data)
        cut = rng.randrange(len(data))
        parts = [lookups.build(declared, data[:cut]), lookups.build(declared, data[cut:])]
        assert lookups.merge(*parts) == whole
        assert lookups.merge(parts[1], parts[0]) == whole


def test_a_date_time_key_is_filed_under_the_sites_date() -> None:
    declared = lookups.compile_lookups({"by_day": {"kinds": ["attendance"], "keys": [["subject.employee",
                                                                                        "data.shift_start"]]}})
    record = {"kind": "attendance", "id": "A", "site": {"id": "x", "timezone": "Asia/Taipei"},
              "subject": {"employee": "E1"}, "data": {"shift_start": "2026-11-20T16:00:00Z"}}
    index = lookups.build(declared, [record])
    assert list(index["by_day"]) == [("E1", "2026-11-21")]  # midnight in Taipei


def test_a_lookup_the_rulebook_does_not_declare_is_a_rulebook_error(make_book: Any, helpers: Any) -> None:
    from checkengine.errors import UserError

    book = make_book([helpers.rule("L", {"type": "expression", "expr": "size(lookup('swaps', ['E1'])) == 0"},
                                   kinds=["leave_request"])])
    with pytest.raises(UserError) as caught:
        Engine(book)
    assert "the condition looks up 'swaps', which the rulebook does not declare; its lookups: none" in str(caught.value)
