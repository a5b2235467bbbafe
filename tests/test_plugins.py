"""Plugins: third-party check types (registered directly and through a real entry point), overrides,
and plugins that fail to load, which must be named (PluginError, exit 2)."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator

import pytest

from checkengine.cli import main
from checkengine.errors import PluginError
from checkengine.plugins import DISABLE_AUTOLOAD, build_registry, default_registry, new_plugin_manager, registry_with

PLUGINS = Path(__file__).parent / "plugins"


def _plugin(name: str, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(PLUGINS))
    return importlib.import_module(name)


def _dist(site: Path, dist: str, entry_points: dict[str, str], version: str = "1.0") -> None:
    """An installed distribution as pip leaves it: a .dist-info with METADATA and entry_points.txt."""
    info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", "utf-8")
    lines = "".join(f"{name} = {target}\n" for name, target in entry_points.items())
    (info / "entry_points.txt").write_text(f"[checkengine]\n{lines}", "utf-8")


@pytest.fixture
def fresh_default_registry() -> Iterator[None]:
    """The CLI's cached registry, rebuilt for this test and forgotten after it."""
    default_registry.cache_clear()
    yield
    default_registry.cache_clear()


def _words_book(make_book: Any, helpers: Any) -> Any:
    return make_book([
        helpers.rule("SUM-01", {"type": "max_words", "field": "data.comment", "max": {"param": "max_words"}},
                     kinds=["mystery_shopping"]),
        helpers.rule("SUM-02", {"type": "expression", "expr": "word_count(record.data.comment) >= 2"},
                     kinds=["mystery_shopping"]),
    ], {"max_words": helpers.param(5)})


def test_third_party_check_type_used_by_a_rulebook(monkeypatch: pytest.MonkeyPatch, make_book: Any,
                                                   make_record: Any, evaluate: Any, helpers: Any) -> None:
    registry = registry_with(_plugin("sample_check_type", monkeypatch))
    assert registry.check_types["max_words"].summary == "A text field has at most max words."
    book = _words_book(make_book, helpers)
    record = make_record("mystery_shopping", "MS-1", data={"comment": "slow and rude at the counter today"})
    result = evaluate(book, [record], registry=registry)
    outcomes = {o["rule"]: (o["outcome"], o["explanation"]) for o in result["records"][0]["outcomes"]}
    assert outcomes == {
        "SUM-01": ("fail", "data.comment has 7 words; at most 5; max_words = 5 (since 2020-01-01)"),
        "SUM-02": ("pass", "the condition holds: word_count(record.data.comment) >= 2"),
    }


def test_without_the_plugin_the_check_type_is_unknown(make_book: Any, helpers: Any) -> None:
    from checkengine.engine import Engine
    from checkengine.errors import UserError

    book = _words_book(make_book, helpers)
    with pytest.raises(UserError) as caught:
        Engine(book, registry=build_registry(new_plugin_manager()))
    assert caught.value.bare_message.startswith(
        "unknown check type 'max_words'; known types: compare, count, covered, day_of_month, deadline, equals")


def test_third_party_plugin_through_an_entry_point(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _dist(tmp_path, "ce-sample", {"sample": "sample_check_type"})
    monkeypatch.syspath_prepend(str(PLUGINS))
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = build_registry(new_plugin_manager())
    assert "ce-sample:sample" in registry.plugin_names
    assert "max_words" in registry.check_types
    assert "word_count" in registry.cel_functions
    monkeypatch.setenv(DISABLE_AUTOLOAD, "1")
    assert "max_words" not in build_registry(new_plugin_manager()).check_types


def test_a_plugin_overrides_a_builtin(monkeypatch: pytest.MonkeyPatch, make_book: Any, make_record: Any,
                                      evaluate: Any, helpers: Any) -> None:
    registry = registry_with(_plugin("override_equals", monkeypatch))
    assert registry.check_types["equals"].summary == "equals, ignoring case (a site plugin's variant)"
    book = make_book([helpers.rule("EQ", {"type": "equals", "field": "observations.badge", "value": "STANDARD"})])
    record = make_record("floor_inspection", "FI-1", observations={"badge": "standard"})
    outcome = evaluate(book, [record], registry=registry)["records"][0]["outcomes"][0]
    assert outcome["outcome"] == "pass"


def test_a_plugin_that_fails_to_import_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _dist(tmp_path, "ce-broken", {"broken": "broken_plugin"})
    monkeypatch.syspath_prepend(str(PLUGINS))
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginError) as caught:
        new_plugin_manager()
    assert str(caught.value) == (
        "plugin 'broken' from the distribution 'ce-broken' failed to import (ModuleNotFoundError: No module "
        "named 'checkengine_missing_dependency'); fix or uninstall it, or set CHECKENGINE_DISABLE_PLUGIN_AUTOLOAD=1 "
        "to load only checkengine's own plugins")


