"""`make publish` never publishes a broken site, and the guides say how to run it.

The builds go through the real Makefile (into temporary folders), as the
pipelines and the operators run them. The virtual environment is the one
running the tests; `-o <venv>/.installed` keeps make from reinstalling it.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from offer.tools.check import check_content

ROOT = Path(__file__).resolve().parents[1]
BUILD_EPOCH = "1796036400"  # 2026-11-30T11:00:00Z, as in conftest.py
SITEURL = "http://example.test/ateliers"
FORM_ENDPOINT = "https://formulaires.example.test"
LEGAL = {
    "DIRECTEUR_PUBLICATION": "Le président du CDG 44",
    "HEBERGEUR_NOM": "Hébergeur Exemple",
    "HEBERGEUR_ADRESSE": "1 rue de l'Exemple, 44000 Nantes",
    "HEBERGEUR_TELEPHONE": "02 40 00 00 00",
}
DOCS = (ROOT / "docs" / "editeurs.md", ROOT / "docs" / "exploitation.md")

BROKEN_NAME = "2027-05-heure-sans-guillemets.yaml"
BROKEN_LINE = 8
BROKEN_WORKSHOP = """\
type: atelier
titre: Un atelier dont l'heure n'est pas entre guillemets
question: Comment faire pour publier sans casser le site ?
objet: Un site qui reste en ligne
public: [DGS]
lieu: {nom: CDG 44, adresse: "6 rue du Pen Duick II, 44300 Nantes"}
seances:
  - {date: 2027-05-12, duree: journee, debut: 14:30}
capacite: 12
"""


def venv() -> Path:
    if sys.prefix != sys.base_prefix:
        return Path(sys.prefix)
    return ROOT / ".venv"


def make(*args: str, legal: dict | None = LEGAL) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "REGISTRATION_COUNTS", "SITEURL"}
    }
    env.update(
        SOURCE_DATE_EPOCH=BUILD_EPOCH,
        FORM_PROVIDER="selfhosted",
        FORM_ENDPOINT=FORM_ENDPOINT,
        COLUMNS="500",  # no wrapped log lines
    )
    for name in LEGAL:
        env.pop(name, None)
    env.update(legal or {})
    environment = venv()
    return subprocess.run(
        ["make", "--no-print-directory", "-o", f"{environment}/.installed", f"VENV={environment}", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def publish(content: Path, output: Path, legal: dict | None = LEGAL) -> subprocess.CompletedProcess:
    return make("publish", f"INPUTDIR={content}", f"OUTPUTDIR={output}", f"SITEURL={SITEURL}", legal=legal)


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every path under folder: sha256 and modification time of files, and the folders."""
    state = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_dir():
            state[name] = ("dossier",)
        else:
            state[name] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    return state


