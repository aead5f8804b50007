"""A registration's states, their French names and the changes allowed between them."""

from __future__ import annotations

DEMANDEE = "demandee"  # received, waits for the CDG's approval
CONFIRMEE = "confirmee"
LISTE_ATTENTE = "liste_attente"
ANNULEE = "annulee"  # by the person or by the CDG
PRESENTE = "presente"
ABSENTE = "absente"

STATES = (DEMANDEE, CONFIRMEE, LISTE_ATTENTE, ANNULEE, PRESENTE, ABSENTE)

LABELS = {
    DEMANDEE: "Demandée",
    CONFIRMEE: "Confirmée",
    LISTE_ATTENTE: "Liste d'attente",
    ANNULEE: "Annulée",
    PRESENTE: "Présente",
    ABSENTE: "Absente",
}

# States that hold a place in the session (the counts the site shows).
HOLDS_PLACE = frozenset({DEMANDEE, CONFIRMEE, PRESENTE, ABSENTE})
# States a person may still cancel from.
CANCELLABLE = frozenset({DEMANDEE, CONFIRMEE, LISTE_ATTENTE})

ALLOWED: dict[str, frozenset[str]] = {
    DEMANDEE: frozenset({CONFIRMEE, ANNULEE}),
    CONFIRMEE: frozenset({ANNULEE, PRESENTE, ABSENTE}),
    LISTE_ATTENTE: frozenset({DEMANDEE, CONFIRMEE, ANNULEE}),
    ANNULEE: frozenset(),
    # Attendance can be corrected, either way.
    PRESENTE: frozenset({ABSENTE}),
    ABSENTE: frozenset({PRESENTE}),
}


class TransitionRefused(ValueError):
    """The change asked is not allowed from the registration's current state (French message)."""


def check_transition(current: str, target: str) -> None:
    if target not in ALLOWED[current]:
        raise TransitionRefused(
            f"Une inscription « {LABELS[current].lower()} » ne peut pas passer à « {LABELS[target].lower()} »."
        )
