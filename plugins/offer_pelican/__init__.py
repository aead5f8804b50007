"""The Pelican adapter of the CDG 44 offer (loaded through PLUGIN_PATHS/PLUGINS).

It reads the settings (``settings``), hands the domain package ``offer`` the
content folder, and writes what the domain computes through the theme:
``generator`` (the generator and the signals), ``views`` (what templates see),
``template_helpers`` (Jinja filters and globals). Nothing else talks to Pelican.
"""

from .generator import register

__all__ = ["register"]
