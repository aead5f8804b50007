"""make devserver's rebuilds (build cache, kept catalogue folder) give exactly a clean build's output.

Each scenario edits the project the way an editor does while ``pelican -r``
runs (one process, several builds, the build cache on) and compares every
output file, and the list of files, with a clean build of the same sources:
nothing stale may remain, nothing may be missing. Timings are measured by
``bench/bench_build.py``, not here.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.fixtures.reference_output import BUILD_ENV, build, digest

DRIVER = ROOT / "tests" / "tools" / "devserver_rebuilds.py"
ENTRY = "content/ateliers/2027-03-mutualiser-services.yaml"
OTHER = "content/ateliers/2027-05-cartographie-roles-elus-agents.yaml"


def make_project(folder: Path) -> Path:
    for name in ("content", "theme", "plugins"):
        shutil.copytree(ROOT / name, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "pelicanconf.py", folder / "pelicanconf.py")
    disable_cms(folder)
    return folder


def disable_cms(project: Path) -> None:
    """No editing interface (admin/) in a copied project: it has neither npm's packages nor their lock file."""
    conf = project / "pelicanconf.py"
    conf.write_text(conf.read_text(encoding="utf-8") + '\nCMS = {**CMS, "ENABLED": False}\n', encoding="utf-8")


def rebuilds(project: Path, steps: list[dict], tmp: Path, cache: Path) -> list[Path]:
    """Run the steps in one devserver-like process; return the output after each build."""
    steps_file, snapshots = tmp / "steps.json", tmp / "snapshots"
    steps_file.write_text(json.dumps(steps), encoding="utf-8")
    shutil.rmtree(snapshots, ignore_errors=True)
    env = {**os.environ, **BUILD_ENV, "OFFER_CACHE_DIR": str(cache)}
    result = subprocess.run(
        [sys.executable, str(DRIVER), str(project), str(tmp / "output"), str(steps_file), str(snapshots)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return [snapshots / str(n) for n in range(len(steps) + 1)]


def clean_build(project: Path, output: Path) -> dict[str, str]:
    result = build(project, output)
    assert result.returncode == 0, result.stdout + result.stderr
    return digest(output)


def apply(project: Path, step: dict) -> None:
    for name, text in step.get("write", {}).items():
        (project / name).write_text(text, encoding="utf-8")
    for name in step.get("delete", []):
        (project / name).unlink()


def check_steps(tmp_path: Path, steps: list[dict]) -> list[str]:
    """Each devserver build equals a clean build of the same sources (a copy replays the steps).

    Returns, for each build, how many entries were rendered and how many came from the cache.
    """
    project = make_project(tmp_path / "project")
    snapshots = rebuilds(project, steps, tmp_path, tmp_path / "cache")
    reference = make_project(tmp_path / "reference")
    for number, (snapshot, step) in enumerate(zip(snapshots, [{}, *steps], strict=True)):
        apply(reference, step)
        expected = clean_build(reference, tmp_path / f"clean-{number}")
        actual = digest(snapshot)
        missing, extra = sorted(set(expected) - set(actual)), sorted(set(actual) - set(expected))
        changed = sorted(n for n in set(expected) & set(actual) if expected[n] != actual[n])
        assert not (missing or extra or changed), f"build {number}: missing {missing}, stale {extra}, differ {changed}"
    runs = json.loads((snapshots[0].parent / "runs.json").read_text(encoding="utf-8"))
    return [" ".join(run["messages"]).removeprefix("fiches : ") for run in runs]


def text(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def test_entry_edits_additions_and_deletions(tmp_path):
    entry = text(ENTRY)
    renamed = entry.replace("titre: Mutualiser", "slug: 2027-03-mutualiser-autrement\ntitre: Mutualiser")
    counts = check_steps(
        tmp_path,
        [
            {
                "write": {
                    ENTRY: entry.replace("inscrits: 9", "inscrits: 14").replace(
                        "titre: Mutualiser", "titre: Bien mutualiser"
                    )
                }
            },
            {
                "write": {
                    "content/ateliers/2027-11-nouvel-atelier.yaml": entry.replace("2027-03-11", "2027-11-18")
                    .replace("2027-04-08", "2027-12-09")
                    .replace("2027-03-01", "2027-11-10")
                }
            },
            {"delete": [OTHER]},
            {"write": {ENTRY: renamed}},
            {},  # nothing changed: still the same output
        ],
    )
    n = len(list((ROOT / "content" / "ateliers").glob("*.yaml")))
    assert counts == [
        f"{n} rendues, 0 reprises du cache de construction",
        f"1 rendues, {n - 1} reprises du cache de construction",  # the edited entry only
        # the new one, and the edited entry it follows up (its page now links to it)
        f"2 rendues, {n - 1} reprises du cache de construction",
        f"0 rendues, {n} reprises du cache de construction",  # one fewer
        f"1 rendues, {n - 1} reprises du cache de construction",  # the renamed one
        f"0 rendues, {n} reprises du cache de construction",
    ]


def test_page_rates_forms_and_template_edits(tmp_path):
    tarifs_page = text("content/pages/tarifs.md")
    check_steps(
        tmp_path,
        [
            {"write": {"content/pages/tarifs.md": tarifs_page.replace("Title: Tarifs", "Title: Nos tarifs")}},
            {"write": {"content/pages/tarifs.md": tarifs_page + "\nUn paragraphe de plus.\n"}},
            {"write": {"content/tarifs.yaml": text("content/tarifs.yaml").replace("journee: 280", "journee: 290")}},
            {"write": {"content/forms.yaml": text("content/forms.yaml").replace("Envoyer", "Transmettre", 1)}},
            {
                "write": {
                    "theme/templates/entry.html": text("theme/templates/entry.html").replace(
                        "Combien ça coûte ?", "Quel coût ?"
                    )
                }
            },
            {"write": {"theme/templates/base.html": text("theme/templates/base.html").replace("Plan du site", "Plan")}},
        ],
    )


def test_a_restarted_devserver_reuses_the_cache_on_disk(tmp_path):
    project = make_project(tmp_path / "project")
    cache = tmp_path / "cache"
    rebuilds(project, [], tmp_path, cache)
    # A new process, the same cache and output folder, one entry changed meanwhile.
    (project / ENTRY).write_text(text(ENTRY).replace("inscrits: 9", "inscrits: 15"), encoding="utf-8")
    (snapshot,) = rebuilds(project, [], tmp_path, cache)
    assert digest(snapshot) == clean_build(project, tmp_path / "clean")
    (run,) = json.loads((snapshot.parent / "runs.json").read_text(encoding="utf-8"))
    entries = len(list((project / "content" / "ateliers").glob("*.yaml")))
    assert run["messages"] == [f"fiches : 1 rendues, {entries - 1} reprises du cache de construction"]


@pytest.mark.parametrize("workers", [1, 2])
def test_worker_processes_give_the_same_output(tmp_path, workers):
    """Enough generated entries for the workers to start: the output does not depend on them."""
    spec = importlib.util.spec_from_file_location("bench_build", ROOT / "bench" / "bench_build.py")
    bench_build = sys.modules["bench_build"] = importlib.util.module_from_spec(spec)  # dataclasses look it up
    spec.loader.exec_module(bench_build)
    projects = bench_build.make_projects(120, tmp_path, 44, {"catalogue"})
    project = projects["catalogue"]  # the benchmark's projects have no editing interface already
    conf = project / "pelicanconf.py"
    conf.write_text(conf.read_text(encoding="utf-8") + f'\nOFFER["WORKERS"] = {workers}\n', encoding="utf-8")
    single = tmp_path / "single"
    shutil.copytree(project, single)
    conf = single / "pelicanconf.py"
    conf.write_text(conf.read_text(encoding="utf-8") + '\nOFFER["WORKERS"] = 1\n', encoding="utf-8")
    assert clean_build(project, tmp_path / "out") == clean_build(single, tmp_path / "out-single")
