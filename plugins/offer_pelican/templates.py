"""One compiled template environment for every generator, and for every rebuild of the process.

Pelican gives each generator its own Jinja environment, so the pages' and the
catalogue's generators each compile ``base.html`` and the macros, and
``pelican -r`` compiles everything again at each rebuild. Their environments
are built from the same settings and theme, hence identical: the first one is
kept and given to the others, and to the generators of the next rebuilds while
the settings are the same object (Pelican reads them again only when
``pelicanconf.py`` changes). Jinja's ``auto_reload`` (on) compiles a template
again when its file changes. Compiled templates are also kept on disk (Jinja's
bytecode cache), as Python keeps compiled modules: a build that starts anew
loads them instead of compiling every template again (about 0.3 s). Jinja keys
each one by the template's name and the hash of its source, so an edited
template is compiled again; they live in the build cache's folder when it is
on, else in Jinja's per-user folder in the system's temporary directory.
"""

from __future__ import annotations

import os

from jinja2 import FileSystemBytecodeCache

_shared: dict = {"key": None, "settings": None, "env": None}


def share_environment(generator) -> None:
    """``generator_init`` receiver: use the environment of the first generator built with these settings."""
    settings = generator.settings
    key = (id(settings), generator.theme, tuple(generator._templates_path))
    if _shared["key"] == key and _shared["settings"] is settings:
        generator.env = _shared["env"]
        return
    cache_dir = (settings.get("OFFER") or {}).get("CACHE_DIR")
    folder = None  # Jinja's default: a folder of this user's in the temporary directory
    if cache_dir:
        folder = os.path.join(cache_dir, "jinja")
        os.makedirs(folder, exist_ok=True)
    generator.env.bytecode_cache = FileSystemBytecodeCache(folder)
    _shared.update(key=key, settings=settings, env=generator.env)
