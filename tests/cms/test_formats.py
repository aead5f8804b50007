"""The files the CMS writes are ours: theme/admin/formats.js, run by Node on every content file."""

from __future__ import annotations

from pathlib import Path

import yaml

from offer.tools.check import main as check_main
from offer.validation import load_rates, load_workshop
from tests.cms.support import changed_lines, node, yaml_options
from tests.conftest import ROOT

CONTENT = ROOT / "content"
WORKSHOPS = sorted((CONTENT / "ateliers").glob("*.yaml"))
PAGES = sorted((CONTENT / "pages").glob("*.md"))


def test_every_workshop_file_is_written_back_unchanged():
    fields, options = yaml_options("ateliers")
    texts = [p.read_text(encoding="utf-8") for p in WORKSHOPS]
    results = node(
        [{"call": "yamlRoundTrip", "args": {"fields": fields, "options": options, "text": t}} for t in texts]
    )
    assert len(results) == len(WORKSHOPS) > 10
    for path, text, result in zip(WORKSHOPS, texts, results, strict=True):
        assert result["written"] == text, path.name
        # Dates and times reach the form as text ("2027-03-11", "14:30"), the rest as YAML reads it.
        data = yaml.safe_load(text)
        assert result["read"]["seances"] == [
            {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in s.items()} for s in data["seances"]
        ]
        assert {k: v for k, v in result["read"].items() if k != "seances" and not isinstance(v, str)} == {
            k: v for k, v in data.items() if k != "seances" and not isinstance(v, str) and not hasattr(v, "isoformat")
        }


def test_editing_one_value_changes_one_line():
    fields, options = yaml_options("ateliers")
    requests, expected = [], []
    for path in WORKSHOPS:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        requests.append(
            {
                "call": "yamlEdit",
                "args": {
                    "fields": fields,
                    "options": options,
                    "text": text,
                    "changes": {"capacite": data["capacite"] - 1},
                },
            }
        )
        expected.append([f"-capacite: {data['capacite']}", f"+capacite: {data['capacite'] - 1}"])
    for path, written, lines in zip(WORKSHOPS, node(requests), expected, strict=True):
        assert changed_lines(path.read_text(encoding="utf-8"), written) == lines, path.name


