"""The docs cover the contract: every finding code in docs/lint.md, every rulebook key in docs/rulebooks.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from checkengine.findings import CODES
from checkengine.validation import schema

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _headings(page: str, level: str) -> list[str]:
    text = (DOCS / page).read_text("utf-8")
    return re.findall(rf"^{level} (.+)$", text, flags=re.M)


@pytest.mark.parametrize("code", list(CODES))
def test_every_finding_code_has_a_section_with_an_example_and_a_fix(code: str) -> None:
    text = (DOCS / "lint.md").read_text("utf-8")
    assert code in _headings("lint.md", "##"), code
    section = text.split(f"## {code}\n", 1)[1].split("\n## ", 1)[0]
    assert "```" in section, f"{code}: no example"
    assert "Fix:" in section, f"{code}: no fix"


def test_lint_md_documents_no_code_that_does_not_exist() -> None:
    documented = [h for h in _headings("lint.md", "##") if re.fullmatch(r"CE\d{3}", h)]
    assert documented == list(CODES)


@pytest.mark.parametrize("key", sorted(schema("rulebook")["properties"]))
def test_every_top_level_rulebook_key_is_documented(key: str) -> None:
    assert f"`{key}`" in _headings("rulebooks.md", "###"), key


def test_rulebooks_md_names_the_schema_for_editors() -> None:
    text = (DOCS / "rulebooks.md").read_text("utf-8")
    assert "# yaml-language-server: $schema=../checkengine/schemas/rulebook.schema.json" in text
    assert (DOCS.parent / "checkengine" / "schemas" / "rulebook.schema.json").is_file()


def test_every_rule_key_is_documented() -> None:
    text = (DOCS / "rulebooks.md").read_text("utf-8")
    rule_keys = schema("rulebook")["$defs"]["rule"]["properties"]
    assert [k for k in rule_keys if f"| `{k}` |" not in text] == []


def test_records_doc_lists_the_fields_every_rule_needs() -> None:
    """docs/records.md's table is what scripts/rule_fields.py makes of the bundled rulebooks."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("rule_fields", DOCS.parent / "scripts" / "rule_fields.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--check"]) == 0
    text = (DOCS / "records.md").read_text("utf-8")
    assert "| `SWP-05-no-leave-on-swapped-shift` | leave-and-swaps | `data.end`, `data.start`, `subject.employee`; the run's `lookup worked_by_swap` |" in text


def test_every_limit_is_documented_with_its_default() -> None:
    from checkengine import limits

    text = (DOCS / "limits.md").read_text("utf-8")
    for limit in limits.ALL:
        row = next((line for line in text.splitlines() if line.startswith(f"| `{limit.env}` |")), None)
        assert row is not None, f"{limit.env} is not in docs/limits.md"
        assert str(limit.default) in row.replace(",", ""), f"{limit.env}: the default {limit.default} is not shown"


def test_every_picture_the_docs_show_is_there_and_small() -> None:
    """docs/*.md show screenshots of docs/images/ (made by scripts/docs_screenshots.py): each one
    shown exists, is a real PNG, and is small enough to keep in the repository."""
    from PIL import Image

    shown = {m for doc in DOCS.glob("*.md") for m in re.findall(r"!\[[^\]]*\]\((images/[^)]+)\)", doc.read_text("utf-8"))}
    assert {"images/sign-in.png", "images/review-signature-pad.png", "images/verify.png"} <= shown
    for name in shown:
        path = DOCS / name
        assert path.is_file(), f"{name} is shown in the docs but missing"
        assert path.stat().st_size < 300_000, f"{name} is {path.stat().st_size} bytes"
        with Image.open(path) as image:
            assert image.format == "PNG" and image.size[0] >= 390, name
