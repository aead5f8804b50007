"""Where the generator writes: plain files for a clean build, incremental ones for the devserver.

A clean build writes into an empty folder. With the build cache on
(``make devserver``), Pelican keeps the catalogue's folder between builds
(OUTPUT_RETENTION) instead of deleting and writing again thousands of files
(on ext4, deleting a tree and creating it again costs more than rendering it):
a file is then written only when its bytes change, which also keeps the
mtimes that ``rsync -c`` and static servers' caches rely on, and the files of
the folder that this build did not produce (a deleted or renamed entry) are
removed, so nothing stale is left.
"""

from __future__ import annotations

import os

from pelican.utils import sanitised_join


class OutputFolder:
    def __init__(self, root: str, kept_folder: str | None = None):
        """``kept_folder``: the folder (relative to ``root``) kept from the previous build, if any."""
        self.root = root
        self.kept = sanitised_join(root, kept_folder) if kept_folder else None
        self.incremental = self.kept is not None and os.path.isdir(self.kept)
        self.written: set[str] = set()

    def path(self, name: str) -> str:
        return sanitised_join(self.root, name)

    def write(self, name: str, data: bytes) -> str:
        """Write ``data`` to ``name`` (relative to the root), unless the file already holds it."""
        path = self.path(name)
        self.written.add(path)
        if self.incremental and _holds(path, data):
            return path
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(data)
        return path

    def keep(self, name: str) -> str:
        """Record ``name`` as produced by this build without writing it (written by Pelican, or unchanged)."""
        path = self.path(name)
        self.written.add(path)
        return path

    def exists(self, name: str) -> bool:
        return self.incremental and os.path.isfile(self.path(name))

    def remove_stale(self) -> list[str]:
        """In the kept folder, remove the files this build did not produce; return their paths."""
        if not self.incremental:
            return []
        removed = []
        for folder, _subfolders, files in os.walk(self.kept, topdown=False):
            for name in files:
                path = os.path.join(folder, name)
                if path not in self.written:
                    os.remove(path)
                    removed.append(path)
            if folder != self.kept and not os.listdir(folder):
                os.rmdir(folder)
        return removed


def _holds(path: str, data: bytes) -> bool:
    try:
        if os.path.getsize(path) != len(data):
            return False
        with open(path, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False
