"""The French HTML pages of the receiver (errors, status pages, administration).

Templates live in formbackend/templates and are rendered with Jinja2 with
autoescaping always on: whatever a visitor typed is escaped wherever shown.
Pages carry no inline script or style; their only stylesheet is served by the
receiver itself (/static/formbackend.css).
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def render(template: str, root_path: str = "", **context) -> str:
    return _environment.get_template(template).render(
        stylesheet=f"{root_path}/static/formbackend.css", root=root_path, **context
    )


def stylesheet() -> bytes:
    return (STATIC / "formbackend.css").read_bytes()


def app_root(scope) -> str:
    """The path the receiver is served under ("" at the root), also inside a Mount."""
    return scope.get("app_root_path", scope.get("root_path", ""))
