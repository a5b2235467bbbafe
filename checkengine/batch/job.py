"""What a worker does with each record, and how it is rebuilt in another process.

A *job* is a small picklable description (the rulebook, language, date, waivers, extra plugin
modules). Each worker process - local or on a Dask cluster - turns it into a *runner* once and
keeps it for every chunk: compiling a rulebook is far costlier than shipping its description.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Callable, Protocol

from checkengine import lookups, plugins
from checkengine.engine import Engine, GroupStates, OtherKinds
from checkengine.plugins import Registry, registry_with
from checkengine.records import Record, RecordError
from checkengine.rulebook.model import Rulebook
from checkengine.waivers import Waiver


@dataclass(frozen=True)
class EngineSpec:
    """Everything needed to build the same :class:`Engine` anywhere.

    ``plugins`` names extra plugin modules (importable where the workers run) registered on top
    of the installed ones; embedding applications and tests use it for check types that are not
    installed as entry points.
    """

    book: Rulebook
    lang: str | None = None
    on: date | None = None
    waivers: tuple[Waiver, ...] = ()
    plugins: tuple[str, ...] = ()
    other_kinds: OtherKinds = "error"
    #: the run's index for the rulebook's lookups (built by a first pass; see checkengine.lookups)
    facts: lookups.Index | None = field(default=None, compare=False)
    facts_token: str = ""

    def with_facts(self, index: lookups.Index) -> "EngineSpec":
        """This spec with the run's index, which then travels to every worker with the job.

        The index is named by a token of its own, not by a digest of its contents: a run builds
        its index once, and digesting it (every key and id of the run's lookups, sorted) cost
        the parent 60 ms at 100,000 records between the two passes, while the workers waited."""
        import secrets

        return replace(self, facts=index, facts_token=secrets.token_hex(8))

    @property
    def key(self) -> str:
        """Identifies the engine in this process's caches: the spec, and the installed plugins'
        registry it is built with (a process whose plugins change - tests, an embedding
        application - builds a new engine rather than reuse one with the old plugins)."""
        parts = [self.book.digest, self.lang, self.on.isoformat() if self.on else None,
                 [repr(w) for w in self.waivers], list(self.plugins), self.other_kinds, self.facts_token,
                 0 if self.plugins else id(plugins.default_registry())]
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:24]

    def registry(self) -> Registry:
        if not self.plugins:
            return plugins.default_registry()
        return registry_with(*(importlib.import_module(name) for name in self.plugins))

    def build(self) -> Engine:
        return Engine(self.book, registry=self.registry(), lang=self.lang, on=self.on,
                      waivers=self.waivers, other_kinds=self.other_kinds, facts=self.facts)


#: engines by spec key, the most recently used last; bounded as the runners are
#: (:data:`checkengine.batch.worker.KEEP_RUNNERS`): a long-lived process keeps the latest few.
_ENGINES: OrderedDict[str, Engine] = OrderedDict()
KEEP_ENGINES = 4
_ENGINES_LOCK = threading.Lock()


def engine_for(spec: EngineSpec) -> Engine:
    """The process's engine of *spec*, compiled once (runners with different encoders share it)."""
    key = spec.key
    with _ENGINES_LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            engine = _ENGINES[key] = spec.build()
            while len(_ENGINES) > KEEP_ENGINES:
                _ENGINES.popitem(last=False)
        else:
            _ENGINES.move_to_end(key)
    return engine


def forget_engine(engine: Engine) -> None:
    """Drop *engine* from this process's cache (see :func:`checkengine.batch.worker.forget`)."""
    with _ENGINES_LOCK:
        for key in [k for k, e in _ENGINES.items() if e is engine]:
            del _ENGINES[key]


class Runner(Protocol):
    """The per-process worker side of a job."""

    def process(self, record: Record, seq: int) -> Any:
        """The payload for one valid record (*seq*: its input position), a
        :class:`RecordError` when it is unusable, or :data:`SKIP` when it is left out of the run."""

    def new_groups(self) -> Any:
        """An empty aggregate state."""

    def fold(self, groups: Any, record: Record) -> None:
        """Add a record (one that :meth:`process` accepted) to the aggregate state."""

    def merge(self, a: Any, b: Any) -> Any:
        """Combine two aggregate states (associative; *a* holds the earlier records)."""


class Job(Protocol):
    @property
    def key(self) -> str:
        """Identifies the runner in a worker's cache (same key, same runner)."""

    def runner(self) -> Runner:
        """Build the runner (called once per process)."""


class _Skip:
    """What :meth:`Runner.process` returns for a record left out of the run (no output, not folded)."""

    def __repr__(self) -> str:
        return "SKIP"


SKIP = _Skip()

OUTCOME_KEYS = ("pass", "fail", "not_applicable", "waived", "needs_review", "error")

Encoder = Callable[[int, dict[str, Any], Record], Any]
"""Turns (sequence number, result entry, record) into what the parent needs - a line of the output, rows
of the archive. Runs in the worker: a short string pickles far faster than the entry's nested
dicts, and the parent, which serialises everything, stays light."""


@dataclass
class Evaluated:
    """One record's result as it travels back to the parent."""

    payload: Any
    counts: tuple[int, ...]
    """Outcomes per kind, in the order of ``OUTCOME_KEYS``."""
    passed: bool


class EvaluateRunner:
    """Evaluate records exactly as :meth:`Engine.run` does: precheck, evaluate, fold."""

    def __init__(self, engine: Engine, encoder: Encoder | None = None) -> None:
        self.engine = engine
        self.encoder = encoder

    def evaluate(self, record: Record) -> dict[str, Any] | RecordError:
        problem = self.engine.precheck(record)
        if problem is not None:
            return problem
        return self.engine.evaluate_record(record, lazy=True)  # sinks render only what they read

    def process(self, record: Record, seq: int = 0) -> Evaluated | RecordError | _Skip:
        if self.engine.skips(record):
            return SKIP  # a kind this rulebook does not check, in a run over folders
        entry = self.evaluate(record)
        if isinstance(entry, RecordError):
            return entry
        verdicts = [o["outcome"] for o in entry["outcomes"]]
        counts = tuple([verdicts.count(key) for key in OUTCOME_KEYS])
        if sum(counts) != len(verdicts):  # never counted short in silence
            raise ValueError(f"an outcome outside {', '.join(OUTCOME_KEYS)}: {sorted(set(verdicts) - set(OUTCOME_KEYS))}")
        passed = bool((entry.get("score") or {}).get("passed", True))
        payload = entry if self.encoder is None else self.encoder(seq, entry, record)
        return Evaluated(payload, counts, passed)

    def new_groups(self) -> GroupStates:
        return self.engine.new_groups()

    def fold(self, groups: GroupStates, record: Record) -> None:
        self.engine.fold(groups, record)

    def merge(self, a: GroupStates, b: GroupStates) -> GroupStates:
        return self.engine.merge(a, b)

    def finish(self, groups: GroupStates) -> list[dict[str, Any]]:
        return self.engine.finish_groups(groups)


@dataclass(frozen=True)
class EvaluateJob:
    """Evaluate each record; *encoder* (a module-level function, so that it pickles by name)
    shapes what comes back, the entry itself when None."""

    spec: EngineSpec
    encoder: Encoder | None = None

    @property
    def key(self) -> str:
        name = "" if self.encoder is None else _name(self.encoder)
        return f"evaluate:{self.spec.key}:{name}"

    def runner(self) -> EvaluateRunner:
        return EvaluateRunner(engine_for(self.spec), self.encoder)


def kind_marks(kinds: frozenset[str]) -> tuple[str, ...] | None:
    """The texts of the lookups' *kinds* as JSON strings (``"shift_swap"``), for :func:`may_hold`;
    None when a kind is not a string (every line is then read)."""
    if not all(isinstance(kind, str) for kind in kinds):
        return None
    return tuple(sorted(json.dumps(kind, ensure_ascii=False) for kind in kinds))


def may_hold(text: str, marks: tuple[str, ...] | None) -> bool:
    """Whether the raw JSON line *text* may be a record of a kind with these *marks* (see
    :func:`kind_marks`). A JSON string without escapes is its own text between quotes, so a line
    whose ``kind`` is one of them holds that text - or a backslash, when the kind is written with
    escapes. The first pass of a run with lookups skips the other lines unparsed: they can hold
    nothing to file (most records of a run are of other kinds)."""
    return marks is None or "\\" in text or any(mark in text for mark in marks)


class IndexRunner:
    """The first pass of a run with lookups: file each record; the partial indexes merge."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.marks = kind_marks(lookups.kinds_of(engine.lookups))

    def may_file(self, text: str) -> bool:
        """Whether a raw line may hold a record to file (:func:`may_hold`)."""
        return may_hold(text, self.marks)

    def process(self, record: Record, seq: int = 0) -> None:
        return None

    def new_groups(self) -> lookups.Index:
        return {}

    def fold(self, groups: lookups.Index, record: Record) -> None:
        for lookup in self.engine.lookups:
            lookup.file(groups, record.data)

    def merge(self, a: lookups.Index, b: lookups.Index) -> lookups.Index:
        # In place: *a* is the pipeline's own running index (new_groups, then what merge returned)
        return lookups.merge_into(a, b)

    #: the first pass wants only the index: no output per record travels back to the parent
    outputs = False


@dataclass(frozen=True)
class IndexJob:
    """Build the index of the rulebook's lookups over the run's records."""

    spec: EngineSpec

    @property
    def key(self) -> str:
        return f"index:{self.spec.key}"

    def runner(self) -> IndexRunner:
        return IndexRunner(engine_for(self.spec))


def _name(function: Any) -> str:
    if isinstance(function, functools.partial):
        return f"{_name(function.func)}{function.args}{sorted(function.keywords.items())}"
    return f"{function.__module__}.{function.__qualname__}"
