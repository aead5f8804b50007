"""Bad start-up states: one French line saying what to do, and a non-zero exit, never a traceback.

Each case runs the real command, ``python -m formbackend serve``, in a
subprocess; a server that starts anyway is stopped by the timeout and the case
fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from formbackend.store import Store

from .conftest import FORMS_PATH, ROOT, SITE, free_port, write_sessions

TIMEOUT = 20  # seconds: a server that starts instead of refusing is stopped then


def serve(tmp_path: Path, env: dict[str, str | None] | None = None, db: Path | None = None, prefix=()):
    """Runs serve with a valid set-up changed by `env` (None removes a variable); (exit code, stderr)."""
    full_env = {key: value for key, value in os.environ.items() if not key.startswith("FORMBACKEND_")}
    full_env.update(
        {
            "FORMBACKEND_ALLOWED_ORIGINS": SITE,
            "FORMBACKEND_SESSIONS": str(write_sessions(tmp_path / "site" / "donnees" / "inscriptions.json")),
            "FORMBACKEND_ADMIN_USER": "gestion",
            "FORMBACKEND_ADMIN_PASSWORD": "une phrase de passe assez longue",
        }
    )
    for name, value in (env or {}).items():
        if value is None:
            full_env.pop(name, None)
        else:
            full_env[name] = value
    db = db or tmp_path / "var" / "formulaires.sqlite3"
    command = [*prefix, sys.executable, "-m", "formbackend", "serve", "--port", str(free_port())]
    command += ["--db", str(db), "--forms", str(FORMS_PATH), "--log-level", "warning"]
    try:
        result = subprocess.run(
            command, cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired:
        pytest.fail("le serveur a démarré au lieu de refuser")
    return result.returncode, result.stderr


def assert_one_french_line(code: int, stderr: str, *words: str) -> None:
    lines = stderr.strip().splitlines()
    assert code != 0
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    assert lines[0].startswith("erreur : "), stderr
    for word in words:
        assert word in lines[0], (word, lines[0])


# -- the database ------------------------------------------------------------------------


def read_only(path: Path) -> list[str]:
    """A command prefix under which `path` is read-only, whoever runs the tests.

    As a user, the file's mode does it. As root (CI), modes do not stop writing:
    the command runs in its own mount namespace where `path` is bind-mounted
    read-only (nothing is changed outside it).
    """
    if os.geteuid() != 0:
        path.chmod(0o555 if path.is_dir() else 0o444)
        return []
    script = 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0" && exec "$@"'
    prefix = ["unshare", "--mount", "sh", "-c", script, str(path)]
    if shutil.which("unshare") is None or subprocess.run([*prefix, "true"], capture_output=True).returncode != 0:
        pytest.skip("root without the right to mount: a read-only file cannot be made here")
    return prefix


def test_garbage_database(tmp_path):
    db = tmp_path / "formulaires.sqlite3"
    db.write_bytes(os.urandom(4096))
    code, stderr = serve(tmp_path, db=db)
    assert_one_french_line(code, stderr, str(db), "n'est pas une base SQLite", "restaurez")


def test_database_folder_that_cannot_be_created(tmp_path):
    blocker = tmp_path / "var"
    blocker.write_text("un fichier, pas un dossier", encoding="utf-8")
    code, stderr = serve(tmp_path, db=blocker / "formulaires.sqlite3")
    assert_one_french_line(code, stderr, "ne peut pas être créé", "FORMBACKEND_DB")


def test_unwritable_database_folder(tmp_path):
    folder = tmp_path / "lecture-seule"
    folder.mkdir()
    prefix = read_only(folder)
    code, stderr = serve(tmp_path, db=folder / "formulaires.sqlite3", prefix=prefix)
    assert_one_french_line(code, stderr, "ne peut pas être ouverte en écriture", "droit d'écrire")


def test_read_only_database(tmp_path):
    db = tmp_path / "formulaires.sqlite3"
    Store(db)  # a good database, then made read-only
    prefix = read_only(db)
    code, stderr = serve(tmp_path, db=db, prefix=prefix)
    assert_one_french_line(code, stderr, "est en lecture seule", "droit d'écrire")


# -- the administration's credentials ----------------------------------------------------


@pytest.mark.parametrize(
    "env,words",
    [
        ({"FORMBACKEND_ADMIN_PASSWORD": "1"}, ["FORMBACKEND_ADMIN_PASSWORD", "trop court", "au moins 12 caractères"]),
        ({"FORMBACKEND_ADMIN_PASSWORD": "court"}, ["trop court (5 caractère(s))"]),
        ({"FORMBACKEND_ADMIN_PASSWORD": "     "}, ["FORMBACKEND_ADMIN_PASSWORD", "que des espaces"]),
        ({"FORMBACKEND_ADMIN_PASSWORD": "   abc     "}, ["trop court (3 caractère(s))"]),
        ({"FORMBACKEND_ADMIN_USER": "ges:tion"}, ["FORMBACKEND_ADMIN_USER", "« : »"]),
        ({"FORMBACKEND_ADMIN_USER": "   "}, ["FORMBACKEND_ADMIN_USER", "que des espaces"]),
    ],
    ids=["un-caractere", "court", "espaces", "court-entre-espaces", "deux-points", "utilisateur-espaces"],
)
def test_weak_or_unusable_admin_credentials(tmp_path, env, words):
    code, stderr = serve(tmp_path, env)
    assert_one_french_line(code, stderr, *words)


# -- the sessions the build published ----------------------------------------------------


def test_production_refuses_to_start_without_the_sessions(tmp_path):
    code, stderr = serve(tmp_path, {"FORMBACKEND_SESSIONS": None})
    assert_one_french_line(code, stderr, "FORMBACKEND_SESSIONS manque", "FORMBACKEND_ENV=developpement")
    explicit = serve(tmp_path, {"FORMBACKEND_SESSIONS": None, "FORMBACKEND_ENV": "production"})
    assert_one_french_line(*explicit, "FORMBACKEND_SESSIONS manque")


@pytest.mark.parametrize(
    "content,words",
    [(None, "n'existe pas"), ("{coupé", "n'est pas du JSON valide"), ('{"autre": 1}', "n'est pas un fichier")],
    ids=["absent", "illisible", "autre-fichier"],
)
def test_a_sessions_file_that_cannot_be_used(tmp_path, content, words):
    path = tmp_path / "inscriptions.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code, stderr = serve(tmp_path, {"FORMBACKEND_SESSIONS": str(path)})
    assert_one_french_line(code, stderr, str(path), words)


def test_unknown_environment(tmp_path):
    code, stderr = serve(tmp_path, {"FORMBACKEND_ENV": "recette"})
    assert_one_french_line(code, stderr, "FORMBACKEND_ENV", "production ou developpement")
