from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from pdf_helpers import PASSWORD, fixture, load, record_dir


@pytest.fixture(autouse=True)
def _key_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHECKENGINE_KEY_PASSWORD", PASSWORD)


@pytest.fixture(scope="session")
def data() -> dict[str, Any]:
    return fixture()


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from checkengine.pdf.keys import new_self_signed

    root = tmp_path_factory.mktemp("keys")
    past = datetime.now(timezone.utc) - timedelta(days=400)
    return {
        "inspector": new_self_signed("林品管", root / "inspector", PASSWORD.encode()),
        "manager": new_self_signed("陳主任", root / "manager", PASSWORD.encode()),
        "stranger": new_self_signed("Mallory", root / "stranger", PASSWORD.encode()),
        "expired": new_self_signed("Old Key", root / "expired", PASSWORD.encode(),
                                   not_before=past, not_after=past + timedelta(days=30)),
    }


@pytest.fixture(scope="session")
def signed_form(tmp_path_factory: pytest.TempPathFactory, data: dict[str, Any], keys: dict[str, Any]) -> Path:
    """The zh-Hant audit form, signed by the inspector and countersigned by the manager."""
    from checkengine.pdf.render import render_audit_form
    from checkengine.pdf.sign import sign_pdf

    folder = record_dir(tmp_path_factory.mktemp("record"))
    rendered = render_audit_form(data["results"]["zh-Hant"], data["record"], data["rulebook"],
                                 lang="zh-Hant", base_dir=folder)
    pdf = sign_pdf(rendered.pdf, load(keys["inspector"]), field="inspector")
    pdf = sign_pdf(pdf, load(keys["manager"]), field="manager")
    out = folder / "signed.pdf"
    out.write_bytes(pdf)
    return out


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    old = os.getcwd()
    os.chdir(tmp_path)
    yield tmp_path
    os.chdir(old)
