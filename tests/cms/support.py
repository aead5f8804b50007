"""Helpers of the editing interface's tests: the configuration and the /admin/ scripts run by Node."""

from __future__ import annotations

import difflib
import json
import shutil
import subprocess

import pytest

from offer.cms import Backend, cms_config
from offer.tools.schemas import build_schemas
from tests.conftest import ROOT

HARNESS = ROOT / "tests" / "cms" / "harness.mjs"
NODE_MODULES = ROOT / "node_modules"


def config(**backend) -> dict:
    return cms_config(build_schemas(), Backend(**backend), {"rates": [], "threshold": 3})


def collection(name: str, conf: dict | None = None) -> dict:
    return next(c for c in (conf or config())["collections"] if c["name"] == name)


def yaml_options(name: str) -> tuple[list, dict]:
    """(fields, options) as theme/admin/cms.js hands them to yamlFormat."""
    c = collection(name)
    fields = c.get("fields") or c["files"][0]["fields"]
    return fields, {"schemaLine": c["cdg44"]["schema_line"], "flowLists": c["cdg44"]["flow_lists"]}


def node(request):
    """Run theme/admin/*.js functions through tests/cms/harness.mjs."""
    if not shutil.which("node") or not (NODE_MODULES / "yaml").is_dir():
        pytest.fail(
            "Node.js et les paquets npm sont nécessaires : lancez « npm ci --ignore-scripts » (make test le fait)"
        )
    result = subprocess.run(
        ["node", str(HARNESS)], input=json.dumps(request), capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def changed_lines(before: str, after: str) -> list[str]:
    """The lines a diff removes (-) and adds (+), without context."""
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
