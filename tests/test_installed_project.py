"""The project is installed: its packages and commands work from any folder,
with no path set by hand (no PYTHONPATH, no sys.path edits)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLEAN_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=CLEAN_ENV, capture_output=True, text=True, timeout=120)


def test_the_receiver_and_the_tools_run_from_another_folder(tmp_path):
    receiver = run([sys.executable, "-m", "formbackend", "--help"], tmp_path)
    assert receiver.returncode == 0, receiver.stderr
    assert receiver.stdout.startswith("utilisation : python -m formbackend")
    check = run([sys.executable, "-m", "offer.tools.check", str(ROOT / "content")], tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr


def test_the_installed_packages_are_the_repository_ones(tmp_path):
    probe = "import offer, formbackend, offer_pelican; print(offer.__file__); print(formbackend.__file__); print(offer_pelican.__file__)"
    result = run([sys.executable, "-c", probe], tmp_path)
    assert result.returncode == 0, result.stderr
    paths = [Path(line) for line in result.stdout.split()]
    assert paths == [
        ROOT / "offer" / "__init__.py",
        ROOT / "formbackend" / "__init__.py",
        ROOT / "plugins" / "offer_pelican" / "__init__.py",
    ]


def test_no_module_edits_the_import_path():
    offenders = []
    for folder in ("offer", "formbackend", "plugins", "bench", "tests"):
        for path in (ROOT / folder).rglob("*.py"):
            if path == Path(__file__).resolve():
                continue
            text = path.read_text(encoding="utf-8")
            if "sys.path.insert" in text or "sys.path.append" in text or '"PYTHONPATH":' in text:
                offenders.append(str(path.relative_to(ROOT)))
    offenders += [
        name
        for name in ("pelicanconf.py", "Makefile")
        if "sys.path" in (ROOT / name).read_text() or "PYTHONPATH" in (ROOT / name).read_text()
    ]
    assert offenders == [], offenders
