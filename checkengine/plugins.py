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
    import click

    from checkengine.archive.backends import StoreBackend
    from checkengine.batch.executors import ExecutorType
    from checkengine.checks import CheckType
    from checkengine.kinds import RecordKind
    from checkengine.loading import RecordLoader
    from checkengine.report.sections import ReportSection
    from checkengine.reporting import Reporter
    from checkengine.scoring import Scorer
    from checkengine.sinks import Sink
    from checkengine.sources import Source

GROUP = "checkengine"
DISABLE_AUTOLOAD = "CHECKENGINE_DISABLE_PLUGIN_AUTOLOAD"
OWN_DISTRIBUTION = "checkengine"
_MARKER = f"{GROUP}_impl"  # the attribute pluggy's HookimplMarker sets on a hook implementation


@dataclass
class Registry:
    """What the installed plugins provide, collected once per plugin manager.

    ``provided`` says which plugin registered each name, per kind ("check type", "reporter" ...),
    so that ``checkengine plugins`` can list what each plugin brings and a clash can name both.
    """

    pm: pluggy.PluginManager
    check_types: dict[str, "CheckType"] = field(default_factory=dict)
    loaders: dict[str, "RecordLoader"] = field(default_factory=dict)
    reporters: dict[str, "Reporter"] = field(default_factory=dict)
    scorers: dict[str, "Scorer"] = field(default_factory=dict)
    cel_functions: dict[str, Callable[..., Any]] = field(default_factory=dict)
    record_kinds: dict[str, "RecordKind"] = field(default_factory=dict)
    report_sections: dict[str, "ReportSection"] = field(default_factory=dict)
    #: what is built once from the tables above (the record schema of these record kinds), by name
    built: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    sources: dict[str, "Source"] = field(default_factory=dict)
    """By URI scheme (``file``, ``-`` for standard input, ``postgresql`` ...)."""
    executors: dict[str, "ExecutorType"] = field(default_factory=dict)
    sinks: dict[str, dict[str, "Sink"]] = field(default_factory=dict)
    """By kind of result (``evaluation``, ``lint`` ...), then by name."""
    stores: dict[str, "StoreBackend"] = field(default_factory=dict)
    """Store backends by URL scheme; ``file`` is the backend of plain paths (SQLite)."""
    plugin_names: list[str] = field(default_factory=list)
    provided: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def hook(self) -> Any:
        return self.pm.hook

    def provided_by(self, plugin: str) -> dict[str, list[str]]:
        """What *plugin* registered: kind -> sorted names (kinds it registered nothing of are left out)."""
        found: dict[str, list[str]] = {}
        for kind, names in self.provided.items():
            mine = sorted(name for name, owner in names.items() if owner == plugin)
            if mine:
                found[kind] = mine
        return found


def plugin_version(plugin_name: str) -> str | None:
    """The version of the distribution behind an entry-point plugin named ``dist:entry``."""
    dist, sep, _ = plugin_name.partition(":")
    if not sep:
        return None
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _load_entry_points(pm: pluggy.PluginManager, *, third_party_only: bool = False) -> list[str]:
    only_own = os.environ.get(DISABLE_AUTOLOAD, "") not in ("", "0")
    names = []
    for ep in sorted(metadata.entry_points(group=GROUP), key=lambda e: e.name):
        dist = ep.dist.name if ep.dist is not None else "?"
        if only_own and dist != OWN_DISTRIBUTION:
            continue
        if third_party_only and dist == OWN_DISTRIBUTION:
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


def _checked(pm: pluggy.PluginManager) -> pluggy.PluginManager:
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"a plugin implements a hook that does not exist: {exc}") from None
    return pm


class _PluginManager(pluggy.PluginManager):
    """pluggy's manager, quicker to register a plugin module: pluggy inspects every name of the
    module (``inspect.getattr_static``, a good part of every command's start-up with the built-in
    plugins' imports and helpers); here a module's name is inspected only when its value carries
    the hook marker, so the plugins found, and the errors for a marked function that is no hook,
    are the same."""

    def parse_hookimpl_opts(self, plugin: Any, name: str) -> Any:
        if isinstance(plugin, ModuleType) and not hasattr(vars(plugin).get(name), _MARKER):
            return None
        return super().parse_hookimpl_opts(plugin, name)


