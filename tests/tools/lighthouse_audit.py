"""Lighthouse on the home page and the two offer pages (`make audit`).

Builds the site (pelicanconf.py, SOURCE_DATE_EPOCH fixed) into a temporary
folder, serves it on loopback with the production-like headers (strict CSP,
Cache-Control), runs Lighthouse 12 with its default mobile emulation and
simulated throttling, prints the scores and exits 1 when a threshold is
missed, listing the failing audits.

    python -m tests.tools.lighthouse_audit [--keep-reports DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.tools.static_server import StaticServer

ROOT = Path(__file__).resolve().parents[2]

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
BUILD_EPOCH = "1796036400"  # 2026-11-30, as in tests/conftest.py
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'",
    "Cache-Control": "public, max-age=86400",
    "X-Content-Type-Options": "nosniff",
}
PAGES = {
    "Accueil": "",
    "Ateliers inter-collectivités": "ateliers-inter-collectivites/",
    "Groupes de co-développement": "co-developpement/",
}
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
THRESHOLDS = {"performance": 0.9, "accessibility": 1.0, "best-practices": 1.0, "seo": 1.0}
LABELS = {
    "performance": "Performance",
    "accessibility": "Accessibilité",
    "best-practices": "Bonnes pratiques",
    "seo": "SEO",
}


def build(output: Path) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": BUILD_EPOCH}
    result = subprocess.run(
        [sys.executable, "-m", "pelican", str(ROOT / "content"), "-o", str(output), "-s", str(ROOT / "pelicanconf.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        sys.exit(f"La construction du site a échoué :\n{result.stdout}\n{result.stderr}")


def run_lighthouse(url: str, profile: Path, report: Path) -> dict:
    flags = " ".join(
        [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
        ]
    )
    command = [
        str(LIGHTHOUSE),
        url,
        f"--only-categories={','.join(CATEGORIES)}",
        "--output=json",
        f"--output-path={report}",
        f"--chrome-flags={flags}",
        "--quiet",
        "--locale=fr",
        "--max-wait-for-load=30000",
    ]
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=240)
    if result.returncode != 0 or not report.exists():
        sys.exit(
            f"Lighthouse a échoué sur {url} (code {result.returncode}) :\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return json.loads(report.read_text(encoding="utf-8"))


def failing_audits(lhr: dict, category: str) -> list[str]:
    """The weighted audits of a category that did not get full marks (metrics for performance)."""
    lines = []
    for ref in lhr["categories"][category]["auditRefs"]:
        audit = lhr["audits"].get(ref["id"], {})
        score = audit.get("score")
        if (
            ref.get("weight", 0) <= 0
            or score is None
            or audit.get("scoreDisplayMode") in ("notApplicable", "manual", "informative")
        ):
            continue
        if score < 1:
            value = f" ({audit['displayValue']})" if audit.get("displayValue") else ""
            lines.append(f"    - {ref['id']} : {audit.get('title', '')}{value} – score {score:.2f}")
            for item in (audit.get("details") or {}).get("items", [])[:3]:
                if not isinstance(item, dict):
                    continue
                node = item.get("node") or {}
                source = item.get("source") if isinstance(item.get("source"), dict) else {}
                where = node.get("snippet") or item.get("url") or source.get("url")
                if where:
                    lines.append(f"        {str(where)[:160]}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep-reports", type=Path, help="dossier où garder les rapports JSON de Lighthouse")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit(f"{LIGHTHOUSE.relative_to(ROOT)} manque : lancez make test-deps")
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} manque : lancez make test-deps")

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="audit-") as tmp:
        tmp = Path(tmp)
        site = tmp / "site"
        build(site)
        server = StaticServer(site, 0, HEADERS).start()
        results, failures = {}, []
        try:
            for label, path in PAGES.items():
                url = server.url + path
                report = (args.keep_reports or tmp) / f"lighthouse-{path.strip('/') or 'accueil'}.json"
                report.parent.mkdir(parents=True, exist_ok=True)
                profile = Path(tempfile.mkdtemp(prefix="profil-", dir=tmp))
                lhr = run_lighthouse(url, profile, report)
                if lhr.get("runtimeError"):
                    failures.append(f"{label} : erreur Lighthouse {lhr['runtimeError']}")
                scores = {c: lhr["categories"][c]["score"] for c in CATEGORIES}
                results[label] = scores
                for category, minimum in THRESHOLDS.items():
                    score = scores[category]
                    if score is None or score < minimum:
                        failures.append(f"{label} – {LABELS[category]} : {score} (minimum {minimum})")
                        failures.extend(failing_audits(lhr, category))
        finally:
            server.stop()

    width = max(map(len, PAGES)) + 2
    print()
    print("Lighthouse 12 (mobile, limitation simulée), site servi avec CSP stricte")
    print("Page".ljust(width) + "".join(LABELS[c].rjust(18) for c in CATEGORIES))
    for label, scores in results.items():
        cells = "".join((f"{round(scores[c] * 100)}" if scores[c] is not None else "–").rjust(18) for c in CATEGORIES)
        print(label.ljust(width) + cells)
    print("Seuils : " + ", ".join(f"{LABELS[c]} ≥ {round(t * 100)}" for c, t in THRESHOLDS.items()))
    print(f"Durée : {time.monotonic() - started:.0f} s")
    if failures:
        print("\nSeuils non atteints :")
        print("\n".join(failures))
        return 1
    print("Tous les seuils sont atteints.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
