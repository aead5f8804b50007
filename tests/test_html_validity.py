"""The Nu HTML Checker (vnu.jar, from npm) finds no error in any page, style sheet or SVG.

One Java process checks every file of the build at once (start-up is the slow part).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def run_vnu(files: list) -> list[dict]:
    java = shutil.which("java")
    assert java, "Java est nécessaire au validateur Nu (make test-deps l'installe)"
    assert VNU.is_file(), f"{VNU.relative_to(ROOT)} manque : lancez make test-deps"
    result = subprocess.run(
        [
            java,
            "-Xss8m",
            "-jar",
            str(VNU),
            "--errors-only",
            "--format",
            "json",
            "--also-check-css",
            "--also-check-svg",
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    # vnu writes its JSON report on stderr; exit code 1 means "errors found".
    report = result.stderr.strip() or result.stdout.strip()
    try:
        return json.loads(report)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"réponse illisible du validateur (code {result.returncode}) :\n{result.stdout}\n{result.stderr}")


def describe(messages: list[dict], root) -> str:
    lines = []
    for m in messages:
        where = m.get("url", "").replace("file:", "")
        try:
            where = str(Path(where).relative_to(root))
        except ValueError:
            pass
        lines.append(
            f"{where}:{m.get('lastLine', '?')}:{m.get('firstColumn', '?')}: {m.get('type')}: {m.get('message')}\n    {m.get('extract', '').strip()}"
        )
    return "\n".join(lines)


@pytest.fixture(scope="module")
def vnu_report(built_site, html_pages, tmp_path_factory):
    """One run over the whole build, plus a deliberately broken page (a canary)."""
    canary = tmp_path_factory.mktemp("vnu") / "casse.html"
    canary.write_text(
        '<!DOCTYPE html><html lang="fr"><head><title>x</title></head><body><p><div>x</p></body></html>',
        encoding="utf-8",
    )
    files = [*html_pages, *sorted(built_site.rglob("*.css")), *sorted(built_site.rglob("*.svg"))]
    assert len(html_pages) > 20
    messages = run_vnu([*files, canary])
    site, canary_messages = [], []
    for m in messages:
        (canary_messages if m.get("url", "").endswith("/casse.html") else site).append(m)
    return site, canary_messages


def test_no_html_error(vnu_report, built_site):
    messages, _ = vnu_report
    errors = [m for m in messages if m.get("type") in ("error", "non-document-error")]
    assert not errors, f"{len(errors)} erreur(s) du validateur Nu :\n" + describe(errors, built_site)


def test_the_checker_reports_errors(vnu_report):
    """The validator really ran: the broken canary page is reported."""
    _, canary = vnu_report
    assert any(m.get("type") == "error" for m in canary), canary
