"""The CI pipelines of both forges: valid YAML, real make targets, nightly rebuild.

Editors and operators only ever type the commands the README names, so the
pipelines may only call those: a pipeline calling a target that the Makefile
lost, or that nobody documented, fails here rather than on the forge.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
GITLAB = ROOT / ".gitlab-ci.yml"
GITHUB = ROOT / ".github" / "workflows" / "site.yml"

# make options that take a separate argument (make -C dir, make -o file…).
_MAKE_OPTIONS_WITH_ARGUMENT = {"-C", "-f", "-o", "-I", "-W", "--file", "--directory", "--old-file", "--what-if"}
_GITLAB_RESERVED = {
    "workflow",
    "stages",
    "default",
    "variables",
    "include",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
}


def makefile_targets(text: str) -> set[str]:
    """The explicit targets of a Makefile (rules, not variables or pattern rules)."""
    targets = set()
    for line in text.splitlines():
        if line.startswith(("\t", "#", " ")) or "=" in line.split(":", 1)[0]:
            continue
        match = re.match(r"^([^:#=$%]+?)\s*::?(?!=)", line)
        if match:
            targets.update(t for t in match.group(1).split() if not t.startswith("."))
    return targets


def readme_targets(text: str) -> set[str]:
    return set(re.findall(r"\bmake\s+([a-z][\w-]*)", text))


def make_goals(script: str) -> list[list[str]]:
    """The goals of each `make …` command of a shell script ([] = the default goal)."""
    script = script.replace("\\\n", " ")
    calls = []
    for command in re.split(r"\n|&&|\|\||;|\|", script):
        try:
            words = shlex.split(command, comments=True)
        except ValueError:
            words = command.split()
        while words and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", words[0]):
            words = words[1:]  # VAR=value before the command
        if not words or words[0] != "make":
            continue
        goals, skip = [], False
        for word in words[1:]:
            if skip:
                skip = False
            elif word in _MAKE_OPTIONS_WITH_ARGUMENT:
                skip = True
            elif word.startswith("-") or "=" in word:
                continue
            else:
                goals.append(word)
        calls.append(goals)
    return calls


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def gitlab_scripts(config: dict) -> list[str]:
    scripts = []
    sections = [config.get("default") or {}] + [job for name, job in config.items() if isinstance(job, dict)]
    for section in sections:
        for key in ("before_script", "script", "after_script"):
            scripts.extend(_strings(section.get(key)))
    return scripts


def github_scripts(workflow: dict) -> list[str]:
    return [
        step["run"]
        for job in workflow["jobs"].values()
        for step in job.get("steps", [])
        if isinstance(step, dict) and "run" in step
    ]


def github_triggers(workflow: dict) -> dict:
    # YAML 1.1 reads the key `on` as the boolean true.
    triggers = workflow.get("on", workflow.get(True))
    if isinstance(triggers, str):
        return {triggers: None}
    if isinstance(triggers, list):
        return dict.fromkeys(triggers)
    return triggers or {}


@pytest.fixture(scope="module")
def gitlab() -> dict:
    return yaml.safe_load(GITLAB.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def github() -> dict:
    return yaml.safe_load(GITHUB.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def targets() -> set[str]:
    return makefile_targets((ROOT / "Makefile").read_text(encoding="utf-8"))


def test_helpers_see_what_they_should():
    assert make_goals("apt-get install -y make chromium\nDEBIAN_FRONTEND=x apt-get install make") == []
    assert make_goals("make check && SITEURL=x make -o f publish OUTPUTDIR=o\nmake") == [["check"], ["publish"], []]
    assert make_goals("make \\\n  html # preview") == [["html"]]
    assert makefile_targets("A := 1\nB ?= 2\nhtml: bootstrap\n\t$(X)\n$(VENV)/x: y\n.PHONY: a\nx y: z\n") == {
        "html",
        "x",
        "y",
    }


def test_both_pipeline_files_are_yaml_mappings(gitlab, github):
    assert isinstance(gitlab, dict) and gitlab
    assert isinstance(github, dict) and github.get("jobs")


def test_the_makefile_has_the_documented_targets(targets):
    assert {"serve", "test", "check", "html", "publish", "nouvel-atelier", "bootstrap"} <= targets


@pytest.mark.parametrize("forge", ["gitlab", "github"])
def test_pipelines_only_call_documented_make_targets(forge, gitlab, github, targets):
    scripts = gitlab_scripts(gitlab) if forge == "gitlab" else github_scripts(github)
    calls = [goals for script in scripts for goals in make_goals(script)]
    assert calls, f"{forge}: aucun appel à make trouvé"
    called = {goal for goals in calls for goal in goals}
    assert all(goals for goals in calls), (
        f"{forge}: un appel à make sans cible (la cible par défaut n'est pas documentée)"
    )
    assert {"check", "publish"} <= called, f"{forge}: {sorted(called)}"
    assert called <= targets, f"{forge}: cibles absentes du Makefile : {sorted(called - targets)}"
    readme = ROOT / "README.md"
    assert readme.is_file(), "README.md manquant"
    named = readme_targets(readme.read_text(encoding="utf-8"))
    assert called <= named, f"{forge}: cibles appelées mais absentes du README : {sorted(called - named)}"


def _gitlab_jobs(config: dict) -> dict:
    return {
        name: job
        for name, job in config.items()
        if isinstance(job, dict) and name not in _GITLAB_RESERVED and not name.startswith(".")
    }


def _runs_on_schedule(job: dict) -> bool:
    for rule in job.get("rules") or []:
        condition = re.sub(r"\s+", " ", str(rule.get("if", "")))
        if (
            re.search(r"\$CI_PIPELINE_SOURCE == ['\"]schedule['\"]", condition)
            and rule.get("when", "on_success") != "never"
        ):
            return True
    return False


def test_gitlab_publishes_to_pages_on_the_default_branch_and_every_night(gitlab):
    jobs = _gitlab_jobs(gitlab)
    pages = jobs.get("pages")
    assert pages, "GitLab Pages demande un job nommé « pages »"
    assert pages.get("artifacts", {}).get("paths") in (["public"], ["public/"])
    script = "\n".join(_strings(pages.get("script")))
    assert [["check"], ["publish"]] == [g for g in make_goals(script)]
    assert "public" in script and "output" in script
    assert _runs_on_schedule(pages), "le job pages doit tourner sur la planification nocturne"
    conditions = " ".join(str(rule.get("if", "")) for rule in pages.get("rules", []))
    assert "$CI_DEFAULT_BRANCH" in conditions
    # The workflow itself lets scheduled pipelines run.
    workflow_rules = gitlab.get("workflow", {}).get("rules", [])
    assert any(_runs_on_schedule({"rules": [rule]}) for rule in workflow_rules)


def test_gitlab_merge_requests_check_build_and_test(gitlab):
    jobs = _gitlab_jobs(gitlab)
    by_goal = {}
    for name, job in jobs.items():
        for goals in make_goals("\n".join(_strings(job.get("script")))):
            for goal in goals:
                by_goal.setdefault(goal, []).append(name)
    assert "check" in by_goal and "html" in by_goal and "test" in by_goal

    def on_merge_requests(job):
        rules = job.get("rules")
        return rules is None or any("merge_request_event" in str(rule.get("if", "")) for rule in rules)

    for goal in ("check", "html", "test"):
        assert any(on_merge_requests(jobs[name]) for name in by_goal[goal]), goal
    html_job = jobs[by_goal["html"][0]]
    assert "output/" in [p.rstrip("/") + "/" for p in html_job["artifacts"]["paths"]]
    # The full suite is its own job, not part of the preview build.
    assert set(by_goal["test"]).isdisjoint(by_goal["html"])
    image = str(gitlab.get("default", {}).get("image", ""))
    assert "python:3.11" in image and "bookworm" in image


def test_github_has_the_nightly_schedule_and_deploys_pages(github):
    triggers = github_triggers(github)
    assert "pull_request" in triggers and "push" in triggers
    crons = [entry.get("cron") for entry in triggers.get("schedule") or []]
    assert crons and all(re.fullmatch(r"\d+ \d+ \* \* \*", c or "") for c in crons), crons
    steps = [step for job in github["jobs"].values() for step in job.get("steps", [])]
    uses = [step.get("uses", "") for step in steps]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    assert any(u == "actions/setup-python@v5" for u in uses)
    assert all(
        step.get("with", {}).get("python-version") == "3.11"
        for step in steps
        if step.get("uses", "").startswith("actions/setup-python")
    )
    publish_steps = [step for step in steps if "run" in step and ["publish"] in make_goals(step["run"])]
    assert publish_steps and "SITEURL" in publish_steps[0].get("env", {})
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"].rstrip("/") == "output"


def test_github_publishes_only_from_the_default_branch(github):
    jobs = github["jobs"]
    publishing = [
        job
        for job in jobs.values()
        if any("run" in step and ["publish"] in make_goals(step["run"]) for step in job.get("steps", []))
    ]
    assert publishing
    for job in publishing:
        condition = job.get("if", "")
        assert "pull_request" in condition and "refs/heads/main" in condition, condition
    deploy = [
        job
        for job in jobs.values()
        if any(s.get("uses", "").startswith("actions/deploy-pages@") for s in job.get("steps", []))
    ]
    assert deploy and deploy[0]["permissions"] == {"pages": "write", "id-token": "write"}
    html = [
        job
        for job in jobs.values()
        if any("run" in s and ["html"] in make_goals(s["run"]) for s in job.get("steps", []))
    ]
    assert html and "pull_request" in html[0].get("if", "")


def test_github_runs_the_full_suite_on_pull_requests_in_debian(github):
    jobs = [
        job
        for job in github["jobs"].values()
        if any("run" in s and ["test"] in make_goals(s["run"]) for s in job.get("steps", []))
    ]
    assert len(jobs) == 1
    job = jobs[0]
    assert "pull_request" in job.get("if", "pull_request")
    image = (
        job.get("container", {}).get("image", "")
        if isinstance(job.get("container"), dict)
        else job.get("container", "")
    )
    assert "python:3.11" in image and "bookworm" in image
    # Nothing else calls make test: the preview build stays fast.
    assert all(
        ["test"] not in make_goals(s["run"])
        for j in github["jobs"].values()
        if j is not job
        for s in j.get("steps", [])
        if "run" in s
    )


def test_publishing_waits_for_the_tests(gitlab, github):
    """A push whose tests are red publishes nothing (issue: cannot publish a broken site)."""
    pages_needs = [n["job"] if isinstance(n, dict) else n for n in gitlab["pages"]["needs"]]
    assert {"check", "test"} <= set(pages_needs)
    publish = github["jobs"]["publish"]
    assert {"check", "test"} <= set(publish["needs"])
    assert "needs.test.result == 'success'" in publish["if"]
