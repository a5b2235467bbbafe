"""The seed rulebooks: every catalogued standard is enforced by a rule or listed as not checkable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from checkengine.lint.run import lint_paths
from checkengine.rulebook.load import load_rulebook

ROOT = Path(__file__).resolve().parents[1]
RULEBOOKS = ROOT / "rulebooks"
SEED_RULES = ROOT.parent / "shared" / "SEED-RULES.md"


def catalogue_ids() -> set[str]:
    data = yaml.safe_load((RULEBOOKS / "sources" / "seed-sources.yaml").read_text("utf-8"))
    return {c["id"] for d in data["documents"] for c in d["clauses"]}


def cited_ids() -> set[str]:
    cited: set[str] = set()
    for path in sorted(RULEBOOKS.glob("**/*.yaml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        if not isinstance(data, dict) or "sections" not in data and "extends" not in data:
            continue
        book = load_rulebook(path)
        for rule in book.rules():
            cited.update(rule.sources)
    return cited


def not_checkable_ids() -> set[str]:
    text = (RULEBOOKS / "NOT-CHECKABLE.md").read_text("utf-8")
    return set(re.findall(r"^[-*] \*{0,2}([A-Z]{3}-\d{2})\b", text, flags=re.M))


def test_every_catalogued_standard_is_cited_or_listed_as_not_checkable() -> None:
    missing = catalogue_ids() - cited_ids() - not_checkable_ids()
    assert not missing, f"standards neither enforced nor listed in NOT-CHECKABLE.md: {sorted(missing)}"


def test_rules_cite_only_catalogued_standards() -> None:
    assert cited_ids() <= catalogue_ids()


@pytest.mark.skipif(not SEED_RULES.exists(), reason="the seed inventory is not beside this checkout")
def test_catalogue_holds_every_id_of_the_seed_inventory() -> None:
    inventory = set(re.findall(r"^- ([A-Z]{3}-\d{2}) ", SEED_RULES.read_text("utf-8"), flags=re.M))
    assert inventory and inventory == catalogue_ids()


def test_bundled_rulebooks_lint_clean() -> None:
    report = lint_paths([RULEBOOKS])
    assert [f.text() for f in report.findings] == []
    assert report.exit_code == 0


def test_source_languages_are_the_seeds_own() -> None:
    expected = {
        "cs-floor": "zh-Hant", "branch-service": "zh-Hant", "leave-and-swaps": "zh-Hant",
        "call-quality": "zh-Hant", "management": "zh-Hant", "service-commitments": "zh-Hans",
        "service-awareness": "ko", "mystery-shopping": "es",
    }
    for book_id, language in expected.items():
        book = load_rulebook(RULEBOOKS / f"{book_id}.yaml")
        assert book.languages[0] == language
        assert {"en", "zh-Hant", "zh-Hans"} <= set(book.languages)


def test_bundled_rulebook_tests_pass_with_full_rule_coverage(capsys: pytest.CaptureFixture[str]) -> None:
    """The rulebooks' own tests (rulebooks/tests/, many quoting the seed clause they pin down) all pass
    and give every rule a passing and a failing case."""
    from checkengine.cli import main

    code = main(["test", str(RULEBOOKS), "--coverage"])
    out = capsys.readouterr().out
    assert "coverage: 100.0% of" in out
    assert re.search(r"\d+ passed, 0 failed", out), out[-2000:]
    assert code == 0


def test_departures_name_only_rules_that_exist() -> None:
    """rulebooks/DEPARTURES.md lists where a rule reads the seed or checks less of it: by real rule ids."""
    text = (RULEBOOKS / "DEPARTURES.md").read_text("utf-8")
    named = set(re.findall(r"`([A-Z]{3}-\d{2}-[a-z0-9-]+)`", text))
    known = {rule.id for path in sorted(RULEBOOKS.glob("*.yaml")) for rule in load_rulebook(path).rules()}
    assert named and named <= known, sorted(named - known)
    # The weekly meeting is the department's (001 會議 2: 班務會每周一次。由各班班長參加,客服部主任主持).
    assert "`MGT-01-weekly-team-meeting`" in text
