"""Plugins can do what a built-in does: add a subcommand, and be listed with their version and what
they register; two plugins claiming one name is an error naming both (never "the last one wins")."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from checkengine.cli import main
from checkengine.errors import PluginError
from checkengine.plugins import default_registry, registry_with
from test_plugins import _dist

PLUGINS = Path(__file__).parent / "plugins"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(PLUGINS))
    monkeypatch.syspath_prepend(str(tmp_path))
    default_registry.cache_clear()
    yield tmp_path  # type: ignore[misc]
    default_registry.cache_clear()


def test_a_plugin_adds_a_subcommand(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _dist(site, "ce-hello", {"hello": "sample_command"}, version="2.3.1")
    assert main(["hello", "Lin"]) == 0
    assert capsys.readouterr().out == "hello, Lin\n"
    assert main(["hello", " "]) == 2
    assert capsys.readouterr().err == "checkengine: error: NAME is empty; give a name, e.g. checkengine hello Lin\n"
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "hello     Greet someone (a sample plugin command). (plugin ce-hello:hello)" in out
    assert main(["plugins"]) == 0
    listing = capsys.readouterr().out
    assert "ce-hello:hello 2.3.1\n  commands: hello\n" in listing
    assert "checkengine:checks_time " in listing and "  check types: covered, day_of_month, deadline" in listing


def test_a_plugin_command_cannot_take_a_builtin_name(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _dist(site, "ce-clash", {"clash": "clashing_command"})
    assert main(["--help"]) == 2
    assert capsys.readouterr().err == (
        "checkengine: error: plugin 'ce-clash:clash' registers the command 'lint', which checkengine already "
        "has; rename the plugin's command, or uninstall the plugin\n")


def test_two_plugins_registering_one_check_type_name_both(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(PLUGINS))
    import sample_check_type

    class Again:
        @staticmethod
        def checkengine_register_check_types(register: Any) -> None:
            register(sample_check_type.MaxWords())

    from checkengine import hookimpl

    Again.checkengine_register_check_types = staticmethod(  # type: ignore[method-assign]
        hookimpl(Again.checkengine_register_check_types))
    with pytest.raises(PluginError) as caught:
        registry_with(sample_check_type, Again())
    message = str(caught.value)
    assert message.startswith("two plugins register the check type 'max_words': 'Again' and 'sample_check_type'")
    assert message.endswith("'; uninstall one of them, or set CHECKENGINE_DISABLE_PLUGIN_AUTOLOAD=1 to load "
                            "only checkengine's own plugins")


def test_a_plugin_still_overrides_a_builtin_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(PLUGINS))
    import override_equals

    registry = registry_with(override_equals)
    owner = registry.provided["check type"]["equals"]
    assert owner != "checkengine:checks_observation"
    assert registry.check_types["equals"].summary == "equals, ignoring case (a site plugin's variant)"


def test_help_without_plugins_still_imports_no_builtin_plugin() -> None:
    probe = ("import sys; from checkengine.cli import main; main(['--help']); "
             "print([m for m in sys.modules if m.startswith('checkengine.builtin')])")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
