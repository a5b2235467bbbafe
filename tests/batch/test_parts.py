"""Workers that write their share of the output to part files: the output is byte for byte what
one process writes, in every streamed format, to a file, a pipe or a text stream; repeated ids
across chunks and workers are still found; unusable records are still listed; nothing is left
behind, whether the run ends, fails or is stopped."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from checkengine.batch import splice
from checkengine.batch.executors import LocalExecutor
from checkengine.batch.interrupt import StopFlag
from checkengine.batch.job import EngineSpec
from checkengine.batch.parts import PartPlan
from checkengine.batch.run import BatchOptions, evaluate_batch, result_head
from checkengine.batch.splice import part_folder
from checkengine.batch.writers import JsonLinesWriter
from checkengine.cli import main
from checkengine.rulebook.load import load_rulebook

CHECKENGINE = Path(sys.executable).with_name("checkengine")
STAMP = re.compile(r'"generated_at": ?"[^"]*"|timestamp="[^"]*"')  # when each run was made


def cli(capsys: pytest.CaptureFixture[str], *args: Any) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def unstamped(text: str) -> str:
    return STAMP.sub("-", text)


@pytest.fixture
def inputs(tmp_path: Path, stream: Path, scenario: ModuleType) -> list[Path]:
    """Two streams and a YAML file, with repeated ids (in one chunk, across chunks, across files),
    a malformed line, an invalid record, blank lines and a waivers document among the records."""
    lines = stream.read_text("utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    lines.insert(3, "")
    lines.insert(40, '{"kind": "floor_inspection", "id": broken')
    lines.insert(61, json.dumps(records[60]))  # repeats the line before it
    lines.insert(90, json.dumps({"kind": "floor_inspection", "id": "NO-TIME"}))
    lines.insert(150, json.dumps(records[5]))  # far from its first
    lines.insert(151, json.dumps({"checkengine": 1, "kind": "waivers", "waivers": []}))
    stream.write_text("\n".join(lines) + "\n\n", "utf-8")
    second = tmp_path / "second.jsonl"
    second.write_text("".join(json.dumps(r) + "\n" for r in [records[7], *list(scenario.records(20, month="2026-10"))[1:]]), "utf-8")
    extra = tmp_path / "extra.yaml"
    extra.write_text("kind: monitoring\nid: MO-extra\ntimestamp: 2026-11-05T10:00:00+08:00\nsite: cc-taipei\n"
                     "data: {agent: E001, monitored_at: 2026-11-05T10:00:00+08:00, scores: {attitude: 80}}\n", "utf-8")
    return [stream, extra, second]


@pytest.fixture
def spliced(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the chunks the parent spliced from the workers' parts (the path under test ran)."""
    seen: list[int] = []
    take = splice.Splicer.take

    def counting(self: splice.Splicer, result: Any) -> None:
        seen.append(result.count)
        take(self, result)

    monkeypatch.setattr(splice.Splicer, "take", counting)
    return seen


@pytest.mark.parametrize(("fmt", "chunk"), [("jsonl", 1), ("jsonl", 7), ("jsonl", 200), ("json", 1), ("json", 13),
                                            ("text", 7), ("summary", 7), ("junit", 7)])