def _manager() -> pluggy.PluginManager:
    pm = _PluginManager(GROUP)
    pm.add_hookspecs(hookspecs)
    return pm


def new_plugin_manager(extra: list[ModuleType | object] | None = None) -> pluggy.PluginManager:
    """A plugin manager with every entry-point plugin, plus *extra* plugin objects (for tests)."""
    pm = _manager()
    _load_entry_points(pm)
    _register_extra(pm, extra)
    return _checked(pm)


def _register_extra(pm: pluggy.PluginManager, extra: list[ModuleType | object] | None) -> None:
    """Plugin objects given in code, named after their module or class so messages can name them."""
    for plugin in extra or []:
        name = getattr(plugin, "__name__", None) or type(plugin).__name__
        pm.register(plugin, name=None if pm.has_plugin(name) else name)


class _Table:
    """One registry table that knows who registered each name and refuses a clash.

    A plugin may override a built-in default (registered ``trylast``); two plugins of the same
    standing registering one name is an error naming both, never a silent "last one wins".
    """

    def __init__(self, reg: Registry, kind: str, table: dict[str, Any]) -> None:
        self.kind, self.table = kind, table
        self.owners = reg.provided.setdefault(kind, {})
        self.default: dict[str, bool] = {}

    def add(self, name: str, obj: Any, owner: str, is_default: bool) -> None:
        if name not in self.table:
            self.table[name], self.owners[name], self.default[name] = obj, owner, is_default
            return
        if self.table[name] is obj:
            return
        if is_default and not self.default[name]:
            return  # the plugin registered before it overrides this built-in default
        raise PluginError(
            f"two plugins register the {self.kind} '{name}': '{self.owners[name]}' and '{owner}'; "
            f"uninstall one of them, or set {DISABLE_AUTOLOAD}=1 to load only checkengine's own plugins"
        )


def _each_impl(hook: Any, call: Callable[[Any, str, bool], None]) -> None:
    """Call *call(function, plugin_name, is_default)* per implementation, in pluggy's call order."""
    for impl in reversed(hook.get_hookimpls()):
        call(impl.function, impl.plugin_name, bool(impl.trylast))


def _named(obj: Any, what: str) -> str:
    name = getattr(obj, "name", None)
    if not isinstance(name, str) or not name:
        raise PluginError(f"a plugin registered a {what} without a name: {obj!r}")
    return name


def build_registry(pm: pluggy.PluginManager) -> Registry:
    reg = Registry(pm)
    reg.plugin_names = [name for name, _ in pm.list_name_plugin()]

    def by_name(hook: Any, kind: str, table: dict[str, Any]) -> None:
        tab = _Table(reg, kind, table)
        _each_impl(hook, lambda fn, owner, default: fn(
            register=lambda obj: tab.add(_named(obj, kind), obj, owner, default)))

    by_name(pm.hook.checkengine_register_check_types, "check type", reg.check_types)
    by_name(pm.hook.checkengine_register_reporters, "reporter", reg.reporters)
    by_name(pm.hook.checkengine_register_scorers, "scorer", reg.scorers)
    by_name(pm.hook.checkengine_register_record_kinds, "record kind", reg.record_kinds)
    by_name(pm.hook.checkengine_register_report_sections, "report section", reg.report_sections)

    loaders = _Table(reg, "loader", reg.loaders)

    def register_loaders(fn: Any, owner: str, default: bool) -> None:
        def register(loader: "RecordLoader") -> None:
            for suffix in loader.suffixes:
                loaders.add(suffix, loader, owner, default)

        fn(register=register)

    _each_impl(pm.hook.checkengine_register_loaders, register_loaders)

    functions = _Table(reg, "condition function", reg.cel_functions)

    def add_functions(fn: Any, owner: str, default: bool) -> None:
        for name, function in (fn() or {}).items():
            functions.add(name, function, owner, default)

    _each_impl(pm.hook.checkengine_cel_functions, add_functions)
    by_name(pm.hook.checkengine_register_executors, "executor", reg.executors)
    sources = _Table(reg, "source", reg.sources)

    def register_sources(fn: Any, owner: str, default: bool) -> None:
        def register(source: "Source") -> None:
            for scheme in source.schemes:
                sources.add(scheme, source, owner, default)

        fn(register=register)

    _each_impl(pm.hook.checkengine_register_sources, register_sources)
    stores = _Table(reg, "store backend", reg.stores)

    def register_stores(fn: Any, owner: str, default: bool) -> None:
        def register(backend: "StoreBackend") -> None:
            for scheme in backend.schemes:
                stores.add(scheme, backend, owner, default)

        fn(register=register)

    _each_impl(pm.hook.checkengine_register_store_backends, register_stores)
    _sinks(reg)
    return reg


