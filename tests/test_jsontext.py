"""The fast indented JSON is json.dumps(indent=2) byte for byte."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from offer.jsontext import dumps_indented

_LEAVES = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
_KEYS = st.text() | st.integers()
_VALUES = st.recursive(
    _LEAVES,
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner) | st.dictionaries(_KEYS, inner),
    max_leaves=30,
)


@settings(max_examples=500)
@given(_VALUES)
def test_same_text_as_json_dumps(value):
    try:
        expected = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2)
    except TypeError:  # keys of mixed types json cannot sort
        return
    assert dumps_indented(value) == expected


def test_open_data_shape():
    rows = [{"titre": "Élus, agents « ensemble »\n", "seance": 1, "prix": "280.00", "x": None}] * 3
    value = {"description": "d", "colonnes": ["a", "b"], "sessions": rows, "vide": [], "objet": {}}
    assert dumps_indented(value) == json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2)
