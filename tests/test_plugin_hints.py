"""A rulebook that needs a plugin which is not installed: the line that asks, the plugin to install."""

from __future__ import annotations

from pathlib import Path

import pytest

from checkengine.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_missing_scorer_names_the_line_and_the_plugin(capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    book = "rulebooks/mystery-shopping.yaml"
    line = next(i for i, text in enumerate((ROOT / book).read_text("utf-8").splitlines(), 1)
                if text.strip() == "method: stars")
    from checkengine import plugin_hints

    # As if checkengine-stars were not installed: the scorer registry without it.
    monkeypatch.setattr("checkengine.plugins.default_registry", _without_stars)
    monkeypatch.setattr("checkengine.commands.evaluate.default_registry", _without_stars, raising=False)
    code = main(["evaluate", "-r", book, "examples/month-2026-11/inspections/MS-2026-11-16-001.yaml"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (f"checkengine: error: {book}:{line}:11: scoring.method: the scoring method 'stars' is not "
                   "provided by any installed plugin (installed: weighted); install the plugin that provides it: "
                   "pip install checkengine-stars (from a checkout of checkengine: pip install "
                   "./plugins/checkengine-stars)\n")
    assert plugin_hints.FIRST_PARTY["scoring method"]["stars"] == "checkengine-stars"


def test_disabled_autoload_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from checkengine.plugin_hints import install_hint

    monkeypatch.setenv("CHECKENGINE_DISABLE_PLUGIN_AUTOLOAD", "1")
    assert install_hint("scoring method", "stars") == (
        "CHECKENGINE_DISABLE_PLUGIN_AUTOLOAD is set, so only checkengine's own plugins are loaded; unset it "
        "to load the installed plugins")


def _without_stars() -> object:
    from checkengine.plugins import build_registry, new_plugin_manager

    registry = build_registry(new_plugin_manager())
    registry.scorers.pop("stars", None)
    return registry


def test_lint_reports_the_missing_scorer(monkeypatch: pytest.MonkeyPatch) -> None:
    from checkengine.lint.run import lint_paths

    monkeypatch.chdir(ROOT)
    report = lint_paths(["rulebooks/mystery-shopping.yaml"], registry=_without_stars())  # type: ignore[arg-type]
    line = next(i for i, text in enumerate((ROOT / "rulebooks/mystery-shopping.yaml").read_text("utf-8").splitlines(), 1)
                if text.strip() == "method: stars")
    assert [f.text() for f in report.findings] == [
        f"rulebooks/mystery-shopping.yaml:{line}:11: CE211 scoring.method: the scoring method 'stars' is not provided "
        "by any installed plugin (installed: weighted); install the plugin that provides it: pip install "
        "checkengine-stars (from a checkout of checkengine: pip install ./plugins/checkengine-stars)"]
    assert report.exit_code == 1


def test_missing_check_type_names_the_rule_line_and_what_to_install(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str],
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    case = ROOT / "tests" / "cases" / "lint" / "invalid" / "unknown-check-type" / "rulebook.yaml"
    text = case.read_text("utf-8").replace("{type: equal,", "{type: sentiment,")
    (tmp_path / "rulebook.yaml").write_text(text, "utf-8")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r.yaml").write_text("kind: floor_inspection\nid: R\ntimestamp: '2026-11-03T09:00:00+08:00'\n", "utf-8")
    assert main(["evaluate", "-r", "rulebook.yaml", "r.yaml"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("checkengine: error: rulebook.yaml:23:9: sections[0].rules[0].check.type: unknown check "
                          "type 'sentiment'; known types: ")
    assert err.endswith("; or install the plugin that provides the check type 'sentiment' (checkengine plugins "
                        "lists what is installed) [CE203]\n")
