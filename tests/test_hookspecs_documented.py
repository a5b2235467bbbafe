"""Every hook is documented: a docstring naming each parameter and the return value (datasette's test)."""

from __future__ import annotations

import inspect
from typing import Any, Callable

import pytest

from checkengine import hookspecs


def _hooks() -> list[Callable[..., Any]]:
    return [fn for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
            if name.startswith("checkengine_")]


def test_there_are_hooks() -> None:
    names = {fn.__name__ for fn in _hooks()}
    assert {"checkengine_register_check_types", "checkengine_register_loaders", "checkengine_register_reporters",
            "checkengine_register_scorers", "checkengine_cel_functions", "checkengine_prepare_record",
            "checkengine_form_context"} <= names


@pytest.mark.parametrize("hook", _hooks(), ids=lambda fn: fn.__name__)
def test_hook_is_documented(hook: Callable[..., Any]) -> None:
    doc = inspect.getdoc(hook) or ""
    assert doc, f"{hook.__name__} has no docstring"
    for name in inspect.signature(hook).parameters:
        assert f":param {name}:" in doc, f"{hook.__name__}: document the parameter '{name}' with :param {name}:"
    assert ":return:" in doc, f"{hook.__name__}: say what it returns (and how results combine) with :return:"


@pytest.mark.parametrize("hook", _hooks(), ids=lambda fn: fn.__name__)
def test_hook_is_a_spec_and_typed(hook: Callable[..., Any]) -> None:
    assert hasattr(hook, "checkengine_spec"), f"{hook.__name__} is not marked @hookspec"
    signature = inspect.signature(hook)
    assert signature.return_annotation is not inspect.Signature.empty
    assert all(p.annotation is not inspect.Parameter.empty for p in signature.parameters.values())
