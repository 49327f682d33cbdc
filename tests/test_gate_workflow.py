"""The workflow files: schema-valid (check-jsonschema's vendored GitHub workflow schema, offline), and the
nightly's expressions, jobs, CLI calls and documented variables hang together. docs/ci.md's commands exist."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
NIGHTLY = ROOT / ".github" / "workflows" / "nightly.yml"
DOCS = ROOT / "docs" / "ci.md"

CONTEXTS = {"github", "inputs", "vars", "secrets", "matrix", "needs", "steps", "env", "runner", "job", "strategy"}
FUNCTIONS = {"always", "success", "failure", "cancelled", "hashFiles", "fromJSON", "toJSON", "format", "contains",
             "startsWith", "endsWith", "join"}


def _load(path: Path) -> dict:
    wf = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in wf:                       # YAML 1.1 reads the key `on` as a boolean
        wf["on"] = wf.pop(True)
    return wf


def _strings(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _strings(v, path + (i,))
    elif isinstance(node, str):
        yield path, node


def _expressions(text: str) -> list[str]:
    return re.findall(r"\$\{\{(.*?)\}\}", text, re.S)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_is_schema_valid(path):
    pytest.importorskip("check_jsonschema", reason="dev extra check-jsonschema not installed")
    r = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                        str(path)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


def test_linter_catches_a_broken_workflow(tmp_path):
    pytest.importorskip("check_jsonschema", reason="dev extra check-jsonschema not installed")
    bad = tmp_path / "bad.yml"
    bad.write_text("name: x\non: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n")
    r = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                        str(bad)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "stepz" in r.stdout


def test_nightly_expressions_refer_to_things_that_exist():
    wf = _load(NIGHTLY)
    inputs = set(wf["on"]["workflow_dispatch"]["inputs"])
    jobs = wf["jobs"]
    problems = []
    for job_id, job in jobs.items():
        needs = job.get("needs", [])
        needs = [needs] if isinstance(needs, str) else list(needs)
        for n in needs:
            if n not in jobs:
                problems.append(f"{job_id}: needs unknown job {n}")
        matrix_keys = set((job.get("strategy") or {}).get("matrix") or {})
        step_ids: list[str] = []
        for i, step in enumerate(job.get("steps", [])):
            if "run" in step and "${{" in step["run"]:
                problems.append(f"{job_id}.steps[{i}]: ${{{{ }}}} inside run: (pass it through env: instead)")
            if "uses" in step and not re.search(r"@v\d+(\.\d+)*$", step["uses"]):
                problems.append(f"{job_id}.steps[{i}]: {step['uses']} is not pinned to a version")
            for where, text in _strings({k: v for k, v in step.items() if k != "run"}):
                for expr in _expressions(text) + ([text] if where == ("if",) and "${{" not in text else []):
                    problems += _check_expr(expr, f"{job_id}.steps[{i}].{'.'.join(map(str, where))}",
                                            inputs, needs, matrix_keys, step_ids)
            if "id" in step:
                step_ids.append(step["id"])
        rest = {k: v for k, v in job.items() if k != "steps"}
        for where, text in _strings(rest):
            for expr in _expressions(text) + ([text] if where == ("if",) and "${{" not in text else []):
                # job outputs may read any step of the job; nothing else at job level can
                problems += _check_expr(expr, f"{job_id}.{'.'.join(map(str, where))}", inputs, needs, matrix_keys,
                                        step_ids if where[0] == "outputs" else None)
    for where, text in _strings({k: v for k, v in wf.items() if k != "jobs"}):
        for expr in _expressions(text):
            problems += _check_expr(expr, ".".join(map(str, where)), inputs, [], set(), None)
    assert problems == [], "\n".join(problems)


def _check_expr(expr: str, where: str, inputs, needs, matrix_keys, step_ids) -> list[str]:
    out = []
    bare = re.sub(r"'[^']*'", "''", expr)
    for fn in re.findall(r"([A-Za-z_]\w*)\s*\(", bare):
        if fn not in FUNCTIONS:
            out.append(f"{where}: unknown function {fn}()")
    for ctx, name in re.findall(r"(?<![\w.])([a-z]+)\.([A-Za-z_][\w-]*)", bare):
        if ctx not in CONTEXTS:
            out.append(f"{where}: unknown context {ctx}.{name}")
        elif ctx == "inputs" and name not in inputs:
            out.append(f"{where}: unknown input {name}")
        elif ctx == "needs" and name not in needs:
            out.append(f"{where}: needs.{name} is not in this job's needs")
        elif ctx == "matrix" and name not in matrix_keys:
            out.append(f"{where}: matrix.{name} is not in the matrix")
        elif ctx == "steps" and (step_ids is None or name not in step_ids):
            out.append(f"{where}: steps.{name} is not an earlier step id")
    return out


def test_nightly_shape():
    wf = _load(NIGHTLY)
    on = wf["on"]
    assert "schedule" in on and on["schedule"][0]["cron"]
    inputs = on["workflow_dispatch"]["inputs"]
    assert inputs["fail_on"]["options"] == ["info", "low", "medium", "high", "critical"]
    assert inputs["baseline_run_id"]["required"] is False
    audit, merge = wf["jobs"]["audit"], wf["jobs"]["merge"]
    assert audit["container"] == "python:3.11-bookworm" and audit["strategy"]["fail-fast"] is False
    assert "domain" in audit["strategy"]["matrix"]
    runs = "\n".join(s.get("run", "") for s in audit["steps"])
    assert "make setup" in runs and ".venv/bin/cookieaudit" in runs and "--plain" in runs
    assert '--domain "$DOMAIN" --out "run-$DOMAIN"' in runs
    upload = [s for s in audit["steps"] if s.get("uses", "").startswith("actions/upload-artifact@v4")]
    assert upload and upload[0]["if"] == "always()" and upload[0]["with"]["path"] == "run-${{ matrix.domain }}/"
    assert "always()" in merge["if"] and set(merge["needs"]) >= {"audit"}
    uses = [s.get("uses", "") for s in merge["steps"]]
    assert any(u.startswith("actions/download-artifact@v4") for u in uses)
    assert any(u.startswith("mikepenz/action-junit-report@v4") for u in uses)
    assert any(u.startswith("actions/cache/restore@v4") for u in uses) and any(u.startswith("actions/cache/save@v4") for u in uses)
    mruns = "\n".join(s.get("run", "") for s in merge["steps"])
    assert "cookieaudit" in mruns and "merge" in mruns and "GITHUB_STEP_SUMMARY" in mruns and "--baseline" in mruns
    assert merge["steps"][-1]["name"] == "Gate" and merge["steps"][-1]["if"] == "always()"
    baseline_saves = [s for s in merge["steps"] if "baseline" in s.get("name", "").lower() and "Save" in s.get("name", "")]
    assert baseline_saves and all("exit_code == '0'" in s["if"] for s in baseline_saves)


def _cli() -> click.Group:
    from cookieaudit.cli import cli
    from cookieaudit.gate.commands import gate_options, register

    group = click.Group("cookieaudit", commands=dict(cli.commands))
    register(group)
    return group, gate_options


def _check_call(argv: list[str], where: str) -> list[str]:
    """Every subcommand and --flag in a cookieaudit call exists (scan/demo also get the gate options)."""
    group, gate_options = _cli()
    cmd: click.Command = group
    path = []
    args = list(argv)
    while isinstance(cmd, click.Group) and args and not args[0].startswith("-"):
        name = args.pop(0)
        if name not in cmd.commands:
            return [f"{where}: unknown command {' '.join(path + [name])}"]
        cmd = cmd.commands[name]
        path.append(name)
    flags = {o for p in cmd.params for o in getattr(p, "opts", []) if o.startswith("-")}
    if path and path[0] in ("scan", "demo"):
        flags |= {o for p in gate_options(lambda: None).__click_params__ for o in p.opts}
    return [f"{where}: {' '.join(path)} has no option {a.split('=')[0]}" for a in args
            if a.startswith("--") and a.split("=")[0] not in flags]


def test_cli_calls_in_the_workflow_exist():
    wf = _load(NIGHTLY)
    problems = []
    for job_id, job in wf["jobs"].items():
        for i, step in enumerate(job.get("steps", [])):
            run = step.get("run", "")
            # args=(sub command --flag "$X" ...) arrays and direct calls
            for m in re.finditer(r"args=\((.*?)\)", run, re.S):
                words = [w for w in shlex.split(m.group(1).replace("\n", " ")) if not w.startswith("$")]
                problems += _check_call(words, f"{job_id}.steps[{i}]")
            for m in re.finditer(r"\.venv/bin/cookieaudit ([^\n|]+)", run):
                words = [w for w in shlex.split(m.group(1)) if not w.startswith("$") and not w.startswith('"$')]
                if words:
                    problems += _check_call(words, f"{job_id}.steps[{i}]")
            for m in re.finditer(r"args\+=\((--[\w-]+)", run):
                owner = re.search(r"args=\((\w+(?: \w+)?)", run)
                problems += _check_call(owner.group(1).split() + [m.group(1)], f"{job_id}.steps[{i}]")
    assert problems == [], "\n".join(problems)


def test_documented_commands_exist_and_variables_are_documented():
    text = DOCS.read_text(encoding="utf-8")
    problems = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split("#")[0].strip()
            if line.startswith("cookieaudit "):
                problems += _check_call(shlex.split(line)[1:], f"docs/ci.md: {line[:60]}")
    assert problems == [], "\n".join(problems)
    used = set(re.findall(r"\b(?:vars|secrets)\.([A-Z_][A-Z0-9_]*)", NIGHTLY.read_text()))
    assert used == {"COOKIEAUDIT_FAIL_ON", "COOKIEAUDIT_RESOLVE", "STAGING_CA_PEM"}
    for name in used:
        assert f"`{name}`" in text, f"{name} is used by nightly.yml but not documented in docs/ci.md"
