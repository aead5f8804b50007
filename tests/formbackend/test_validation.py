"""validate(definition, items): the rules of content/forms.yaml, one by one."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formbackend.intake.validation import EMAIL_INVALID, EMAIL_NOT_ASCII, clean_text, valid_email, validate

from .conftest import VALID


def items(form: str, **changes) -> list[tuple[str, str]]:
    data = {**VALID[form], **changes}
    return [(name, value) for name, value in data.items() if value is not None]


def codes(result) -> dict[str, str]:
    return {error.field: error.code for error in result.errors}


@pytest.mark.parametrize("form", ["inscription", "devis", "contact"])
def test_the_valid_examples_pass_and_keep_only_the_definition_fields(forms, form):
    result = validate(forms.formulaires[form], items(form))
    assert result.errors == []
    assert "_next" not in result.data and result.contract["_next"].startswith("https://")
    assert set(result.data) <= {spec.nom for spec in forms.formulaires[form].champs}


def test_required_fields_say_what_to_do(forms):
    result = validate(forms.formulaires["inscription"], items("inscription", email=None, prenom="   ", session=None))
    messages = {error.field: error.message for error in result.errors}
    assert messages["email"] == "Indiquez votre adresse électronique"
    assert messages["prenom"] == "Indiquez votre prénom"
    assert messages["session"].startswith("La session choisie n'a pas été transmise")
    assert codes(result) == {"email": "required", "prenom": "required", "session": "required"}


def test_errors_follow_the_order_of_the_form(forms):
    result = validate(forms.formulaires["devis"], [("message", ""), ("email", "")])
    fields = [error.field for error in result.errors]
    expected = [spec.nom for spec in forms.formulaires["devis"].champs if spec.requis]
    assert fields == expected


@pytest.mark.parametrize(
    "address",
    [
        "prenom.nom@mairie-exemple.fr",
        "a+b@x.io",
        "o'brien@exemple.fr",
        "jean@xn--t-9fab.fr",  # été.fr as a browser sends it: ASCII, deliverable by any relay
        "x@sub.domaine-exemple.bzh",
    ],
)
def test_good_addresses(address):
    assert valid_email(address)


@pytest.mark.parametrize(
    "address",
    [
        "",
        "jean",
        "jean@",
        "@exemple.fr",
        "jean@exemple",
        "jean@@exemple.fr",
        "jean.@exemple.fr",
        "je..an@exemple.fr",
        "jean@-exemple.fr",
        "jean@exemple.f",
        "jean @exemple.fr",
        "jean@exemple.fr\r\nBcc: x@y.fr",
        "a" * 65 + "@exemple.fr",
        "jean@exemple..fr",
        "<jean@exemple.fr>",
        "Jean <jean@exemple.fr>",
        '"jean martin"@exemple.fr',
        "jean@[192.0.2.1]",
        "jean@mairie.local",  # reserved names: email-validator's list
        "jean@exemple.invalid",
        "jean@" + "a" * 64 + ".fr",
    ],
)
def test_bad_addresses(forms, address):
    assert not valid_email(address)
    result = validate(forms.formulaires["contact"], items("contact", email=address))
    if address.strip():
        assert [e.as_dict() for e in result.errors if e.field == "email"] == [
            {
                "field": "email",
                "code": "invalid" if "\r" not in address else "invalid_characters",
                "message": EMAIL_INVALID if "\r" not in address else result.errors[0].message,
            }
        ]


@pytest.mark.parametrize(
    "address",
    [
        "jean@café.fr",  # an IDN domain as typed
        "jean@сdg44.fr",  # a Cyrillic « с »: looks like cdg44.fr
        "jéan@exemple.fr",  # a non-ASCII local part
        "jean＠exemple.fr",  # a full-width @
    ],
)
@pytest.mark.parametrize("field", ["email", "_replyto"])
def test_non_ascii_addresses_are_refused_in_french(forms, address, field):
    """The relay is not known to offer SMTPUTF8: such an address could be neither reached nor put in a header."""
    assert not valid_email(address)
    result = validate(forms.formulaires["contact"], items("contact", **{field: address}))
    assert [e.as_dict() for e in result.errors] == [{"field": field, "code": "not_ascii", "message": EMAIL_NOT_ASCII}]


@pytest.mark.parametrize(
    "number,ok",
    [
        ("02 40 20 77 50", True),
        ("+33 (0)2.40.20.77.50", True),
        ("02-40-20-77-50", True),
        ("02 40 20 77 5O", False),
        ("appelez-moi", False),
        ("12", False),
        ("+33 2 40 20 77 50 poste 3", False),
    ],
)
def test_telephone(forms, number, ok):
    result = validate(forms.formulaires["inscription"], items("inscription", telephone=number))
    assert ("telephone" not in codes(result)) is ok
    if ok:
        assert result.data["telephone"] == number


@pytest.mark.parametrize(
    "value,code",
    [
        ("1", None),
        ("15", None),
        (" 7 ", None),
        ("0", "out_of_range"),
        ("16", "out_of_range"),
        ("-3", "out_of_range"),
        ("3,5", "invalid"),
        ("trois", "invalid"),
        ("٣", "invalid"),
        ("1e3", "invalid"),
        ("99999999999999", "invalid"),
    ],
)
def test_numbers_are_integers_within_min_and_max(forms, value, code):
    result = validate(forms.formulaires["devis"], items("devis", agents=value))
    assert codes(result).get("agents") == code
    if code is None:
        assert result.data["agents"] == int(value)
    elif code == "out_of_range":
        assert "entre 1 et 15" in result.errors[0].message


@pytest.mark.parametrize("value,ok", [("atelier", True), ("codev", True), ("Atelier", False), ("autre", False)])
def test_choices(forms, value, ok):
    result = validate(forms.formulaires["devis"], items("devis", offre=value))
    assert ("offre" not in codes(result)) is ok


@pytest.mark.parametrize(
    "session,ok",
    [
        ("2027-03-mutualiser-services", True),
        ("a", True),
        ("Mutualiser", False),
        ("a--b", False),
        ("-a", False),
        ("a_b", False),
        ("../../etc/passwd", False),
        ("a b", False),
    ],
)
def test_session_slug(forms, session, ok):
    result = validate(forms.formulaires["inscription"], items("inscription", session=session))
    assert ("session" not in codes(result)) is ok


@pytest.mark.parametrize("value,ok", [("oui", True), ("non", True), ("", True), ("peut-être", False)])
def test_hidden_field_with_choices(forms, value, ok):
    result = validate(forms.formulaires["inscription"], items("inscription", liste_attente=value))
    assert ("liste_attente" not in codes(result)) is ok


def test_maximum_length_counts_characters_after_normalisation(forms):
    definition = forms.formulaires["inscription"]
    assert not validate(definition, items("inscription", prenom="é" * 100)).errors
    # 100 'e' + combining acute = 200 code points, 100 characters once NFC-normalised.
    assert validate(definition, items("inscription", prenom="e\u0301" * 100)).data["prenom"] == "é" * 100
    result = validate(definition, items("inscription", prenom="é" * 101))
    assert codes(result) == {"prenom": "too_long"}
    assert "100 caractères au plus" in result.errors[0].message and "101" in result.errors[0].message


def test_text_is_stripped_and_nfc_normalised(forms):
    result = validate(forms.formulaires["contact"], items("contact", nom="  Le\u0301a  Bernard\t".replace("\t", " ")))
    assert result.data["nom"] == "Léa  Bernard"


def test_textarea_keeps_newlines_and_tabs_and_normalises_crlf(forms):
    result = validate(forms.formulaires["contact"], items("contact", message=" Ligne 1\r\n\tLigne 2\rLigne 3 "))
    assert result.errors == []
    assert result.data["message"] == "Ligne 1\n\tLigne 2\nLigne 3"


@pytest.mark.parametrize(
    "char", ["\x00", "\x07", "\x1b", "\u202e", "\u200b", "\u2066", "\ufeff", "\u2028", "\ufffd", "\x7f"]
)
@pytest.mark.parametrize("field", ["nom", "message"])
def test_control_and_invisible_characters_are_refused(forms, char, field):
    result = validate(forms.formulaires["contact"], items("contact", **{field: f"Avant{char}après"}))
    assert codes(result) == {field: "invalid_characters"}
    assert field not in result.data


def test_tab_and_newline_are_refused_outside_a_textarea(forms):
    result = validate(forms.formulaires["contact"], items("contact", objet="Une\tquestion", nom="Léa\nBernard"))
    assert codes(result) == {"objet": "invalid_characters", "nom": "invalid_characters"}


def test_unknown_and_duplicate_fields(forms):
    definition = forms.formulaires["contact"]
    result = validate(definition, items("contact") + [("admin", "1"), ("_cc", "x@y.fr"), ("nom", "Autre")])
    assert codes(result) == {"admin": "unknown_field", "_cc": "unknown_field", "nom": "duplicate"}
    assert "admin" not in result.data


def test_contract_fields(forms):
    definition = forms.formulaires["contact"]
    result = validate(
        definition, items("contact", _subject="Question sur un atelier", _replyto="autre@exemple.fr", _gotcha="")
    )
    assert result.errors == []
    assert result.contract == {
        "_next": VALID["contact"]["_next"],
        "_subject": "Question sur un atelier",
        "_replyto": "autre@exemple.fr",
        "_gotcha": "",
    }
    bad = validate(definition, items("contact", _subject="Objet\r\nBcc: x@y.fr", _replyto="pas une adresse"))
    assert codes(bad) == {"_subject": "invalid", "_replyto": "invalid"}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.dictionaries(
        st.sampled_from(["nom", "email", "objet", "message", "collectivite", "_subject", "x"]), st.text(max_size=300)
    )
)
def test_any_input_gives_either_errors_or_clean_data(forms, values):
    result = validate(forms.formulaires["contact"], list(values.items()))
    for name, value in result.data.items():
        text = str(value)
        assert text == text.strip()
        cleaned, bad = clean_text(text, multiline=name == "message")
        assert not bad and cleaned == text
    if not result.errors:
        assert {"nom", "email", "objet", "message"} <= set(result.data)


def test_clean_text_refuses_exactly_the_forbidden_characters_of_every_code_point():
    """Its fast path (str.isprintable) agrees, code point by code point, with the rule in words:
    control, format, surrogate, line and paragraph separator characters and U+FFFD are refused;
    a multi-line field also takes tabs and line breaks."""
    import sys
    import unicodedata

    forbidden = {"Cc", "Cf", "Cs", "Zl", "Zp"}
    wrong = []
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        refused = char == "\ufffd" or unicodedata.category(char) in forbidden
        if clean_text(f"é{char}\u00a0b", multiline=False)[1] != refused:
            wrong.append((hex(code), False))
        if clean_text(f"é{char}\u00a0b", multiline=True)[1] != (refused and char not in "\n\t\r"):
            wrong.append((hex(code), True))
    assert wrong == []