def _sinks(reg: Registry) -> None:
    """Sinks by kind and name; each reporter of the deprecated hook becomes a collecting
    evaluation sink, unless a sink has its name (a plugin's reporter still overrides a built-in)."""
    from checkengine.sinks import EVALUATION, ReporterSink

    tables: dict[str, _Table] = {}

    def table(kind: str) -> _Table:
        if kind not in tables:
            tables[kind] = _Table(reg, "sink", reg.sinks.setdefault(kind, {}))
        return tables[kind]

    def add(sink: "Sink", owner: str, default: bool) -> None:
        name = _named(sink, "sink")
        for kind in sink.kinds:
            table(kind).add(name, sink, owner, default)

    _each_impl(reg.pm.hook.checkengine_register_sinks, lambda fn, owner, default: fn(
        register=lambda sink: add(sink, owner, default)))
    evaluation = table(EVALUATION)
    for name, reporter in reg.reporters.items():
        owner = reg.provided["reporter"][name]
        if name in evaluation.table and not evaluation.default[name] and not _is_default(reg, owner):
            raise PluginError(
                f"two plugins register the format '{name}': '{evaluation.owners[name]}' (a sink) and "
                f"'{owner}' (a reporter); uninstall one of them, or set {DISABLE_AUTOLOAD}=1 to load "
                "only checkengine's own plugins"
            )
        if name in evaluation.table and (not evaluation.default[name] or _is_default(reg, owner)):
            continue
        evaluation.table[name] = ReporterSink(reporter)
        evaluation.owners.setdefault(name, owner)
        evaluation.default[name] = _is_default(reg, owner)


def _is_default(reg: Registry, owner: str) -> bool:
    """Whether *owner* is one of checkengine's own plugins (whose registrations are defaults)."""
    return owner.startswith(f"{OWN_DISTRIBUTION}:")


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    """The registry of the installed plugins (cached for the process)."""
    return build_registry(new_plugin_manager())


def registry_with(*plugins: object) -> Registry:
    """A fresh registry with extra plugin objects registered (used by tests and embedding apps)."""
    return build_registry(new_plugin_manager(list(plugins)))


def plugin_commands(builtin: set[str], extra: list[object] | None = None) -> dict[str, tuple["click.Command", str]]:
    """Subcommands that plugins add through ``checkengine_register_commands``: name -> (command, plugin).

    Only third-party plugins are loaded (checkengine's own commands are listed by the CLI, so that
    ``checkengine --help`` imports no built-in plugin). A name that a built-in command or another
    plugin already has is an error naming both.
    """
    pm = _manager()
    _load_entry_points(pm, third_party_only=True)
    _register_extra(pm, extra)
    _checked(pm)
    found: dict[str, tuple[click.Command, str]] = {}

    def collect(fn: Any, owner: str, default: bool) -> None:
        def register(command: "click.Command") -> None:
            name = command.name
            if not name:
                raise PluginError(f"plugin '{owner}' registered a command without a name")
            if name in builtin:
                raise PluginError(
                    f"plugin '{owner}' registers the command '{name}', which checkengine already has; "
                    f"rename the plugin's command, or uninstall the plugin")
            if name in found:
                raise PluginError(
                    f"two plugins register the command '{name}': '{found[name][1]}' and '{owner}'; "
                    "uninstall one of them")
            found[name] = (command, owner)

        fn(register=register)

    _each_impl(pm.hook.checkengine_register_commands, collect)
    return found
