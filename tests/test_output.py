"""checkengine.output: the one atomic output helper of the library."""

from __future__ import annotations

import ast
import errno
import os
from pathlib import Path

import pytest

from checkengine import output
from checkengine.errors import UserError
from checkengine.inputs import forget_inputs, read_capped
from checkengine.limits import YAML_BYTES

PACKAGE = Path(output.__file__).resolve().parent


@pytest.fixture(autouse=True)
def fresh() -> None:
    forget_inputs()
    output.forget_outputs()


def test_an_output_that_is_an_input_is_refused_by_any_name(tmp_path: Path) -> None:
    source = tmp_path / "in.yaml"
    source.write_text("a: 1\n", "utf-8")
    os.link(source, tmp_path / "hard.yaml")
    (tmp_path / "soft.yaml").symlink_to(source)
    read_capped(source, YAML_BYTES)
    for name in ("in.yaml", "hard.yaml", "soft.yaml"):
        with pytest.raises(UserError) as caught, output.open_output(tmp_path / name) as out:
            out.write("overwritten")
        assert "the output is also an input of this run" in caught.value.bare_message
    assert source.read_text("utf-8") == "a: 1\n"
    assert not list(tmp_path.glob(".*.part"))


def test_two_outputs_of_one_run_may_not_be_one_file(tmp_path: Path) -> None:
    with output.open_output(tmp_path / "r.out") as out:
        out.write("first")
    with pytest.raises(UserError) as caught, output.open_output(tmp_path / "r.out") as out:
        out.write("second")
    assert caught.value.bare_message == ("the output is also another output of this run "
                                         f"({tmp_path / 'r.out'}); give each output its own file")
    assert (tmp_path / "r.out").read_text("utf-8") == "first"


def test_a_full_device_is_a_user_error() -> None:
    with pytest.raises(UserError) as caught, output.open_output("/dev/full") as out:
        out.write("x" * 100_000)
    assert caught.value.bare_message == ("cannot write the output: no space left on the device (the disk "
                                         "is full); free some space or write elsewhere (-o); no partial "
                                         "output was left")


def test_a_failed_write_removes_the_part_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(output.os, "fsync", full)
    with pytest.raises(UserError), output.open_output(tmp_path / "out.txt") as out:
        out.write("data")
    assert list(tmp_path.iterdir()) == []


def test_part_files_of_dead_runs_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    dead = tmp_path / ".out.txt.999999999.abc.part"
    live = tmp_path / f".out.txt.{os.getppid()}.abc.part"
    other = tmp_path / ".other.txt.999999999.abc.part"
    for part in (dead, live, other):
        part.write_text("half", "utf-8")
    with output.open_output(tmp_path / "out.txt") as out:
        out.write("whole")
    assert not dead.exists() and live.exists() and other.exists()


def test_the_overwrite_rule(tmp_path: Path) -> None:
    signed = tmp_path / "signed.pdf"
    signed.write_bytes(b"%PDF-1.7 ... /ByteRange [0 1 2 3] ...")
    plain = tmp_path / "plain.txt"
    plain.write_text("x", "utf-8")
    with pytest.raises(UserError, match="is a signed PDF; refusing to overwrite it"):
        output.refuse_existing(signed, force=False, any_file=False)
    output.refuse_existing(plain, force=False, any_file=False)
    with pytest.raises(UserError, match="exists; refusing to overwrite it"):
        output.refuse_existing(plain, force=False)
    output.refuse_existing(signed, force=True)


def test_the_library_never_imports_the_commands() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "commands" or rel.name == "cli.py":
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if any(n == "checkengine.commands" or n.startswith("checkengine.commands.") for n in names):
                offenders.append(str(rel))
    assert offenders == []
