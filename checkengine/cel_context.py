"""What a condition's CEL context holds: only the record paths and parameters the rulebook's
conditions read. :func:`references` finds them in a condition's source (None where it reads a
whole variable, so nothing a condition can reach is left out), :func:`prune` cuts a record down to
them in the record's own shape, and :class:`EnvCache` is what the Envs of one engine share (the
paths and parameters, and parameter values by date). :class:`checkengine.checks.Env` builds its
context from these.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterable

from checkengine.cel_ops import deep_plain

if TYPE_CHECKING:
    from checkengine.checks import Env
    from checkengine.conditions import Condition
    from checkengine.rulebook.model import ParamValue


Path = tuple[str, ...]
Paths = frozenset[Path] | None  # None: the whole variable
Refs = tuple[Paths, frozenset[str] | None]  # (record paths, parameter names)

_RECORD = re.compile(r"(?<![.\w])record((?:\s*\.\s*[A-Za-z_]\w*)*)(\s*\()?")
_PARAMS = re.compile(r"(?<![.\w])params(?:\s*\.\s*([A-Za-z_]\w*))?")


@lru_cache(maxsize=4096)
def references(source: str) -> Refs:
    """The record paths and parameters a condition reads (``record.observations.badge`` ->
    ``("observations", "badge")``); None where it reads a whole variable (``f(record)``,
    ``record["data"]``), so that nothing a condition can reach is ever left out. A method call
    (``record.data.turns.size()``) reads its receiver whole."""
    paths: set[Path] = set()
    whole_record = False
    for match in _RECORD.finditer(source):
        parts = [p.strip() for p in match.group(1).split(".")[1:]]
        if match.group(2) and parts:
            parts.pop()
        if not parts:
            whole_record = True
            break
        paths.add(tuple(parts))
    names: set[str] = set()
    all_params = False
    for match in _PARAMS.finditer(source):
        if match.group(1) is None:
            all_params = True
            break
        names.add(match.group(1))
    return (None if whole_record else frozenset(paths)), (None if all_params else frozenset(names))


def union(a: frozenset[Any] | None, b: frozenset[Any] | None) -> frozenset[Any] | None:
    return None if a is None or b is None else a | b


def covered(have: Paths, need: Paths) -> bool:
    if have is None or (need is not None and need <= have):
        return True
    if need is None:
        return False
    return all(any(p[:i] in have for i in range(1, len(p) + 1)) for p in need)


Trie = dict[str, "Trie | None"]  # None: the whole value at that key


@lru_cache(maxsize=256)
def _trie(paths: frozenset[Path]) -> Trie:
    root: Trie = {}
    for path in sorted(paths, key=len):  # shorter first: a whole value wins over its parts
        node: Trie | None = root
        for i, key in enumerate(path):
            assert node is not None
            if i == len(path) - 1:
                node[key] = None
            elif key in node and node[key] is None:
                break
            else:
                node = node.setdefault(key, {})
    return root


def _take(src: Mapping[str, Any], trie: Trie) -> dict[str, Any]:
    out = {}
    for key, sub in trie.items():
        if key in src:
            value = src[key]
            # A whole value, or one CEL cannot look into (it then fails as on the full record).
            out[key] = value if sub is None or not isinstance(value, Mapping) else _take(value, sub)
    return out


def prune(record: Mapping[str, Any], paths: Paths) -> Mapping[str, Any]:
    """The parts of *record* at *paths* (whole values), in the record's shape; never more than
    needed, and never a change to *record*. An absent key stays absent, so CEL's ``has()`` and
    its missing-field errors see what they would see on the whole record."""
    if paths is None:
        return record
    return _take(record, _trie(paths))


class EnvCache:
    """What the Envs of one engine share: parameter values by date, and what conditions read.

    Converting a record into CEL values costs about a microsecond a value, and every CEL
    execution costs in proportion to its context's size; so a record's context holds only the
    record paths and parameters the rulebook's conditions read (:func:`references`). A condition
    that needs more (one a plugin compiles at run time, say) gets a context rebuilt with it.
    """

    __slots__ = ("values", "tables", "refs", "within", "plain_tables")

    def __init__(self, conditions: Iterable["Condition"] = (), *, whole: bool = False) -> None:
        self.values: dict[tuple[str, date | None], "ParamValue | None"] = {}
        self.tables: dict[tuple[date | None, frozenset[str] | None], dict[str, Any]] = {}
        paths: Paths = None if whole else frozenset()
        names: frozenset[str] | None = None if whole else frozenset()
        for condition in conditions:
            more_paths, more_names = references(condition.source)
            paths, names = union(paths, more_paths), union(names, more_names)
        self.refs: Refs = (paths, names)
        #: condition source -> whether it reads only what ``refs`` holds (its closures may run)
        self.within: dict[str, bool] = {}
        #: (date, parameter names) -> whether those parameter values are plain CEL values
        self.plain_tables: dict[tuple[date | None, frozenset[str] | None], bool] = {}


def _is_plain(value: Any) -> bool:
    try:
        deep_plain(value)
    except Exception:
        return False
    return True


def plain_context(env: "Env", refs: tuple[Any, Any]) -> bool:
    """Whether every value the CEL context of *env* would hold (the record's parts at the
    rulebook's paths, the parameters its conditions name, the group) is one CEL holds as it is: a
    value the binding cannot convert fails every condition on the engine, so closures must not
    answer then."""
    paths, names = refs
    try:
        if env.record is not None:
            deep_plain(prune(env.record, paths))
    except Exception:
        return False
    return params_and_group_plain(env, names)


def params_and_group_plain(env: "Env", names: Any) -> bool:
    """Whether the parameters named *names* (checked once per date by an engine's cache; WHOLE is
    shared, so not kept there) and the group of *env* are plain CEL values."""
    try:
        known = env._cache.plain_tables if env._cache is not WHOLE else {}
        key = (env.on, names)
        if key not in known:
            known[key] = _is_plain(env.params_table(names))
        if not known[key]:
            return False
        if env.group is not None:
            deep_plain(dict(env.group))
    except Exception:
        return False
    return True


def sized_context(env: "Env", condition: "Condition") -> Any:
    """*env*'s CEL context for *condition*: built once per record (and date), holding the record's
    parts and the parameters the rulebook's conditions read, rebuilt larger for a condition that
    reads more."""
    need_paths, need_names = references(condition.source)
    paths, names = env._context_refs
    if env._context_on != env.on:  # a check moved the date: other parameter values apply
        env._cel_context, env._results, env._context_on = None, {}, env.on
    if env._cel_context is not None and covered(paths, need_paths) and (
            names is None or (need_names is not None and need_names <= names)):
        return env._cel_context
    # The record's first condition, or one that reads more than the rulebook's conditions do.
    paths = union(union(paths, need_paths), env._cache.refs[0])
    names = union(union(names, need_names), env._cache.refs[1])
    record = prune(env.record, paths) if env.record is not None else None
    env._cel_context = env._conditions.context(record, env.params_table(names), env.group)
    env._context_refs = (paths, names)
    return env._cel_context


#: the cache of an Env without an engine: the whole record and every parameter
WHOLE = EnvCache(whole=True)
