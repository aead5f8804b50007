"""Build benchmark: the catalogue site with N generated entries vs plain Pelican with N Markdown articles.

For each N, two temporary projects are built from scratch, each in its own fresh
subprocess wrapper (so that the peak memory is that of one build):

- "catalogue": a copy of this repository's theme/, plugins/, settings, pages,
  rates and forms, plus N generated valid YAML entries (workshops and
  co-development groups, past and upcoming, various venues, audiences, statuses);
- "markdown": a minimal Pelican project (default theme, no plugin) with N
  Markdown articles of similar text length.

Usage (from the repository root):

    .venv/bin/python bench/bench_build.py                 # N = 100, 1000, 5000
    .venv/bin/python bench/bench_build.py --sizes 100,1000
    .venv/bin/python bench/bench_build.py --only markdown --sizes 50

Not a test: it prints a table and a verdict on linear growth, and exits non-zero
if a build failed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from offer.model import AUDIENCES  # the generated entries use the real list

REPO = Path(__file__).resolve().parent.parent
# 2026-11-30 07:00 in Paris: some generated sessions are past, most are upcoming.
DEFAULT_EPOCH = int(dt.datetime(2026, 11, 30, 6, 0, tzinfo=dt.UTC).timestamp())
DEFAULT_SIZES = (100, 1000, 5000)
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
# resource usage (RUSAGE_CHILDREN of a fresh process = this build only).
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

    @property
    def ms_per_item(self) -> float:
        return 1000.0 * self.wall / self.n if self.n else 0.0


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
    return projects


# -- measuring ----------------------------------------------------------------


def _output_size(folder: Path) -> tuple[int, float]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files) / 2**20


def build(kind: str, n: int, project: Path, python: str, epoch: int, timeout: float) -> Run:
    run = Run(kind, n)
    output = project / "output"
    shutil.rmtree(output, ignore_errors=True)
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch), "PYTHONHASHSEED": "0"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if kind == "catalogue":
        # Compile the copied plugin first so the first build does not pay for it.
        subprocess.run([python, "-m", "compileall", "-q", "plugins"], cwd=project, env=env, check=False)
    log = project / "build.log"
    command = [
        python,
        "-c",
        WRAPPER,
        str(log),
        python,
        "-m",
        "pelican",
        "content",
        "-o",
        str(output),
        "-s",
        "pelicanconf.py",
    ]
    try:
        result = subprocess.run(
            command, cwd=project, env=env, capture_output=True, text=True, timeout=timeout, check=False
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
        run.error = f"pelican a échoué (code {report['returncode']}) : " + " | ".join(text.strip().splitlines()[-5:])
        return run
    run.ok = True
    run.output_files, run.output_mib = _output_size(output)
    run.extra["warnings"] = sum(1 for line in text.splitlines() if "WARNING" in line)
    return run


# -- report -------------------------------------------------------------------


def table(results: dict[int, dict[str, Run]]) -> str:
    header = (
        "N",
        "entries build s",
        "cpu s",
        "ms/entry",
        "peak MiB",
        "files",
        "markdown build s",
        "cpu s",
        "ms/page",
        "peak MiB",
        "files",
        "ratio",
    )
    rows = [header]
    for n in sorted(results):
        cat, md = results[n].get("catalogue"), results[n].get("markdown")
        ratio = f"{cat.wall / md.wall:.2f}" if cat and md and cat.ok and md.ok and md.wall else "-"
        cells = [str(n)]
        for run in (cat, md):
            if run is None:
                cells += ["-"] * 5
            elif not run.ok:
                cells += ["ÉCHEC"] + ["-"] * 4
            else:
                cells += [
                    f"{run.wall:.2f}",
                    f"{run.cpu:.2f}",
                    f"{run.ms_per_item:.1f}",
                    f"{run.peak_mib:.0f}",
                    str(run.output_files),
                ]
        rows.append((*cells, ratio))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = [" | ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def _marginals(runs: list[Run], metric) -> list[float]:
    return [1000.0 * (metric(b) - metric(a)) / (b.n - a.n) for a, b in zip(runs, runs[1:], strict=False)]


def linearity(runs: list[Run]) -> str:
    """Compare the marginal cost per item between successive sizes (fixed start-up cost excluded).

    The verdict uses CPU time (user + system), less sensitive than wall time to
    other processes on a shared machine; both are printed.
    """
    runs = sorted((r for r in runs if r.ok), key=lambda r: r.n)
    if len(runs) < 2:
        return "une seule taille mesurée : linéarité non évaluée"
    steps = [f"{a.n}→{b.n}" for a, b in zip(runs, runs[1:], strict=False)]
    wall = _marginals(runs, lambda r: r.wall)
    cpu = _marginals(runs, lambda r: r.cpu)
    described = ", ".join(
        f"{step} : {w:.1f} ms réel / {c:.1f} ms CPU" for step, w, c in zip(steps, wall, cpu, strict=True)
    )
    per_item = ", ".join(f"{r.n} : {r.ms_per_item:.1f} ms" for r in runs)
    if len(cpu) == 1:
        # Two sizes cannot separate the fixed start-up cost from a super-linear term.
        linear = runs[-1].cpu / runs[-1].n <= 1.15 * runs[0].cpu / runs[0].n
        verdict = (
            "compatible avec une croissance linéaire (trois tailles au moins pour conclure)"
            if linear
            else "croissance PLUS QUE LINÉAIRE"
        )
    else:
        linear = cpu[0] > 0 and cpu[-1] <= cpu[0] * 1.5
        verdict = "croissance linéaire" if linear else "croissance PLUS QUE LINÉAIRE"
    return f"{verdict} (coût marginal par élément {described} ; ms réelles par élément {per_item})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, DEFAULT_SIZES)),
        help="tailles N séparées par des virgules (défaut : 100,1000,5000)",
    )
    parser.add_argument(
        "--only", choices=("all", "catalogue", "markdown"), default="all", help="ne mesurer qu'un des deux sites"
    )
    parser.add_argument(
        "--python", default=sys.executable, help="interpréteur où Pelican est installé (défaut : celui-ci)"
    )
    parser.add_argument("--epoch", type=int, default=DEFAULT_EPOCH, help="SOURCE_DATE_EPOCH des constructions")
    parser.add_argument("--seed", type=int, default=44, help="graine du générateur de fiches")
    parser.add_argument("--timeout", type=float, default=3600, help="délai maximal d'une construction, en secondes")
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
    kinds = {"catalogue", "markdown"} if args.only == "all" else {args.only}

    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        workdir, cleanup = Path(tempfile.mkdtemp(prefix="bench-", dir=args.workdir)), False
    else:
        workdir, cleanup = Path(tempfile.mkdtemp(prefix="bench-build-")), True

    results: dict[int, dict[str, Run]] = {}
    try:
        for n in sizes:
            projects = make_projects(n, workdir, args.seed, kinds)
            results[n] = {}
            for kind in ("catalogue", "markdown"):
                if kind not in projects:
                    continue
                print(f"construction {kind} N={n}…", file=sys.stderr, flush=True)
                run = build(kind, n, projects[kind], args.python, args.epoch, args.timeout)
                results[n][kind] = run
                status = f"{run.wall:.2f} s, {run.peak_mib:.0f} Mio" if run.ok else f"échec : {run.error}"
                print(f"  {status}", file=sys.stderr, flush=True)
                shutil.rmtree(projects[kind] / "output", ignore_errors=True)
    finally:
        if cleanup:
            shutil.rmtree(workdir, ignore_errors=True)

    print(f"Pelican build, clean, SOURCE_DATE_EPOCH={args.epoch}, python={args.python}")
    print(table(results))
    for kind in sorted(kinds):
        print(f"{kind} : {linearity([r[kind] for r in results.values() if kind in r])}")
    failures = [run for runs in results.values() for run in runs.values() if not run.ok]
    for run in failures:
        print(f"ÉCHEC {run.kind} N={run.n} : {run.error}")
    if args.json:
        data = {
            "epoch": args.epoch,
            "seed": args.seed,
            "runs": [
                {**asdict(run), "cpu": run.cpu, "ms_per_item": run.ms_per_item}
                for runs in results.values()
                for run in runs.values()
            ],
        }
        args.json.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    if not cleanup:
        print(f"projets conservés dans {workdir}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
