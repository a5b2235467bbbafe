"""Fixtures shared by the engine, check-type and command tests.

Rulebooks are written to tmp_path and loaded the way users' are, so the tests go through the
schema, the loader and the compiler; records go through ``check_record`` like loaded ones.
"""

from __future__ import annotations

import copy
import os
import shutil
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any, Callable, Iterable, Iterator

import pytest
import yaml

# The batch tests' scenario (tests/batch/scenario.py), shared by the batch, archive, report, diff
# and command tests: importable as ``scenario`` from every test module.
sys.path.insert(0, str(Path(__file__).resolve().parent / "batch"))

import scenario as scenario_module  # noqa: E402

from checkengine.engine import Engine  # noqa: E402
from checkengine.errors import Location  # noqa: E402
from checkengine.plugins import Registry  # noqa: E402
from checkengine.records import Record, RecordError, check_record  # noqa: E402
from checkengine.rulebook.load import load_rulebook  # noqa: E402
from checkengine.rulebook.model import Rulebook  # noqa: E402

CASES = Path(__file__).parent / "cases" / "engine"

BookFactory = Callable[..., Rulebook]
RecordFactory = Callable[..., Record]
Evaluate = Callable[..., dict[str, Any]]


@pytest.fixture(scope="session")
def scenario() -> ModuleType:
    """The scenario module: its rulebook and month of records (see tests/batch/scenario.py)."""
    return scenario_module


@pytest.fixture
def book_path(tmp_path: Path) -> Path:
    path: Path = scenario_module.write_rulebook(tmp_path / "scenario.yaml")
    return path


@pytest.fixture
def stream_records() -> int:
    """How many records :func:`stream` holds (the batch tests ask for more)."""
    return 200


@pytest.fixture
def stream(tmp_path: Path, stream_records: int) -> Path:
    """The scenario's records as JSON Lines."""
    path: Path = scenario_module.write_jsonl(tmp_path / "month.jsonl", stream_records)
    return path


@pytest.fixture(scope="session")
def engine_cases() -> Path:
    """The folder of engine case files: rulebook.yaml, records/, bad/."""
    return CASES


@pytest.fixture(scope="session")
def case_book() -> Rulebook:
    return load_rulebook(CASES / "rulebook.yaml")


def rule(rule_id: str, check: dict[str, Any], *, kinds: Iterable[str] = ("floor_inspection",),
         **extra: Any) -> dict[str, Any]:
    """A rule with the fields every rule needs; *extra* adds or replaces fields."""
    out: dict[str, Any] = {"id": rule_id, "title": {"en": rule_id, "zh-Hant": rule_id, "zh-Hans": rule_id},
                           "source": rule_id, "applies_to": {"kinds": list(kinds)}, "check": check}
    out.update(extra)
    return out


def param(value: Any, *, since: str = "2020-01-01", unit: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"description": {"en": "p", "zh-Hant": "p", "zh-Hans": "p"},
                           "values": {since: {"value": value, "reference": "test"}}}
    if unit:
        out["unit"] = unit
    return out


@pytest.fixture
def make_book(tmp_path: Path) -> BookFactory:
    """``make_book(rules, parameters={...}, **top)``: a rulebook in tmp_path, loaded strictly."""
    counter = iter(range(1000))

    def build(rules: list[dict[str, Any]], parameters: dict[str, Any] | None = None, **top: Any) -> Rulebook:
        data: dict[str, Any] = {
            "checkengine": 1, "id": "test-book", "version": "1.0.0",
            "title": {"en": "Test", "zh-Hant": "測試", "zh-Hans": "测试"},
            "languages": ["en", "zh-Hant", "zh-Hans"],
            "parameters": parameters or {},
            "sections": [{"id": "main", "title": {"en": "Main", "zh-Hant": "主", "zh-Hans": "主"},
                          "rules": rules}],
        }
        data.update(top)
        path = tmp_path / f"book-{next(counter)}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
        return load_rulebook(path)

    return build


