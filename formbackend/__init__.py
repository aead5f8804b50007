"""The CDG 44's self-hosted form receiver: a small ASGI service over SQLite.

It receives the site's forms (``POST /f/{form}``), checks them against
content/forms.yaml (the same definitions the site renders), stores them durably
in SQLite, queues e-mails in an outbox, and offers an administration under
/admin plus a command line (``python -m formbackend --help``).
"""

import sys
from pathlib import Path

# The form definitions come from the site's plugin (plugins/offer), a pure
# module without Pelican: make it importable when run from the repository.
_PLUGINS = Path(__file__).resolve().parent.parent / "plugins"
if (_PLUGINS / "offer").is_dir() and str(_PLUGINS) not in sys.path:
    sys.path.insert(0, str(_PLUGINS))

__all__ = ["create_app"]


def __getattr__(name):
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(name)
