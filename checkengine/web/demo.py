"""Demo users and inspections for trying the workspace (``checkengine serve --demo FOLDER``).

The sites, subjects and dates come from the example records of visits in FOLDER (its
``inspections/`` folder); each becomes an inspection assigned to the auditor of its site. The
demo users' passwords are made afresh at every start (random, printed once, never stored in clear
or in the code): a person trying the demo reads them from the terminal.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checkengine.archive.store import Store
from checkengine.errors import UserError
from checkengine.web.auth import hash_password
from checkengine.web.evaluation import Library
from checkengine.yamlio import load_file


@dataclass(frozen=True)
class DemoUser:
    username: str
    name: str
    role: str
    sites: tuple[str, ...]  # "*": every site


#: call-centre and branch sites as in the example month
USERS = (
    DemoUser("auditor.lin", "林品管 (auditor)", "auditor", ("cc-taipei",)),
    DemoUser("auditor.chen", "陳稽核 (auditor)", "auditor", ("br-banqiao", "br-xinyi")),
    DemoUser("manager.wang", "王主任 (site manager)", "site_manager", ("cc-taipei",)),
    DemoUser("manager.huang", "黃經理 (site manager)", "site_manager", ("br-banqiao",)),
    DemoUser("author.liu", "劉規範 (policy author)", "policy_author", ()),
    DemoUser("admin", "Administrator", "administrator", ("*",)),
)


def _visits(folder: Path, library: Library) -> list[dict[str, Any]]:
    records = []
    for path in sorted((folder / "inspections").glob("*.yaml")):
        data = load_file(path).data
        if isinstance(data, dict) and isinstance(data.get("site"), dict) and any(
                data.get("kind") in served.kinds for served in library.books.values()):
            records.append(data)
    return records


def seed(store: Store, folder: Path, library: Library) -> list[tuple[DemoUser, str]]:
    """Sites, demo users (new passwords each time) and, the first time, one inspection per example
    visit. Returns each demo user with the password it now has."""
    if not (folder / "inspections").is_dir():
        raise UserError(f"--demo {folder}: no inspections/ folder there; give the example month "
                        "(examples/month-2026-11)")
    visits = _visits(folder, library)
    logins: list[tuple[DemoUser, str]] = []
    with store.writing():
        for record in visits:
            store.add_site(record["site"])
        every = list(store.sites())
        for demo in USERS:
            password = secrets.token_urlsafe(12)
            sites = every if demo.sites == ("*",) else [s for s in demo.sites if s in every]
            user = store.user_named(demo.username)
            if user is None:
                store.add_user(username=demo.username, name=demo.name, role=demo.role,
                               password_hash=hash_password(password), sites=sites)
            else:
                store.set_password(user.id, hash_password(password))
            logins.append((demo, password))
        store.log("demo users made or their passwords renewed", user=None, address=None, username="checkengine serve")
        admin = store.user_named("admin")
        assert admin is not None
        if not store.inspections_visible_to(admin):
            for record in visits:
                _assign(store, record, library, admin.id)
    return logins


def _assign(store: Store, record: dict[str, Any], library: Library, created_by: int) -> None:
    book = next(b.book.id for b in library.books.values() if record["kind"] in b.kinds)
    site = record["site"]["id"]
    auditor = next((u for u in store.users() if u.role == "auditor" and site in u.sites), None)
    if auditor is None:
        return
    iid = store.add_inspection(site=site, rulebook=book, kind=record["kind"], subject=record.get("subject") or {},
                               due=str(record.get("timestamp", ""))[:10], assigned_to=auditor.id,
                               created_by=created_by)
    store.log("inspection assigned", user=None, address=None, username="checkengine serve",
              target=f"inspection {iid}", detail={"auditor": auditor.username, "rulebook": book})
