"""What the printable PDFs and the search index add to a build of the real content.

Builds the site in this process (Pelican with the project's settings) a few times,
timing the whole build and, inside it, the PDF layout (WeasyPrint) and the
search index (Pagefind), and prints the figures with the documents' sizes.

    .venv/bin/python bench/bench_finishing.py [--runs 3]

Not a test: figures for the report and for spotting a regression.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def timed(module, name: str, spent: list[float]):
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - start)

    setattr(module, name, wrapper)


def main() -> int:
    parser = argparse.ArgumentParser(description="Coût des PDF et de l'index de recherche dans une construction.")
    parser.add_argument("--runs", type=int, default=3, help="nombre de constructions (par défaut : 3)")
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1796036400")
    os.chdir(REPO)

    from pelican import Pelican
    from pelican.settings import read_settings

    from offer_pelican import generator, search_index

    pdf_times: list[float] = []
    index_times: list[float] = []
    timed(generator, "render_pdf", pdf_times)
    timed(search_index, "index_site", index_times)
    totals, pdf_per_build, index_per_build = [], [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as folder:
            settings = read_settings(
                str(REPO / "pelicanconf.py"), override={"PATH": str(REPO / "content"), "OUTPUT_PATH": folder}
            )
            pdf_times.clear(), index_times.clear()
            start = time.perf_counter()
            Pelican(settings).run()
            totals.append(time.perf_counter() - start)
            pdf_per_build.append(sum(pdf_times))
            index_per_build.append(sum(index_times))
            documents = sorted(Path(folder).rglob("*.pdf"))
            sizes = {p.relative_to(folder).as_posix(): p.stat().st_size for p in documents}
            bundle = sum(p.stat().st_size for p in (Path(folder) / "pagefind").rglob("*") if p.is_file())
    print(f"constructions : {args.runs}, médianes")
    print(f"  construction complète : {statistics.median(totals):.2f} s")
    print(f"  PDF (WeasyPrint, {len(sizes)} documents) : {statistics.median(pdf_per_build):.2f} s")
    print(f"  index de recherche (Pagefind) : {statistics.median(index_per_build):.2f} s")
    for name, size in sizes.items():
        print(f"  {name} : {size / 1024:.0f} ko")
    print(f"  pagefind/ : {bundle / 1024:.0f} ko")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
