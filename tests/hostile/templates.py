"""Files that many hostile cases start from and that take a while to make (keys, a signed form,
an archive): made once per test session, copied into each case that names them in ``needs``."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from pathlib import Path
from typing import Callable

from pdf_helpers import PASSWORD, fixture, record_dir, write_record, write_rulebook

HERE = Path(__file__).resolve().parent


def _cli(folder: Path, *args: str) -> None:
    from checkengine.cli import main

    old = os.getcwd()
    os.chdir(folder)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err:
            code = main(list(args))
    finally:
        os.chdir(old)
    if code != 0:
        raise RuntimeError(f"making a template failed: checkengine {' '.join(args)}: {err.getvalue()}")


def build(name: str, root: Path, get: Callable[[str], Path]) -> Path:
    """Make the template *name* under *root*; a build that fails leaves nothing behind, so the
    next case that needs it builds it again and fails with the same message (not a
    FileExistsError about the first attempt's folder)."""
    folder = root / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    try:
        _build(name, folder, get)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def _fill(blank: Path, values: dict[str, str]) -> None:
    """Fill in a checklist's fields as a PDF reader saves them (an incremental update), in place."""
    import pypdf

    writer = pypdf.PdfWriter(blank, incremental=True)
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    filled = blank.with_name(f"filled-{blank.name}")
    writer.write(filled)
    filled.replace(blank)


def _build(name: str, folder: Path, get: Callable[[str], Path]) -> None:
    if name == "audit":  # the PDF tests' floor inspection: its rulebook, record and photo
        data = fixture()
        record_dir(folder)
        write_rulebook(folder, data["rulebook"])
        write_record(folder, data["record"], "FI.yaml")
    elif name == "keys":
        (folder / "password.txt").write_text(PASSWORD + "\n", "utf-8")
        _cli(folder, "keys", "new", "--name", "Inspector", "-o", "keys", "--password-file", "password.txt")
    elif name == "form":  # a signed audit form
        shutil.copytree(get("audit"), folder, dirs_exist_ok=True)
        shutil.copytree(get("keys"), folder, dirs_exist_ok=True)
        _cli(folder, "audit", "-r", "cs-floor.rulebook.yaml", "FI.yaml", "--lang", "zh-Hant", "-o", "form.pdf",
             "--sign", "keys/key.p12", "--password-file", "password.txt")
        for item in list(folder.iterdir()):
            if item.name != "form.pdf":
                shutil.rmtree(item) if item.is_dir() else item.unlink()
    elif name == "checklist":  # a filled-in checklist that `form read` reads back (exit 0)
        shutil.copytree(get("audit"), folder, dirs_exist_ok=True)
        _cli(folder, "form", "checklist", "-r", "cs-floor.rulebook.yaml", "--kind", "floor_inspection",
             "--subject", "E001", "--date", "2026-11-03", "--lang", "zh-Hant", "-o", "checklist.pdf")
        _fill(folder / "checklist.pdf", {"time": "09:30", "inspector": "林品管"})
        _cli(folder, "form", "read", "checklist.pdf", "-o", "read.yaml")
        for item in list(folder.iterdir()):
            if item.name != "checklist.pdf":
                shutil.rmtree(item) if item.is_dir() else item.unlink()
    elif name == "archive":
        shutil.copy2(HERE / "base" / "rulebook.yaml", folder / "rulebook.yaml")
        shutil.copy2(HERE / "base" / "good.jsonl", folder / "good.jsonl")
        _cli(folder, "archive", "add", "-r", "rulebook.yaml", "good.jsonl", "--db", "archive.sqlite", "-j", "1", "-q")
        (folder / "rulebook.yaml").unlink()
        (folder / "good.jsonl").unlink()
    else:  # pragma: no cover - a typo in a case
        raise ValueError(f"unknown template {name!r}")
