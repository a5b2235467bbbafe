"""The framework's core names no word of one domain: no record kind, no check type and no rule or
clause id appears as a string in the code of ``checkengine/`` outside the built-in plugins
(``checkengine/builtin/``, the call-centre domain plugin among them).

The names are not a hand-kept list: the record kinds and check types are those the installed
built-in plugins register, the rule and clause ids those of the bundled rulebooks and their
sources catalogues. Strings are read from the code (``ast``), docstrings left out: prose may say
"a transcript", the code may not branch on one. A compound name (``call_stats``, ``in_range``,
``QAM-01``) may appear in no string; a plain word that English uses too (``count``, ``meeting``)
may not be compared with (``== "count"``, ``in ("count", ...)``), which is how code branches on a
name. Messages and labels are data (``checkengine/messages/``, ``forms/``) and are not read, and
neither is ``schema_words.py``, the examples that schema messages show a rulebook's author
("e.g. id: DRS-01-uniform"), which is message data kept in code.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Iterator

import pytest
import yaml

from checkengine.plugins import build_registry, new_plugin_manager

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "checkengine"
EXEMPT = (PACKAGE / "builtin", PACKAGE / "schema_words.py")


def core_modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if not any(p.is_relative_to(e) for e in EXEMPT))


def _rulebook_ids() -> set[str]:
    """Every rule id and clause id of the bundled rulebooks and their sources catalogues."""
    ids: set[str] = set()
    for path in (ROOT / "rulebooks").rglob("*.yaml"):
        doc = yaml.safe_load(path.read_text("utf-8"))
        if not isinstance(doc, dict):
            continue
        for section in doc.get("sections") or []:
            ids.update(rule["id"] for rule in section.get("rules") or [] if isinstance(rule, dict))
        for document in doc.get("documents") or []:
            ids.update(clause["id"] for clause in document.get("clauses") or [] if isinstance(clause, dict))
    return ids


@pytest.fixture(scope="module")
def names() -> dict[str, set[str]]:
    registry = build_registry(new_plugin_manager())
    found = {"record kind": set(registry.record_kinds), "check type": set(registry.check_types),
             "rule or clause id": _rulebook_ids()}
    assert len(found["record kind"]) >= 10 and len(found["check type"]) >= 10 and len(found["rule or clause id"]) > 100
    return found


def _compared(tree: ast.AST) -> set[int]:
    """The ids of the string constants that a comparison or a ``match`` case tests against."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for side in [node.left, *node.comparators]:
                out.update(id(c) for c in ast.walk(side) if isinstance(c, ast.Constant))
        elif isinstance(node, ast.match_case):
            out.update(id(c) for c in ast.walk(node.pattern) if isinstance(c, ast.Constant))
    return out


def _strings(tree: ast.AST) -> Iterator[ast.Constant]:
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node


def _compound(word: str) -> bool:
    return bool(re.search(r"[_\-]", word))


def _inside(words: set[str]) -> re.Pattern[str]:
    """Any of *words* as a whole word inside a string."""
    return re.compile(r"(?<![A-Za-z0-9_-])(?:" + "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
                      + r")(?![A-Za-z0-9_])")


def scan(path: Path, names: dict[str, set[str]]) -> list[str]:
    """Where the code of *path* names one of *names*."""
    tree = ast.parse(path.read_text("utf-8"))
    compared = _compared(tree)
    compound = {what: _inside({w for w in words if _compound(w)}) for what, words in names.items()}
    plain = {what: {w for w in words if not _compound(w)} for what, words in names.items()}
    found = []
    for node in _strings(tree):
        for what in names:
            hit = compound[what].search(node.value)
            shown = hit.group(0) if hit else node.value if node.value in plain[what] and id(node) in compared else None
            if shown is not None:
                found.append(f"{path.name}:{node.lineno}: {what} {shown!r} in {node.value!r}")
    return found


def test_the_core_names_no_record_kind_check_type_or_rule(names: dict[str, set[str]]) -> None:
    found = [hit for path in core_modules() for hit in scan(path, names)]
    assert found == []


def test_the_scan_finds_a_name_where_there_is_one(names: dict[str, set[str]], tmp_path: Path) -> None:
    """The scan is not blind: the code that the core had before the domain left it is found, and
    so is the domain plugin's; English words used as words are not."""
    before = tmp_path / "before.py"
    before.write_text(
        'language = data.get("language") if data["kind"] == "transcript" else None\n'
        'MONITORING_RULE = "QAM-01"\n'
        'if check.get("type") == "equals" or check.get("type") in ("in_range", "count"):\n'
        '    pass\n'
        'VISITS = ("floor_inspection", "branch_inspection")\n'
        'label = {"count": 1, "rate": 2}["rate"]\n', "utf-8")
    assert sorted(hit.split(": ", 1)[1] for hit in scan(before, names)) == sorted([
        "record kind 'transcript' in 'transcript'",
        "rule or clause id 'QAM-01' in 'QAM-01'",
        "check type 'equals' in 'equals'",
        "check type 'in_range' in 'in_range'",
        "check type 'count' in 'count'",
        "record kind 'floor_inspection' in 'floor_inspection'",
        "record kind 'branch_inspection' in 'branch_inspection'",
    ])
    assert scan(PACKAGE / "builtin" / "callcentre" / "__init__.py", names)
