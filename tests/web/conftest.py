"""Fixtures of the workspace's tests: the real server, and chromium driven by Playwright (see serving.py)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest

from serving import ARTEFACTS, CHROMIUM_ARGS, PHONE, TABLET, Server, start_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server (SQLite store) for a test module; sign-ins not limited (the limit has its own test)."""
    store = str(tmp_path_factory.mktemp("serve") / "store.sqlite")
    running = start_server(store, "--logins-per-minute", "1000")
    try:
        yield running
    finally:
        running.stop()
        print("\n".join(running.output))  # shown by pytest when a test of the module failed


@pytest.fixture(scope="session")
def chromium_path() -> str:
    found = shutil.which("chromium")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set and chromium is missing: scripts/system-deps.sh installs it", pytrace=False)
        pytest.skip("chromium is not installed (scripts/system-deps.sh installs it)")
    return found


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def tablet(browser: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) the size of a 10-inch tablet, touch enabled."""
    context = browser.new_context(viewport=TABLET, has_touch=True, device_scale_factor=1, locale="zh-TW")
    context.set_default_timeout(15000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, device_scale_factor=2)
    context.set_default_timeout(15000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Path:
    """Where a test keeps its screenshots (build/test-artefacts/serve/<test>/)."""
    folder = ARTEFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder
