"""The editing interface's configuration (Decap CMS), generated from the model.

Decap CMS shows a form per content file and writes the file back through the
forge's API. Its configuration (``admin/config.yml`` in the built site) is
never written by hand: :func:`cms_config` derives every field from the JSON
Schemas that ``offer.tools.schemas`` builds from the pydantic models (French
titles and descriptions, enumerations, bounds, lengths, patterns), so a rule
added to ``offer/model.py`` reaches the editors' forms at the next build.

This module only adds what a JSON Schema cannot say: which widget suits a
field (Markdown for the description, a time picker for the hours), the
labels of the enumerations' values, and French messages for the patterns.
A property of a shape it does not know is an error (:class:`CmsConfigError`),
so a new kind of field cannot be left out of the forms silently.

Pure domain: no Pelican, no file access; ``offer_cms`` (the Pelican step) and
``python -m offer.tools.cms_config`` write the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import MAX_GROUP_SIZE, SLUG_PATTERN

ATELIERS_FOLDER = "content/ateliers"
PAGES_FOLDER = "content/pages"
RATES_FILE = "content/tarifs.yaml"
# The first line of every workshop file (the scaffold writes it; the CMS keeps it).
ATELIER_SCHEMA_LINE = "# yaml-language-server: $schema=../../schemas/atelier.schema.json"
RATES_SCHEMA_LINE = "# yaml-language-server: $schema=../schemas/tarifs.schema.json"

# The custom formats registered by theme/admin/formats.js.
WORKSHOP_FORMAT = "yaml-atelier"
RATES_FORMAT = "yaml-tarifs"
PAGE_FORMAT = "pelican-markdown"

# The file name the scaffold uses: AAAA-MM-<slug>.yaml, from the first session.
SLUG_TEMPLATE = "{{fields.seances.0.date | date('YYYY-MM')}}-{{fields.titre}}"

# Labels shown in the selects, by enumeration value.
OPTION_LABELS = {
    "atelier": "Atelier inter-collectivités",
    "codev": "Groupe de co-développement",
    "programme": "Programmé",
    "reporte": "Reporté (nouvelles dates à venir)",
    "annule": "Annulé",
    "journee": "Une journée",
    "demi-journee": "Une demi-journée",
}

# French messages for the model's patterns (the pattern itself comes from the schema).
PATTERN_MESSAGES = {
    SLUG_PATTERN: "Minuscules sans accents, chiffres et tirets seulement, par exemple « mutualiser-services ».",
    r"^([01]\d|2[0-3]):[0-5]\d$": "Une heure au format HH:MM, par exemple 09:00 ou 14:30.",
    r"^[^@\s]+@[^@\s]+\.[^@\s]+$": "Une adresse électronique, par exemple conseilrh@cdg44.fr.",
    r"^[0-9 +().]{6,20}$": "Un numéro de téléphone, par exemple 02 40 20 77 50.",
}
TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$"

# Widgets chosen by name where the JSON type alone does not tell.
MARKDOWN_FIELDS = {"description"}


class CmsConfigError(ValueError):
    """A property the generator cannot turn into a form field (a French message)."""


@dataclass(frozen=True)
class Backend:
    """Where the CMS reads and writes: the forge and the repository.

    name: "gitlab" (self-hosted, PKCE), "github", "gitea" or "forgejo".
    base_url: the forge's address (https://gitlab.cdg44.fr); empty for github.com.
    app_id: the OAuth application's id (GitLab, Gitea, Forgejo).
    """

    name: str = "gitlab"
    repo: str = "cdg44/ateliers"
    branch: str = "main"
    base_url: str = ""
    app_id: str = ""
    api_root: str = ""
    editorial_workflow: bool = True
    local_backend: bool = False
    local_backend_url: str = "http://127.0.0.1:8081/api/v1"
    site_url: str = ""
    extra: dict = field(default_factory=dict)


BACKENDS = ("gitlab", "github", "gitea", "forgejo")
# Decap's Gitea backend has no editorial workflow (it refuses to start with one).
WORKFLOW_BACKENDS = ("gitlab", "github", "forgejo")
API_PATHS = {"gitlab": "/api/v4", "gitea": "/api/v1", "forgejo": "/api/v1", "github": ""}


def backend_config(backend: Backend) -> dict:
    if backend.name not in BACKENDS:
        raise CmsConfigError(f"forge « {backend.name} » inconnue — choisissez parmi {', '.join(BACKENDS)}")
    config: dict = {"name": backend.name, "repo": backend.repo, "branch": backend.branch}
    base = backend.base_url.rstrip("/")
    api_root = backend.api_root or (base + API_PATHS[backend.name] if base else "")
    if backend.name == "gitlab":
        config["auth_type"] = "pkce"
        config["app_id"] = backend.app_id
        if base:
            config["base_url"] = base
            config["auth_endpoint"] = "oauth/authorize"
    elif backend.name in ("gitea", "forgejo"):
        config["app_id"] = backend.app_id
        if base:
            config["base_url"] = base
    elif base:  # github: base_url is the OAuth helper's address
        config["base_url"] = base
    if api_root:
        config["api_root"] = api_root
    config["commit_messages"] = {
        "create": "Ajout de {{collection}} « {{slug}} »",
        "update": "Modification de {{collection}} « {{slug}} »",
        "delete": "Suppression de {{collection}} « {{slug}} »",
        "uploadMedia": "Ajout du fichier « {{path}} »",
        "deleteMedia": "Suppression du fichier « {{path}} »",
        "openAuthoring": "{{message}}",
    }
    config.update(backend.extra)
    return config


# -- from a JSON Schema property to a Decap field ----------------------------------


def _resolve(schema: dict, prop: dict) -> dict:
    if "$ref" in prop:
        target = schema["$defs"][prop["$ref"].rsplit("/", 1)[-1]]
        return {**target, **{k: v for k, v in prop.items() if k != "$ref"}}
    return prop


def _unwrap_optional(schema: dict, prop: dict) -> tuple[dict, bool]:
    """The property without its ``anyOf [X, null]``, and whether null was allowed."""
    options = prop.get("anyOf")
    if options:
        rest = [o for o in options if o.get("type") != "null"]
        if len(rest) != 1:
            raise CmsConfigError("plusieurs types possibles")
        merged = {**_resolve(schema, rest[0]), **{k: v for k, v in prop.items() if k != "anyOf"}}
        return merged, len(rest) != len(options)
    return _resolve(schema, prop), False


def _pattern(prop: dict) -> list[str] | None:
    """Decap's [regex, message] from the schema's pattern and maxLength."""
    pattern = prop.get("pattern")
    maximum = prop.get("maxLength")
    if not pattern and maximum is None:
        return None
    if pattern and maximum is not None:
        body = pattern[1:] if pattern.startswith("^") else pattern
        regex = rf"^(?=[\s\S]{{0,{maximum}}}$){body}"
    else:
        regex = pattern or rf"^[\s\S]{{0,{maximum}}}$"
    messages = []
    if pattern:
        messages.append(PATTERN_MESSAGES.get(pattern, f"Le texte doit suivre la forme {pattern}."))
    if maximum is not None:
        messages.append(f"{maximum} caractères au plus.")
    return [regex, " ".join(messages)]


def _options(values: list) -> list[dict]:
    return [{"label": OPTION_LABELS.get(v, v), "value": v} for v in values]


def _date_field() -> dict:
    # Stored as AAAA-MM-JJ, shown as JJ/MM/AAAA; empty until the editor picks a date.
    return {
        "widget": "datetime",
        "format": "YYYY-MM-DD",
        "date_format": "DD/MM/YYYY",
        "time_format": False,
        "default": "",
    }


def _time_field() -> dict:
    return {"widget": "datetime", "format": "HH:mm", "date_format": False, "time_format": "HH:mm", "default": ""}


def field_for(schema: dict, name: str, prop: dict, required: bool, rules: dict | None = None) -> dict:
    """One Decap field for a JSON Schema property."""
    prop, nullable = _unwrap_optional(schema, prop)
    result: dict = {"name": name, "label": prop.get("title", name)}
    description = prop.get("description")
    kind = prop.get("type")
    try:
        if "enum" in prop:
            result.update(widget="select", options=_options(prop["enum"]))
        elif kind == "object" or "properties" in prop:
            result.update(widget="object", collapsed=False, fields=object_fields(schema, prop))
        elif kind == "array":
            items = _resolve(schema, prop.get("items", {}))
            if "enum" in items:
                result.update(widget="select", multiple=True, options=_options(items["enum"]))
            elif items.get("type") == "object" or "properties" in items:
                result.update(widget="list", collapsed=False, fields=object_fields(schema, items))
                first = next(iter(items["properties"]), None)
                if first:
                    result["summary"] = "{{fields." + first + "}}"
            else:
                raise CmsConfigError("liste d'un type non pris en charge")
            if "minItems" in prop:
                result["min"] = prop["minItems"]
            if "maxItems" in prop:
                result["max"] = prop["maxItems"]
        elif kind == "integer" or kind == "number":
            result.update(widget="number", value_type="int" if kind == "integer" else "float")
            low = prop.get("minimum", prop.get("exclusiveMinimum"))
            high = (rules or {}).get("maximum", prop.get("maximum"))
            if low is not None:
                result["min"] = low + (0.01 if "exclusiveMinimum" in prop and "minimum" not in prop else 0)
            if high is not None:
                result["max"] = high
            if kind == "number":
                result["step"] = 0.01
        elif kind == "string" and prop.get("format") == "date":
            result.update(_date_field())
        elif kind == "string" and prop.get("pattern") == TIME_PATTERN:
            result.update(_time_field())
            result["pattern"] = _pattern(prop)
        elif kind == "string":
            result["widget"] = "markdown" if name in MARKDOWN_FIELDS else "string"
            if name in MARKDOWN_FIELDS:
                result.update(buttons=["bold", "italic", "link", "heading-three", "bulleted-list", "numbered-list"])
                result["editor_components"] = []
            pattern = _pattern(prop)
            if pattern:
                result["pattern"] = pattern
        else:
            raise CmsConfigError(f"type « {kind} » non pris en charge")
    except CmsConfigError as exc:
        raise CmsConfigError(f"champ « {name} » : {exc} — ajoutez son cas dans offer/cms.py") from None
    if description:
        result["hint"] = description
    result["required"] = required and not nullable
    if "default" in prop and prop["default"] is not None:
        result["default"] = prop["default"]
    return result


def object_fields(schema: dict, obj: dict, rules: dict | None = None) -> list[dict]:
    required = set(obj.get("required", []))
    return [
        field_for(schema, name, prop, name in required, (rules or {}).get(name))
        for name, prop in obj.get("properties", {}).items()
    ]


def _type_rules(schema: dict) -> dict:
    """What the schema's if/then rules allow at most, whatever the type (Decap has no conditions)."""
    maxima: dict[str, dict] = {}
    for rule in schema.get("allOf", []):
        for name, prop in rule.get("then", {}).get("properties", {}).items():
            if "maximum" in prop:
                current = maxima.setdefault(name, {"maximum": prop["maximum"]})
                current["maximum"] = max(current["maximum"], prop["maximum"])
    return maxima


