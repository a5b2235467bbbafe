"""The ``checkengine`` command: a thin click layer over one module per subcommand.

Subcommands are imported only when they run, so ``checkengine --help`` stays fast (WeasyPrint,
pyHanko and friends are never imported for it). Each module in ``checkengine.commands`` exposes a
click command named ``command``; a user's mistake is a :class:`UserError` (exit 2, no traceback).
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

# name -> (module, one-line help). The help is here so that --help needs no imports.
COMMANDS: dict[str, tuple[str, str]] = {
    "lint": ("checkengine.commands.lint", "Check rulebooks, waivers and rulebook tests for mistakes."),
    "explain": ("checkengine.commands.explain", "Print a rulebook as merged (after extends), as of a date."),
    "evaluate": ("checkengine.commands.evaluate", "Evaluate inspection records against a rulebook."),
    "test": ("checkengine.commands.test", "Run rulebook unit tests (expected outcomes per rule)."),
    "plugins": ("checkengine.commands.plugins", "List installed plugins, their versions and what each registers."),
    "audit": ("checkengine.commands.audit", "Evaluate a record and write its audit form (PDF/A-3b), signed as the inspector."),
    "sign": ("checkengine.commands.sign", "Sign a form in an empty signature field (e.g. the manager's countersignature)."),
    "verify": ("checkengine.commands.verify", "Verify a form's signatures and re-evaluate its embedded record."),
    "keys": ("checkengine.commands.keys", "Make a self-signed test key and certificate (not for production)."),
    "form": ("checkengine.commands.form", "Make a blank fillable checklist, or read a filled one back as a record."),
    "batch": ("checkengine.commands.batch", "Evaluate many records in parallel (local processes or Dask), streamed in input order."),
    "archive": ("checkengine.commands.archive", "Archive records with their results (append-only SQLite or PostgreSQL), and query them."),
    "diff": ("checkengine.commands.diff", "Compare two rulebooks; with --replay, list past outcomes that would change."),
    "report": ("checkengine.commands.report", "Write a site's monthly or weekly report (PDF and HTML) from the archive."),
    "affected": ("checkengine.commands.affected", "List the rulebooks a change affects (by content, following extends)."),
    "bundle": ("checkengine.commands.bundle", "Pack a rulebook with its overlays, sources and tests into one signed archive, or verify one."),
    "fmt": ("checkengine.commands.fmt", "Format rulebooks, sources, waivers and tests (schema key order, comments kept)."),
    "oscal": ("checkengine.commands.oscal", "Export rulebooks as OSCAL catalogs and overlay profiles."),
    "schema": ("checkengine.commands.schema", "Print or write the JSON Schemas (offline: relative references)."),
    "actions": ("checkengine.commands.actions", "Corrective actions from failed outcomes: list, show, update, open, e-mail digests."),
    "schedule": ("checkengine.commands.schedule", "What is due, done, overdue and missed in a period; excuse or reschedule."),
    "serve": ("checkengine.commands.serve", "Serve the auditor's workspace: checklists on a tablet, evaluated and archived on submit."),
}

DEBUG_ENV = "CHECKENGINE_DEBUG"


def _debug_wanted(argv: list[str]) -> bool:
    return "--debug" in argv or os.environ.get(DEBUG_ENV, "") not in ("", "0")


class LazyGroup(click.Group):
    """Built-in subcommands imported when they run; plugins' subcommands found when asked for."""

    _plugin_commands: dict[str, tuple[click.Command, str]] | None = None

    def plugin_commands(self) -> dict[str, tuple[click.Command, str]]:
        if self._plugin_commands is None:
            from checkengine.plugins import plugin_commands

            self._plugin_commands = plugin_commands(set(COMMANDS))
        return self._plugin_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*COMMANDS, *self.plugin_commands()])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            found = self.plugin_commands().get(name)
            return found[0] if found else None
        module = importlib.import_module(COMMANDS[name][0])
        cmd: click.Command = module.command
        return cmd

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        def summary(name: str) -> str:
            if name in COMMANDS:
                return COMMANDS[name][1]
            command, plugin = self.plugin_commands()[name]
            return f"{command.get_short_help_str(limit=80)} (plugin {plugin})"

        rows = [(name, summary(name)) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="checkengine")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """checkengine: service standards as code.

    Exit codes: 0 all good, 1 findings (failed rules, lint findings, invalid signatures),
    2 unusable input or usage, 3 internal error or a failure of the environment, 130 interrupted.
    Set CHECKENGINE_DEBUG=1 (or give --debug) to see tracebacks.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug or _debug_wanted([])


#: ``ctx.obj`` key: the process ends when the command returns (the console script, not a test
#: or an embedding program calling :func:`main`), so a command may leave what it built to the
#: end of the process (``lint`` skips the garbage collections that would only walk it again).
PROCESS_ENDS = "process_ends"


def main(argv: list[str] | None = None, *, process_ends: bool = False) -> int:
    """Entry point: run the command and turn every error into its exit code (``ExitCode``)."""
    from checkengine.errors import CheckengineError, ExitCode, UserError

    args = list(argv if argv is not None else sys.argv[1:])
    debug = _debug_wanted(args)
    from checkengine.inputs import forget_inputs
    from checkengine.output import forget_outputs

    forget_inputs()  # what one run read and wrote; a process may run several (tests do)
    forget_outputs()
    cli._plugin_commands = None  # found afresh per run (tests call main() many times)
    try:
        result: Any = cli.main(args=args, prog_name="checkengine", standalone_mode=False,
                               obj={PROCESS_ENDS: process_ends})
    except CheckengineError as exc:
        if debug and not isinstance(exc, UserError):
            raise
        click.echo(f"checkengine: {exc.label}: {exc}", err=True)
        return int(exc.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("checkengine: interrupted", err=True)
        return int(ExitCode.INTERRUPTED)
    except click.ClickException as exc:
        exc.show()
        return int(ExitCode.USAGE)
    except BrokenPipeError:
        return int(ExitCode.OK)
    except Exception:
        if debug:
            raise
        import traceback

        click.echo(
            "checkengine: internal error (a bug; please report it with the output of --debug or "
            f"{DEBUG_ENV}=1):\n" + traceback.format_exc().strip().splitlines()[-1],
            err=True,
        )
        return int(ExitCode.INTERNAL)
    return int(result or 0)


def entry() -> None:  # pragma: no cover - console script shim
    code = main(process_ends=True)
    if code == 130:
        # Interrupted: the output and the message are out. A worker pool whose workers were
        # stopped can hold the interpreter's exit for ever (its threads wait on dead pipes):
        # give the normal exit two seconds, then leave regardless.
        import threading

        sys.stdout.flush()
        sys.stderr.flush()
        # The documented message is out; what the interpreter's teardown may still print about
        # worker pipes closed under it ("Bad file descriptor", a semaphore report) is noise for
        # the user, so stderr goes quiet from here on.
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 2)
        deadline = threading.Timer(2.0, os._exit, args=(130,))
        deadline.daemon = True
        deadline.start()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    entry()
