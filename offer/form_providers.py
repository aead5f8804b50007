"""Where the site's forms post: the self-hosted receiver or a hosted provider.

Each provider is an adapter that tells the templates the form's ``action``,
the hidden fields to add, the honeypot's name and whether the progressive
enhancement script may post with fetch and read a JSON answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit


class ProviderSettingsError(ValueError):
    """Raised when the chosen provider's settings are incomplete (French message)."""


@dataclass(frozen=True)
class FormTarget:
    action: str
    method: str = "post"
    hidden: dict[str, str] = field(default_factory=dict)
    honeypot: str = "_gotcha"
    ajax: bool = True
    form_attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Provider:
    name: str
    outside_eu: bool
    required_settings: tuple[str, ...]
    # Shown in every form's privacy notice when a hosted provider receives the data.
    processor_notice: str = ""

    def target(self, form_name: str, settings: dict, thanks_url: str, subject: str | None = None) -> FormTarget:
        raise NotImplementedError


class SelfHosted(Provider):
    """Our own receiver (formbackend/): POST {FORM_ENDPOINT}/f/{form}."""

    def target(self, form_name, settings, thanks_url, subject=None):
        raw = (settings.get("FORM_ENDPOINT") or "").strip()
        if not raw:
            # An empty endpoint would make the form post to the static site itself.
            raise ProviderSettingsError(
                "le réglage OFFER['FORM_ENDPOINT'] est vide alors que le fournisseur de formulaires est « selfhosted » "
                "— indiquez l'adresse du récepteur, par exemple https://formulaires.cdg44.fr"
            )
        parts = urlsplit(raw)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise ProviderSettingsError(
                f"le réglage OFFER['FORM_ENDPOINT'] vaut « {raw} » : écrivez l'adresse complète du récepteur, "
                "commençant par https://, par exemple https://formulaires.cdg44.fr"
            )
        endpoint = raw.rstrip("/")
        return FormTarget(action=f"{endpoint}/f/{form_name}", hidden={"_next": thanks_url}, honeypot="_gotcha")


class Formspree(Provider):
    """Formspree: one form id per site form, FORMSPREE_IDS = {"inscription": "xyzabcd", …}."""

    def target(self, form_name, settings, thanks_url, subject=None):
        ids = settings.get("FORMSPREE_IDS") or {}
        if not str(ids.get(form_name) or "").strip():
            raise ProviderSettingsError(
                f"Formspree : identifiant manquant pour le formulaire « {form_name} » — "
                f"ajoutez-le dans OFFER['FORMSPREE_IDS'] (publishconf.py)"
            )
        return FormTarget(
            action=f"https://formspree.io/f/{str(ids[form_name]).strip()}",
            hidden={"_next": thanks_url, "_subject": subject or form_name},
            honeypot="_gotcha",
        )


class NetlifyForms(Provider):
    """Netlify Forms: the host parses the built HTML; the form posts to the thank-you page.

    Netlify finds a form by its ``name`` attribute, which must equal the hidden
    ``form-name`` field posted with it.
    """

    def target(self, form_name, settings, thanks_url, subject=None):
        return FormTarget(
            action=thanks_url,
            hidden={"form-name": form_name},
            honeypot="bot-field",
            ajax=False,
            form_attributes={"name": form_name, "data-netlify": "true", "netlify-honeypot": "bot-field"},
        )


PROVIDERS: dict[str, Provider] = {
    "selfhosted": SelfHosted("selfhosted", outside_eu=False, required_settings=("FORM_ENDPOINT",)),
    "formspree": Formspree(
        "formspree",
        outside_eu=True,
        required_settings=("FORMSPREE_IDS",),
        processor_notice="Les formulaires sont reçus par Formspree, sous-traitant du CDG 44 établi aux États-Unis :"
        " vos données sont transférées hors de l'Union européenne.",
    ),
    "netlify": NetlifyForms(
        "netlify",
        outside_eu=True,
        required_settings=(),
        processor_notice="Les formulaires sont reçus par Netlify, hébergeur et sous-traitant du CDG 44 établi aux"
        " États-Unis : vos données sont transférées hors de l'Union européenne.",
    ),
}


def provider_for(settings: dict) -> Provider:
    name = settings.get("FORM_PROVIDER") or "selfhosted"
    try:
        return PROVIDERS[name]
    except KeyError:
        raise ProviderSettingsError(
            f"fournisseur de formulaires inconnu « {name} » — choisissez parmi : {', '.join(PROVIDERS)}"
        ) from None


def check_provider_settings(settings: dict, form_names: list[str]) -> list[str]:
    """French messages for every missing setting of the chosen provider (empty when complete)."""
    try:
        provider = provider_for(settings)
    except ProviderSettingsError as exc:
        return [str(exc)]
    problems = [
        f"le réglage OFFER['{key}'] est vide alors que le fournisseur de formulaires est « {provider.name} »"
        " — renseignez-le (voir docs/exploitation.md)"
        for key in provider.required_settings
        if not settings.get(key)
    ]
    if problems:
        return problems
    for form_name in form_names:
        try:
            provider.target(form_name, settings, "https://example.invalid/merci/")
        except ProviderSettingsError as exc:
            if str(exc) not in problems:  # a bad endpoint is one problem, not one per form
                problems.append(str(exc))
    return problems