def test_a_new_session_is_written_like_the_scaffold_and_passes_check(tmp_path):
    fields, options = yaml_options("ateliers")
    # As Decap hands it over: empty strings for untouched fields, keys in the form's order.
    data = {
        "type": "atelier",
        "titre": "Accueillir un nouvel agent",
        "question": "Comment faire pour accueillir un agent : oui ou non ?",
        "objet": "no",
        "public": ["DGS", "Élus"],
        "lieu": {"nom": "CDG 44", "adresse": "6 rue du Pen Duick II, 44300 Nantes", "accessibilite": ""},
        "seances": [
            {"date": "2027-05-12", "duree": "journee", "debut": "09:00", "fin": ""},
            {"date": "2027-06-09", "duree": "demi-journee", "debut": "14:30", "fin": "18:00"},
        ],
        "capacite": 12,
        "inscrits": 0,
        "ouverture_inscriptions": "",
        "cloture_inscriptions": "",
        "statut": "programme",
        "contact": {"nom": "", "email": "", "telephone": "02 40 20 77 50"},
        "description": "Première phrase.\n\nDeuxième paragraphe : « oui ».\n",
        "slug": "",
        "publie_le": "",
    }
    written = node({"call": "yamlNew", "args": {"fields": fields, "options": options, "data": data}})
    lines = written.splitlines()
    assert lines[0] == options["schemaLine"]
    keys = [line.split(":")[0] for line in lines[1:] if line[:1].isalpha()]
    assert keys == [
        "type",
        "titre",
        "question",
        "objet",
        "public",
        "lieu",
        "seances",
        "capacite",
        "inscrits",
        "statut",
        "contact",
        "description",
    ]
    assert '  - {date: 2027-06-09, duree: demi-journee, debut: "14:30", fin: "18:00"}' in lines
    assert 'objet: "no"' in lines and "public: [DGS, Élus]" in lines and "description: |" in lines
    assert yaml.safe_load(written)["contact"] == {"telephone": "02 40 20 77 50"}
    folder = tmp_path / "content"
    (folder / "ateliers").mkdir(parents=True)
    (folder / "tarifs.yaml").write_text((CONTENT / "tarifs.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "forms.yaml").write_text((CONTENT / "forms.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    path = folder / "ateliers" / "2027-05-accueillir-un-nouvel-agent.yaml"
    path.write_text(written, encoding="utf-8")
    result = load_workshop(path, folder, {2020})
    assert result.problems == [] and result.value.workshop.seances[1].debut == "14:30"
    assert result.value.workshop.objet == "no"
    assert check_main([str(folder)]) == 0


def test_tricky_values_are_quoted_for_yaml_1_1():
    fields, options = yaml_options("ateliers")
    values = [
        "14:30",
        "9:05",
        "0240207750",
        "no",
        "Oui",
        "on",
        "01000",
        "1_000",
        "2027-03-11",
        "~",
        "null",
        "1e3",
        "0x1F",
        ".inf",
    ]
    requests = [
        {
            "call": "yamlEdit",
            "args": {
                "fields": fields,
                "options": options,
                "text": WORKSHOPS[0].read_text(encoding="utf-8"),
                "changes": {"objet": v},
            },
        }
        for v in values
    ]
    for value, written in zip(values, node(requests), strict=True):
        assert yaml.safe_load(written)["objet"] == value, written


def test_rates_a_new_year_keeps_the_comments_and_past_years_are_refused():
    fields, options = yaml_options("tarifs")
    text = (CONTENT / "tarifs.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    new = {"tarifs": [*data["tarifs"], {"annee": 2027, "journee": 300, "demi_journee": 150, "deliberation": ""}]}
    written = node(
        {
            "call": "yamlRoundTrip",
            "args": {"fields": fields, "options": options, "text": text, "data": {**new, "__source_cdg44": text}},
        }
    )["written"]
    assert written.startswith(text)
    assert written[len(text) :] == "  - annee: 2027\n    journee: 300\n    demi_journee: 150\n"
    assert not load_rates_text(written).problems
    changed = {"tarifs": [{**data["tarifs"][0], "journee": 999}]}
    removed = {"tarifs": [{"annee": 2030, "journee": 1, "demi_journee": 1}]}
    messages = node(
        [
            {"call": "checkRates", "args": {"source": text, "data": new}},
            {"call": "checkRates", "args": {"source": text, "data": changed}},
            {"call": "checkRates", "args": {"source": text, "data": removed}},
        ]
    )
    assert messages[0] is None
    assert "le tarif de 2020 a été modifié" in messages[1] and "Ajoutez une nouvelle année" in messages[1]
    assert "le tarif de 2020 a disparu" in messages[2]


def load_rates_text(text: str):
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tarifs.yaml"
        path.write_text(text, encoding="utf-8")
        return load_rates(path, Path(tmp))


def test_pages_keep_their_pelican_metadata():
    texts = [p.read_text(encoding="utf-8") for p in PAGES]
    results = node([{"call": "pageRoundTrip", "args": {"text": t, "changes": {}}} for t in texts])
    for path, text, result in zip(PAGES, texts, results, strict=True):
        assert result["written"] == text, path.name
        assert result["read"]["Title"] and result["read"]["body"]
    edited = node({"call": "pageRoundTrip", "args": {"text": texts[0], "changes": {"Summary": "Un\nrésumé  "}}})
    assert changed_lines(texts[0], edited["written"]) == [
        f"-Summary: {results[0]['read']['Summary']}",
        "+Summary: Un résumé",
    ]


def test_comments_stay_even_on_a_changed_line():
    fields, options = yaml_options("ateliers")
    text = (CONTENT / "ateliers" / "2027-03-mutualiser-services.yaml").read_text(encoding="utf-8")
    text = text.replace("capacite: 15\n", "# Une salle de 15 places.\ncapacite: 15  # voté en juin\n")
    written = node(
        {"call": "yamlEdit", "args": {"fields": fields, "options": options, "text": text, "changes": {"capacite": 12}}}
    )
    assert changed_lines(text, written) == ["-capacite: 15  # voté en juin", "+capacite: 12 # voté en juin"]