def test_the_cli_exits_2_naming_the_broken_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str],
                                                  fresh_default_registry: None) -> None:
    _dist(tmp_path, "ce-broken", {"broken": "broken_plugin"})
    monkeypatch.syspath_prepend(str(PLUGINS))
    monkeypatch.syspath_prepend(str(tmp_path))
    assert main(["plugins"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "checkengine: error: plugin 'broken' from the distribution 'ce-broken' failed to import "
        "(ModuleNotFoundError: No module named 'checkengine_missing_dependency'); fix or uninstall it, or set "
        "CHECKENGINE_DISABLE_PLUGIN_AUTOLOAD=1 to load only checkengine's own plugins\n")
    default_registry.cache_clear()
    monkeypatch.setenv(DISABLE_AUTOLOAD, "1")
    assert main(["plugins"]) == 0
    assert "checkengine:checks_phrasing" in capsys.readouterr().out


def test_a_hook_that_does_not_exist_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(PluginError) as caught:
        registry_with(_plugin("wrong_hook_plugin", monkeypatch))
    assert str(caught.value).startswith("a plugin implements a hook that does not exist: ")
    assert "checkengine_register_check_type" in str(caught.value)


def test_two_plugins_defining_one_function_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    class Clash:
        from checkengine import hookimpl

        @staticmethod
        @hookimpl
        def checkengine_cel_functions() -> dict[str, Any]:
            return {"word_count": len}

    with pytest.raises(PluginError, match="two plugins register the condition function 'word_count': 'Clash' and 'sample_check_type'"):
        registry_with(_plugin("sample_check_type", monkeypatch), Clash())


def test_installed_plugins_are_listed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plugins"]) == 0
    out = capsys.readouterr().out
    from checkengine import __version__

    for plugin, types in (("checks_time", "covered, day_of_month, deadline, holiday, notice"),
                          ("checks_aggregate", "count, rate, spacing"), ("checks_phrasing", "phrases")):
        assert f"checkengine:{plugin} {__version__}\n  check types: {types}\n" in out
    for name in ("phrases", "notice", "deadline", "day_of_month", "holiday", "covered", "count", "rate", "spacing"):
        assert f"\n  {name} " in out


def test_a_reporter_and_a_sink_of_one_format_name_both_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reporter hook is adapted into sinks; a plugin's reporter and another plugin's sink of one
    name is the same clash as two sinks (before, the sink silently won)."""
    from checkengine import hookimpl
    from checkengine.reporting import Reporter

    memo = _plugin("memo_ports", monkeypatch)

    class Verdicts(Reporter):
        name = "verdicts"

        def render(self, result: Any, out: Any, *, verbose: bool = False) -> None:
            out.write("x")

    class OldStyle:
        @staticmethod
        @hookimpl
        def checkengine_register_reporters(register: Any) -> None:
            register(Verdicts())

    with pytest.raises(PluginError) as caught:
        registry_with(memo, OldStyle())
    assert str(caught.value) == (
        "two plugins register the format 'verdicts': 'memo_ports' (a sink) and 'OldStyle' (a reporter); "
        "uninstall one of them, or set CHECKENGINE_DISABLE_PLUGIN_AUTOLOAD=1 to load only checkengine's own plugins")


def test_the_plugin_manager_finds_what_pluggy_finds_in_every_installed_plugin() -> None:
    """checkengine's manager skips a module's unmarked names without inspecting them (start-up
    time); it must register exactly the hook implementations pluggy's own manager registers."""
    import pluggy

    from checkengine import hookspecs

    ours = new_plugin_manager()
    theirs = pluggy.PluginManager("checkengine")
    theirs.add_hookspecs(hookspecs)
    for name, plugin in ours.list_name_plugin():
        theirs.register(plugin, name=name)

    def impls(pm: pluggy.PluginManager) -> list[tuple[str, str, str]]:
        return sorted((hook, impl.plugin_name, impl.function.__qualname__)
                      for hook, caller in vars(pm.hook).items() if not hook.startswith("_")
                      for impl in caller.get_hookimpls())

    found = impls(ours)
    assert found == impls(theirs)
    assert ("checkengine_register_executors", "checkengine:executors", "checkengine_register_executors") in found
