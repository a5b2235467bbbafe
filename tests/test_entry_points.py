"""The entry points found by reading the dist-info folders directly are the ones
``importlib.metadata`` finds: in this environment, with a distribution added on the path, with
a second copy of a distribution later on the path (the first wins), and when the path holds a
zip file (then ``importlib.metadata`` itself is asked)."""

from __future__ import annotations

import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from checkengine import entry_points as ep_module
from checkengine.entry_points import EntryPoint, entry_points


def _reference(group: str) -> list[tuple[str, str, str]]:
    return sorted((ep.name, ep.value, ep.dist.name if ep.dist else "?") for ep in metadata.entry_points(group=group))


def _ours(group: str) -> list[tuple[str, str, str]]:
    return sorted((ep.name, ep.value, ep.dist) for ep in entry_points(group))


def _dist(site: Path, dist: str, text: str, version: str = "1.0") -> None:
    info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n\nbody\n", "utf-8")
    (info / "entry_points.txt").write_text(text, "utf-8")


@pytest.mark.parametrize("group", ["checkengine", "console_scripts", "pytest11"])
def test_this_environment(group: str) -> None:
    assert ep_module._scan(group) is not None  # the fast path is the one compared
    assert _ours(group) == _reference(group)
    if group == "checkengine":
        assert ("callcentre", "checkengine.builtin.callcentre", "checkengine") in _ours(group)


def test_an_added_distribution_and_a_shadowed_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    _dist(first, "Ce.Sample", "# a comment\n[other]\nx = y\n\n[checkengine]\n  sample =  sample_mod:plugin.hooks  \n"
                               "extra = extra_mod [fancy]\n")
    _dist(second, "ce-sample", "[checkengine]\nshadowed = never_loaded\n", version="0.9")
    monkeypatch.syspath_prepend(str(second))
    monkeypatch.syspath_prepend(str(first))
    assert _ours("checkengine") == _reference("checkengine")
    ours = [e for e in entry_points("checkengine") if e.dist == "Ce.Sample"]
    assert ours == [EntryPoint("sample", "sample_mod:plugin.hooks", "Ce.Sample"),
                    EntryPoint("extra", "extra_mod [fancy]", "Ce.Sample")]


def test_a_zip_on_the_path_asks_importlib_metadata(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "plugins.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("ce_zipped-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: ce-zipped\nVersion: 1.0\n")
        zipped.writestr("ce_zipped-1.0.dist-info/entry_points.txt", "[checkengine]\nzipped = zipped_mod\n")
    monkeypatch.syspath_prepend(str(archive))
    assert ep_module._scan("checkengine") is None
    assert ("zipped", "zipped_mod", "ce-zipped") in _ours("checkengine")
    assert _ours("checkengine") == _reference("checkengine")


def test_load_resolves_the_attribute_path() -> None:
    assert EntryPoint("x", "os.path:join", "d").load() is __import__("os").path.join
    assert EntryPoint("x", "checkengine.builtin.callcentre", "c").load() is sys.modules["checkengine.builtin.callcentre"]
    with pytest.raises(ValueError, match="malformed"):
        EntryPoint("x", "not a target!", "d").load()
