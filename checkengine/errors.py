"""Errors that reach the user, each with the place it comes from, and the exit codes they map to.

Every error checkengine raises on purpose derives from :class:`CheckengineError`, whose
``exit_code`` is the one place an error kind is mapped to an exit code. A ``UserError`` is a mistake
in the user's input: the CLI prints its message and exits with 2, never a traceback. An
``EnvironmentFailure`` is the machine's (a worker killed, a cluster gone): exit 3, but not a bug.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    """The exit codes of every command: a contract that scripts and CI rely on."""

    OK = 0
    FINDINGS = 1  # failed rules, lint findings, invalid signatures
    USAGE = 2  # unusable input or usage
    INTERNAL = 3  # a bug, or a failure of the environment the command ran in
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT), with what was done so far kept


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


class CheckengineError(Exception):
    """The base of every error checkengine reports to its user; ``exit_code`` says how it ends."""

    exit_code: ExitCode = ExitCode.INTERNAL
    #: the words before the message on stderr
    label = "error"


class EnvironmentFailure(CheckengineError):
    """The machine failed under the command (a worker process killed, out of memory, a lost
    cluster): not the input's fault and not a bug in checkengine. Exit code 3."""

    exit_code = ExitCode.INTERNAL
    label = "environment failure"


class UserError(CheckengineError):
    """Unusable input: a message that says where, what is wrong, and how to fix it. Exit code 2."""

    exit_code = ExitCode.USAGE

    def __init__(self, message: str, location: Location | None = None) -> None:
        self.location = location or Location()
        self.bare_message = message
        super().__init__(self.location.prefix() + message)


class PluginError(UserError):
    """A plugin failed to load or misbehaved; the message names the plugin."""
