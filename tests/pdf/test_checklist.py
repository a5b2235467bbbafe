"""The blank checklist: which rules it lists, for which kind of visit, and a layout people can read.

Issue 9, point 8: the checklist lists only the rules that can be judged on that kind of visit,
its kind comes from the rulebook, observations carry their question (not their field name),
prompts are shown, and the columns are wide enough for Chinese and Korean titles.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from checkengine.errors import UserError
from checkengine.i18n import pick
from checkengine.pdf import attachments as att
from checkengine.pdf.checklist import judged_on_visit, render_checklist, rules_in_force
from checkengine.rulebook.load import load_rulebook

ROOT = Path(__file__).resolve().parents[2]
SUBJECT = {"employee": "E001", "name": "王小明", "role": "agent", "team": "T1"}
DAY = date(2026, 11, 3)


def merged(name: str) -> dict[str, Any]:
    return load_rulebook(ROOT / "rulebooks" / f"{name}.yaml").merged


def mapping_of(pdf: bytes) -> dict[str, Any]:
    found: dict[str, Any] = att.read_json_attachment(att.read_attachments(pdf), att.CHECKLIST, "blank")
    return found


@pytest.fixture(scope="module")
def floor(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("checklist") / "cs-floor-zh-Hant.pdf"
    render_checklist(merged("cs-floor"), subject=SUBJECT, day=DAY, lang="zh-Hant", site="cc-taipei",
                     timezone="Asia/Taipei", out_path=path)
    return path


@pytest.fixture(scope="module")
def korean(tmp_path_factory: pytest.TempPathFactory, data: dict[str, Any]) -> Path:
    path = tmp_path_factory.mktemp("checklist") / "fixture-ko.pdf"
    render_checklist(data["rulebook"], subject=SUBJECT, day=DAY, lang="ko", kind="floor_inspection", out_path=path)
    return path


def test_the_kind_comes_from_the_rulebook(floor: Path, data: dict[str, Any]) -> None:
    assert mapping_of(floor.read_bytes())["record"]["kind"] == "floor_inspection"
    branch = render_checklist(merged("branch-service"), subject={"employee": "B102"}, day=DAY, lang="zh-Hant")
    assert mapping_of(branch)["record"]["kind"] == "branch_inspection"  # not floor_inspection
    with pytest.raises(UserError) as err:
        render_checklist(merged("branch-service"), subject={"employee": "B102"}, day=DAY, lang="zh-Hant",
                         kind="floor_inspection")
    assert str(err.value) == ("--kind floor_inspection: no rule of 'branch-service' applies to floor_inspection "
                              "records; its checklists are for: branch_inspection")
    # mystery-shopping also has branch_inspection rules, but none a checklist can judge (they read
    # the yearly appraisal): its checklist is for mystery_shopping visits.
    shopping = render_checklist(merged("mystery-shopping"), subject={"employee": "B102"}, day=DAY, lang="es")
    assert mapping_of(shopping)["record"]["kind"] == "mystery_shopping"
    with pytest.raises(UserError) as err:  # rules without applies_to.kinds: any kind of visit
        render_checklist(data["rulebook"], subject={"employee": "B102"}, day=DAY, lang="es")
    assert str(err.value) == ("the rulebook 'cs-floor' has rules for 3 kinds of visit (floor_inspection, "
                              "branch_inspection, mystery_shopping); choose one with --kind")
    with pytest.raises(UserError) as err:
        render_checklist(merged("leave-and-swaps"), subject={"employee": "E001"}, day=DAY, lang="zh-Hant")
    assert str(err.value) == ("the rulebook 'leave-and-swaps' has no rule for a visit (floor_inspection, "
                              "branch_inspection, mystery_shopping); a checklist is filled in on a visit: choose a "
                              "rulebook with inspection rules")


def test_only_rules_judged_on_that_kind_of_visit(floor: Path) -> None:
    rules = {spec["rule"] for spec in mapping_of(floor.read_bytes())["fields"].values() if spec.get("part") == "result"}
    book = merged("cs-floor")
    floor_rules = {r["id"] for s in book["sections"] for r in s["rules"]
                   if "floor_inspection" in r["applies_to"]["kinds"]}
    # HND-01 is judged from attendance records and HND-02..04 from handover logs, not on a round.
    assert rules == floor_rules
    assert not {"HND-01-on-post-early", "HND-02-no-leaving-before-relief"} & rules
    # A mystery-shopping visit cannot judge the yearly appraisal (data.appraisal) or the visitor's
    # qualification (inspector.role): what the checklist does not collect, it does not list.
    mystery = mapping_of(render_checklist(merged("mystery-shopping"), subject={"employee": "B102"}, day=DAY,
                                          lang="es", kind="mystery_shopping"))
    listed = {spec["rule"] for spec in mystery["fields"].values() if spec.get("part") == "result"}
    assert "INS-03-virtue" not in listed and "INS-01-qualified-visitor" not in listed
    assert {"INS-01-unannounced", "PHR-05-mystery-call"} <= listed


@pytest.mark.parametrize(("book", "kind", "lang"), [
    ("cs-floor", "floor_inspection", "zh-Hant"), ("branch-service", "branch_inspection", "en"),
    ("mystery-shopping", "mystery_shopping", "es"),
    ("service-commitments", "branch_inspection", "zh-Hans"), ("branches/cc-taipei-night", "floor_inspection", "en"),
])
def test_every_observation_of_a_bundled_rulebook_has_its_question(book: str, kind: str, lang: str) -> None:
    rulebook = merged(book)
    fields = mapping_of(render_checklist(rulebook, subject={"employee": "E001"}, day=DAY, lang=lang, kind=kind))["fields"]
    observations = {spec["observation"]: spec for spec in fields.values() if "observation" in spec}
    for name, spec in observations.items():
        assert spec["label"] != name, f"{book}: observation {name} has no question"
    rules = [r for _, r in rules_in_force(rulebook, DAY) if judged_on_visit(r, kind)]
    coded = {n: set(q["choices"]) for r in rules for n, q in (r.get("observations") or {}).items() if "choices" in q}
    for name, codes in coded.items():
        assert {shown for shown, _ in observations[name]["choices"]} == codes


def test_questions_prompts_and_meanings_are_printed(floor: Path) -> None:
    text = _pdftotext(floor)
    assert "是否穿著統一制服？" in text  # the question of observations.uniform
    assert "衣著是否整潔，無皺、無破損、未挽袖？" in text  # DRS-03's prompt
    assert "tied長髮已束起" in text  # what the code means (words are joined without spaces here)
    assert "cup_on_desk" not in text and "minutes_outside_room" not in text  # no field names


def _lines(pdf: Path) -> list[str]:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is missing: run scripts/system-deps.sh")
    xhtml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], check=True, capture_output=True,
                           text=True).stdout
    lines = []
    for line in re.findall(r"<line [^>]*>(.*?)</line>", xhtml, flags=re.S):
        lines.append("".join(re.findall(r"<word [^>]*>(.*?)</word>", line, flags=re.S)))
    return lines


def _pdftotext(pdf: Path) -> str:
    return "".join(_lines(pdf))


def _titles(book: dict[str, Any], lang: str, kind: str) -> list[str]:
    return [pick(r["title"], lang) for _, r in rules_in_force(book, DAY) if judged_on_visit(r, kind)]


@pytest.mark.parametrize("which", ["floor", "korean"])
def test_titles_are_not_broken_into_a_character_or_two_per_line(which: str, floor: Path, korean: Path,
                                                                 data: dict[str, Any]) -> None:
    pdf, book, lang = (floor, merged("cs-floor"), "zh-Hant") if which == "floor" else (korean, data["rulebook"], "ko")
    lines = [re.sub(r"\s+", "", line) for line in _lines(pdf)]
    for title in _titles(book, lang, "floor_inspection"):
        want = re.sub(r"\s+", "", title)
        # The title is on one line, or its first line holds at least 12 characters of it.
        first = [line for line in lines if line and want.startswith(line)]
        assert any(line == want or len(line) >= min(12, len(want)) for line in first), (title, first)
        assert want in lines or first, title



def test_a_check_type_says_how_it_is_asked_and_a_kind_whether_it_is_a_visit(monkeypatch: pytest.MonkeyPatch) -> None:
    """pdf/checklist.py names no check type and no record kind: the check type declares its widget
    (``checklist_widget``), the record kind whether it is filled in on a visit."""
    import dataclasses
    import importlib

    from checkengine import hookimpl
    from checkengine.pdf.checklist import _observations_of, checklist_kind, visit_kinds
    from checkengine.plugins import registry_with

    monkeypatch.syspath_prepend(str(Path(__file__).parents[1] / "plugins"))
    plugin = importlib.import_module("sample_record_kind")

    class Visit:
        @hookimpl
        def checkengine_register_record_kinds(self, register: Any) -> None:
            register(dataclasses.replace(plugin.VEHICLE_CHECK, name="depot_visit", checklist=True))

    registry = registry_with(plugin, Visit())
    assert "depot_visit" in visit_kinds(registry) and "vehicle_check" not in visit_kinds(registry)
    rule = {"id": "T-1", "applies_to": {"kinds": ["depot_visit"]},
            "check": {"all": [{"type": "min_each", "field": "observations.tread", "min": 2},
                              {"type": "equals", "field": "observations.lights_ok", "value": True},
                              {"type": "equals", "field": "observations.plate", "value": "M-1"}]}}
    assert _observations_of(rule, registry) == {"tread": "number", "lights_ok": "bool", "plate": "text"}
    book = {"id": "fleet", "sections": [{"id": "s", "rules": [rule]}]}
    assert checklist_kind(book, None, registry) == "depot_visit"
