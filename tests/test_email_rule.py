"""One rule for an e-mail address, on the site and in the receiver (issue 8, item 6).

The rule is ``offer.forms.EMAIL_PATTERN``: the site writes it in the email
inputs' ``pattern`` attribute, forms.js checks it from there, and the receiver
checks it before email-validator. So the browser never refuses an address the
receiver takes, and both say the same words.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from hypothesis import given
from hypothesis import strategies as st

from formbackend.intake.validation import EMAIL_INVALID, EMAIL_NOT_ASCII, email_problem
from offer.forms import EMAIL_PATTERN
from tests.tools.html_tree import parse_file

from .conftest import ROOT

ADDRESSES = [
    "prenom.nom@mairie-exemple.fr",
    "a+b@x.io",
    "o'brien@exemple.fr",
    "{|}~-/=^_`#$%&*!?@exemple.fr",
    "jean@xn--caf-dma.fr",
    "jean@sub.domaine-exemple.bzh",
    "JEAN@EXEMPLE.FR",
    "a" * 64 + "@exemple.fr",
    "a" * 65 + "@exemple.fr",
    "a@" + "b" * 63 + ".fr",
    "a@" + "b" * 64 + ".fr",
    "a@" + ".".join(["b" * 60] * 4) + ".fr",
    "jean",
    "jean@",
    "@exemple.fr",
    "jean@exemple",
    "jean@exemple.f",
    "jean@exemple.123",
    "jean@@exemple.fr",
    "jean.@exemple.fr",
    ".jean@exemple.fr",
    "je..an@exemple.fr",
    "jean@-exemple.fr",
    "jean@exemple-.fr",
    "jean@exemple..fr",
    "jean @exemple.fr",
    "<jean@exemple.fr>",
    "jean@[192.0.2.1]",
    '"jean"@exemple.fr',
    "x=?utf-8?q?=0D=0ABcc=3A_v=40evil=2Eexample?=@exemple.fr",
    "jean@café.fr",
    "jean@сdg44.fr",
    "jéan@exemple.fr",
    "jean@exemple.fr\n",
]


def python_verdicts(addresses):
    return [bool(re.fullmatch(EMAIL_PATTERN, address)) for address in addresses]


def test_the_pattern_means_the_same_in_python_and_in_the_browser_regexp_flags():
    node = shutil.which("node")
    assert node, "Node.js manque : make test-deps l'installe"
    script = (
        "const [pattern, addresses] = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "const out = {};"
        "for (const flags of ['u', 'v']) {"  # forms.js uses u; the pattern attribute is compiled with v
        "  const re = new RegExp('^(?:' + pattern + ')$', flags);"
        "  out[flags] = addresses.map((a) => re.test(a));"
        "}"
        "process.stdout.write(JSON.stringify(out));"
    )
    result = subprocess.run(
        [node, "-e", script], input=json.dumps([EMAIL_PATTERN, ADDRESSES]), capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    verdicts = json.loads(result.stdout)
    expected = python_verdicts(ADDRESSES)
    assert verdicts["u"] == expected
    assert verdicts["v"] == expected
    assert sum(expected) == 10, dict(zip(ADDRESSES, expected, strict=True))


@pytest.mark.parametrize("address", ADDRESSES)
def test_the_receiver_takes_nothing_the_pattern_refuses(address):
    problem = email_problem(address)
    if problem is None:
        assert re.fullmatch(EMAIL_PATTERN, address)
    elif not address.isascii():
        assert problem == ("not_ascii", EMAIL_NOT_ASCII)
    else:
        assert problem == ("invalid", EMAIL_INVALID)


ATEXT = "abcXYZ019!#$%&'*+/=?^_`{|}~-"


@given(
    st.tuples(
        st.text(alphabet=ATEXT + ".", min_size=1, max_size=70),
        st.lists(st.text(alphabet="abz09-", min_size=1, max_size=65), min_size=1, max_size=4),
        st.sampled_from(["fr", "bzh", "io", "f", "xn--p1ai", "local", "invalid", "1"]),
    ).map(lambda parts: parts[0] + "@" + ".".join(parts[1] + [parts[2]]))
)
def test_what_the_receiver_accepts_always_matches_the_pattern(address):
    if email_problem(address) is None:
        assert re.fullmatch(EMAIL_PATTERN, address)


def test_the_site_writes_the_rule_in_every_email_input(built_site):
    inputs = []
    for page in built_site.rglob("*.html"):
        inputs += parse_file(page).find_all("input", type="email")
    assert inputs, "aucun champ d'adresse dans le site construit"
    assert {element.get("pattern") for element in inputs} == {EMAIL_PATTERN}


def test_forms_js_has_no_address_rule_of_its_own_and_says_the_receivers_words():
    script = (ROOT / "theme" / "static" / "js" / "forms.js").read_text(encoding="utf-8")
    assert json.dumps(EMAIL_INVALID, ensure_ascii=False) in script
    assert json.dumps(EMAIL_NOT_ASCII, ensure_ascii=False) in script
    assert 'getAttribute("pattern")' in script
    assert "xn--" not in script and "EMAIL_LOCAL" not in script
