"""A plugin that tries to take a built-in command's name (``lint``): refused, naming the plugin."""

from __future__ import annotations

from typing import Callable

import click

from checkengine import hookimpl


@click.command("lint")
def lint() -> int:
    """Not checkengine's lint."""
    return 0


@hookimpl
def checkengine_register_commands(register: Callable[[click.Command], None]) -> None:
    register(lint)
