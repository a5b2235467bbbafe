"""Every hook checkengine calls, in one place.

Built-in behaviour is implemented by plugins registered exactly as third-party plugins are (the
``checkengine`` entry-point group), so every hook below has at least one built-in implementation.
Hook names share the ``checkengine_`` prefix so that a helper in a plugin is never taken for a hook.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import pluggy

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

hookspec = pluggy.HookspecMarker("checkengine")
hookimpl = pluggy.HookimplMarker("checkengine")


@hookspec
def checkengine_register_check_types(register: Callable[["CheckType"], None]) -> None:
    """Register check types that rules can name in ``check.type``.

    :param register: call it once per :class:`checkengine.checks.CheckType` instance. A name
        registered by two plugins is an error naming both, unless one of them is a built-in
        default (registered ``trylast``), which the plugin overrides.
    :return: nothing; every implementation is called.
    """


@hookspec
def checkengine_register_loaders(register: Callable[["RecordLoader"], None]) -> None:
    """Register record loaders, each for one or more file suffixes (``.yaml``, ``.csv`` ...).

    :param register: call it once per :class:`checkengine.loading.RecordLoader`.
    :return: nothing; every implementation is called. A suffix registered by two plugins is an
        error naming both, unless one of them is a built-in default (``trylast``), which the
        plugin overrides.
    """


@hookspec
def checkengine_register_reporters(register: Callable[["Reporter"], None]) -> None:
    """Register reporters that turn an evaluation result into output (``--format NAME`` of
    ``evaluate``, ``batch`` and ``archive query``; ``Reporter.render_runs`` renders several runs).

    Deprecated: write a sink (``checkengine_register_sinks``), which streams. A reporter still
    works everywhere an evaluation sink does: it is adapted into one that collects the run.

    :param register: call it once per :class:`checkengine.reporting.Reporter`.
    :return: nothing; every implementation is called. A name registered by two plugins is an
        error naming both, unless one of them is a built-in default (``trylast``), which the
        plugin overrides.
    """


@hookspec
def checkengine_register_scorers(register: Callable[["Scorer"], None]) -> None:
    """Register scoring methods that a rulebook names in ``scoring.method``.

    :param register: call it once per :class:`checkengine.scoring.Scorer`.
    :return: nothing; every implementation is called. A name registered by two plugins is an
        error naming both, unless one of them is a built-in default (``trylast``), which the
        plugin overrides.
    """


@hookspec
def checkengine_cel_functions() -> dict[str, Callable[..., Any]] | None:
    """Extra functions for the condition language (CEL), by name.

    Functions must be pure: they see only their arguments.

    :return: a mapping of function name to a Python callable, or None. All results are merged;
        a name defined by two plugins is an error naming both (a built-in default, ``trylast``,
        is overridden instead).
    """


@hookspec
def checkengine_prepare_record(record: dict[str, Any]) -> None:
    """Adjust a validated record in place before it is evaluated (add derived fields, say).

    :param record: the record as a plain mapping, after validation.
    :return: nothing; every implementation is called, plugins before built-ins.
    """


@hookspec
def checkengine_form_context(context: dict[str, Any], result: dict[str, Any]) -> None:
    """Add to or change the template context of a rendered form before it is rendered.

    :param context: the jinja2 context, changed in place.
    :param result: the evaluation result of the record on the form (``result.schema.json``).
    :return: nothing; every implementation is called.
    """


@hookspec
def checkengine_register_commands(register: Callable[["click.Command"], None]) -> None:
    """Add subcommands to the ``checkengine`` command line (as datasette's ``register_commands``).

    :param register: call it once per ``click.Command``; the command's ``name`` is the subcommand.
        A command returns an ``int`` exit code (0 good, 1 findings, 2 unusable input) and raises
        :class:`checkengine.errors.UserError` for a user's mistake, as the built-in commands do.
    :return: nothing; every implementation is called. A name that checkengine or another plugin
        already has is an error naming both.
    """


@hookspec
def checkengine_register_record_kinds(register: Callable[["RecordKind"], None]) -> None:
    """Register record kinds (``kind: NAME`` of a record), each with the JSON Schema of its ``data``.

    The record schema is composed from the envelope (``record.schema.json``) and every registered
    kind, so a plugin adds a kind without editing a schema file; ``checkengine schema --print record``
    prints the composed schema.

    :param register: call it once per :class:`checkengine.kinds.RecordKind`. A name registered by
        two plugins is an error naming both, unless one of them is a built-in default (``trylast``),
        which the plugin overrides.
    :return: nothing; every implementation is called.
    """


@hookspec
def checkengine_register_report_sections(register: Callable[["ReportSection"], None]) -> None:
    """Register the aggregate sections of the monthly report (``checkengine report``), each fed by
    the group rules that carry the section's tag.

    :param register: call it once per :class:`checkengine.report.sections.ReportSection`. A name
        registered by two plugins is an error naming both (a ``trylast`` default is overridden).
    :return: nothing; every implementation is called.
    """


# -- the three ports of the pipeline: where records come from, where they run, where results go ----

@hookspec
def checkengine_register_sources(register: Callable[["Source"], None]) -> None:
    """Register record sources, each for one or more URI schemes (``postgresql``, ``memo`` ...).

    An input address ``scheme://...`` is read by the source of its scheme; ``-`` by the ``stdin``
    source; any other address is a file or folder, read by the ``file`` source through the loaders.

    :param register: call it once per :class:`checkengine.sources.Source`.
    :return: nothing; every implementation is called. A scheme registered by two plugins is an
        error naming both, unless one of them is a built-in default (``trylast``), which the
        plugin overrides.
    """


@hookspec
def checkengine_register_executors(register: Callable[["ExecutorType"], None]) -> None:
    """Register executors, where the chunks of a run are evaluated (``--executor NAME``).

    :param register: call it once per :class:`checkengine.batch.executors.ExecutorType`
        (built in: ``inline``, ``local``, ``dask``; a plugin may add Spark or Ray).
    :return: nothing; every implementation is called. A name registered by two plugins is an
        error naming both, unless one of them is a built-in default (``trylast``), which the
        plugin overrides.
    """


@hookspec
def checkengine_register_sinks(register: Callable[["Sink"], None]) -> None:
    """Register sinks, the output formats (``--format NAME``) of every command, by the kinds of
    result each writes (``Sink.kinds``: ``evaluation`` for evaluate, batch and archive query;
    ``lint``, ``tests``, ``diff``, ``outcomes`` for lint, test, diff and archive query's listing).

    Evaluation sinks stream (header, record, error, groups, close); the others write one document.
    This replaces ``checkengine_register_reporters``, whose reporters still work as evaluation
    sinks that collect the run (deprecated; write a sink).

    :param register: call it once per :class:`checkengine.sinks.Sink`.
    :return: nothing; every implementation is called. A name registered for one kind by two
        plugins is an error naming both, unless one of them is a built-in default (``trylast``),
        which the plugin overrides.
    """


@hookspec
def checkengine_register_store_backends(register: Callable[["StoreBackend"], None]) -> None:
    """Register store backends for the archive (``--db``), each for one or more URL schemes.

    A ``--db`` of the form ``scheme://...`` is opened by the backend of its scheme; any other value
    is a file path, opened by the backend of the ``file`` scheme (SQLite, built in).

    :param register: call it once per :class:`checkengine.archive.backends.StoreBackend`.
    :return: nothing; every implementation is called. A scheme registered by two plugins is an
        error naming both, unless one of them is a built-in default (``trylast``), which the
        plugin overrides.
    """
