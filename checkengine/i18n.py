"""Picking translations of rulebook text, and checkengine's own messages in five languages."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
import pkgutil
from typing import Any

import yaml

# Our own messages exist in these languages; others fall back to English.
UI_LANGUAGES = ("en", "zh-Hant", "zh-Hans", "ko", "es")


def pick(text: Any, lang: str, fallback: str | None = None) -> str:
    """The text in *lang*, else in *fallback* (the rulebook's source language), else any."""
    if text is None:
        return ""
    if type(text) is str:
        return text
    if isinstance(text, str):
        return str(text)
    if isinstance(text, Mapping):
        for key in (lang, fallback, "en"):
            if key and key in text:
                return str(text[key])
        for value in text.values():
            return str(value)
    return str(text)


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, dict[str, str]]:
    blob = pkgutil.get_data("checkengine", "messages.yaml")  # importlib.resources costs 7 ms of imports
    assert blob is not None
    raw = blob.decode("utf-8")
    # libyaml's safe loader when present: the pure-Python one took 19 ms of every command's start
    data: dict[str, dict[str, str]] = yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return data


@lru_cache(maxsize=None)
def _template(key: str, lang: str) -> str:
    entry = _catalogue().get(key)
    if entry is None:
        raise KeyError(f"no message '{key}' in messages.yaml")
    return entry.get(lang) or entry.get(lang.split("-")[0]) or entry["en"]


def message(key: str, lang: str, **values: Any) -> str:
    """One of checkengine's own messages (``messages.yaml``) in *lang*, filled with *values*."""
    # Explanations are built for every rule of every record: the template lookup is cached and
    # strings (most values) skip show().
    for name, value in values.items():
        if type(value) is not str:
            values[name] = show(value, lang)
    return _template(key, lang).format_map(values)


class Message:
    """:func:`message` deferred: ``Message(key, lang, **values)()`` is ``message(key, lang, **values)``.

    A check gives one as its :class:`~checkengine.checks.Result`'s explanation, so that the text is
    formatted only when a reader asks for it. A value that is itself a Message is made first."""

    __slots__ = ("key", "lang", "values")

    def __init__(self, key: str, lang: str, **values: Any) -> None:
        self.key = key
        self.lang = lang
        self.values = values

    def __call__(self) -> str:
        values = {k: v() if type(v) is Message else v for k, v in self.values.items()}  # one inside another
        return message(self.key, self.lang, **values)

    def __repr__(self) -> str:
        return f"Message({self.key!r}, {self.lang!r}, **{self.values!r})"


def show(value: Any, lang: str = "en") -> str:
    """A value as it reads in an explanation."""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]
    if kind is bool:
        return _template("yes" if value else "no", lang)
    if kind is int:
        return str(value)
    if isinstance(value, bool):
        return _template("yes" if value else "no", lang)
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(show(v, lang) for v in value)
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)
