"""The hostile-input suite: every case folder under cases/ is one test (see harness.py).

A case promises: the exit code it names; a message that says where (each ``expect`` text appears
in the output); no traceback; the command finished within its time and memory bound; no input
changed (unless the case lists it under ``changes``), no part file left, and no output where
``absent`` says none may be.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Callable, Iterator

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "pdf"))

from harness import CASES, DEFAULT_MEMORY_MB, DEFAULT_SECONDS, all_cases, run_case, snapshot  # noqa: E402
from templates import build  # noqa: E402


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Path]]:
    root = tmp_path_factory.mktemp("hostile-templates")
    made: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in made:
            made[name] = build(name, root, get)
        return made[name]

    yield get


@pytest.mark.parametrize("case", all_cases(), ids=lambda p: str(p.relative_to(CASES)))
def test_hostile_case(case: Path, tmp_path: Path, templates: Callable[[str], Path]) -> None:
    folder = tmp_path / "case"
    folder.mkdir()
    spec, outcome, before = run_case(case, folder, templates)
    shown = f"exit {outcome.code}\n--- stdout\n{outcome.out[-3000:]}\n--- stderr\n{outcome.err[-3000:]}"
    wanted = spec["exit"] if isinstance(spec["exit"], list) else [spec["exit"]]
    assert outcome.code in wanted, shown
    assert "Traceback" not in outcome.out + outcome.err, shown
    assert "internal error" not in outcome.err, shown
    both = (outcome.out + outcome.err).replace(str(folder) + "/", "")
    for text in spec.get("expect", []):
        assert text in both, f"expected {text!r} in the output\n{shown}"
    for text in spec.get("reject", []):
        assert text not in both, f"{text!r} must not be in the output\n{shown}"
    assert outcome.seconds <= float(spec.get("seconds", DEFAULT_SECONDS)), shown
    if not spec.get("isolate"):
        assert outcome.peak_mb <= float(spec.get("memory_mb", DEFAULT_MEMORY_MB)), \
            f"{outcome.peak_mb:.0f} MB allocated\n{shown}"
    after = snapshot(folder)
    changes = set(spec.get("changes", []))
    lost = [name for name, digest in before.items() if name not in changes and after.get(name) != digest]
    assert not lost, f"inputs changed or removed: {lost}\n{shown}"
    parts = [p.name for p in folder.rglob("*.part") if str(p.relative_to(folder)) not in before]
    assert not parts, f"part files left: {parts}\n{shown}"
    for name in spec.get("absent", []):
        assert not (folder / name).exists(), f"{name} was written\n{shown}"
    shutil.rmtree(folder, ignore_errors=True)
