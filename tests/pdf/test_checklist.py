"""The blank checklist: fields, round trip through a PDF form filler, bad values."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from checkengine.errors import UserError
from checkengine.pdf.checklist import read_checklist, render_checklist

SUBJECT = {"employee": "E001", "name": "王小明", "role": "agent", "team": "T1"}


@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory, data: dict[str, Any]) -> Path:
    path = tmp_path_factory.mktemp("checklist") / "blank.pdf"
    render_checklist(data["rulebook"], subject=SUBJECT, day=date(2026, 11, 3), lang="zh-Hant",
                     site="cc-taipei", timezone="Asia/Taipei", out_path=path)
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
    assert kinds["r001"] == "/Ch" and kinds["c001"] == "/Tx" and kinds["o001"] == "/Btn"
    assert [str(o[0]) for o in fields["r001"]["/Opt"]] == ["", "pass", "fail", "n.a."]
    assert blank.stat().st_size < 2_000_000  # the field font is one small face, not the CJK collection


def test_round_trip_with_chinese_and_korean(blank: Path, tmp_path: Path) -> None:
    comment = "工牌別在口袋上，未佩戴於左胸統一位置 — 재점검 필요 ñ\n第二行"
    filled = fill(blank, tmp_path / "filled.pdf", {
        "r001": "pass", "r002": "fail", "c002": comment, "r005": "n.a.",
        "o001": "/on", "o002": "pocket", "o006": "12", "time": "09:15", "inspector": "林品管",
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
        "observations": {"uniform": True, "badge": "pocket", "hair_tied": False, "long_hair": False, "monitor_right": False, "minutes_outside": 12},
        "answers": {
            "DRS-01-uniform": {"result": "pass"},
            "DRS-02-badge": {"result": "fail", "comment": comment},
            "DRS-05-hair": {"result": "n.a."},
        },
    }


def test_bad_values(blank: Path, tmp_path: Path) -> None:
    bad = fill(blank, tmp_path / "bad.pdf", {"o006": "twelve"})
    with pytest.raises(UserError) as err:
        read_checklist(bad)
    assert str(err.value) == f"{bad}: field o006 (observations.minutes_outside): 'twelve' is not a number"
    bad = fill(blank, tmp_path / "bad2.pdf", {"time": "9h15"})
    with pytest.raises(UserError) as err:
        read_checklist(bad)
    assert str(err.value) == f"{bad}: field time: '9h15' is not a time of day (HH:MM)"
    bad = fill(blank, tmp_path / "bad3.pdf", {"c003": "note"})
    with pytest.raises(UserError) as err:
        read_checklist(bad)
    assert str(err.value) == f"{bad}: rule DRS-03-neat has a comment but no answer; choose pass, fail or n.a."


def test_not_a_checklist(signed_form: Path) -> None:
    with pytest.raises(UserError) as err:
        read_checklist(signed_form)
    assert str(err.value) == f"{signed_form}: the form carries no 'checklist.json' attachment; was it made by checkengine?"
