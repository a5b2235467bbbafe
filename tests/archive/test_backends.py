"""The store port: archives are opened through store backends registered by plugins; a third-party
backend works in every command that takes --db, without editing checkengine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import pytest

from checkengine.archive.store import is_url, open_archive, scheme_of
from checkengine.cli import main
from checkengine.plugins import default_registry
from test_plugins import _dist

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = ROOT / "tests" / "plugins"
BOOK = ROOT / "rulebooks" / "cs-floor.yaml"
RECORDS = ROOT / "examples" / "month-2026-11" / "inspections"


@pytest.fixture
def sitedir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.syspath_prepend(str(PLUGINS))
    monkeypatch.syspath_prepend(str(tmp_path))
    _dist(tmp_path, "ce-sitedir", {"sitedir": "site_stores"}, version="0.4")
    root = tmp_path / "sites"
    root.mkdir()
    monkeypatch.setenv("SITEDIR_ROOT", str(root))
    default_registry.cache_clear()
    yield root
    default_registry.cache_clear()


def test_the_built_in_backends_serve_paths_and_postgresql_urls() -> None:
    stores = default_registry().stores
    assert stores["file"].name == "sqlite"
    assert stores["postgresql"].name == stores["postgres"].name == "postgresql"
    assert scheme_of("archive.sqlite") == "file"
    assert scheme_of(Path("x") / "archive.sqlite") == "file"
    assert scheme_of("PostgreSQL://db") == "postgresql"
    assert is_url("postgresql://host/db") and not is_url("archive.sqlite")
    assert not is_url("memo://records")  # a source's address, not an archive


def test_a_file_url_opens_the_sqlite_archive(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    with open_archive(f"file://{path}", write=True) as store:
        assert store.schema_version() > 0
    assert path.is_file()


def test_a_plugin_backend_serves_every_archive_command(sitedir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["archive", "add", "--db", "sitedir://taipei-01", "--rulebook", str(BOOK), str(RECORDS)]) in (0, 1)
    capsys.readouterr()
    assert (sitedir / "taipei-01.sqlite").is_file()  # the plugin chose where the archive lives
    assert main(["archive", "query", "--db", "sitedir://taipei-01", "--outcome", "fail", "-f", "json"]) in (0, 1)
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(row["outcome"] == "fail" for row in rows)
    assert main(["plugins"]) == 0
    listing = capsys.readouterr().out
    assert "ce-sitedir:sitedir 0.4\n  store backends: sitedir\n" in listing
    assert "store backends: file, postgres, postgresql" in listing


def test_the_plugin_backend_refuses_its_own_bad_addresses(sitedir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["archive", "query", "--db", "sitedir://Taipei 01"]) == 2
    err = capsys.readouterr().err
    assert err == "checkengine: error: sitedir://Taipei 01: a site name is lower-case letters, digits and '-'\n"


def test_an_unknown_scheme_names_the_known_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    default_registry.cache_clear()
    assert main(["archive", "query", "--db", "mysql://host/db"]) == 2
    assert capsys.readouterr().err == (
        "checkengine: error: mysql://host/db: no store backend serves 'mysql://' archives; give a file path "
        "(SQLite) or a URL of a known scheme (postgres://, postgresql://), or install the plugin that adds it\n")
    assert not (tmp_path / "mysql:").exists()
