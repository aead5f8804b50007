"""The CDG 44 offer: the domain shared by the site's build and the form receiver.

Loading and validating content files (``model``, ``yaml_source``, ``messages``,
``validation``, ``problems``), the rules computed from them (``pricing``,
``availability``, ``catalogue``), what the site publishes from them
(``calendar``, ``structured_data``, ``opendata``, ``atom``, ``formatting``),
and the forms' definitions (``forms``, ``form_providers``).

No module here imports Pelican, Starlette or the receiver: the import contracts
in pyproject.toml check it. The editors' commands live in ``offer.tools``.
"""
