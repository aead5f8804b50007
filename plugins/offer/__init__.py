"""The CDG 44 offer plugin.

The modules of this package form a pure core (no Pelican import): loading and
validating content files, pricing, availability, calendars, structured data.
Only ``pelican_plugin`` talks to Pelican; it is imported lazily by ``register``
so that the core, the ``make check`` command and the form receiver never load
Pelican.
"""


def register():
    from .pelican_plugin import register as register_with_pelican

    register_with_pelican()
