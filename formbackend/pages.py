"""The French HTML pages of the receiver (errors, status pages, administration).

Templates live in formbackend/templates and are rendered with Jinja2 with
autoescaping always on: whatever a visitor typed is escaped wherever shown.
Pages carry no inline script or style; their stylesheet is served by the receiver
itself (/static/formbackend.css), and the error page of a form, dressed as the site,
adds the site's own (see site_page_policy).
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


def site_page_policy(site_origin: str | None) -> str:
    """The Content-Security-Policy of a page dressed as the site (site_base.html).

    The site's origin may give the stylesheet and its images, and receive the
    visitor once the form, sent again from this page, is accepted (browsers apply
    form-action to that redirect too). Still no script at all.
    """
    site = f" {site_origin}" if site_origin else ""
    return (
        f"default-src 'none'; style-src 'self'{site}; img-src 'self'{site}; form-action 'self'{site};"
        " frame-ancestors 'none'; base-uri 'none'"
    )
