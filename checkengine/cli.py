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
    "plugins": ("checkengine.commands.plugins", "List installed plugins, check types, loaders and reporters."),
    "audit": ("checkengine.commands.audit", "Evaluate a record and write its audit form (PDF/A-3b), signed as the inspector."),
    "sign": ("checkengine.commands.sign", "Sign a form in an empty signature field (e.g. the manager's countersignature)."),
    "verify": ("checkengine.commands.verify", "Verify a form's signatures and re-evaluate its embedded record."),
    "keys": ("checkengine.commands.keys", "Make a self-signed test key and certificate (not for production)."),
    "form": ("checkengine.commands.form", "Make a blank fillable checklist, or read a filled one back as a record."),
    "batch": ("checkengine.commands.batch", "Evaluate many records in parallel (local processes or Dask), streamed in input order."),
    "archive": ("checkengine.commands.archive", "Archive records with their results (append-only SQLite), and query them."),
    "diff": ("checkengine.commands.diff", "Compare two rulebooks; with --replay, list past outcomes that would change."),
    "report": ("checkengine.commands.report", "Write a site's monthly or weekly report (PDF and HTML) from the archive."),
}

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module = importlib.import_module(COMMANDS[name][0])
        cmd: click.Command = module.command
        return cmd

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="checkengine")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """checkengine: service standards as code.

    Exit codes: 0 all good, 1 findings (failed rules, lint findings, invalid signatures),
    2 unusable input or usage, 3 internal error.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug or bool(os.environ.get("CHECKENGINE_DEBUG"))


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the command and turn every error into its exit code."""
    from checkengine.errors import UserError
    from checkengine.inputs import forget_inputs
    from checkengine.output import forget_outputs

    forget_inputs()  # what one run read and wrote; a process may run several (tests do)
    forget_outputs()
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        result: Any = cli.main(args=argv, prog_name="checkengine", standalone_mode=False)
    except UserError as exc:
        click.echo(f"checkengine: error: {exc}", err=True)
        return EXIT_USAGE
    except click.exceptions.Abort:
        click.echo("checkengine: interrupted", err=True)
        return 130
    except click.UsageError as exc:
        exc.show()
        return EXIT_USAGE
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE
    except KeyboardInterrupt:
        click.echo("checkengine: interrupted", err=True)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception:
        if debug:
            raise
        import traceback

        click.echo(
            "checkengine: internal error (a bug; please report it with the output of --debug):\n"
            + traceback.format_exc().strip().splitlines()[-1],
            err=True,
        )
        return EXIT_INTERNAL
    return int(result or 0)


def entry() -> None:  # pragma: no cover - console script shim
    code = main()
    if code == 130:
        # Interrupted: the output and the message are out. A worker pool whose workers were
        # stopped can hold the interpreter's exit for ever (its threads wait on dead pipes):
        # give the normal exit two seconds, then leave regardless.
        import threading

        sys.stdout.flush()
        sys.stderr.flush()
        deadline = threading.Timer(2.0, os._exit, args=(130,))
        deadline.daemon = True
        deadline.start()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    entry()
