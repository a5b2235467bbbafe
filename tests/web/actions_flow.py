"""Helpers of the corrective-action browser tests: a workspace user who owns actions (a team
leader, linked to a person id by ``checkengine serve link-person``), and an auditor's failed item
submitted through the checklist."""

from __future__ import annotations

import subprocess
from typing import Any

from serving import CHECKENGINE, ROOT, Server, example_answers, fill_checklist, open_inspection, sign_in

from checkengine.actions.lifecycle import Action
from checkengine.actions.tracker import list_actions
from checkengine.archive.store import open_archive

FLOOR = "Customer-service floor standards"
ITEM = "WKS-03-desk-tidy"  # evidence: {comment: true, photo: true}; cs-floor's follow_up owner: team_leader
LEADER = "leader.chang"
LEADER_PASSWORD = "a team leader's own password"


def _cli(*args: str, **env: str) -> str:
    import os

    done = subprocess.run([str(CHECKENGINE), *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **env}, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def add_leader(server: Server, username: str = LEADER, person: str = "T1-LEAD", site: str = "cc-taipei",
               role: str = "auditor", owner_roles: tuple[str, ...] = ("team_leader",)) -> None:
    """A user of *site* who is *person* in the records and holds *owner_roles* there (once)."""
    if username in server.logins:
        return
    _cli("serve", "add-user", "--store", server.store, "--username", username, "--name", f"{username} (team leader)",
         "--role", role, "--site", site, CHECKENGINE_NEW_PASSWORD=LEADER_PASSWORD)
    roles = [arg for r in owner_roles for arg in ("--owner-role", r)]
    _cli("serve", "link-person", "--store", server.store, "--username", username, "--person", person, *roles,
         "--by", "admin")
    server.logins[username] = LEADER_PASSWORD


def fail_an_item(context: Any, server: Server, *, photo: bytes, comment: str = "customer papers on the desk") -> int:
    """auditor.lin submits a floor checklist whose desk item fails, with a note and a photo; the inspection id."""
    page = sign_in(context, server, "auditor.lin")
    inspection = open_inspection(page, server, rulebook_title=FLOOR)
    page.goto(f"{server.url}/inspections/{inspection}?lang=en")
    values = example_answers("FI-2026-11-03-001")
    values[f"answer:{ITEM}"] = "fail"
    values[f"comment:{ITEM}"] = comment
    fill_checklist(page, values)
    page.locator(f"#item-{ITEM} input[type=file]").set_input_files(
        [{"name": "desk.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    page.locator("#checklist button.primary").evaluate("b => b.form.requestSubmit()")
    page.wait_for_url(f"{server.url}/inspections/{inspection}/result")
    page.close()
    return inspection


def action_of(server: Server, inspection: int, rule: str = ITEM) -> Action:
    """The action the inspection's failed *rule* opened."""
    with open_archive(server.store, write=False) as store:
        [submission] = store.submissions_of(inspection)
        employee = submission.record["subject"]["employee"]
        found = [a for a in list_actions(store, site="cc-taipei") if a.rule == rule and a.employee == employee]
    assert len(found) == 1, found
    return found[0]
