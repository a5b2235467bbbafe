"""``checkengine plugins``: each installed plugin, its version, and what it registers."""

from __future__ import annotations

import click

_KINDS = ("check type", "loader", "reporter", "scorer", "condition function", "record kind", "report section",
          "source", "executor", "sink", "store backend", "command")


@click.command("plugins")
def command() -> int:
    """List each plugin with its version and what it registers (check types, loaders, reporters,
    scoring methods, condition functions, sources, executors, sinks, store backends, commands)."""
    from checkengine.cli import COMMANDS
    from checkengine.plugins import default_registry, plugin_commands, plugin_version

    reg = default_registry()
    commands = plugin_commands(set(COMMANDS))
    for name in reg.plugin_names:
        provided = reg.provided_by(name)
        mine = sorted(cmd for cmd, (_, owner) in commands.items() if owner == name)
        if mine:
            provided["command"] = mine
        version = plugin_version(name)
        click.echo(name + (f" {version}" if version else ""))
        if not provided:
            click.echo("  (registers nothing; implements other hooks)")
        for kind in _KINDS:
            if kind in provided:
                label = kind + ("es" if kind.endswith("h") else "s")
                click.echo(f"  {label}: " + ", ".join(provided[kind]))
    click.echo("check types:")
    for type_name, ct in sorted(reg.check_types.items()):
        click.echo(f"  {type_name:<22} {ct.summary}")
    return 0
