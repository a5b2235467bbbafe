"""``sign`` refuses a form prepared for a shadow attack, before any signature is made: what the
signer would see is not what the signed result says."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest

import attacks_shadow
import catalogue
import forge
from checkengine.cli import main
from checkengine.errors import UserError
from checkengine.pdf.sign import sign_pdf
from pdf_helpers import PASSWORD


def _hidden_manager(forms: Any) -> bytes:
    def change(w: Any) -> None:
        from pyhanko.pdf_utils import generic
        from pyhanko.pdf_utils.generic import pdf_name

        manager = catalogue.field_of(w, "manager")
        manager[pdf_name("/F")] = generic.NumberObject(32 | 4)
        w.update_container(manager)
    return forge.update(forms.unsigned, change)


PREPARED: dict[str, tuple[Callable[[Any], bytes], str]] = {
    "overlay": (attacks_shadow.overlay_prepared, "page {page} draws from 3 content streams; checkengine's renderer makes one, "
                                            "so something was drawn over the page"),
    "stamp": (attacks_shadow.note_prepared, "page {page} has an annotation (FreeText) that checkengine never makes: a stamp, "
                                       "note, drawing or field laid over the form"),
    "print-only field": (_hidden_manager, "page 2: the signature field 'manager' is marked no-view (print-only), so "
                                          "readers show it differently"),
}


@pytest.mark.parametrize("name", sorted(PREPARED))
def test_sign_refuses_a_prepared_form(name: str, forms: Any) -> None:
    build, problem = PREPARED[name]
    problem = problem.format(page=catalogue.fail_box(forms)[0] + 1)  # the page of the checklist's FAIL cell
    with pytest.raises(UserError) as err:
        sign_pdf(build(forms), forms.keys["inspector"], field="inspector")
    message = str(err.value)
    assert message.startswith("refusing to sign: the form holds what checkengine's renderer never makes, so what a "
                              "reader shows may not be what is signed:\n  ")
    assert f"  {problem}" in message.splitlines()


def test_sign_command_refuses_and_writes_nothing(forms: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 keys: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHECKENGINE_KEY_PASSWORD", PASSWORD)
    form = tmp_path / "prepared.pdf"
    prepared = attacks_shadow.note_prepared(forms)
    form.write_bytes(prepared)
    code = main(["sign", str(form), "--key", str(keys["inspector"].p12), "--field", "inspector"])
    out, err = capsys.readouterr()
    assert code == 2
    assert err.startswith("checkengine: error: refusing to sign: ")
    assert "Traceback" not in err
    assert form.read_bytes() == prepared  # not signed, not touched


def test_inspector_signs_first(forms: Any) -> None:
    manager_first = sign_pdf(forms.unsigned, forms.keys["manager"], field="manager")
    with pytest.raises(UserError) as err:
        sign_pdf(manager_first, forms.keys["inspector"], field="inspector")
    assert str(err.value) == "the inspector signs first, but the form is already signed in 'manager'"
