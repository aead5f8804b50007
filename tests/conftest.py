"""Shared fixtures: one site build per test session, served on loopback, and Chromium.

The build date is fixed with SOURCE_DATE_EPOCH (2026-11-30, 12:00 in Paris) so
that badges (full, closed, finished…) are the same on every run.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.tools.static_server import StaticServer

ROOT = Path(__file__).resolve().parents[1]
BUILD_EPOCH = "1796036400"  # 2026-11-30T11:00:00Z
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The operators' policy (docs/exploitation.md): only the site's own resources; the search
# index's WebAssembly needs 'wasm-unsafe-eval', which allows no script text to run.
STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_site(output: Path, settings: str = "pelicanconf.py", env: dict | None = None, content: Path | None = None):
    """Run Pelican in a subprocess (a fresh plugin state each time); return the CompletedProcess."""
    full_env = {**os.environ, "SOURCE_DATE_EPOCH": BUILD_EPOCH}
    full_env.update(env or {})
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pelican",
            str(content or ROOT / "content"),
            "-o",
            str(output),
            "-s",
            str(ROOT / settings),
        ],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="session")
def ports() -> dict:
    """Ports chosen before the build, so the forms point at the test receiver."""
    return {"site": free_port(), "forms": free_port()}


@pytest.fixture(scope="session")
def built_site(tmp_path_factory, ports) -> Path:
    output = tmp_path_factory.mktemp("site") / "output"
    result = build_site(
        output,
        env={
            "FORM_ENDPOINT": f"http://127.0.0.1:{ports['forms']}",
            "PUBLIC_SITE_URL": f"http://127.0.0.1:{ports['site']}",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return output


@pytest.fixture(scope="session")
def html_pages(built_site) -> list[Path]:
    """The public pages (the editing interface under admin/ is no page of the site: tests/cms/)."""
    return sorted(p for p in built_site.rglob("*.html") if p.relative_to(built_site).parts[0] != "admin")


@pytest.fixture(scope="session")
def site_url(built_site, ports):
    """The built site on http://127.0.0.1:<port>/ with a strict CSP header."""
    with StaticServer(built_site, port=ports["site"], headers={"Content-Security-Policy": STRICT_CSP}) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module.

    Playwright's sync API keeps its asyncio loop marked as running while it is
    open; closing it with each module keeps the asyncio-based tests that
    follow (the receiver's) working whatever the order.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
