"""Click commands of the gate: ``merge``, ``trend`` and ``policy check``; options for ``scan``/``demo``.

The lead registers them with one line in cli.py: ``from .gate.commands import register; register(cli)``.
Every command turns a CookieauditError into its exit code (64 for configuration) itself.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..errors import CookieauditError
from ..findings import SEVERITIES
from ..finish import DEFAULT_FORMATS

SEVERITY_CHOICES = list(SEVERITIES)


def _fail(exc: CookieauditError) -> None:
    click.echo(f"cookieaudit: error: {exc}", err=True)
    sys.exit(exc.exit_code)


def gate_options(f):
    """``--baseline``, ``--waivers``, ``--history`` and ``--shard`` for ``scan`` and ``demo``."""
    opts = [
        click.option("--baseline", type=click.Path(path_type=Path), default=None, metavar="FINDINGS_OR_RUN_DIR",
                     help="Earlier findings.json (or its run folder): only NEW findings count for --fail-on."),
        click.option("--waivers", type=click.Path(path_type=Path), default=None, metavar="YAML",
                     help="Accepted findings (schema cookieaudit.waivers/1, see waivers.example.yaml)."),
        click.option("--history", type=click.Path(path_type=Path), default=None, metavar="CSV_OR_PARQUET",
                     help="Append this run's counts per domain/rule/severity to this file (for `cookieaudit trend`)."),
        click.option("--shard", type=str, default=None, metavar="I/N",
                     help="Run only part I of N of the visits (whole domains per part); merge with `cookieaudit merge`."),
    ]
    for o in reversed(opts):
        f = o(f)
    return f


@click.command("merge")
@click.argument("run_dirs", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@click.option("--out", required=True, type=click.Path(path_type=Path), help="New run folder for the merged audit.")
@click.option("--expectations", type=click.Path(path_type=Path), default=None,
              help="The expectations file the shards ran with (default: the path they recorded, if its hash matches).")
@click.option("--fail-on", type=click.Choice(SEVERITY_CHOICES), default=None,
              help="Threshold for the exit code (default: the shards' own).")
@click.option("--baseline", type=click.Path(path_type=Path), default=None,
              help="Earlier findings.json or run folder: only NEW findings count.")
@click.option("--waivers", type=click.Path(path_type=Path), default=None, help="Waivers file (YAML).")
@click.option("--history", type=click.Path(path_type=Path), default=None, help="Append the merged run to this history file.")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True, help="Report language.")
@click.option("--format", "formats", multiple=True, default=DEFAULT_FORMATS, show_default=True,
              help="Output formats to render (repeatable).")
@click.option("--pdf", is_flag=True, help="Also write report.pdf (needs Chromium).")
@click.option("--expect-domain", "expect_domains", multiple=True, metavar="DOMAIN",
              help="This domain must be in the merge: its visits that no shard holds make the run incomplete (repeatable).")
@click.option("--expect-all", is_flag=True, help="Every domain of the expectations file must be in the merge.")
def merge_command(run_dirs, out, expectations, fail_on, baseline, waivers, history, lang, formats, pdf, expect_domains,
                  expect_all):
    """Merge shard run folders (scan --shard I/N) into one run folder and re-evaluate the rules over all of them.

    Exit code as for scan: 0 ok, 1 findings at/above --fail-on (new ones only with --baseline), 2 incomplete,
    64 mismatched shards or bad configuration.
    """
    from .merge import merge_runs

    try:
        doc = merge_runs(list(run_dirs), out, expectations, fail_on=fail_on, formats=tuple(formats), lang=lang,
                         pdf=pdf, baseline=baseline, waivers=waivers, history=history, command=tuple(sys.argv),
                         expect_domains=expect_domains, expect_all=expect_all)
    except CookieauditError as exc:
        _fail(exc)
        return
    s = doc.summary
    click.echo(f"merged {len(run_dirs)} shard(s) → {out}")
    click.echo(f"report:     {out / 'report.html'}")
    line = (f"visits: {s.visits} ({s.complete} complete, {s.incomplete} incomplete); "
            f"findings: {s.findings} {dict(s.findings_by_severity)}")
    if s.baseline is not None:
        b = s.baseline
        line += f"; new {b.new}, persisting {b.persisting}, resolved {b.resolved}, unknown {b.unknown}"
    if s.waived is not None:
        line += f"; waived {s.waived}"
    click.echo(line + f"; failing (≥ {s.fail_on}): {s.failing_findings}; exit code {s.exit_code}")
    for w in doc.warnings:
        if w.code != "waiver-expired":          # those were already printed when applied
            click.echo(f"cookieaudit: warning: {w.message}", err=True)
    for m in doc.missing[:20]:
        click.echo(f"  incomplete: {m}", err=True)
    sys.exit(s.exit_code)


@click.command("trend")
@click.option("--history", required=True, type=click.Path(path_type=Path), help="History file (CSV or Parquet).")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Chart file: *.svg or *.png.")
@click.option("--min-severity", type=click.Choice(SEVERITY_CHOICES), default="low", show_default=True,
              help="Count findings at or above this severity.")
def trend_command(history, out, min_severity):
    """Draw findings per domain and per rule over time from a history file."""
    from .history import trend_chart

    try:
        path = trend_chart(history, out, min_severity=min_severity)
    except CookieauditError as exc:
        _fail(exc)
        return
    click.echo(str(path))


@click.group("policy")
def policy_group() -> None:
    """The privacy policy pages themselves."""


@policy_group.command("check")
@click.option("--expectations", type=click.Path(path_type=Path), default=Path("expectations/online-3d.yaml"),
              show_default=True, help="What the privacy policy should say (YAML).")
@click.option("--domain", "domains", multiple=True, help="Only this domain (repeatable).")
@click.option("--resolve", "resolve", multiple=True, metavar="HOST=ADDR[:PORT]",
              help="Connect to ADDR for HOST (or * for all), keeping HOST for SNI and the certificate (repeatable).")
@click.option("--ca-cert", type=click.Path(path_type=Path), default=None, help="Trust this extra CA (PEM).")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON document instead of the table.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Also write DIR/policy-check.json and a copy of each page under DIR/policy/.")
@click.option("--timeout", type=float, default=20.0, show_default=True, help="Seconds per request.")
def policy_check_command(expectations, domains, resolve, ca_cert, as_json, out, timeout):
    """Compare each domain's live privacy policy with the expectations (vendors named, retention).

    Exit code: 0 consistent, 1 drift, 2 a page could not be fetched, 64 configuration error.
    """
    from .policy_check import check_policies, format_table

    try:
        doc = check_policies(expectations, resolve=resolve, ca_cert=ca_cert, domains=domains, timeout=timeout, out=out)
    except CookieauditError as exc:
        _fail(exc)
        return
    click.echo(json.dumps(doc, indent=1, ensure_ascii=False) if as_json else format_table(doc))
    sys.exit(doc["summary"]["exit_code"])


def register(cli: click.Group) -> None:
    """Add ``merge``, ``trend`` and ``policy check`` to the cookieaudit command group."""
    cli.add_command(merge_command, "merge")
    cli.add_command(trend_command, "trend")
    cli.add_command(policy_group, "policy")
