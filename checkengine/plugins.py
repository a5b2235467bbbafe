"""The plugin manager: built-ins and third-party plugins, all through the ``checkengine`` entry points."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from types import ModuleType
from typing import TYPE_CHECKING, Any, Callable

import pluggy

from checkengine import hookspecs
from checkengine.errors import PluginError

if TYPE_CHECKING:
    from checkengine.checks import CheckType
    from checkengine.loading import RecordLoader
    from checkengine.reporting import Reporter
    from checkengine.scoring import Scorer

GROUP = "checkengine"
DISABLE_AUTOLOAD = "CHECKENGINE_DISABLE_PLUGIN_AUTOLOAD"
OWN_DISTRIBUTION = "checkengine"


@dataclass
class Registry:
    """What the installed plugins provide, collected once per plugin manager."""

    pm: pluggy.PluginManager
    check_types: dict[str, "CheckType"] = field(default_factory=dict)
    loaders: dict[str, "RecordLoader"] = field(default_factory=dict)
    reporters: dict[str, "Reporter"] = field(default_factory=dict)
    scorers: dict[str, "Scorer"] = field(default_factory=dict)
    cel_functions: dict[str, Callable[..., Any]] = field(default_factory=dict)
    plugin_names: list[str] = field(default_factory=list)

    @property
    def hook(self) -> Any:
        return self.pm.hook


def _load_entry_points(pm: pluggy.PluginManager) -> list[str]:
    only_own = os.environ.get(DISABLE_AUTOLOAD, "") not in ("", "0")
    names = []
    for ep in sorted(metadata.entry_points(group=GROUP), key=lambda e: e.name):
        dist = ep.dist.name if ep.dist is not None else "?"
        if only_own and dist != OWN_DISTRIBUTION:
            continue
        try:
            plugin = ep.load()
        except Exception as exc:  # any import failure is the plugin's, and must name it
            raise PluginError(
                f"plugin '{ep.name}' from the distribution '{dist}' failed to import "
                f"({type(exc).__name__}: {exc}); fix or uninstall it, or set "
                f"{DISABLE_AUTOLOAD}=1 to load only checkengine's own plugins"
            ) from None
        if pm.is_registered(plugin):
            continue
        pm.register(plugin, name=f"{dist}:{ep.name}")
        names.append(f"{dist}:{ep.name}")
    return names


def new_plugin_manager(extra: list[ModuleType | object] | None = None) -> pluggy.PluginManager:
    """A plugin manager with every entry-point plugin, plus *extra* plugin objects (for tests)."""
    pm = pluggy.PluginManager(GROUP)
    pm.add_hookspecs(hookspecs)
    _load_entry_points(pm)
    for plugin in extra or []:
        pm.register(plugin)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"a plugin implements a hook that does not exist: {exc}") from None
    return pm


def build_registry(pm: pluggy.PluginManager) -> Registry:
    reg = Registry(pm)
    reg.plugin_names = [name for name, _ in pm.list_name_plugin()]

    def first_wins(table: dict[str, Any], what: str) -> Callable[[Any], None]:
        def register(obj: Any) -> None:
            name = getattr(obj, "name", None)
            if not isinstance(name, str) or not name:
                raise PluginError(f"a plugin registered a {what} without a name: {obj!r}")
            table.setdefault(name, obj)

        return register

    pm.hook.checkengine_register_check_types(register=first_wins(reg.check_types, "check type"))
    pm.hook.checkengine_register_reporters(register=first_wins(reg.reporters, "reporter"))
    pm.hook.checkengine_register_scorers(register=first_wins(reg.scorers, "scorer"))

    def register_loader(loader: "RecordLoader") -> None:
        for suffix in loader.suffixes:
            reg.loaders.setdefault(suffix, loader)

    pm.hook.checkengine_register_loaders(register=register_loader)
    for table in pm.hook.checkengine_cel_functions():
        for name, fn in (table or {}).items():
            if name in reg.cel_functions and reg.cel_functions[name] is not fn:
                raise PluginError(f"two plugins define the condition function '{name}'")
            reg.cel_functions[name] = fn
    return reg


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    """The registry of the installed plugins (cached for the process)."""
    return build_registry(new_plugin_manager())


def registry_with(*plugins: object) -> Registry:
    """A fresh registry with extra plugin objects registered (used by tests and embedding apps)."""
    return build_registry(new_plugin_manager(list(plugins)))
