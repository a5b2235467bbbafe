"""Whether a record's values are ones CEL holds as they are, checked without copying the record.

:func:`checkengine.cel_context.plain_context` answers it by pruning the record to the paths the
rulebook's conditions read (a copy) and walking the copy, one call per value. The CEL closures ask
it once per record, before the record's first translated condition runs, so it is part of every
record's cost. :func:`plain_record` gives the same answer walking the record itself along the
same paths, with the common values (text, booleans, null, 64-bit whole numbers, numbers that
are not NaN, dicts and lists of them) decided inline; anything else is left to
:func:`~checkengine.cel_ops.deep_plain`, which decides as before. ``tests/test_plain_values.py``
compares the two on generated records.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from checkengine import limits
from checkengine.cel_context import WHOLE, _trie, params_and_group_plain
from checkengine.cel_ops import deep_plain

if TYPE_CHECKING:
    from checkengine.checks import Env

_TRIES: dict[Any, Any] = {}
_MIN, _MAX = limits.INT_MIN, limits.INT_MAX


def _trie_of(paths: Any) -> Any:
    trie = _TRIES.get(paths)
    if trie is None:
        if len(_TRIES) >= 256:
            _TRIES.clear()
        trie = _TRIES[paths] = _trie(paths)
    return trie


def _plain(value: Any) -> None:
    """Return if CEL holds *value* as it is; raise (as deep_plain does) if not."""
    kind = type(value)
    if kind is str:
        if not value.isascii():
            value.encode("utf-8")  # a lone surrogate, which CEL cannot hold, raises
        return
    elif kind is bool or value is None:
        return
    elif kind is int:
        if _MIN <= value <= _MAX:
            return
    elif kind is float:
        if value == value:
            return
    elif kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                break
            inner = type(item)
            if inner is bool or inner is str and item.isascii() or item is None or \
                    inner is int and _MIN <= item <= _MAX:
                continue
            _plain(item)
        else:
            return
    elif kind is list:
        for item in value:
            inner = type(item)
            if inner is str and item.isascii() or inner is bool or item is None:
                continue
            _plain(item)
        return
    deep_plain(value)  # the rest (text beyond ASCII, a key that is not a str, other types): as before


def _walk(src: Mapping[str, Any], trie: Any) -> None:
    for key, sub in trie.items():
        if key in src:
            value = src[key]
            kind = type(value)
            if sub is not None and (kind is dict or isinstance(value, Mapping)):
                _walk(value, sub)
            elif kind is str and value.isascii() or kind is bool or value is None:
                continue  # _plain's commonest answers, inline
            else:
                _plain(value)


def plain_record(env: Env, refs: tuple[Any, Any]) -> bool:
    """:func:`~checkengine.cel_context.plain_context`'s answer for *env* and *refs*."""
    paths, names = refs
    try:
        record = env.record
        if record is not None:
            if paths is None:
                _plain(record)
            else:
                _walk(record, _trie_of(paths))
    except Exception:
        return False
    cache = env._cache
    if cache is not WHOLE and env.group is None:  # params_and_group_plain's answer, once known for the date
        known = cache.plain_tables.get((env.on, names))
        if known is not None:
            return known
    return params_and_group_plain(env, names)


__all__ = ["plain_record"]
