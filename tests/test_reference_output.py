"""The build's output is byte-identical to the reference made by main's code.

The manifest ``tests/fixtures/reference-output.sha256`` holds one sha256 per
output file of the sample content, built by the code of a given revision. A
change that alters the output on purpose regenerates it with one command
(``.venv/bin/python -m tests.fixtures.reference_output --rev HEAD``, after
committing) and the manifest's diff is reviewed with the change.
"""

from __future__ import annotations

from tests.conftest import ROOT
from tests.fixtures.reference_output import build, digest, read_manifest


def test_output_matches_the_reference_manifest(tmp_path):
    result = build(ROOT, tmp_path / "output")
    assert result.returncode == 0, result.stdout + result.stderr
    expected, actual = read_manifest(), digest(tmp_path / "output")
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    changed = sorted(name for name in set(expected) & set(actual) if expected[name] != actual[name])
    hint = "regenerate with: .venv/bin/python -m tests.fixtures.reference_output --rev HEAD (and review the diff)"
    assert not (missing or extra or changed), f"missing {missing}, extra {extra}, changed {changed}; {hint}"
