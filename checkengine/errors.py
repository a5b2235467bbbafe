"""Errors that reach the user, each with the place it comes from.

A ``UserError`` is a mistake in the user's input: the CLI prints its message and exits with 2,
never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where something is: a file, a 1-based line and column, and a field path inside it."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: str | None = None

    def prefix(self) -> str:
        """``file:line:col: path: `` as compilers print it; parts that are unknown are left out."""
        parts = []
        if self.file is not None:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            parts.append(where)
        if self.path:
            parts.append(self.path)
        return "".join(p + ": " for p in parts)


class UserError(Exception):
    """Unusable input: a message that says where, what is wrong, and how to fix it. Exit code 2."""

    exit_code = 2

    def __init__(self, message: str, location: Location | None = None) -> None:
        self.location = location or Location()
        self.bare_message = message
        super().__init__(self.location.prefix() + message)


class PluginError(UserError):
    """A plugin failed to load or misbehaved; the message names the plugin."""
