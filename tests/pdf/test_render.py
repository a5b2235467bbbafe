"""The audit form: content, escaping, safety of what it loads, attachments, atomic output."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest

from checkengine.errors import UserError
from checkengine.pdf import attachments as att
from checkengine.pdf.render import render_audit_form
from pdf_helpers import many_rules, pdftotext, record_dir, run, write_photo


def render(data: dict[str, Any], folder: Path, lang: str = "zh-Hant", record: dict[str, Any] | None = None,
           result: dict[str, Any] | None = None, **kw: Any) -> Any:
    return render_audit_form(result or data["results"][lang], record or data["record"], data["rulebook"],
                             lang=lang, base_dir=folder, **kw)


def test_attachments_are_embedded_and_parse(signed_form: Path, data: dict[str, Any]) -> None:
    files = att.read_attachments(signed_form)
    assert set(files) >= {"record.json", "result.json", "rulebook.json"}
    assert json.loads(files["record.json"]) == data["record"]
    assert json.loads(files["result.json"]) == data["results"]["zh-Hant"]
    book = json.loads(files["rulebook.json"])
    assert book["merged"] == data["rulebook"]
    assert book["digest"] == data["results"]["zh-Hant"]["rulebook"]["digest"]
    import pypdf

    catalog = pypdf.PdfReader(str(signed_form)).trailer["/Root"]
    assert len(catalog["/AF"]) >= 3  # PDF/A-3 associated files


def test_form_content(signed_form: Path) -> None:
    text = pdftotext(signed_form)
    for rule in ("DRS-01-uniform", "DRS-02-badge", "DRS-03-neat", "DRS-04-makeup", "DRS-05-hair",
                 "WKS-01-monitor", "WKS-03-minutes-outside"):
        assert rule in text
    for expected in ("稽核表", "台北客服中心", "林品管", "王小明", "不符合", "豁免", "不適用", "≤ 10",
                     "值班制度 1", "工牌別在口袋上", "措施", "當班組長確認工牌位置並複查",
                     "未訂期限", "待處理", "第 1 頁，共", "數位簽章人", "SELF-SIGNED TEST KEY – NOT FOR PRODUCTION"):
        assert expected in text, expected


def test_pdf_a_3b_metadata(signed_form: Path) -> None:
    import pypdf

    xmp = pypdf.PdfReader(str(signed_form)).trailer["/Root"]["/Metadata"].get_object().get_data()
    # the identification survives the signatures' incremental updates
    assert b'pdfaid:part="3"' in xmp and b'pdfaid:conformance="B"' in xmp


def test_producer_and_creator_agree_in_info_and_xmp(signed_form: Path) -> None:
    """PDF/A: the information dictionary and the XMP metadata say the same, after both signatures."""
    import re

    import pypdf

    reader = pypdf.PdfReader(str(signed_form))
    info = reader.trailer["/Info"]
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    producers = re.findall(r'pdf:Producer="([^"]*)"|<pdf:Producer>([^<]*)<', xmp)
    assert [a or b for a, b in producers] == [str(info["/Producer"])]
    creators = re.findall(r'xmp:CreatorTool="([^"]*)"|<xmp:CreatorTool>([^<]*)<', xmp)
    assert [a or b for a, b in creators] == [str(info["/Creator"])]
    assert "WeasyPrint" in str(info["/Creator"]) and "pyHanko" in str(info["/Producer"])


def test_each_attached_file_is_listed_once_in_af(signed_form: Path) -> None:
    import pypdf

    root = pypdf.PdfReader(str(signed_form)).trailer["/Root"]
    listed = [ref.idnum for ref in root["/AF"]]
    names = root["/Names"]["/EmbeddedFiles"]["/Names"]
    files = [ref.idnum for ref in names[1::2]]
    assert sorted(listed) == sorted(files) and len(set(listed)) == len(listed) == 3


def test_record_html_is_escaped(tmp_path: Path, data: dict[str, Any]) -> None:
    folder = record_dir(tmp_path)
    result = copy.deepcopy(data["results"]["en"])
    record = copy.deepcopy(data["record"])
    html = '<b>bold</b><img src="x.png"><script>alert(1)</script>'
    record["answers"]["DRS-02-badge"]["comment"] = html
    result["records"][0]["outcomes"][1]["comment"] = html
    out = tmp_path / "form.pdf"
    render(data, folder, "en", record=record, result=result, out_path=out)
    assert html in pdftotext(out).replace("\n", "")


@pytest.mark.parametrize("value", ["file:///etc/passwd", "https://example.com/a.jpg", "data:image/png;base64,AAAA"])
def test_link_in_a_record_field_is_refused(tmp_path: Path, data: dict[str, Any], value: str) -> None:
    record = copy.deepcopy(data["record"])
    record["answers"]["DRS-02-badge"]["comment"] = value
    scheme = value.split(":")[0]
    with pytest.raises(UserError) as err:
        render(data, record_dir(tmp_path), record=record)
    assert str(err.value) == (
        f"answers.DRS-02-badge.comment: '{value}' is a link ({scheme}:); a form embeds only files "
        "from the record's own folder, so file:, http(s): and data: links are refused"
    )


def test_parent_folder_reference_is_refused(tmp_path: Path, data: dict[str, Any]) -> None:
    record = copy.deepcopy(data["record"])
    record["answers"]["DRS-02-badge"]["evidence"] = ["../secret.jpg"]
    with pytest.raises(UserError) as err:
        render(data, record_dir(tmp_path), record=record)
    assert str(err.value) == (
        "answers.DRS-02-badge.evidence[0]: '../secret.jpg' refers to a parent folder ('..'); files on "
        "a form must be inside the record's own folder"
    )


def test_missing_photo(tmp_path: Path, data: dict[str, Any]) -> None:
    with pytest.raises(UserError) as err:
        render(data, tmp_path)
    assert str(err.value) == (
        "answers.DRS-02-badge.evidence[0]: the evidence file 'photos/e001-badge.jpg' does not exist "
        f"(looked for {tmp_path.resolve() / 'photos' / 'e001-badge.jpg'})"
    )


def test_40_mb_photo_is_refused(tmp_path: Path, data: dict[str, Any]) -> None:
    photo = tmp_path / "photos" / "e001-badge.jpg"
    photo.parent.mkdir()
    with photo.open("wb") as fh:
        fh.write(b"\xff\xd8\xff\xe0" + b"\0" * (40 * 1024 * 1024))
    with pytest.raises(UserError) as err:
        render(data, tmp_path)
    assert str(err.value) == (
        "answers.DRS-02-badge.evidence[0]: the evidence photo 'photos/e001-badge.jpg' is 40.0 MB; "
        "the limit is 10 MB (raise it with --max-photo-size)"
    )


def test_symlink_out_of_the_record_folder_is_refused(tmp_path: Path, data: dict[str, Any]) -> None:
    outside = write_photo(tmp_path / "outside" / "x.jpg")
    folder = tmp_path / "record"
    (folder / "photos").mkdir(parents=True)
    os.symlink(outside, folder / "photos" / "e001-badge.jpg")
    with pytest.raises(UserError) as err:
        render(data, folder)
    assert str(err.value) == (
        f"answers.DRS-02-badge.evidence[0]: 'photos/e001-badge.jpg' resolves to {outside.resolve()}, "
        f"outside the record's folder {folder.resolve()}; evidence files (and symbolic links) must stay inside it"
    )


def test_not_a_photo_is_refused(tmp_path: Path, data: dict[str, Any]) -> None:
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "e001-badge.jpg").write_text("<svg/>")
    with pytest.raises(UserError) as err:
        render(data, tmp_path)
    assert str(err.value) == (
        "answers.DRS-02-badge.evidence[0]: the evidence file 'photos/e001-badge.jpg' is not a JPEG, "
        "PNG, GIF or WebP photo"
    )


def test_language_the_rulebook_lacks(tmp_path: Path, data: dict[str, Any]) -> None:
    with pytest.raises(UserError) as err:
        render(data, record_dir(tmp_path), lang="fr", result=data["results"]["en"])
    assert str(err.value) == (
        "the rulebook 'cs-floor' has no 'fr' translation; its languages are zh-Hant, en, zh-Hans, ko, es"
    )


def test_fetcher_refuses_anything_outside_the_allowed_folders(tmp_path: Path) -> None:
    from checkengine.pdf.fetcher import RefusedResource, SafeFetcher

    fetcher = SafeFetcher([tmp_path], max_bytes=1000)
    for url, why in [
        ("file:///etc/passwd", "is outside the forms folder and the record's folder"),
        ("https://example.com/x.css", "is not a file in the forms folder or the record's folder"),
        ("data:text/css,body{}", "is not a file in the forms folder or the record's folder"),
        (tmp_path.as_uri() + "/../x", "climbs to a parent folder ('..')"),
    ]:
        with pytest.raises(RefusedResource) as err:
            fetcher.fetch(url)
        assert str(err.value.error) == f"the form refers to '{url}', which {why}; refused"


@pytest.mark.parametrize("newline", ["\n", "\r", "\r\n", "\f"])
def test_css_string_keeps_a_record_value_inside_the_string(newline: str) -> None:
    import tinycss2

    from checkengine.pdf.labels import css_string

    value = f'R1{newline}; background: url(x.png); content: "x'
    declarations = [d for d in tinycss2.parse_blocks_contents(f"content: {css_string(value)};", skip_whitespace=True)
                     if d.type == "declaration"]
    assert [d.name for d in declarations] == ["content"]
    strings = [t for t in declarations[0].value if t.type == "string"]
    assert [s.value for s in strings] == [value]


def test_interrupted_render_leaves_no_file(tmp_path: Path, data: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    import checkengine.pdf.render as render_module

    folder = record_dir(tmp_path)
    out = folder / "form.pdf"
    real = render_module.atomic_output

    def interrupted(*args: Any, **kw: Any) -> Any:
        class Boom:
            def __enter__(self) -> Any:
                self.cm = real(*args, **kw)
                fh = self.cm.__enter__()
                fh.write(b"%PDF-1.7 half")
                raise KeyboardInterrupt

            def __exit__(self, *exc: Any) -> Any:
                return False

        return Boom()

    monkeypatch.setattr(render_module, "atomic_output", interrupted)
    with pytest.raises(KeyboardInterrupt):
        render(data, folder, out_path=out)
    assert sorted(p.name for p in folder.iterdir()) == ["photos"]


def test_interrupted_while_writing(tmp_path: Path) -> None:
    from checkengine.pdf.output import atomic_output

    out = tmp_path / "form.pdf"
    with pytest.raises(KeyboardInterrupt):
        with atomic_output(out) as fh:
            fh.write(b"%PDF-1.7 half")
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_existing_output_is_refused(tmp_path: Path, signed_form: Path, data: dict[str, Any]) -> None:
    folder = record_dir(tmp_path)
    plain = folder / "plain.pdf"
    plain.write_bytes(b"%PDF-1.7\n")
    with pytest.raises(UserError) as err:
        render(data, folder, out_path=plain)
    assert str(err.value) == (
        f"{plain} exists; refusing to overwrite it (use --force to replace it, or choose another output)"
    )
    signed = folder / "signed.pdf"
    signed.write_bytes(signed_form.read_bytes())
    with pytest.raises(UserError) as err:
        render(data, folder, out_path=signed)
    assert str(err.value) == (
        f"{signed} exists and is a signed PDF; refusing to overwrite it (use --force to replace it, "
        "or choose another output)"
    )
    assert signed.read_bytes() == signed_form.read_bytes()
    render(data, folder, out_path=plain, force=True)
    assert plain.read_bytes().startswith(b"%PDF")


def test_corrective_actions_from_the_record(tmp_path: Path, data: dict[str, Any]) -> None:
    record = copy.deepcopy(data["record"])
    record["corrective_actions"] = [{"rule": "DRS-02-badge", "action": "Re-train on badge rules", "owner": "Ms Lee", "due": "2026-11-20"}]
    out = tmp_path / "f.pdf"
    render(data, record_dir(tmp_path), "en", record=record, out_path=out)
    text = pdftotext(out)
    assert "Re-train on badge rules" in text and "Ms Lee" in text and "20 November 2026" in text


@pytest.mark.slow
@pytest.mark.parametrize("lang, words", [
    ("ko", ["점검표", "부적합", "2026년 11월 3일"]),
    ("es", ["Formulario de auditoría", "NO CUMPLE", "3 de noviembre de 2026", "página 1 de"]),
    ("zh-Hans", ["稽核表", "不符合", "2026年11月3日", "第 1 页，共"]),
])
def test_translated_labels_and_locale_dates(tmp_path: Path, data: dict[str, Any], lang: str, words: list[str]) -> None:
    out = tmp_path / "f.pdf"
    render(data, record_dir(tmp_path), lang, out_path=out)
    text = pdftotext(out)
    for word in words:
        assert word in text, word


@pytest.mark.slow
def test_sixty_rules_on_two_pages(tmp_path: Path, data: dict[str, Any]) -> None:
    """The benchmark's form: 60 rules, each row with its rule id, and each clause quoted once;
    the checklist on two pages after the cover."""
    result, record = many_rules(data, 60)
    out = tmp_path / "sixty.pdf"
    rendered = render(data, tmp_path, record=record, result=result, out_path=out)
    assert rendered.pages == 3
    text = pdftotext(out)
    flat = "".join(text.split())
    for outcome in result["records"][0]["outcomes"]:
        assert outcome["rule"] in flat, outcome["rule"]
    for clause in data["rulebook"]["sources"].values():
        assert flat.count("「" + "".join(clause["text"].split()) + "」") == 1, clause["text"]
    assert "第 1 頁，共 3 頁" in text and "第 3 頁，共 3 頁" in text


def test_every_item_of_the_form(tmp_path: Path, data: dict[str, Any]) -> None:
    """The cover (header, scores and grade, pass rate, the failed items critical first with comment,
    photo, clause and corrective action), one table per section, signature blocks, page X of Y."""
    out = tmp_path / "en.pdf"
    render(data, record_dir(tmp_path), "en", out_path=out)
    flat = " ".join(pdftotext(out).split())
    header = ["Site 台北客服中心 (cc-taipei)", "3 November 2026, 09:15:00 +0800 (Asia/Taipei)", "Inspector 林品管 (Q01)",
              "Subject 王小明 (E001) · agent · T1", "cs-floor, version 1.0.0",
              data["results"]["en"]["rulebook"]["digest"]]
    sections = ["Dress and grooming — Score 57.1", "Workstation — Score 16.7"]
    failed = ["FAIL · critical · WKS-03-minutes-outside Minutes away from the desk within the limit Found 12 Required ≤ 10",
              "Action Supervisor interview; record the reasons for leaving the desk Owner no owner set",
              "Due no due date set · Status: open Evidence No evidence attached.",
              "FAIL · major · DRS-02-badge Duty badge worn at the standard position Found pocket Required standard",
              "Comment 工牌別在口袋上，未佩戴於左胸統一位置", "Clause DRS-02 場管 5 「進機房著裝整齊化一、工牌佩戴統一位置。」",
              "photos/e001-badge.jpg"]
    rest = ["Scores Score 50 / 100 · Grade C · Inspection not passed", "Critical failures: WKS-03-minutes-outside",
            "Pass rate 60%", "Full checklist", "Signatures", "Inspector: 林品管 (Q01)", "Site manager",
            "page 1 of 2", "page 2 of 2"]
    for item in header + sections + failed + rest:
        assert item in flat.replace(" ", " ") or "".join(item.split()) in "".join(flat.split()), item
    assert flat.index("Failed and critical items") < flat.index("page 1 of 2") < flat.index("Full checklist")
    images = run("pdfimages", "-list", str(out)).splitlines()[2:]
    assert len(images) == 1 and images[0].split()[2:4] == ["image", "800"]  # the evidence photo
    assert flat.count("Observed") == 2  # a table, with its header, per section