@pytest.fixture
def make_record() -> RecordFactory:
    """``make_record(kind, id=..., **fields)``: a validated record (site cc-taipei in TW, Asia/Taipei, by default)."""

    def build(kind: str, record_id: str = "R-1", **fields: Any) -> Record:
        data: dict[str, Any] = {"kind": kind, "id": record_id, "timestamp": "2026-11-03T09:15:00+08:00",
                                "site": {"id": "cc-taipei", "country": "TW", "timezone": "Asia/Taipei"}}
        data.update(copy.deepcopy(fields))
        checked = check_record(data, Location("test.yaml", 1, 1))
        if isinstance(checked, RecordError):
            raise AssertionError(f"test record is invalid: {checked.text()}")
        return checked

    return build


@pytest.fixture
def evaluate() -> Evaluate:
    """``evaluate(book, records, lang=..., registry=..., on=..., waivers=...)``: the whole result."""

    def run(book: Rulebook, records: Iterable[Record | RecordError], *, registry: Registry | None = None,
            **options: Any) -> dict[str, Any]:
        return Engine(book, registry=registry, **options).run(list(records))

    return run


def outcome_of(result: dict[str, Any], rule_id: str, record_id: str | None = None) -> dict[str, Any]:
    """The one outcome of *rule_id* (for *record_id*, when given) in a result."""
    found = [o for entry in result["records"] if record_id in (None, entry["record"]["id"])
             for o in entry["outcomes"] if o["rule"] == rule_id]
    if len(found) != 1:
        raise AssertionError(f"expected one outcome of {rule_id} for {record_id}, got {len(found)}")
    return found[0]


def groups_of(result: dict[str, Any], rule_id: str) -> dict[str, dict[str, Any]]:
    """The group outcomes of *rule_id*, keyed by ``k=v`` text of the group (``employee=E003 period=2026-11``)."""
    return {" ".join(f"{k}={v}" for k, v in o["group"].items()): o for o in result["groups"] if o["rule"] == rule_id}


@pytest.fixture(scope="session")
def helpers() -> SimpleNamespace:
    """rule, param, outcome_of and groups_of, for test modules (which cannot import conftest)."""
    return SimpleNamespace(rule=rule, param=param, outcome_of=outcome_of, groups_of=groups_of)


# -- the archive's stores: every store test runs on SQLite and on a real PostgreSQL ---------------
STORES = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres() -> Iterator[Any]:
    """A throw-away PostgreSQL cluster (tests/pgcluster.py). Where it cannot run, the tests that need
    it are skipped with the reason - but never in CI (``CI`` set): there a missing server fails."""
    from pgcluster import Cluster, Unavailable

    try:
        cluster = Cluster()
    except Unavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set and PostgreSQL cannot run here: {exc}", pytrace=False)
        pytest.skip(str(exc))
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=STORES)
def store_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture
def archive_at(store_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """Where a new archive goes: a SQLite file, or the URL of a new PostgreSQL database."""
    if store_kind == "sqlite":
        return str(tmp_path / "archive.sqlite")
    return str(request.getfixturevalue("postgres").new_database())


@pytest.fixture(scope="session")
def dask_scheduler() -> Iterator[str]:
    """The address of a Dask LocalCluster: two in-process workers of one thread each (kind to a small
    machine; the tasks still go through the scheduler, and the jobs and chunks are still serialised)."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        yield str(cluster.scheduler_address)


# -- the real browser: Debian's chromium driven by Playwright (never a browser download) -----------
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's chromium; without it the browser tests are skipped - but never in CI (``CI`` set)."""
    found = shutil.which("chromium")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set and chromium is missing: scripts/system-deps.sh installs it", pytrace=False)
        pytest.skip("chromium is not installed (scripts/system-deps.sh installs it)")
    return found


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    """One headless chromium for the session (the workspace's and the interactive report's tests)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
