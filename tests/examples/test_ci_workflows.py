"""The example CI workflows (examples/ci/) do what they say, run as GitHub would run their steps.

A scratch repository gets the rulebooks, the example month and the workflows, a base commit, and
a pull request that changes a parent rulebook's parameter and a rulebook test. Each workflow's
shell steps (``run:``) then run in order with bash -eo pipefail, GitHub's expressions and
variables filled in, and the outcome is checked: the impact report covers the changed rulebook and
the overlay that extends it (not the test file), lint and the rulebook tests pass, the reports are
written; a pull request that breaks a rulebook test fails with an annotation on the rule's line.
Steps that need GitHub itself (``uses:`` actions, ``gh``) are not run; the install step builds
the wheels from a copy of this checkout and installs them, offline (see ``offline_install``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
FLOOR = "rulebooks/cs-floor.yaml"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def workflow(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "examples" / "ci" / name).read_text("utf-8"))
    return data


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A scratch repository: base commit, then a pull request changing a parent rulebook."""
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copytree(ROOT / "rulebooks", repo / "rulebooks")
    shutil.copytree(ROOT / "examples" / "month-2026-11", repo / "examples" / "month-2026-11")
    shutil.copytree(ROOT / "examples" / "ci", repo / "examples" / "ci")
    shutil.copy(ROOT / ".pre-commit-hooks.yaml", repo)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "base")
    return repo


def change(repo: Path, path: str, old: str, new: str) -> None:
    file = repo / path
    text = file.read_text("utf-8")
    assert old in text, (path, old)
    file.write_text(text.replace(old, new, 1), "utf-8")


def commit(repo: Path, message: str) -> None:
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qam", message)


def run_steps(repo: Path, flow: dict[str, Any], job: str, github: dict[str, str], runner: Path) -> list[tuple[str, int, str]]:
    """Each ``run:`` step of *job*, in order, as GitHub runs them; (name, exit code, output) each.
    A failed step stops the job unless a later step has ``if: always()``."""
    out = []
    failed = False
    for step in flow["jobs"][job]["steps"]:
        if "run" not in step or (failed and "always()" not in str(step.get("if", ""))):
            continue
        name = step.get("name", step["run"].splitlines()[0])
        if re.search(r"^\s*gh ", step["run"], re.M):
            continue
        site = runner / "site"
        env = {**os.environ, "PATH": os.pathsep.join([str(site / "bin"), str(BIN), os.environ["PATH"]]),
               "PYTHONPATH": str(site), "RUNNER_TEMP": str(runner), "GITHUB_OUTPUT": str(runner / "output"),
               "GITHUB_STEP_SUMMARY": str(runner / "summary.md"), "CI": "true"}
        env.update({k: expand(str(v), github) for k, v in (step.get("env") or {}).items()})
        script = expand(step["run"], github)
        if name == "Install checkengine":
            script = offline_install(script, repo)
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=repo, env=env,
                              capture_output=True, text=True, timeout=600)
        out.append((name, done.returncode, done.stdout + done.stderr))
        failed = failed or done.returncode != 0
    return out


def offline_install(script: str, repo: Path) -> str:
    """The install step as written, but offline: the wheels are built without an isolated build
    environment (the test extra has build and hatchling) and installed without their dependencies
    into a folder put first on PYTHONPATH and PATH, so the later steps run the built wheel."""
    assert "python -m pip install --upgrade pip build\n" in script
    assert "python -m build --wheel --outdir dist .\n" in script
    assert "python -m build --wheel --outdir dist plugins/checkengine-stars\n" in script
    assert script.rstrip().endswith("python -m pip install dist/*.whl")
    shutil.copytree(ROOT, repo, dirs_exist_ok=True, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "dist", "rulebooks", "examples", "*.egg-info", "__pycache__", ".pytest_cache"))
    script = script.replace("python -m pip install --upgrade pip build\n", "")
    script = script.replace("python -m build --wheel", f"{sys.executable} -m build --wheel --no-isolation")
    return script.replace("python -m pip install dist/*.whl",
                          f'{sys.executable} -m pip install --quiet --no-deps --target "$RUNNER_TEMP/site" dist/*.whl')


