"""The base classes of check types (re-exported by :mod:`checkengine.checks`, where plugins import
them from): :class:`CheckType`, which compiles a rule's check, and what it compiles to, a
record-scope :class:`CompiledCheck` or a group-scope :class:`GroupCheck`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Hashable, Iterable, Literal

if TYPE_CHECKING:
    from checkengine.checks import Compiler, Env, FastVerdict
    from checkengine.result import Result


class CompiledCheck:
    """A record-scope check, compiled for one rule."""

    #: The check judges the auditor's own answer (``manual``). Otherwise an answer in the record
    #: on the rule is set beside the check's verdict (:mod:`checkengine.answers`).
    reads_answers: bool = False

    def run(self, record: Mapping[str, Any], env: Env) -> Result:  # pragma: no cover - interface
        raise TypeError("record-scope checks implement run()")

    def fast_verdict(self) -> FastVerdict | None:
        """Optional (asked once per rule): a function of the record and its :class:`Env` that
        returns the outcome :meth:`run` would return, or None when unsure (then, or when it raises,
        ``run`` decides); the entry is rendered with ``run`` when read (docs/check-types.md,
        :mod:`checkengine.lanes`). None, the default: ``run`` decides every verdict."""
        return None


class GroupCheck:
    """A group-scope check: records are folded into per-group states, then each group is judged.

    States must be picklable and :meth:`merge` must be associative, so that a batch can be split
    across processes (or a cluster) and the partial states combined: the result never depends on
    how the records were chunked.
    """

    kinds: frozenset[str] = frozenset()

    def keys(self, record: Mapping[str, Any], env: Env) -> Iterable[Hashable]:  # pragma: no cover
        raise TypeError("group checks implement keys()")

    def initial(self) -> Any:  # pragma: no cover - interface
        raise TypeError("group checks implement initial()")

    def add(self, state: Any, record: Mapping[str, Any], env: Env) -> Any:  # pragma: no cover
        raise TypeError("group checks implement add()")

    def merge(self, a: Any, b: Any) -> Any:  # pragma: no cover - interface
        raise TypeError("group checks implement merge()")

    def finish(self, key: Hashable, state: Any, env: Env) -> Result:  # pragma: no cover
        raise TypeError("group checks implement finish()")

    def describe_key(self, key: Hashable) -> dict[str, Any]:
        """The group as data for the result (``{"employee": "E003", "period": "2026-11"}``)."""
        return {"key": list(key) if isinstance(key, tuple) else key}

    def group_date(self, key: Hashable) -> date | None:
        """The date whose parameter values apply to the group (the start of its period)."""
        return None


class CheckType:
    """A kind of check. Subclasses set ``name``, ``summary`` and ``options`` and implement compile."""

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    scope: ClassVar[Literal["record", "group"]] = "record"
    #: JSON Schema ``properties`` of the check's options (``type`` is implied).
    options: ClassVar[dict[str, Any]] = {}
    required: ClassVar[tuple[str, ...]] = ()
    #: the auditor answers the check itself on the visit (pass / fail / n.a.), so a failing answer
    #: can be asked for evidence and follow-up questions (the manual check)
    answered_on_visit: ClassVar[bool] = False

    def schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {"type": {"const": self.name}, **self.options},
            "required": ["type", *self.required],
            "additionalProperties": False,
        }

    def compile(self, spec: Mapping[str, Any], compiler: Compiler) -> CompiledCheck | GroupCheck:
        raise TypeError(f"check type {self.name} does not implement compile()")  # pragma: no cover

    def checklist_widget(self, spec: Mapping[str, Any]) -> str | None:
        """How the observation a check *spec* of this type reads is asked on a blank checklist:
        ``bool`` (yes/no), ``number`` or ``text``; None leaves it to the value the check compares
        with (a number: ``number``, else ``text``)."""
        return None

    def checklist_limit(self, spec: Mapping[str, Any], show: Callable[[Any], str]) -> str:
        """The limit a checklist shows beside the observation a check *spec* reads (``≤ 15
        minutes``); *show* turns an option's value (or ``{param: NAME}``) into text. Empty: none."""
        return ""


__all__ = ["CheckType", "CompiledCheck", "GroupCheck"]