@pytest.fixture
def workspace(tmp_path) -> tuple[Path, Path]:
    """A copy of content/ (named content, so messages read content/ateliers/…) and an output path."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    return content, tmp_path / "site" / "output"


def leftovers(output: Path) -> list[Path]:
    return sorted(p for p in output.parent.iterdir() if p.name.startswith(output.name + "."))


def test_a_broken_content_file_stops_the_publish_and_leaves_the_site_as_it_was(workspace):
    content, output = workspace
    first = publish(content, output)
    assert first.returncode == 0, first.stdout + first.stderr
    assert (output / "index.html").is_file() and (output / "programme" / "index.html").is_file()
    assert SITEURL + "/" in (output / "index.html").read_text(encoding="utf-8")
    before = snapshot(output)
    inode = output.stat().st_ino

    (content / "ateliers" / BROKEN_NAME).write_text(BROKEN_WORKSHOP, encoding="utf-8")
    failed = publish(content, output)
    log = failed.stdout + failed.stderr

    assert failed.returncode != 0, log
    # The editor's message: file, line, field, what is wrong and what to write, in French.
    problems = [p for p in check_content(content).errors if p.path.endswith(BROKEN_NAME)]
    assert [p.line for p in problems] == [BROKEN_LINE]
    assert f"content/ateliers/{BROKEN_NAME}:{BROKEN_LINE}:" in log
    assert str(problems[0]) in log
    assert "guillemets" in log and '"14:30"' in log
    assert "Traceback" not in log
    # The published site: the same folder, the same files, the same bytes.
    assert output.stat().st_ino == inode
    assert snapshot(output) == before


def test_a_build_failing_halfway_leaves_the_site_as_it_was_until_the_next_good_one(workspace):
    content, output = workspace
    first = publish(content, output)
    assert first.returncode == 0, first.stdout + first.stderr
    # Files of the published site that the next build no longer produces.
    (output / "ancienne-page").mkdir()
    (output / "ancienne-page" / "index.html").write_text("<p>retirée</p>", encoding="utf-8")
    (output / "programme" / "session-supprimee.ics").write_text("BEGIN:VCALENDAR", encoding="utf-8")
    before = snapshot(output)

    # A page whose template does not exist: Pelican fails while writing the pages,
    # after the content was read, so only the Makefile's swap protects the site.
    page = content / "pages" / "zz-gabarit-absent.md"
    page.write_text("Title: Essai\nSlug: essai-gabarit-absent\nTemplate: gabarit-absent\n\nTexte.\n", encoding="utf-8")
    failed = publish(content, output)
    assert failed.returncode != 0, failed.stdout + failed.stderr
    assert "gabarit-absent" in failed.stdout + failed.stderr
    assert snapshot(output) == before

    page.unlink()
    again = publish(content, output)
    assert again.returncode == 0, again.stdout + again.stderr
    # The whole folder is replaced: nothing of the old one stays, nothing is left beside it.
    assert not (output / "ancienne-page").exists()
    assert not (output / "programme" / "session-supprimee.ics").exists()
    assert (output / "index.html").is_file()
    assert leftovers(output) == []
    # Same sources, same SOURCE_DATE_EPOCH: the same bytes as the first build.
    after = {k: v[0] for k, v in snapshot(output).items()}
    assert after == {k: v[0] for k, v in before.items() if "ancienne-page" not in k and "session-supprimee" not in k}


def test_a_publish_cleans_what_an_interrupted_build_left(workspace):
    content, output = workspace
    interrupted = output.parent / (output.name + ".new")
    interrupted.mkdir(parents=True)
    (interrupted / "a-moitie.html").write_text("", encoding="utf-8")
    (output.parent / (output.name + ".old")).mkdir()
    result = publish(content, output)
    assert result.returncode == 0, result.stdout + result.stderr
    assert leftovers(output) == []
    assert not (output / "a-moitie.html").exists()


def test_make_check_accepts_the_sample_content():
    result = make("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "aucune erreur" in result.stdout


def test_make_check_reports_the_broken_file_in_french(workspace):
    content, _ = workspace
    (content / "ateliers" / BROKEN_NAME).write_text(BROKEN_WORKSHOP, encoding="utf-8")
    result = make("check", f"INPUTDIR={content}")
    assert result.returncode != 0
    assert re.search(
        rf"content/ateliers/{re.escape(BROKEN_NAME)}:{BROKEN_LINE}: debut de la 1re séance: .*guillemets", result.stdout
    ), result.stdout


def _docs_text() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in DOCS)


def test_the_guides_explain_every_command_the_readme_names():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][\w-]*)\s*:(?!=)", makefile, re.MULTILINE))
    named = set(re.findall(r"\bmake\s+([a-z][\w-]*)", readme)) & targets
    assert {"serve", "test", "check", "html", "publish", "nouvel-atelier"} <= named
    docs = _docs_text()
    missing = sorted(t for t in named if not re.search(rf"\bmake {re.escape(t)}\b", docs))
    assert not missing, f"commandes du README absentes des guides : {missing}"


def test_the_guides_mention_no_path_of_a_developer_machine():
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"/(home|root|Users|work)/[A-Za-z]", text), path.name
        assert str(ROOT) not in text, path.name


def test_the_operators_guide_has_the_systemd_unit_and_the_security_headers():
    text = (ROOT / "docs" / "exploitation.md").read_text(encoding="utf-8")
    units = [u for u in re.findall(r"```ini\n(.*?)```", text, re.DOTALL) if "-m formbackend serve" in u]
    assert len(units) == 1, "unité systemd du récepteur absente"
    unit = units[0]
    for line in (
        "[Service]",
        "User=",
        "WorkingDirectory=",
        "EnvironmentFile=/etc/cdg44-formulaires.env",
        "-m formbackend serve --host 127.0.0.1 --port 8001",
        "Restart=on-failure",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ReadWritePaths=/var/lib/cdg44-formulaires",
        "[Install]",
    ):
        assert line in unit, line
    # The project is installed: the receiver needs no PYTHONPATH, from any folder.
    assert "PYTHONPATH" not in text
    csp = re.search(r'add_header Content-Security-Policy "([^"]+)" always;', text)
    assert csp, "ligne Content-Security-Policy de nginx absente"
    directives = dict(d.strip().split(" ", 1) for d in csp.group(1).split(";") if d.strip())
    assert directives["default-src"] == "'self'"
    assert "https://formulaires." in directives["connect-src"]
    assert "https://formulaires." in directives["form-action"]
    assert directives["frame-ancestors"] == "'none'"
    # The search index runs in WebAssembly: the guide's policy and the tests' one agree on it.
    from tests.conftest import STRICT_CSP

    tested = dict(d.strip().split(" ", 1) for d in STRICT_CSP.split(";") if d.strip())
    assert directives["script-src"] == tested["script-src"] == "'self' 'wasm-unsafe-eval'"
    assert "unsafe-inline" not in csp.group(1)
    for header in ("Referrer-Policy", "X-Content-Type-Options", "Permissions-Policy"):
        assert f"add_header {header} " in text, header
    # The settings the guide documents are the receiver's real ones.
    from formbackend.settings import ENVIRONMENT_VARIABLES

    documented = set(re.findall(r"\bFORMBACKEND_[A-Z_]+\b", text))
    assert documented <= set(ENVIRONMENT_VARIABLES), (
        f"variables inconnues du récepteur : {sorted(documented - set(ENVIRONMENT_VARIABLES))}"
    )
    table = set(re.findall(r"^\| `(FORMBACKEND_[A-Z_]+)` \|", text, re.MULTILINE))
    assert table == set(ENVIRONMENT_VARIABLES), (
        f"variables absentes du tableau : {sorted(set(ENVIRONMENT_VARIABLES) - table)}"
    )


def _blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.DOTALL)


def test_the_examples_of_the_editors_guide_are_valid(tmp_path):
    """Every complete workshop file and rates file shown to editors passes the check."""
    guide = (ROOT / "docs" / "editeurs.md").read_text(encoding="utf-8")
    blocks = _blocks(guide, "yaml")
    workshops = [b for b in blocks if re.search(r"^type: ", b, re.MULTILINE) and "seances:" in b]
    rates = [b for b in blocks if b.startswith("tarifs:")]
    assert len(workshops) >= 2 and len(rates) >= 2
    for index, rates_text in enumerate(rates):
        content = tmp_path / f"contenu-{index}" / "content"
        (content / "ateliers").mkdir(parents=True)
        (content / "tarifs.yaml").write_text(rates_text, encoding="utf-8")
        for number, workshop in enumerate(workshops):
            (content / "ateliers" / f"2027-01-exemple-{number}.yaml").write_text(workshop, encoding="utf-8")
        report = check_content(content)
        assert report.errors == [], [str(p) for p in report.errors]


def test_the_guides_internal_links_lead_to_a_heading():
    import unicodedata

    def anchor(heading: str) -> str:  # GitHub's and GitLab's rule for French headings
        heading = heading.replace("`", "").lower()
        kept = "".join(c for c in heading if unicodedata.category(c)[0] in "LNM" or c in "-_ ")
        return kept.replace(" ", "-")

    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        prose = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
        anchors = {anchor(h) for h in re.findall(r"^#{1,6} (.+)$", prose, re.MULTILINE)}
        broken = sorted(set(re.findall(r"\]\(#([^)]+)\)", text)) - anchors)
        assert not broken, f"{path.name} : liens internes sans titre : {broken}"


def test_publish_refuses_to_build_without_the_mentions_legales(tmp_path):
    output = tmp_path / "output"
    result = publish(ROOT / "content", output, legal={"DIRECTEUR_PUBLICATION": "Le président du CDG 44"})
    assert result.returncode != 0
    assert "mentions légales incomplètes : il manque le nom de l'hébergeur" in result.stderr
    assert "HEBERGEUR_NOM, HEBERGEUR_ADRESSE, HEBERGEUR_TELEPHONE" in result.stderr
    assert not output.exists()


def test_mentions_legales_name_the_director_and_the_host(tmp_path):
    output = tmp_path / "output"
    result = publish(ROOT / "content", output)
    assert result.returncode == 0, result.stderr
    text = (output / "mentions-legales" / "index.html").read_text(encoding="utf-8")
    text = " ".join(text.replace("\u2019", "'").split()).replace("\u202f", " ").replace("\xa0", " ")
    for value in LEGAL.values():
        assert value in text, value
