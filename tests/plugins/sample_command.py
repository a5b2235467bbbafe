"""A third-party plugin that adds a subcommand, ``checkengine hello``, as a plugin distribution would."""

from __future__ import annotations

from typing import Callable

import click

from checkengine import hookimpl
from checkengine.errors import UserError


@click.command("hello")
@click.argument("name")
def hello(name: str) -> int:
    """Greet someone (a sample plugin command)."""
    if not name.strip():
        raise UserError("NAME is empty; give a name, e.g. checkengine hello Lin")
    click.echo(f"hello, {name}")
    return 0


@hookimpl
def checkengine_register_commands(register: Callable[[click.Command], None]) -> None:
    register(hello)
