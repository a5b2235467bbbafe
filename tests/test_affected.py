"""checkengine.affected: rulebooks by content, not by name, and the overlays that extend them."""

from __future__ import annotations

from pathlib import Path

from checkengine.affected import Affected, affected

PARENT = "checkengine: 1\nid: parent\nversion: 1.0.0\nlanguages: [en]\ntitle: {en: P}\nsections: []\n"


def _tree(root: Path) -> None:
    (root / "rulebooks" / "branches").mkdir(parents=True)
    (root / "rulebooks" / "tests").mkdir()
    (root / "rulebooks" / "parent.yaml").write_text(PARENT, "utf-8")
    (root / "rulebooks" / "branches" / "mid.yaml").write_text("checkengine: 1\nid: mid\nextends: ../parent.yaml\n", "utf-8")
    (root / "rulebooks" / "branches" / "leaf.yaml").write_text("checkengine: 1\nid: leaf\nextends: mid.yaml\n", "utf-8")
    (root / "rulebooks" / "tests" / "parent.tests.yaml").write_text(
        "checkengine: 1\nkind: tests\nrulebook: ../parent.yaml\ntests: []\n", "utf-8")


def test_a_parent_change_reaches_every_overlay_and_tests_are_not_rulebooks(tmp_path: Path) -> None:
    head, base = tmp_path / "head", tmp_path / "base"
    _tree(head)
    _tree(base)
    found = affected(["rulebooks/parent.yaml", "rulebooks/tests/parent.tests.yaml", "README.md"],
                     head=head, base=base, search=["rulebooks"])
    assert found == [Affected("rulebooks/parent.yaml", "changed"),
                     Affected("rulebooks/branches/leaf.yaml", "extends rulebooks/parent.yaml"),
                     Affected("rulebooks/branches/mid.yaml", "extends rulebooks/parent.yaml")]


def test_new_removed_and_unreadable(tmp_path: Path) -> None:
    head, base = tmp_path / "head", tmp_path / "base"
    _tree(head)
    _tree(base)
    (head / "rulebooks" / "new.yaml").write_text(PARENT.replace("parent", "new"), "utf-8")
    (base / "rulebooks" / "gone.yaml").write_text(PARENT.replace("parent", "gone"), "utf-8")
    (head / "rulebooks" / "broken.yaml").write_text("id: [x\n", "utf-8")
    found = affected(["rulebooks/new.yaml", "rulebooks/gone.yaml", "rulebooks/broken.yaml"],
                     head=head, base=base, search=["rulebooks"])
    assert found == [Affected("rulebooks/new.yaml", "new"), Affected("rulebooks/gone.yaml", "removed"),
                     Affected("rulebooks/broken.yaml", "unreadable")]
