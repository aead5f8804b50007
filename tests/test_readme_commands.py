"""Every command example of the README runs as written (issue 9).

The examples are read from README.md itself: `make …` in backquotes. Those that
serve, test, upload or need the operator's own values (written « … ») cannot run
here and are listed, so that a new example is never silently left out.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import BUILD_EPOCH, ROOT

EXAMPLE = re.compile(r"`((?:[A-Z_]+=\S+ )*make [^`]+)`")
# Not run here: long-running servers, the test suite itself, network uploads, a venv or
# node_modules (re)install.
NOT_RUN_HERE = {
    "serve",
    "editer",
    "test",
    "devserver",
    "rsync_upload",
    "audit",
    "bench",
    "bootstrap",
    "npm-deps",
    "regenerate",
}


def venv() -> Path:
    return Path(sys.prefix) if sys.prefix != sys.base_prefix else ROOT / ".venv"


def readme_examples() -> list[str]:
    return EXAMPLE.findall((ROOT / "README.md").read_text(encoding="utf-8"))


def test_every_readme_example_runs(tmp_path):
    # A copy of the project's editable files, so that no example writes into the repository.
    workdir = tmp_path / "site"
    workdir.mkdir()
    shutil.copytree(ROOT / "content", workdir / "content")
    for name in ("Makefile", "pelicanconf.py", "publishconf.py", "pyproject.toml"):
        shutil.copy(ROOT / name, workdir / name)
    for name in ("theme", "plugins"):
        (workdir / name).symlink_to(ROOT / name)
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "SITEURL"}}
    env.update(
        SOURCE_DATE_EPOCH=BUILD_EPOCH,
        FORM_ENDPOINT="https://formulaires.example.test",
        DIRECTEUR_PUBLICATION="Le président du CDG 44",
        HEBERGEUR_NOM="Hébergeur Exemple",
        HEBERGEUR_ADRESSE="1 rue de l'Exemple, 44000 Nantes",
        HEBERGEUR_TELEPHONE="02 40 00 00 00",
    )
    ran, skipped = [], []
    for example in readme_examples():
        words = shlex.split(example)
        goals = [w for w in words[words.index("make") + 1 :] if "=" not in w]
        interactive = goals == ["nouvel-atelier"] and "ARGS=" not in example  # asks questions in a terminal
        if "…" in example or set(goals) & NOT_RUN_HERE or interactive:
            skipped.append(example)
            continue
        command = ["make", "--no-print-directory", "-o", f"{venv()}/.installed", f"VENV={venv()}"]
        command += words[words.index("make") + 1 :]
        result = subprocess.run(
            command, cwd=workdir, env=env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL
        )
        assert result.returncode == 0, f"{example}\n{result.stdout}\n{result.stderr}"
        ran.append(example)
    assert any("nouvel-atelier" in e for e in ran), ran
    assert any(e.startswith("make check") for e in ran), ran
    assert {"make serve", "make test"} <= set(skipped), skipped
    assert (workdir / "content" / "ateliers" / "2027-05-accueillir-les-nouveaux-agents.yaml").exists()
