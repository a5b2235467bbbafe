"""Every attack in the catalogue is refused by ``checkengine verify`` (exit 1) with words that
say what is wrong; the honest forms they start from still verify."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from catalogue import ATTACKS, Attack
from checkengine.cli import main

KINDS = {"bytes", "isa", "usf", "replay", "wrapping", "keys", "roles", "shadow", "certification"}


def verify(capsys: pytest.CaptureFixture[str], path: Path, forms: Any, *, trust: tuple[str, ...] = ("inspector", "manager"),
           roles: dict[str, str] | None = None, extra: tuple[str, ...] = ()) -> tuple[int, str]:
    args = ["verify", str(path)]
    for name in trust:
        args += ["--trust", str(forms.certs[name])]
    for role, name in (roles or {}).items():
        args += [f"--trust-{role}", str(forms.certs[name])]
    code = main(args + list(extra))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out + err


def test_the_catalogue_is_large_and_covers_every_class() -> None:
    assert len(ATTACKS) >= 30
    assert {a.kind for a in ATTACKS} == KINDS
    assert len({a.name for a in ATTACKS}) == len(ATTACKS)


def test_the_honest_forms_verify(forms: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "honest.pdf"
    path.write_bytes(forms.signed)
    code, out = verify(capsys, path, forms)
    assert code == 0, out
    assert out.splitlines()[0] == f"{path}: VALID"
    assert out.splitlines()[-1].endswith(": matches the form")
    code, out = verify(capsys, path, forms, trust=(), roles={"inspector": "inspector", "manager": "manager"})
    assert code == 0, out
    path.write_bytes(forms.inspector)
    code, out = verify(capsys, path, forms, extra=("--allow-missing-countersignature",))
    assert code == 0, out
    assert out.splitlines()[0] == (f"{path}: VALID, but NOT COUNTERSIGNED: the site manager has not signed "
                                   "(accepted with --allow-missing-countersignature)")


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_attack_is_refused(attack: Attack, forms: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / f"{attack.name}.pdf"
    path.write_bytes(attack.build(forms))
    code, out = verify(capsys, path, forms, trust=attack.trust, roles=attack.roles)
    assert code == 1, out
    lines = out.splitlines()
    assert lines[0] == f"{path}: INVALID", out
    problems = [line for line in lines if line.startswith("  problem: ")]
    assert problems, out
    for words in attack.says:
        assert any(words in line for line in problems), f"{words!r} not in:\n{out}"
    assert "matches the form" not in out


FIRST_OF_EACH_KIND = [next(a for a in ATTACKS if a.kind == kind) for kind in sorted(KINDS)]


@pytest.mark.parametrize("attack", FIRST_OF_EACH_KIND, ids=[a.name for a in FIRST_OF_EACH_KIND])
def test_json_verdict_lists_the_failed_checks(attack: Attack, forms: Any, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / f"{attack.name}.pdf"
    path.write_bytes(attack.build(forms))
    code, out = verify(capsys, path, forms, trust=attack.trust, roles=attack.roles, extra=("--format", "json"))
    verdict = json.loads(out)
    assert code == 1 and verdict["valid"] is False
    failed = [c for c in verdict["checks"] if not c["passed"]]
    assert failed and all(c["problems"] for c in failed)
    assert set(verdict["problems"]) == {p for c in failed for p in c["problems"]}
    for words in attack.says:
        assert any(words in p for p in verdict["problems"]), words


def test_a_form_signed_without_the_lock_still_verifies_with_a_note(forms: Any, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """Forms signed before the inspector's signature locked the form (or by another PAdES tool) stay
    valid years later: checkengine's own difference analysis refuses every later change anyway. The
    verdict says that PDF readers will not enforce the lock."""
    from forge import sign_raw, update

    def old_fields(writer: Any) -> None:  # the fields as checkengine 0.1 made them: no /Lock, no /SV
        for ref in writer.root["/AcroForm"]["/Fields"]:
            field = ref.get_object()
            for key in ("/Lock", "/SV"):
                if key in field:
                    del field[key]
                    writer.update_container(field)

    old_form = update(forms.unsigned, old_fields)
    unlocked = sign_raw(sign_raw(old_form, forms.keys["inspector"], "inspector"), forms.keys["manager"], "manager")
    path = tmp_path / "unlocked.pdf"
    path.write_bytes(unlocked)
    code, out = verify(capsys, path, forms)
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == f"{path}: VALID"
    assert lines[1] == ("  note: signature 'inspector': it does not lock the form against later changes (no "
                        "certification or field lock), so PDF readers will not enforce that; checkengine checked "
                        "every later change itself (a form signed by checkengine before version 0.2, or by another tool)")
    tampered = bytearray(unlocked)
    at = unlocked.rindex(b"/Contents <") - 200
    tampered[at] = tampered[at] ^ 0x01  # one bit inside the inspector's signed bytes of the last revision
    path.write_bytes(bytes(tampered))
    code, out = verify(capsys, path, forms)
    assert code == 1 and out.splitlines()[0] == f"{path}: INVALID", out
