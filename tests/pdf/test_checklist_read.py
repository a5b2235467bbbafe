"""Reading a filled checklist back: nothing made up, nothing silently dropped (issue 9, point 8)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from checkengine import api
from checkengine.errors import UserError
from checkengine.pdf.checklist import read_checklist, read_filled, render_checklist
from checkengine.rulebook.load import load_rulebook

ROOT = Path(__file__).resolve().parents[2]
SUBJECT = {"employee": "E001", "name": "王小明", "role": "agent", "team": "T1"}


@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory, data: dict[str, Any]) -> Path:
    path = tmp_path_factory.mktemp("checklist") / "blank.pdf"
    render_checklist(data["rulebook"], subject=SUBJECT, day=date(2026, 11, 3), lang="zh-Hant",
                     site="cc-taipei", kind="floor_inspection", timezone="Asia/Taipei", out_path=path)
    return path


@pytest.fixture(scope="module")
def floor(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("checklist") / "cs-floor.pdf"
    render_checklist(load_rulebook(ROOT / "rulebooks" / "cs-floor.yaml").merged, subject={"employee": "E004"},
                     day=date(2026, 11, 3), lang="zh-Hant", site="cc-taipei", timezone="Asia/Taipei", out_path=path)
    return path


def fill(blank: Path, out: Path, values: dict[str, str]) -> Path:
    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(str(blank)))
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    writer.write(str(out))
    return out


def test_fields(blank: Path) -> None:
    import pypdf

    fields = pypdf.PdfReader(str(blank)).get_fields()
    kinds = {name: str(f.get("/FT")) for name, f in fields.items()}
    assert kinds["r001"] == "/Ch" and kinds["c001"] == "/Tx" and kinds["o001"] == "/Ch" and kinds["o006"] == "/Tx"
    assert [str(o[0]) for o in fields["r001"]["/Opt"]] == ["", "pass", "fail", "n.a."]
    # yes/no observations are a choice with a blank: left alone, they are not answered (not "no")
    assert [str(o[0]) for o in fields["o001"]["/Opt"]] == ["", "yes", "no"]
    assert blank.stat().st_size < 2_000_000  # the field font is one small face, not the CJK collection


def test_round_trip_with_chinese_and_korean(blank: Path, tmp_path: Path) -> None:
    comment = "工牌別在口袋上，未佩戴於左胸統一位置 — 재점검 필요 ñ\n第二行"
    filled = fill(blank, tmp_path / "filled.pdf", {
        "r001": "pass", "r002": "fail", "c002": comment, "r005": "n.a.",
        "o001": "yes", "o002": "pocket", "o004": "no", "o006": "12", "time": "09:15", "inspector": "林品管",
    })
    record = read_checklist(filled)
    assert record == {
        "checkengine": 1,
        "kind": "floor_inspection",
        "id": "cs-floor-E001-2026-11-03",
        "site": "cc-taipei",
        "timestamp": "2026-11-03T09:15:00+08:00",
        "inspector": {"name": "林品管"},
        "subject": SUBJECT,
        # hair_tied and monitor_right were left blank: not known (null), never false
        "observations": {"uniform": True, "badge": "pocket", "hair_tied": None, "long_hair": False,
                         "monitor_right": None, "minutes_outside": 12},
        "answers": {
            "DRS-01-uniform": {"result": "pass"},
            "DRS-02-badge": {"result": "fail", "comment": comment},
            "DRS-05-hair": {"result": "n.a."},
        },
    }
    gaps = read_filled(filled)
    assert gaps.unanswered_rules == ["DRS-03-neat", "DRS-04-makeup", "WKS-01-monitor", "WKS-03-minutes-outside"]
    assert gaps.unanswered_observations == ["hair_tied", "monitor_right"]


def test_a_blank_checklist_is_not_a_record(blank: Path) -> None:
    # Not a record of made-up findings at 00:00: nothing was filled in.
    with pytest.raises(UserError) as err:
        read_checklist(blank)
    assert str(err.value) == (f"{blank}: nothing was filled in (no answer, observation, comment, time or "
                              "inspector); fill in the checklist, then read it back")


def test_the_time_is_never_guessed(blank: Path, tmp_path: Path) -> None:
    filled = fill(blank, tmp_path / "no-time.pdf", {"r001": "pass", "inspector": "林品管"})
    with pytest.raises(UserError) as err:
        read_checklist(filled)
    assert str(err.value) == (f"{filled}: field time: the time of the visit is not filled in; write it as HH:MM "
                              "(the record's timestamp is never guessed)")


def test_bad_values(blank: Path, tmp_path: Path) -> None:
    bad = fill(blank, tmp_path / "bad.pdf", {"o006": "twelve", "time": "09:00"})
    with pytest.raises(UserError) as err:
        read_checklist(bad)
    assert str(err.value) == f"{bad}: field o006 (observations.minutes_outside): 'twelve' is not a number"
    bad = fill(blank, tmp_path / "bad2.pdf", {"time": "9h15"})
    with pytest.raises(UserError) as err:
        read_checklist(bad)
    assert str(err.value) == f"{bad}: field time: '9h15' is not a time of day (HH:MM)"
    bad = fill(blank, tmp_path / "bad3.pdf", {"c003": "note", "time": "09:00"})
    with pytest.raises(UserError) as err:
        read_checklist(bad)
    assert str(err.value) == f"{bad}: rule DRS-03-neat has a comment but no answer; choose pass, fail or n.a."
    bad = fill(blank, tmp_path / "bad4.pdf", {"o001": "maybe", "time": "09:00"})
    with pytest.raises(UserError) as err:
        read_checklist(bad)
    assert str(err.value) == f"{bad}: field o001 (uniform): 'maybe' is not one of yes, no"


def test_the_record_it_gives_is_judged_honestly(floor: Path, tmp_path: Path) -> None:
    """Fill a cs-floor checklist as an auditor would, read it back, evaluate it."""
    import pypdf
    import yaml

    fields = {name: spec for name, spec in _mapping(floor)["fields"].items()}
    by_obs = {spec["observation"]: name for name, spec in fields.items() if "observation" in spec}
    by_rule = {spec["rule"]: name for name, spec in fields.items() if spec.get("part") == "result"}
    values = {by_obs["uniform"]: "no", by_rule["DRS-01-uniform"]: "pass",     # the auditor disagrees with the data
              by_obs["badge"]: "standard", by_rule["DRS-02-badge"]: "pass",  # agrees
              by_obs["hair"]: "tied", "time": "14:05", "inspector": "林品管"}
    options = [str(o[0]) for o in pypdf.PdfReader(str(floor)).get_fields()[by_obs["badge"]]["/Opt"]]
    assert options == ["", "standard", "crooked", "elsewhere", "missing"]
    record = read_checklist(fill(floor, tmp_path / "filled.pdf", values))
    path = tmp_path / "record.yaml"
    path.write_text(yaml.safe_dump(record, allow_unicode=True), "utf-8")
    book = load_rulebook(ROOT / "rulebooks" / "cs-floor.yaml")
    result = api.evaluate_record_file(book, path, lang="en")
    outcomes = {o["rule"]: o for o in result["records"][0]["outcomes"]}
    # 001 值班制度 1 (著裝統一): the data say fail, the auditor said pass: both, for review.
    assert outcomes["DRS-01-uniform"]["outcome"] == "needs_review"
    assert outcomes["DRS-01-uniform"]["details"]["disagreement"] == {"data": "fail", "auditor": "pass"}
    assert outcomes["DRS-02-badge"]["outcome"] == "pass"
    assert outcomes["DRS-05-hair-tied"]["outcome"] == "pass"
    # Not answered is never a pass or a fail.
    assert outcomes["DRS-03-neat-clothes"]["outcome"] == "needs_review"  # a manual rule left blank
    assert outcomes["WKS-01-monitor-right"]["outcome"] == "needs_review"  # an observation left blank
    assert not any(o["outcome"] == "error" for o in outcomes.values())


def _mapping(pdf: Path) -> dict[str, Any]:
    from checkengine.pdf import attachments as att

    found: dict[str, Any] = att.read_json_attachment(att.read_attachments(pdf.read_bytes()), att.CHECKLIST, "x")
    return found


def test_an_earlier_checklists_unticked_box_is_not_known() -> None:
    # checklist/1 had checkboxes for yes/no observations: unticked cannot tell "no" from "not checked".
    from checkengine.pdf.checklist_read import _observation

    old = {"observation": "uniform", "type": "bool"}
    assert _observation("o001", old, "/Off", "old.pdf") is None
    assert _observation("o001", old, None, "old.pdf") is None
    assert _observation("o001", old, "/On", "old.pdf") is True


def test_not_a_checklist(signed_form: Path) -> None:
    with pytest.raises(UserError) as err:
        read_checklist(signed_form)
    assert str(err.value) == f"{signed_form}: the form carries no 'checklist.json' attachment; was it made by checkengine?"
