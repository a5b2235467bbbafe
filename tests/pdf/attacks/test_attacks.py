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
