"""Each command imports what it uses: start-up is most of a short command's time (``lint`` of a
rulebook, ``audit`` of one record), so the package, the plugin registry and ``lint`` of valid files
must not import the PDF stack, the signing stack, jsonschema (it only explains invalid files),
the process pool, asyncio or the holiday calendars. Each probe runs in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("weasyprint", "pyhanko", "cryptography", "jsonschema", "referencing", "asyncio", "multiprocessing",
         "concurrent.futures.process", "holidays", "xml.etree", "distributed", "jinja2")

_PROBE = """
import json, sys
{body}
sys.stdout.flush()
print("\\n" + json.dumps(sorted(sys.modules)))
"""


def _loaded(body: str, cwd: Path = ROOT) -> set[str]:
    done = subprocess.run([sys.executable, "-c", _PROBE.format(body=body)], capture_output=True, text=True,
                          cwd=cwd, check=True)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def _heavy(loaded: set[str]) -> list[str]:
    return [m for m in HEAVY if m in loaded or any(n.startswith(m + ".") for n in loaded)]


def test_the_package_and_the_plugin_registry_import_nothing_heavy() -> None:
    loaded = _loaded("import checkengine.cli\nfrom checkengine.plugins import default_registry\n"
                     "reg = default_registry()\nassert 'local' in reg.executors and 'junit' in reg.reporters")
    assert _heavy(loaded) == []


def test_lint_of_valid_files_imports_nothing_heavy() -> None:
    loaded = _loaded("from checkengine.cli import main\n"
                     "assert main(['lint', 'rulebooks/cs-floor.yaml', 'rulebooks/leave-and-swaps.yaml']) == 0")
    assert "checkengine.engine" in loaded  # the probe ran lint: rules were compiled
    assert _heavy(loaded) == []


def test_the_probe_sees_jsonschema_when_a_file_must_be_explained(tmp_path: Path) -> None:
    """Not blind: an invalid file is explained by jsonschema, imported then."""
    (tmp_path / "bad.yaml").write_text("checkengine: 1\nkind: waivers\nwaivers: 3\n", "utf-8")
    loaded = _loaded("from checkengine.cli import main\nassert main(['lint', 'bad.yaml']) == 2", cwd=tmp_path)
    assert "jsonschema" in loaded


def test_lint_imports_the_checks_of_schedules_and_follow_ups_for_a_book_that_has_them() -> None:
    """A rulebook without schedules or follow-ups is linted without their modules (nor dateutil's
    recurrence rules); the batch writers come only with a run that writes a summary."""
    plain = _loaded("from checkengine.cli import main\nassert main(['lint', 'rulebooks/leave-and-swaps.yaml']) == 0")
    with_them = _loaded("from checkengine.cli import main\nassert main(['lint', 'rulebooks/cs-floor.yaml']) == 0")
    later = ("dateutil", "checkengine.schedules.model", "checkengine.actions.followup")
    assert [m for m in later if m in plain] == []
    assert [m for m in later if m in with_them] == list(later)
    assert "checkengine.batch.job" not in plain | with_them
