"""Rebuild a project the way ``pelican -r`` (``make devserver``) does: one process, several runs.

    python tests/tools/devserver_rebuilds.py PROJECT OUTPUT STEPS.json SNAPSHOTS

PROJECT holds content/, theme/, plugins/ and pelicanconf.py; the build cache is
on (OFFER_CACHE_DIR, set by the caller). The first run builds; then each step
of STEPS.json ({"write": {path: text}, "delete": [path]}, paths relative to
PROJECT) is applied and the site rebuilt in the same process, like a file
saved while the devserver runs. After each run, the output is copied to
SNAPSHOTS/<n>/; SNAPSHOTS/runs.json lists each run's wall time and the
adapter's log messages.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import time
from pathlib import Path


def main(project: str, output: str, steps_file: str, snapshots: str) -> int:
    from pelican import Pelican
    from pelican.log import LimitFilter
    from pelican.settings import read_settings

    project_dir, snapshot_dir = Path(project), Path(snapshots)
    steps = json.loads(Path(steps_file).read_text(encoding="utf-8"))
    os.chdir(project_dir)
    settings = read_settings("pelicanconf.py", override={"OUTPUT_PATH": output, "PATH": "content"})
    pelican = Pelican(settings)
    messages: list[str] = []
    handler = logging.Handler(logging.INFO)
    handler.emit = lambda record: messages.append(record.getMessage())
    adapter = logging.getLogger("offer_pelican")
    adapter.addHandler(handler)
    adapter.setLevel(logging.INFO)
    runs = []
    for number, step in enumerate([{}, *steps]):
        for name, text in step.get("write", {}).items():
            (project_dir / name).parent.mkdir(parents=True, exist_ok=True)
            (project_dir / name).write_text(text, encoding="utf-8")
        for name in step.get("delete", []):
            (project_dir / name).unlink()
        messages.clear()
        LimitFilter._raised_messages.clear()  # Pelican logs a message once per process otherwise
        start = time.perf_counter()
        pelican.run()
        runs.append({"seconds": time.perf_counter() - start, "messages": [m for m in messages if "fiches" in m]})
        shutil.copytree(output, snapshot_dir / str(number))
    (snapshot_dir / "runs.json").write_text(json.dumps(runs, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