def workshop_fields(atelier_schema: dict) -> list[dict]:
    return object_fields(atelier_schema, atelier_schema, _type_rules(atelier_schema))


def rates_fields(rates_schema: dict) -> list[dict]:
    fields = object_fields(rates_schema, rates_schema)
    for f in fields:
        if f["name"] == "tarifs":
            f.update(allow_remove=False, allow_reorder=False, add_to_top=False, summary="{{fields.annee}}")
            f["hint"] = (
                f"{f.get('hint', '')} Ajoutez une année en bas de la liste ; les tarifs des années passées"
                " ne se modifient pas (ils ont été votés)."
            ).strip()
    return fields


PAGE_FIELDS = [
    {
        "name": "Title",
        "label": "Titre",
        "widget": "string",
        "required": True,
        "hint": "Le titre de la page, affiché en haut et dans l'onglet du navigateur.",
    },
    {
        "name": "Slug",
        "label": "Adresse de la page",
        "widget": "string",
        "required": True,
        "pattern": [SLUG_PATTERN, PATTERN_MESSAGES[SLUG_PATTERN]],
        "hint": "La fin de l'adresse de la page (minuscules, chiffres et tirets).",
    },
    {
        "name": "Summary",
        "label": "Résumé",
        "widget": "text",
        "required": True,
        "hint": "Une ou deux phrases : elles servent de description pour les moteurs de recherche.",
    },
    {
        "name": "body",
        "label": "Texte",
        "widget": "markdown",
        "required": True,
        "modes": ["raw"],
        "hint": "Le texte de la page en Markdown. Un lien vers une autre page s'écrit [texte]({filename}autre-page.md).",
    },
]


