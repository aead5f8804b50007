"""Command-line tools for editors and maintainers, over the domain alone.

    python -m offer.tools.check      make check: every content file, no build
    python -m offer.tools.scaffold   make nouvel-atelier: a valid new entry file
    python -m offer.tools.schemas    (re)write schemas/*.schema.json from the model

They sit with the domain because they use only it (no Pelican): an editor's
check runs the build's own loaders in a fraction of the build's time.
"""
