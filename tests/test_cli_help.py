"""``checkengine --help`` stays light: it imports no subcommand and none of the heavy libraries."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("weasyprint", "pyhanko", "cel", "matplotlib", "jsonschema", "checkengine.engine")

_PROBE = """
import json, sys
from checkengine.cli import main
sys.argv = ["checkengine", "--help"]
code = main(["--help"])
sys.stdout.flush()
print("\\n" + json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def test_help_imports_nothing_heavy() -> None:
    done = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True)
    last = json.loads(done.stdout.strip().splitlines()[-1])
    assert last["code"] == 0
    assert "Commands:" in done.stdout and "lint" in done.stdout
    loaded = set(last["modules"])
    assert [m for m in HEAVY if m in loaded or any(n.startswith(m + ".") for n in loaded)] == []
    assert not [m for m in loaded if m.startswith("checkengine.commands.")]


def test_the_probe_sees_heavy_imports_when_they_happen() -> None:
    """The probe is not blind: asking for a subcommand's help does load that subcommand."""
    probe = _PROBE.replace('main(["--help"])', 'main(["lint", "--help"])')
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1])["modules"])
    assert "checkengine.commands.lint" in loaded
