"""The parser's quicker tag resolver gives every scalar the tag PyYAML's own safe resolver gives
it: the tricky plain scalars of YAML 1.1 (booleans, nulls, numbers in every base, dates, the
merge and value keys), quoted ones, and every scalar of the bundled rulebooks."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from checkengine.yaml_parse import _Loader, _SafeLoader

ROOT = Path(__file__).resolve().parent.parent
TRICKY = ["", "~", "null", "Null", "NULL", "yes", "No", "on", "OFF", "y", "n", "true", "False", "0", "-17", "+3",
          "1_000", "0x1F", "0o17", "017", "0b101", "1:30", "190:20:30", "1e3", "1.5e-3", ".5", "1.", ".inf", "-.Inf",
          ".nan", ".NaN", "2026-01-01", "2026-1-1", "2026-01-01T10:00:00Z", "2026-01-01 10:00:00.5 +08:00", "<<",
          "=", "text", "12 apples", "R-0001", "v1.2.3", "-", "1,000", "0.1.2", "é", "臺北"]


def _tags(text: str, loader: type) -> list[str]:
    out = []
    stack = [yaml.compose(text, Loader=loader)]
    while stack:
        node = stack.pop()
        out.append(node.tag)
        if isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return out


def test_the_safe_resolver_has_no_wildcard_patterns_and_no_path_resolvers() -> None:
    assert None not in _SafeLoader.yaml_implicit_resolvers
    assert not _SafeLoader.yaml_path_resolvers
    assert _tags("[yes, ~, 0x1F, .nan, 2026-01-01, text, '1']", _Loader)[1:] == [
        f"tag:yaml.org,2002:{t}" for t in ("str", "str", "timestamp", "float", "int", "null", "bool")]


@pytest.mark.parametrize("value", TRICKY)
def test_a_tricky_scalar_gets_the_same_tag(value: str) -> None:
    for text in (f"k: {value}\n", f"- {value}\n", f"{value or 'x'}: 1\n", f"k: '{value}'\n", f'k: "{value}"\n'):
        try:
            expected = _tags(text, _SafeLoader)
        except yaml.YAMLError:
            continue
        assert _tags(text, _Loader) == expected, text


def test_every_scalar_of_the_rulebooks_gets_the_same_tag() -> None:
    files = sorted((ROOT / "rulebooks").rglob("*.yaml"))
    assert len(files) > 10
    for file in files:
        text = file.read_text("utf-8")
        assert _tags(text, _Loader) == _tags(text, _SafeLoader), file


def test_the_loader_follows_no_path_resolvers_whatever_pyyaml_s_loaders_are_given() -> None:
    """Its composer's calls to descend_resolver and ascend_resolver do nothing (C no-ops): that is
    right only while the loader has no path resolvers, which its own empty table keeps so."""
    assert _Loader.yaml_path_resolvers == {} and "yaml_path_resolvers" in vars(_Loader)

    class Other(_SafeLoader):
        pass

    yaml.add_path_resolver("tag:yaml.org,2002:str", ["x"], dict, Loader=Other)
    assert Other.yaml_path_resolvers and not _Loader.yaml_path_resolvers
    assert _tags("x: 1\ny: [a, 2]\n", _Loader) == _tags("x: 1\ny: [a, 2]\n", _SafeLoader)