def test_parts_are_the_bytes_one_process_writes(tmp_path: Path, book_path: Path, inputs: list[Path], fmt: str,
                                                chunk: int, spliced: list[int],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    one, two = tmp_path / f"one.{fmt}", tmp_path / f"two.{fmt}"
    code1, _, err1 = cli(capsys, "batch", "-r", book_path, *inputs, "-j", "1", "-f", fmt, "-o", one)
    assert not spliced
    code2, _, err2 = cli(capsys, "batch", "-r", book_path, *inputs, "-j", "2", "--chunk-size", chunk, "-f", fmt,
                         "-o", two)
    assert (code2, err2) == (code1, err1)
    assert unstamped(two.read_text("utf-8")) == unstamped(one.read_text("utf-8"))
    if fmt in ("jsonl", "json", "text"):
        assert sum(spliced) == 300 + 4 + 20 + 1  # every output, the YAML file's too (a chunk of items) ...
    else:
        assert not spliced  # ... and formats that are not written line by line come back whole
    assert code1 == 2 and "duplicate record id" in err1
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_repeated_ids_are_errors_in_their_place(tmp_path: Path, book_path: Path, inputs: list[Path],
                                                spliced: list[int], capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.jsonl"
    cli(capsys, "batch", "-r", book_path, *inputs, "-j", "2", "--chunk-size", "7", "-o", out)
    lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    texts = {str(path): path.read_text("utf-8").splitlines() for path in inputs}

    def id_at(file: str, line: int) -> str:
        return str(json.loads(texts[file][line - 1])["id"])

    repeated = [d for d in lines if d["type"] == "error" and "duplicate" in d["message"]]
    assert len(repeated) == 3  # in one chunk, across chunks, across files
    for error in repeated:
        file, line = re.search(r"\(first at (.+):(\d+):1\)", error["message"]).groups()  # type: ignore[union-attr]
        assert id_at(file, int(line)) == id_at(error["file"], error["line"])
        assert (file, int(line)) < (error["file"], error["line"]) or file != error["file"]
    recorded = [d["record"]["id"] for d in lines if d["type"] == "record"]
    assert len(recorded) == len(set(recorded))  # each id once, at its first line
    body = [d["seq"] for d in lines if d["type"] in ("record", "error")]
    assert body == sorted(body) and len(body) == len(set(body))
    summary = lines[-1]
    assert summary["records"] + summary["errors"] == len(body)
    assert spliced


def test_parts_through_a_pipe_and_a_text_stream(tmp_path: Path, book_path: Path, inputs: list[Path],
                                                spliced: list[int], capsys: pytest.CaptureFixture[str]) -> None:
    """Standard output as a pipe (copied in the kernel) and as a stream in memory (through its text)."""
    env = {**os.environ, "CI": "true"}
    args = [str(CHECKENGINE), "batch", "-r", str(book_path), *map(str, inputs), "--chunk-size", "9", "-f", "json"]
    one = subprocess.run([*args, "-j", "1"], capture_output=True, env=env, cwd=tmp_path)
    two = subprocess.run([*args, "-j", "2"], capture_output=True, env=env, cwd=tmp_path)
    assert (two.returncode, two.stderr) == (one.returncode, one.stderr) and one.returncode == 2
    assert unstamped(two.stdout.decode()) == unstamped(one.stdout.decode())
    code1, stdout1, err1 = cli(capsys, "batch", "-r", book_path, *inputs, "--chunk-size", "9", "-f", "json", "-j", "1")
    code2, stdout2, err2 = cli(capsys, "batch", "-r", book_path, *inputs, "--chunk-size", "9", "-f", "json", "-j", "2")
    assert (code2, unstamped(stdout2), err2) == (code1, unstamped(stdout1), err1)
    assert spliced


def test_stopped_run_keeps_whole_chunks_and_no_parts(tmp_path: Path, book_path: Path, inputs: list[Path]) -> None:
    spec = EngineSpec(load_rulebook(book_path))
    stop = StopFlag()
    done: list[int] = []

    def after(count: int) -> None:
        done.append(count)
        if len(done) == 3:
            stop.set()

    out = io.StringIO()
    writer = JsonLinesWriter(out)
    writer.header(result_head(spec))
    with part_folder(str(tmp_path / "out.jsonl")) as folder:
        assert Path(folder).parent == tmp_path
        options = BatchOptions(chunk_size=20, parts=PartPlan(folder, out, "out.jsonl"))
        tally = evaluate_batch(spec, inputs, writer, LocalExecutor(2), stop=stop, options=options, after_chunk=after)
    writer.close(tally)
    assert not Path(folder).exists()
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    body = [d for d in lines if d["type"] in ("record", "error")]
    assert tally.interrupted and tally.exit_code == 130
    seqs = [d["seq"] for d in body]
    assert seqs == sorted(seqs) and seqs[0] == 0 and seqs[-1] <= len(body)  # one gap: the waivers line
    assert 60 <= len(body) < 340 and sum(done) == len(body)
    assert lines[-1]["interrupted"] is True and lines[-1]["records"] + lines[-1]["errors"] == len(body)


def test_a_failed_run_leaves_no_parts(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        with part_folder(str(tmp_path / "out.jsonl")) as folder:
            (Path(folder) / "123.part").write_text("half")
            raise RuntimeError("stop")
    assert list(tmp_path.iterdir()) == []
    with part_folder(None) as folder:  # standard output: the temporary folder
        assert Path(folder).parent != tmp_path
    assert not Path(folder).exists()


def test_parts_of_a_killed_run_are_removed_by_the_next(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".out.jsonl.{dead.pid}.abcd1234.parts"
    alive = tmp_path / f".out.jsonl.{os.getppid()}.abcd1234.parts"  # a run still going
    other = tmp_path / f".other.jsonl.{dead.pid}.abcd1234.parts"  # another output's
    for folder in (stale, alive, other):
        folder.mkdir()
        (folder / "1.part").write_text("x")
    with part_folder(str(tmp_path / "out.jsonl")):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([alive.name, other.name])


def test_a_full_disk_is_one_message_and_leaves_nothing(tmp_path: Path, book_path: Path, inputs: list[Path],
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """The parts fill the disk (they are next to the output): the same message as one process gives."""
    folder = tmp_path / "small"
    folder.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        out = folder / "out.jsonl"
        code, stdout, err = cli(capsys, "batch", "-r", book_path, *inputs, "-j", "2", "-o", out)
        assert (code, stdout) == (2, "")
        assert err == (f"checkengine: error: {out}: cannot write the output: no space left on the device (the disk "
                       "is full); free some space or write elsewhere (-o); no partial output was left\n")
        assert list(folder.iterdir()) == []
    finally:
        subprocess.run(["umount", "--lazy", str(folder)], check=True)


def test_no_room_for_the_part_folder_is_one_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import tempfile

    from checkengine.errors import UserError

    def full(*args: Any, **kwargs: Any) -> str:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tempfile, "mkdtemp", full)
    with pytest.raises(UserError, match="no space left on the device"):
        with part_folder(str(tmp_path / "out.jsonl")):
            pass


def test_a_chunk_goes_to_its_part_as_it_is_made_and_stops_when_the_disk_is_full(
        tmp_path: Path, book_path: Path, stream: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker appends a chunk's text to its part whenever SPILL_BYTES are waiting (its memory
    does not grow with the chunk); a failed write stops the chunk and says why."""
    import errno

    from checkengine.batch import parts
    from checkengine.batch.job import EvaluateJob
    from checkengine.batch.ranges import RangeChunk, ranged_chunks
    from checkengine.batch.source import JsonLinesFile
    from checkengine.batch.writers import JsonLinesPart

    spec = EngineSpec(load_rulebook(book_path))
    [chunk] = [c for c in ranged_chunks([JsonLinesFile(stream, "in.jsonl")], 1000) if isinstance(c, RangeChunk)]
    job = EvaluateJob(spec, JsonLinesWriter(io.StringIO()).encoder)
    monkeypatch.setattr(parts, "SPILL_BYTES", 4096)
    writes: list[int] = []
    real = parts.write_all

    def counted(fd: int, data: bytes) -> None:
        writes.append(len(data))
        real(fd, data)

    monkeypatch.setattr(parts, "write_all", counted)
    whole = parts.run_part(job, parts.PartTask(chunk, str(tmp_path), JsonLinesPart()))
    assert whole.failure is None and whole.records + whole.errors == chunk.count
    assert len(writes) > 3 and max(writes) < 4096 + 20_000 and sum(writes) == whole.end - whole.begin
    assert (tmp_path / f"{os.getpid()}.part").stat().st_size == whole.end

    def full(fd: int, data: bytes) -> None:
        if len(writes) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        writes.append(len(data))

    writes.clear()
    monkeypatch.setattr(parts, "write_all", full)
    failed = parts.run_part(job, parts.PartTask(chunk, str(tmp_path), JsonLinesPart()))
    assert failed.failure == (errno.ENOSPC, "No space left on device")
    assert 0 < failed.records < whole.records  # stopped at the failed write, not at the chunk's end


def test_the_output_is_flushed_to_the_disk_as_the_run_goes_on(tmp_path: Path, book_path: Path, inputs: list[Path],
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """Every SYNC_BYTES spliced, the output file is flushed (the final flush before the rename
    then has little left to do); a failed flush is the output's failure, with nothing left."""
    import errno

    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    cli(capsys, "batch", "-r", book_path, *inputs, "-j", "1", "-o", one)
    monkeypatch.setattr(splice, "SYNC_BYTES", 4096)
    synced: list[int] = []
    real = os.fdatasync

    def counted(fd: int) -> None:
        synced.append(fd)
        real(fd)

    monkeypatch.setattr(os, "fdatasync", counted)
    cli(capsys, "batch", "-r", book_path, *inputs, "-j", "2", "--chunk-size", "7", "-o", two)
    assert unstamped(two.read_text("utf-8")) == unstamped(one.read_text("utf-8"))
    assert len(synced) > 5

    def failing(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fdatasync", failing)
    three = tmp_path / "three.jsonl"
    code, stdout, err = cli(capsys, "batch", "-r", book_path, *inputs, "-j", "2", "--chunk-size", "7", "-o", three)
    assert (code, stdout) == (2, "")
    assert err.startswith(f"checkengine: error: {three}: cannot write the output: ") and "no partial output" in err
    assert not three.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no parts, no temporary file


def test_a_pipe_is_never_flushed_to_a_disk(tmp_path: Path, book_path: Path, inputs: list[Path]) -> None:
    """Standard output may be a pipe: it is spliced into as before, never flushed."""
    env = {**os.environ, "CI": "true"}
    code = ("import os, sys; from checkengine.batch import splice; splice.SYNC_BYTES = 1\n"
            "calls = []; os.fdatasync = lambda fd: calls.append(fd)\n"
            "from checkengine.cli import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write(f'synced {len(calls)}\\n')\n")
    done = subprocess.run([sys.executable, "-c", code, "batch", "-r", str(book_path), *map(str, inputs), "-j", "2",
                           "--chunk-size", "7"], capture_output=True, env=env, timeout=120)
    assert done.stdout.count(b'{"type":"record"') > 200
    assert done.stderr.decode().splitlines()[-1] == "synced 0"
