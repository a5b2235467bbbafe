"""``checkengine diff``: reports, exit codes, the Markdown of a pull-request comment."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from test_batch import cli, scenario  # same folder: the batch command tests' helpers

from checkengine.engine import Engine  # noqa: E402
from checkengine.plugins import default_registry  # noqa: E402
from checkengine.records import iter_records  # noqa: E402
from checkengine.rulebook.load import load_rulebook  # noqa: E402


@pytest.fixture
def old(tmp_path: Path) -> Path:
    path: Path = scenario.write_rulebook(tmp_path / "old.yaml")
    return path


@pytest.fixture
def stricter(tmp_path: Path) -> Path:
    path: Path = scenario.write_rulebook(tmp_path / "new.yaml", version="1.1.0", max_outside=8)
    return path


@pytest.fixture
def one(tmp_path: Path) -> Path:
    """One floor inspection, 9 minutes outside: passes at 10, fails at 8."""
    record = next(iter(scenario.records(1)))
    record["observations"] = {"uniform": True, "badge": "standard", "minutes_outside": 9}
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(record) + "\n", "utf-8")
    return path


def explanation(book: Path, records: Path, rule: str) -> str:
    result = Engine(load_rulebook(book)).run(iter_records([records], default_registry()))
    return str(next(o["explanation"] for o in result["records"][0]["outcomes"] if o["rule"] == rule))


def test_text_without_replay(old: Path, stricter: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "diff", old, stricter)
    a, b = load_rulebook(old).digest[:19], load_rulebook(stricter).digest[:19]
    assert (code, err) == (0, "")
    assert out == (
        f"rulebook scenario 1.0.0 ({a}) -> scenario 1.1.0 ({b})\n"
        "  version: 1.0.0 -> 1.1.0\n"
        "\nrules: no change\n"
        "\nparameters: 1 changed\n"
        "  changed  max_minutes_outside: from 2020-01-01: 10 -> 8; read by CND-08-time-outside\n"
    )


def test_fail_on_change(tmp_path: Path, old: Path, stricter: Path, one: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, "diff", old, stricter, "--fail-on-change")[0] == 1
    assert cli(capsys, "diff", old, old, "--fail-on-change")[0] == 0
    assert cli(capsys, "diff", old, stricter, "--replay", one, "--fail-on-change", "-j", "1")[0] == 1
    reworded = scenario.rulebook(version="1.0.1")
    reworded["sections"][0]["rules"][0]["title"]["en"] = "Uniform on"
    import yaml

    (tmp_path / "reworded.yaml").write_text(yaml.safe_dump(reworded, allow_unicode=True), "utf-8")
    assert cli(capsys, "diff", old, tmp_path / "reworded.yaml", "--fail-on-change")[0] == 0
    # Stricter, but no past record is affected: the replay says nothing changes.
    calm = next(iter(scenario.records(1)))
    calm["observations"] = {"uniform": True, "badge": "standard", "minutes_outside": 2}
    (tmp_path / "calm.jsonl").write_text(json.dumps(calm) + "\n", "utf-8")
    assert cli(capsys, "diff", old, stricter, "--replay", tmp_path / "calm.jsonl", "--fail-on-change", "-j", "1")[0] == 0


def test_markdown_for_a_pull_request(old: Path, stricter: Path, one: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "diff", old, stricter, "--replay", one, "-f", "markdown", "-j", "1")
    a, b = load_rulebook(old).digest[:19], load_rulebook(stricter).digest[:19]
    before = explanation(old, one, "CND-08-time-outside")
    after = explanation(stricter, one, "CND-08-time-outside")
    assert (code, err) == (0, "")
    assert out == (
        "## Rulebook impact: `scenario` 1.0.0 → 1.1.0\n\n"
        f"Old: `scenario` 1.0.0 `{a}` · new: `scenario` 1.1.0 `{b}`\n\n"
        "| Setting | Old | New |\n|---|---|---|\n| `version` | 1.0.0 | 1.1.0 |\n\n"
        "### Parameters\n\n| Parameter | Values | Read by |\n|---|---|---|\n"
        "| `max_minutes_outside` | from 2020-01-01: 10 -&gt; 8 | `CND-08-time-outside` |\n\n"
        "### Replay of 1 records\n\n"
        "**1 records and 0 aggregate groups would change outcome.**\n\n"
        "| Rule | Old → new | Records and groups |\n|---|---|---|\n"
        "| `CND-08-time-outside` | pass → fail | 1 |\n\n"
        "<details><summary>Changed records and groups (1 of 1)</summary>\n\n"
        "| Record or group | Rule | Old → new | Old explanation | New explanation |\n|---|---|---|---|---|\n"
        f"| {one}:1 FL-2026-11-000000 | `CND-08-time-outside` | pass → fail | {before} | {after} |\n"
        "\n</details>\n"
    )


def test_json(old: Path, stricter: Path, one: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "diff", old, stricter, "--replay", one, "-f", "json", "-j", "1")
    report: dict[str, Any] = json.loads(out)
    assert code == 0
    assert report["new"]["version"] == "1.1.0" and report["affects_verdicts"] is True
    assert report["parameters"][0]["values"] == [{"since": "2020-01-01", "old": 10, "new": 8, "reference": "CND-08"}]
    assert report["replay"]["changed_records"] == 1 and report["replay"]["transitions"] == [
        {"rule": "CND-08-time-outside", "old": "pass", "new": "fail", "count": 1}]
    assert [c["rule"] for c in report["replay"]["records_changed"][0]["changes"]] == ["CND-08-time-outside"]


def test_bad_input(tmp_path: Path, old: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "gone"
    code, out, err = cli(capsys, "diff", old, old, "--replay", missing)
    assert (code, out) == (2, "")
    assert err == (f"checkengine: error: --replay {missing}: no such archive, folder or file; give an archive made "
                   "by `checkengine archive add`, or a folder or file of records\n")
    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    code, out, err = cli(capsys, "diff", old, old, "--replay", broken, "-j", "1")
    assert (code, out) == (2, "")
    assert err == (f"checkengine: error: {broken}: not a readable checkengine archive (file is not a database); "
                   "the file is damaged or is something else: restore it from a backup, or use another archive "
                   "(--db or CHECKENGINE_ARCHIVE)\n")
    code, out, err = cli(capsys, "diff", old, tmp_path / "nope.yaml")
    # The rulebook loader's own message (its wording is the loader's, tested there).
    assert (code, out) == (2, "") and err.startswith(f"checkengine: error: {tmp_path / 'nope.yaml'}: file not found")


@pytest.mark.slow
def test_replay_a_postgresql_archive_on_dask(tmp_path: Path, old: Path, stricter: Path, postgres: Any,
                                             dask_scheduler: str, capsys: pytest.CaptureFixture[str]) -> None:
    """--replay takes a postgresql:// URL, and --executor dask gives the local run's report."""
    month = scenario.write_jsonl(tmp_path / "month.jsonl", 90)
    url = postgres.new_database()
    assert cli(capsys, "archive", "add", "-r", old, month, "--db", url, "-j", "1")[0] == 0
    local = cli(capsys, "diff", old, stricter, "--replay", url, "-f", "json", "-j", "1")
    remote = cli(capsys, "diff", old, stricter, "--replay", url, "-f", "json", "--executor", "dask",
                 "--scheduler", dask_scheduler)
    files = cli(capsys, "diff", old, stricter, "--replay", month, "-f", "json", "-j", "1")
    assert remote == local and local[0] == 0
    replayed = json.loads(local[1])["replay"]
    assert replayed["records"] == 90 and replayed["changed_records"] > 0
    assert replayed["transitions"] == json.loads(files[1])["replay"]["transitions"]