def cms_config(schemas: dict[str, dict], backend: Backend, rules: dict | None = None) -> dict:
    """The Decap CMS configuration (config.yml) from the content files' JSON Schemas.

    rules: what the session preview needs to compute as the site does,
    {"rates": [{"annee", "journee", "demi_journee"}…], "threshold": N}.
    Each collection's ``cdg44`` key tells theme/admin/cms.js how to write its
    files (schema line, lists written in flow style); cms.js removes it
    before handing the configuration to Decap.
    """
    atelier = schemas["atelier.schema.json"]
    rates = schemas["tarifs.schema.json"]
    config: dict = {
        "backend": backend_config(backend),
        "locale": "fr",
        "media_folder": "content/images",
        "public_folder": "/images",
        "slug": {"encoding": "ascii", "clean_accents": True, "sanitize_replacement": "-"},
    }
    if backend.editorial_workflow and backend.name in WORKFLOW_BACKENDS:
        config["publish_mode"] = "editorial_workflow"
    if backend.local_backend:
        config["local_backend"] = {"url": backend.local_backend_url}
    if backend.site_url:
        config["site_url"] = backend.site_url
        config["display_url"] = backend.site_url
    config["collections"] = [
        {
            "name": "ateliers",
            "label": "Sessions",
            "label_singular": "session",
            "description": atelier.get("description", ""),
            "folder": ATELIERS_FOLDER,
            "extension": "yaml",
            "format": WORKSHOP_FORMAT,
            "create": True,
            "delete": False,
            "slug": SLUG_TEMPLATE,
            "identifier_field": "titre",
            "summary": "{{titre}} — {{seances.0.date}}",
            "sortable_fields": ["titre"],
            "fields": workshop_fields(atelier),
            "cdg44": {
                "schema_line": ATELIER_SCHEMA_LINE,
                "flow_lists": ["seances"],
                "rules": {"max_group_size": MAX_GROUP_SIZE, **(rules or {})},
            },
        },
        {
            "name": "pages",
            "label": "Pages",
            "label_singular": "page",
            "description": "Les pages de la plaquette (content/pages/), en Markdown.",
            "folder": PAGES_FOLDER,
            "extension": "md",
            "format": PAGE_FORMAT,
            "create": True,
            "delete": False,
            "slug": "{{fields.Slug}}",
            "identifier_field": "Title",
            "fields": PAGE_FIELDS,
        },
        {
            "name": "tarifs",
            "label": "Tarifs",
            "description": rates.get("description", ""),
            "extension": "yaml",
            "format": RATES_FORMAT,
            "delete": False,
            "cdg44": {"schema_line": RATES_SCHEMA_LINE, "flow_lists": []},
            "files": [
                {
                    "name": "tarifs",
                    "label": "Tarifs par année",
                    "file": RATES_FILE,
                    "fields": rates_fields(rates),
                }
            ],
        },
    ]
    return config


def config_fields(config: dict, collection: str) -> set[str]:
    """Every field path of a collection ("lieu.nom", "seances.date"), for drift tests."""

    def walk(fields: list[dict], prefix: str) -> set[str]:
        found = set()
        for f in fields:
            path = prefix + f["name"]
            found.add(path)
            found |= walk(f.get("fields", []), path + ".")
        return found

    for c in config["collections"]:
        if c["name"] == collection:
            if "files" in c:
                return set().union(*(walk(f["fields"], "") for f in c["files"]))
            return walk(c["fields"], "")
    raise KeyError(collection)
