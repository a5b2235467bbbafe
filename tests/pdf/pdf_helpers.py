"""Shared helpers for the PDF tests: the fixture, files on disk, PDF inspection."""

from __future__ import annotations

import copy
import io
import json
import subprocess
from pathlib import Path
from typing import Any

import yaml

FIXTURES = Path(__file__).parent / "fixtures"
PASSWORD = "correct horse battery staple"


def fixture() -> dict[str, Any]:
    return json.loads((FIXTURES / "floor-inspection.json").read_text("utf-8"))


def write_photo(path: Path, size: tuple[int, int] = (800, 600), color: tuple[int, int, int] = (200, 120, 40)) -> Path:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, color).save(path, "JPEG", quality=80)
    return path


def record_dir(folder: Path) -> Path:
    """A record folder with the fixture's evidence photo; returns the folder."""
    write_photo(folder / "photos" / "e001-badge.jpg")
    return folder


def write_rulebook(folder: Path, merged: dict[str, Any]) -> Path:
    """The fixture's merged rulebook as a rulebook YAML file with an inline sources document."""
    data = copy.deepcopy(merged)
    cited = data.pop("sources", {})
    data["sources"] = [{
        "id": "seed-001",
        "title": "客服部管理制度與崗位職責",
        "clauses": [{"id": k, "clause": v["clause"], "text": v["text"]} for k, v in cited.items()],
    }]
    path = folder / "cs-floor.rulebook.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def write_record(folder: Path, record: dict[str, Any], name: str = "FI-2026-11-03-001.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def run(*args: str) -> str:
    return subprocess.run(list(args), capture_output=True, text=True, check=False, timeout=120).stdout


def pdftotext(path: Path) -> str:
    return run("pdftotext", "-layout", str(path), "-")


def embedded_cmaps(path: Path) -> dict[str, dict[int, str]]:
    """Base font name -> its embedded program's cmap, for every font used by the pages and by
    the appearances of their annotations (the signature stamps), through nested XObjects."""
    import pypdf
    from fontTools.ttLib import TTFont

    reader = pypdf.PdfReader(str(path))
    found: dict[str, dict[int, str]] = {}
    seen: set[int] = set()

    def resources(res: Any) -> None:
        res = res.get_object() if res is not None else None
        if not res:
            return
        for ref in (res.get("/Font") or {}).values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font)["/FontDescriptor"]
            for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                if key in descriptor:
                    data = descriptor[key].get_object().get_data()
                    found[f"{font['/BaseFont']}#{id(font)}"] = TTFont(io.BytesIO(data)).getBestCmap() or {}
        for ref in (res.get("/XObject") or {}).values():
            xobject(ref)

    def xobject(ref: Any) -> None:
        key = getattr(ref, "idnum", None)
        if key is not None:
            if key in seen:
                return
            seen.add(key)
        obj = ref.get_object()
        if obj.get("/Subtype") == "/Form":
            resources(obj.get("/Resources"))

    for page in reader.pages:
        resources(page.get("/Resources"))
        for annot in page.get("/Annots") or []:
            appearance = annot.get_object().get("/AP")
            if appearance and "/N" in appearance:
                normal = appearance["/N"]
                if normal.get_object().get("/Subtype") == "/Form":
                    xobject(normal)
    return found


def load(files: Any, **kw: Any) -> Any:
    """Load a test key (made by keys.new_self_signed) with the test password."""
    from checkengine.pdf.keys import load_key

    return load_key(files.p12, password=lambda what: PASSWORD.encode(), **kw)


def reevaluate_as_printed(record: Any, merged: Any, result: Any, waivers: Any) -> Any:
    """A stand-in evaluator for library tests: the rules 'give' what the form printed."""
    return result