def expand(text: str, github: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        key = match.group(1).strip()
        assert key in github, f"the test does not know ${{{{ {key} }}}}"
        return github[key]

    return re.sub(r"\$\{\{(.*?)\}\}", value, text)


def test_impact_follows_extends_and_ignores_tests(repo: Path, tmp_path: Path) -> None:
    base = git(repo, "rev-parse", "HEAD").strip()
    # The pull request: the parent's roll-call parameter (HND-01: "提前10分鍾到崗") and a test's name.
    change(repo, FLOOR, "      \"2020-01-01\":\n        value: 10\n", "      \"2020-01-01\":\n        value: 20\n")
    change(repo, "rulebooks/tests/cs-floor.tests.yaml", "name: ", "name: renamed ")
    commit(repo, "raise the roll-call minutes")
    runner = tmp_path / "runner"
    runner.mkdir()
    steps = run_steps(repo, workflow("rulebook-impact.yml"), "impact",
                      {"github.event.pull_request.base.sha": base}, runner)
    assert [(n, c) for n, c, _ in steps] == [("Install checkengine", 0),
                                             ("Check out the base branch beside the pull request", 0),
                                             ("Impact", 0)], steps
    report = (repo / "impact.md").read_text("utf-8")
    assert "### `rulebooks/cs-floor.yaml` (changed)" in report
    assert "### `rulebooks/branches/cc-taipei-night.yaml` (extends rulebooks/cs-floor.yaml)" in report
    assert "cs-floor.tests.yaml" not in report
    # Both reports replay the month: the roll-call records that passed with 10 minutes now fail.
    assert report.count("| `HND-01-on-post-early` | pass → fail | 395 |") == 2
    assert (runner / "summary.md").read_text("utf-8") == report
    assert "changed=1" in (runner / "output").read_text("utf-8")


def test_impact_of_a_pull_request_without_rulebook_changes(repo: Path, tmp_path: Path) -> None:
    base = git(repo, "rev-parse", "HEAD").strip()
    change(repo, "rulebooks/tests/cs-floor.tests.yaml", "name: ", "name: renamed ")
    commit(repo, "rename a test")
    runner = tmp_path / "runner"
    runner.mkdir()
    steps = run_steps(repo, workflow("rulebook-impact.yml"), "impact",
                      {"github.event.pull_request.base.sha": base}, runner)
    assert all(code == 0 for _, code, _ in steps), steps
    assert "No rulebook changed" in (repo / "impact.md").read_text("utf-8")
    assert "changed=0" in (runner / "output").read_text("utf-8")


def test_lint_and_tests_jobs_pass_and_write_their_reports(repo: Path, tmp_path: Path) -> None:
    runner = tmp_path / "runner"
    runner.mkdir()
    flow = workflow("github-actions.yml")
    lint = run_steps(repo, flow, "lint", {}, runner)
    assert all(code == 0 for _, code, _ in lint), lint
    assert lint[0][0] == "Install checkengine"
    # The later steps ran the wheel the workflow built, with the plugins and the package data.
    installed = sorted(p.name for p in (runner / "site").iterdir())
    assert "checkengine" in installed and "checkengine_stars" in installed
    assert (runner / "site" / "checkengine" / "schemas" / "rulebook.schema.json").is_file()
    assert (runner / "site" / "checkengine" / "_forms").is_dir()
    sarif = json.loads((repo / "checkengine.sarif").read_text("utf-8"))
    assert sarif["runs"][0]["results"] == []
    tests = run_steps(repo, flow, "rulebook-tests", {}, runner)
    assert all(code == 0 for _, code, _ in tests), tests
    assert {p.name for p in (repo / "reports").iterdir()} == {"rulebook-tests.xml", "evaluation.xml",
                                                               "assessment-results.json"}
    oscal = json.loads((repo / "reports" / "assessment-results.json").read_text("utf-8"))
    assert oscal["assessment-results"]["results"][0]["findings"]


def test_a_broken_rulebook_test_fails_with_an_annotation_on_the_rule(repo: Path, tmp_path: Path) -> None:
    # The limit of CND-08 ("出入機房不得超過規定時限") drops to 5 minutes; the tests still expect 15.
    change(repo, FLOOR, "        value: 15\n", "        value: 5\n")
    commit(repo, "tighten the absence limit")
    runner = tmp_path / "runner"
    runner.mkdir()
    steps = run_steps(repo, workflow("github-actions.yml"), "rulebook-tests", {}, runner)
    name, code, output = steps[1]
    assert (name, code) == ("Rulebook tests with rule coverage", 1)
    lines = (repo / FLOOR).read_text("utf-8").splitlines()
    rule_line = next(i for i, line in enumerate(lines, 1) if "id: CND-08-" in line)
    assert re.search(rf"^::error file={re.escape(FLOOR)},line={rule_line},col=\d+,title=checkengine test CE402::",
                     output, re.M), output
    # The reports step still runs (if: always()) and writes the JUnit report of the failure.
    assert [n for n, _, _ in steps] == ["Install checkengine", "Rulebook tests with rule coverage", "Reports"]
    assert "<failure" in (repo / "reports" / "rulebook-tests.xml").read_text("utf-8")
