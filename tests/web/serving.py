"""Helpers of the workspace's tests (tests/web/conftest.py has the fixtures). The tests run the
real server (``checkengine serve`` in its own process, on 127.0.0.1 and a free port) and drive it
with Playwright in Debian's chromium (never a browser download). Without chromium the browser tests are skipped - but not in CI (``CI`` set): there
they fail, as the store tests do without PostgreSQL.

Screenshots of the main screens go to build/test-artefacts/serve/ (build/ is ignored by git).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parents[2]
CHECKENGINE = Path(sys.executable).with_name("checkengine")
EXAMPLES = ROOT / "examples" / "month-2026-11"
ARTEFACTS = ROOT / "build" / "test-artefacts" / "serve"
TABLET = {"width": 1280, "height": 800}  # a 10-inch tablet in landscape (CSS pixels)
PHONE = {"width": 390, "height": 844}
_LOGIN = re.compile(r"^\s+(\S+)\s+(\S+)\s+(\w+), sites: (.*)$")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    """A running ``checkengine serve``: its URL, its store, and the demo logins it printed."""

    url: str
    store: str
    process: subprocess.Popen[str]
    logins: dict[str, str] = field(default_factory=dict)
    output: list[str] = field(default_factory=list)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def start_server(store: str, *extra: str) -> Server:
    port = free_port()
    cmd = [str(CHECKENGINE), "serve", "--store", store, "--rulebooks", str(ROOT / "rulebooks"), "--demo", str(EXAMPLES),
           "--port", str(port), *extra]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT)
    server = Server(f"http://127.0.0.1:{port}", store, process)
    assert process.stdout is not None
    for line in process.stdout:
        server.output.append(line.rstrip("\n"))
        found = _LOGIN.match(line)
        if found:
            server.logins[found.group(1)] = found.group(2)
        if line.startswith("open http://"):
            break
    # The rest of what the server says is kept (and the pipe never fills up and stops it).
    threading.Thread(target=lambda: server.output.extend(line.rstrip("\n") for line in process.stdout or []),
                     daemon=True).start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            rest = process.stdout.read()
            raise AssertionError(f"checkengine serve stopped (exit {process.returncode}):\n"
                                 + "\n".join(server.output) + rest)
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return server
        time.sleep(0.1)
    server.stop()
    raise AssertionError("checkengine serve did not listen within 60 s:\n" + "\n".join(server.output))


def sign_in(context: Any, server: Server, username: str) -> Any:
    """A page of *context*, signed in as *username* (a demo user) through the login form."""
    page = context.new_page()
    page.goto(server.url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", server.logins[username])
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/inspections")
    return page


def upload_key(page: Any, server: Server, key: Path, password: str, *, opens: bool = True) -> None:
    """Upload *key*/key.p12 on the signed-in user's profile with *password*; with *opens* False,
    wait for the page's error instead (the store does not open with it)."""
    page.goto(server.url + "/profile")
    page.locator("input[name=p12]").set_input_files(str(key / "key.p12"))
    page.locator("input[name=password]").fill(password)
    if opens:
        with page.expect_navigation():
            page.locator("main button.primary").click()
    else:  # the page's script shows the server's answer in place
        page.locator("main button.primary").click()
        page.wait_for_selector("main p.error")


def sign_with(page: Any, password: str, form: str = "form.sign") -> None:
    """Send the signing *form* of the page (the auditor's, or ``form.accept``) with *password*."""
    page.locator(f"{form} input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator(f"{form} button[type=submit]").click()


def example_answers(name: str) -> dict[str, str]:
    """The form's values that say what the example record *name* (in the example month) says."""
    from checkengine.yamlio import load_file

    data = load_file(EXAMPLES / "inspections" / f"{name}.yaml").data
    values: dict[str, str] = {}
    for key, value in (data.get("observations") or {}).items():
        values[f"obs:{key}"] = ("yes" if value else "no") if isinstance(value, bool) else str(value)
    for rule, answer in (data.get("answers") or {}).items():
        values[f"answer:{rule}"] = answer["result"]
    return values


def fill_checklist(page: Any, values: dict[str, str], *, default_bool: str = "no") -> list[str]:
    """Fill the checklist on *page* section by section (Next between them) with *values*; a yes/no
    question that *values* does not answer gets *default_bool*. Returns the field names filled."""
    filled = []
    sections = int(page.get_attribute("#checklist", "data-sections"))
    for n in range(1, sections + 1):
        screen = page.locator(f"#screen-{n}")
        assert screen.is_visible(), f"section {n} is not on screen"
        for other in range(1, sections + 1):
            if other != n:
                assert not page.locator(f"#screen-{other}").is_visible(), "more than one section on screen"
        names = screen.locator("input[type=radio], input[type=text]").evaluate_all(
            "els => [...new Set(els.map(e => e.name))]")
        for name in names:
            value = values.get(name)
            if value is None and name.startswith("obs:"):
                kinds = screen.locator(f"input[name='{name}']").evaluate_all("els => els.map(e => e.value)")
                value = default_bool if default_bool in kinds else None
            if value is None:
                continue
            field = screen.locator(f"input[name='{name}']").first
            if field.get_attribute("type") == "radio":
                screen.locator(f"label:has(input[name='{name}'][value='{value}'])").click()
            else:
                field.fill(value)
            filled.append(name)
        for name, value in values.items():
            if name.startswith("comment:") and screen.locator(f"textarea[name='{name}']").count():
                screen.locator(f"textarea[name='{name}']").fill(value)
                filled.append(name)
        if n < sections:
            screen.locator("a.next").click()
    return filled


def open_inspection(page: Any, server: Server, *, rulebook_title: str) -> int:
    """Open the first inspection still to do whose tile names *rulebook_title*; its id."""
    tiles = page.locator("a.tile", has=page.locator("span.status.todo")).filter(has_text=rulebook_title)
    href = tiles.first.get_attribute("href")
    page.goto(server.url + href)
    return int(href.rsplit("/", 1)[1])


def new_keys(folder: Path, password: str) -> dict[str, Path]:
    """An auditor's and a site manager's PKCS#12 keys made by `checkengine keys new` in *folder*."""
    for who, name in (("auditor", "林品管"), ("manager", "王主任")):
        done = subprocess.run([str(CHECKENGINE), "keys", "new", "--name", name, "-o", str(folder / who)],
                              env={**os.environ, "CHECKENGINE_KEY_PASSWORD": password}, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    return {"auditor": folder / "auditor", "manager": folder / "manager"}
