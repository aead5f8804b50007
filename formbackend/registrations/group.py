"""Group registration: an HR manager registers several agents of one authority in
one submission (the ``inscription_groupe`` form of content/forms.yaml).

Agents are numbered fields (``agent1_prenom``, ``agent1_nom``, ``agent1_email``,
``agent1_fonction``, then agent 2…). The form's own rules make agent 1 required;
this module checks that every other agent given is complete and that no
address appears twice, then gives the people to register. All of them get a
place, or none does (capacity.decide): they go to the waiting list together.
"""

from __future__ import annotations

import re

from formbackend.intake.validation import FieldError, email_key
from formbackend.registrations.capacity import Person
from offer.forms import FormDefinition

AGENT_FIELD = re.compile(r"^agent(\d+)_(prenom|nom|email|fonction)$")
PARTS = {"prenom": "le prénom", "nom": "le nom", "email": "l'adresse électronique", "fonction": "la fonction"}


def is_group_form(definition: FormDefinition) -> bool:
    return any(AGENT_FIELD.match(spec.nom) for spec in definition.champs)


def agent_numbers(definition: FormDefinition) -> list[int]:
    return sorted({int(m.group(1)) for spec in definition.champs if (m := AGENT_FIELD.match(spec.nom))})


def people(definition: FormDefinition, data: dict) -> tuple[list[Person], list[FieldError]]:
    """The agents to register, or the errors to show (French, tied to each field)."""
    found, errors, seen = [], [], {}
    for number in agent_numbers(definition):
        values = {part: str(data.get(f"agent{number}_{part}", "") or "").strip() for part in PARTS}
        if not any(values.values()):
            continue
        for part, what in PARTS.items():
            if not values[part]:
                errors.append(
                    FieldError(
                        f"agent{number}_{part}",
                        "required",
                        f"Indiquez {what} de l'agent {number}, ou videz les champs de cet agent",
                    )
                )
        if not values["email"]:
            continue
        key = email_key(values["email"])
        if key in seen:
            errors.append(
                FieldError(
                    f"agent{number}_email",
                    "duplicate",
                    f"L'agent {number} a la même adresse électronique que l'agent {seen[key]} : une adresse par agent",
                )
            )
            continue
        seen[key] = number
        person = {**values, "collectivite": str(data.get("collectivite", ""))}
        found.append(Person(key, person))
    return found, errors


def field_of(definition: FormDefinition, data: dict, address: str) -> str | None:
    """The field holding ``address`` (for the "already registered" error)."""
    key = email_key(address)
    for number in agent_numbers(definition):
        if email_key(str(data.get(f"agent{number}_email", "") or "")) == key:
            return f"agent{number}_email"
    return None
