"""`make check` on a broken content folder: the French report, a failing status, no make noise."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def venv() -> Path:
    return Path(sys.prefix) if sys.prefix != sys.base_prefix else ROOT / ".venv"


def make_check(content: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    return subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-o",
            f"{venv()}/.installed",
            f"VENV={venv()}",
            "check",
            f"INPUTDIR={content}",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_a_failing_check_says_it_in_french_only(tmp_path):
    content = tmp_path / "content"
    (content / "ateliers").mkdir(parents=True)
    shutil.copy(ROOT / "content" / "tarifs.yaml", content / "tarifs.yaml")
    (content / "ateliers" / "2027-05-casse.yaml").write_text(
        "type: atelier\ntitre: Un atelier\nquestion: Comment faire pour… ?\nobjet: Un objet\n"
        'public: [DGS]\nlieu: {nom: CDG 44, adresse: "6 rue du Pen Duick II, 44300 Nantes"}\n'
        "seances:\n  - {date: 2027-05-12, duree: journee}\n  - {date: 2027-05-19, duree: journee, debut: 14:30}\n"
        "capacite: 12\ndescription: Deux phrases.\n",
        encoding="utf-8",
    )
    result = make_check(content)
    assert result.returncode != 0, result.stdout
    assert "debut de la 2e séance: YAML lit 14:30 comme un nombre (870)" in result.stdout, result.stdout
    assert result.stdout.strip().splitlines()[-1] == "1 erreur dans 1 fichier."
    assert "make: ***" not in result.stderr and "Error" not in result.stderr, result.stderr


def test_a_clean_check_succeeds(tmp_path):
    content = tmp_path / "content"
    (content / "ateliers").mkdir(parents=True)
    shutil.copy(ROOT / "content" / "tarifs.yaml", content / "tarifs.yaml")
    result = make_check(content)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == "1 fichier vérifié : aucune erreur."
