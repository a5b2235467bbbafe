"""``checkengine plugins``: what the installed plugins provide."""

from __future__ import annotations

import click


@click.command("plugins")
def command() -> int:
    """List plugins, check types, loaders, reporters, scorers and condition functions."""
    from checkengine.plugins import default_registry

    reg = default_registry()
    click.echo("plugins:")
    for name in reg.plugin_names:
        click.echo(f"  {name}")
    click.echo("check types:")
    for name, ct in sorted(reg.check_types.items()):
        click.echo(f"  {name:<22} {ct.summary}")
    click.echo("loaders: " + ", ".join(sorted(reg.loaders)))
    click.echo("reporters: " + ", ".join(sorted(reg.reporters)))
    click.echo("scoring methods: " + ", ".join(sorted(reg.scorers)))
    click.echo("condition functions: " + ", ".join(sorted(reg.cel_functions)))
    return 0
