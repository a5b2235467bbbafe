"""One data path: the same input gives byte-identical JSON through ``evaluate``, ``batch --jobs 2``
and Dask; and a third-party plugin's source and sink work in evaluate, batch and archive query
without any change to checkengine (tests/plugins/memo_ports.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator

import pytest

from checkengine.cli import main
from checkengine.plugins import default_registry
from test_plugins import _dist

PLUGINS = Path(__file__).parent / "plugins"
STAMP = re.compile(r'^"generated_at": "[^"]*",$', re.MULTILINE)


def cli(capsys: pytest.CaptureFixture[str], *args: Any) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def unstamped(path: Path) -> str:
    """The document without the second it was made (runs a second apart differ there only)."""
    text = path.read_text("utf-8")
    assert len(STAMP.findall(text)) == 1, "generated_at is on a line of its own"
    return STAMP.sub('"generated_at": "-",', text)


def test_evaluate_batch_and_dask_write_the_same_bytes(tmp_path: Path, book_path: Path, stream: Path,
                                                      dask_scheduler: str,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"kind": "monitoring", "id": "X-1",, }\n', "utf-8")
    inputs = [stream, bad]
    runs = {
        "evaluate": ["evaluate", "-r", book_path, *inputs],
        "batch -j 2": ["batch", "-r", book_path, *inputs, "-j", "2", "--chunk-size", "16"],
        "dask": ["batch", "-r", book_path, *inputs, "--executor", "dask", "--scheduler", dask_scheduler,
                 "--chunk-size", "7"],
    }
    texts = {}
    for name, args in runs.items():
        target = tmp_path / f"{name}.json"
        code, _, _ = cli(capsys, *args, "-f", "json", "-o", target)
        assert code == 2, name  # the bad line makes the run exit 2; the others are evaluated
        texts[name] = unstamped(target)
    assert texts["batch -j 2"] == texts["evaluate"]
    assert texts["dask"] == texts["evaluate"]
    result = json.loads(texts["evaluate"])
    assert len(result["records"]) == 200 and len(result["errors"]) == 1 and result["groups"]
    assert set(result) == {"schema", "rulebook", "language", "generated_at", "rules", "records", "groups", "errors",
                           "summary"}


@pytest.fixture
def memo_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """tests/plugins/memo_ports.py installed as the distribution ce-memo."""
    site = tmp_path / "site"
    monkeypatch.syspath_prepend(str(PLUGINS))
    monkeypatch.syspath_prepend(str(site))
    _dist(site, "ce-memo", {"memo_ports": "memo_ports"}, version="0.1")
    default_registry.cache_clear()
    import memo_ports

    yield memo_ports
    memo_ports.MEMOS.clear()
    default_registry.cache_clear()


def test_a_plugins_source_and_sink_work_in_evaluate_batch_and_archive_query(
        memo_plugin: Any, tmp_path: Path, book_path: Path, stream: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    records = [json.loads(line) for line in stream.read_text("utf-8").splitlines()]
    memo_plugin.MEMOS["month"] = records
    code, evaluated, err = cli(capsys, "evaluate", "-r", book_path, "memo://month", "-f", "verdicts")
    assert code == 1, err
    _, batched, _ = cli(capsys, "batch", "-r", book_path, "memo://month", "-f", "verdicts", "-j", "2",
                        "--chunk-size", "9")
    assert batched == evaluated
    lines = evaluated.splitlines()
    assert lines[0] == "# verdicts of scenario", lines[:3]
    assert lines[-1] == "# 200 records", lines[-3:]
    # The verdicts agree with the JSON of the same records read from the file.
    _, as_json, _ = cli(capsys, "evaluate", "-r", book_path, stream, "-f", "json")
    expected = [f"{e['record']['id']} {'passed' if e['score']['passed'] and not failed else 'FAILED'} "
                f"({failed} failed rules)"
                for e in json.loads(as_json)["records"]
                for failed in [sum(1 for o in e["outcomes"] if o["outcome"] == "fail")]]
    assert lines[1:201] == expected
    # A memo that does not exist is an unusable input (exit 2), named in the plugin's own words.
    code, out, err = cli(capsys, "evaluate", "-r", book_path, "memo://nothing", "-f", "verdicts")
    assert code == 2 and "unusable memo://nothing: no memo named 'nothing'; known: month" in out
    # The archive is filled from the plugin's source, and read back through the plugin's sink.
    db = tmp_path / "archive.sqlite"
    code, _, err = cli(capsys, "archive", "add", "-r", book_path, "memo://month", "--db", db, "-j", "1")
    assert code == 0 and "200 records" in err
    code, queried, _ = cli(capsys, "archive", "query", "--db", db, "-f", "verdicts")
    assert code == 0
    got = queried.splitlines()
    assert got[0] == "# verdicts of scenario"
    shown = [line for line in got if not line.startswith("#")]
    assert got[-1] == f"# {len(shown)} records" and len(shown) > 100
    assert set(shown) <= set(expected)  # the archive lists the records that have outcomes
    # The plugin's format is listed wherever evaluation results are written, and nowhere else.
    code, _, err = cli(capsys, "lint", book_path, "-f", "verdicts")
    assert code == 2 and err == "checkengine: error: unknown format 'verdicts'; choose one of: codes, github, json, junit, sarif, text\n"


def test_a_plugins_executor_and_lint_sink(memo_plugin: Any, tmp_path: Path, book_path: Path, stream: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    inline = tmp_path / "inline.json"
    threads = tmp_path / "threads.json"
    cli(capsys, "batch", "-r", book_path, stream, "--executor", "inline", "-f", "json", "-o", inline)
    code, _, err = cli(capsys, "batch", "-r", book_path, stream, "--executor", "threads", "-j", "3",
                       "--chunk-size", "11", "-f", "json", "-o", threads)
    assert code == 1, err
    assert unstamped(threads) == unstamped(inline)
    assert memo_plugin.CREATED[-1].submitted == 19  # 200 records in chunks of 11: the plugin ran them
    code, out, err = cli(capsys, "batch", "-r", book_path, stream, "--executor", "spark")
    assert (code, out) == (2, "")
    assert err == "checkengine: error: unknown executor 'spark'; choose one of: dask, inline, local, threads\n"
    bad = tmp_path / "bad.yaml"
    bad.write_text("checkengine: 1\nkind: rulebook\nid: x\n", "utf-8")
    code, out, _ = cli(capsys, "lint", bad, "-f", "codes")
    assert code == 2 and out.startswith("CE")
    assert all(len(line.split()) == 2 and line.split()[1].isdigit() for line in out.splitlines())
