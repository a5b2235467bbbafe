"""Fixtures of the workspace's tests: the real server, and browser contexts of a tablet and a phone
(chromium and Playwright: the ``browser`` fixture of tests/conftest.py; see serving.py)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest

from serving import ARTEFACTS, PHONE, TABLET, Server, start_server


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
