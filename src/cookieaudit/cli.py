"""Command line: wires flags to the scan core, the demo world, the formats and the knowledge base. No logic here."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import __version__
from .errors import EXIT_INCOMPLETE, EXIT_USAGE, CookieauditError
from .findings import SEVERITIES
from .gate.commands import gate_options, register as register_gate_commands

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress

SEVERITY_CHOICES = list(SEVERITIES)


class Progress:
    """A progress bar per domain × choice on a terminal; plain, greppable lines in CI or when piped."""

    def __init__(self, plain: bool | None = None):
        self.plain = plain if plain is not None else (not sys.stderr.isatty() or bool(os.environ.get("CI")))
        self._bar: RichProgress | None = None
        self._tasks: dict[tuple[str, str], Any] = {}

    def __call__(self, event: str, data: dict[str, Any]) -> None:
        if self.plain:
            self._line(event, data)
        else:
            self._rich(event, data)

    def _line(self, event: str, data: dict[str, Any]) -> None:
        if event == "start":
            click.echo(f"cookieaudit {__version__}: {data['visits']} visits, concurrency {data['concurrency']} → {data['run_dir']}", err=True)
        elif event == "visit-end":
            errs = f"  ({data['errors'][0]})" if data["errors"] else ""
            click.echo(f"  {data['status']:<10} {data['domain']:<24} {data['choice']:<17} consent={data['consent']:<14}"
                       f" {data['requests']:>4} requests {data['seconds']:>6.1f}s{errs}", err=True)

    def _rich(self, event: str, data: dict[str, Any]) -> None:
        from rich.progress import BarColumn, Progress as RichProgress, TextColumn, TimeElapsedColumn

        if event == "start":
            self._bar = RichProgress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[state]}"),
                                     TimeElapsedColumn(), transient=False)
            self._bar.start()
            self._bar.console.print(f"cookieaudit {__version__}: {data['visits']} visits → {data['run_dir']}")
        elif event == "visit-start" and self._bar:
            key = (data["domain"], data["choice"])
            self._tasks[key] = self._bar.add_task(f"{data['domain']:<24} {data['choice']:<17}", total=1, state="running")
        elif event == "visit-end" and self._bar:
            task = self._tasks.get((data["domain"], data["choice"]))
            if task is not None:
                self._bar.update(task, completed=1, state=f"{data['status']} · consent {data['consent']} · {data['seconds']}s")
        elif event == "done" and self._bar:
            self._bar.stop()


def _fail(exc: CookieauditError) -> None:
    click.echo(f"cookieaudit: error: {exc}", err=True)
    sys.exit(exc.exit_code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cookieaudit")
def cli() -> None:
    """Audit websites for cookie and tracker compliance against their own privacy policy."""


def scan_options(f):
    opts = [
        click.option("--expectations", "expectations", type=click.Path(path_type=Path), default=Path("expectations/online-3d.yaml"),
                     show_default=True, help="What the privacy policy declares (YAML)."),
        click.option("--domain", "domains", multiple=True, help="Only this domain (repeatable)."),
        click.option("--choice", "choices", multiple=True, help="Only this consent choice (repeatable)."),
        click.option("--out", type=click.Path(path_type=Path), default=None, help="Run folder (default reports/run-<UTC>)."),
        click.option("--concurrency", type=click.IntRange(1, 32), default=None, help="Parallel visits (default: from cores and memory)."),
        click.option("--fail-on", type=click.Choice(SEVERITY_CHOICES), default="high", show_default=True,
                     help="Exit 1 when a finding at or above this severity exists."),
        click.option("--browser", type=str, default=None, help="Chromium/Chrome executable (or $COOKIEAUDIT_CHROMIUM)."),
        click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True, help="Report language."),
        click.option("--pdf", is_flag=True, help="Also write report.pdf."),
        click.option("--visit-budget", type=float, default=90.0, show_default=True, help="Seconds allowed per (domain, choice)."),
        click.option("--plain", is_flag=True, default=None, help="Plain progress lines (default in CI / when piped)."),
        click.option("--repeat", type=click.IntRange(1, 20), default=1, show_default=True,
                     help="Repeat each (domain, choice); findings say 'seen in k of N'."),
        click.option("--redact", is_flag=True, help="Replace cookie and storage values by their hash in every output."),
        click.option("--sign", type=click.Path(path_type=Path, exists=True, dir_okay=False), default=None,
                     metavar="KEY", help="Sign the evidence manifest with this Ed25519 private key (`cookieaudit keygen`)."),
    ]
    for o in reversed(opts):
        f = o(f)
    return f


def _run(options, plain) -> int:
    from .scan import run_scan

    try:
        result = asyncio.run(run_scan(options, Progress(plain)))
    except CookieauditError as exc:
        _fail(exc)
    except KeyboardInterrupt as exc:
        click.echo(f"cookieaudit: interrupted; the run folder {exc} holds everything finished so far "
                   "(findings.json lists what is missing)", err=True)
        return EXIT_INCOMPLETE
    doc = result.document
    s = doc["summary"]
    click.echo(f"run folder: {result.run_dir}")
    click.echo(f"report:     {result.run_dir / 'report.html'}")
    click.echo(f"visits: {s['visits']} ({s['complete']} complete, {s['incomplete']} incomplete); "
               f"findings: {s['findings']} {s['findings_by_severity']}; exit code {result.exit_code}")
    for m in doc.get("missing", [])[:20]:
        click.echo(f"  incomplete: {m}", err=True)
    return result.exit_code


@cli.command()
@scan_options
@gate_options
@click.option("--resolve", "resolve", multiple=True, metavar="HOST=ADDR[:PORT]",
              help="Send HOST (or * for all) to another address, e.g. a staging server (repeatable).")
@click.option("--ca-cert", type=click.Path(path_type=Path), default=None, help="Trust this extra CA (PEM) for such targets.")
def scan(expectations, domains, choices, out, concurrency, fail_on, browser, lang, pdf, visit_budget, plain, repeat, redact, sign,
         baseline, waivers, history, shard, resolve, ca_cert):
    """Audit the domains of the expectations file under every consent choice."""
    from .scan import ScanOptions

    options = ScanOptions(expectations=expectations, out=out, domains=tuple(domains), choices=tuple(choices),
                          resolve=tuple(resolve), ca_cert=ca_cert, concurrency=concurrency, fail_on=fail_on,
                          browser=browser, lang=lang, pdf=pdf, visit_budget=visit_budget, command=tuple(sys.argv),
                          baseline=baseline, waivers=waivers, history=history, shard=shard, repeat=repeat, redact=redact,
                          sign=sign)
    sys.exit(_run(options, plain))


@cli.command()
@scan_options
@gate_options
@click.option("--scenario", type=click.Choice(["default", "compliant"]), default="default", show_default=True,
              help="default: planted violations on four shops; compliant: every shop compliant.")
@click.option("--latency", type=str, default="0,0", show_default=True, help="Injected shop latency in ms: MIN,MAX.")
@click.option("--vendor-latency", type=str, default="0,0", show_default=True, help="Injected vendor latency in ms: MIN,MAX.")
def demo(expectations, domains, choices, out, concurrency, fail_on, browser, lang, pdf, visit_budget, plain, repeat, redact, sign,
         baseline, waivers, history, shard, scenario, latency, vendor_latency):
    """Start the embedded demo world (five shops + vendor hosts over real TLS) and audit it."""
    from .scan import ScanOptions
    from .world import WorldConfig
    from .world.process import DemoWorldProcess

    def pair(text: str, name: str) -> tuple[int, int]:
        try:
            lo, hi = (int(x) for x in text.split(","))
            return lo, hi
        except ValueError:
            _fail(CookieauditError(f"--{name} {text!r}: expected MIN,MAX in milliseconds", fix=f"e.g. --{name} 50,300"))
            raise

    cfg = WorldConfig(scenario=scenario, latency_ms=pair(latency, "latency"), vendor_latency_ms=pair(vendor_latency, "vendor-latency"))
    with DemoWorldProcess(cfg) as world:   # its own process: the world must not share the audit's core
        click.echo(f"demo world on 127.0.0.1:{world.port} ({len(world.hosts)} host names, CA {world.ca_pem})", err=True)
        options = ScanOptions(expectations=expectations, out=out, domains=tuple(domains), choices=tuple(choices),
                              resolve=tuple(world.resolve_args()), ca_cert=world.ca_pem, concurrency=concurrency,
                              fail_on=fail_on, browser=browser, lang=lang, pdf=pdf, visit_budget=visit_budget,
                              command=tuple(sys.argv), baseline=baseline, waivers=waivers, history=history,
                              shard=shard, repeat=repeat, redact=redact, sign=sign)
        code = _run(options, plain)
    sys.exit(code)


def _split(values) -> list[str]:
    """Repeatable options that also take comma lists: --format html,pdf --format csv."""
    return [x.strip() for v in values for x in str(v).split(",") if x.strip()]


@cli.command()
@click.argument("run_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--lang", "langs", multiple=True, default=("nl",), show_default=True,
              help="nl, en (full report); nl, en, fr, de for --domain dossiers (repeatable or comma list).")
@click.option("--format", "formats", multiple=True, default=("html",), show_default=True,
              help="html, pdf, json, junit, markdown, csv (repeatable or comma list); with --domain: html, pdf.")
@click.option("--domain", "domains", multiple=True,
              help="Write the dossier of this domain (dossier-<domain>-<lang>.html/.pdf) instead of the full report.")
def report(run_dir, langs, formats, domains):
    """Re-render output formats, or per-domain dossiers, from a run folder (pdf needs a browser)."""
    from .formats import render
    from .formats.dossier import write_dossiers
    from .manifest import write_manifest

    langs, formats, domains = _split(langs), _split(formats), _split(domains)
    try:
        if domains:
            written = write_dossiers(run_dir, domains, langs, formats)
        else:
            if len(langs) != 1:
                raise CookieauditError("--lang: the full report is written in one language",
                                       fix="give one --lang, or use --domain for dossiers in several languages")
            written = render(run_dir, formats, lang=langs[0])
        write_manifest(run_dir)
    except CookieauditError as exc:
        _fail(exc)
    for p in written:
        click.echo(str(p))


@cli.command()
@click.argument("run_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--domain", "domains", multiple=True, required=True, help="Domain of the run (repeatable).")
@click.option("--lang", "langs", multiple=True, default=("nl",), show_default=True, help="nl, en, fr, de.")
@click.option("--format", "formats", multiple=True, default=("html", "csv", "md"), show_default=True,
              help="html, csv, md (repeatable or comma list).")
def inventory(run_dir, domains, langs, formats):
    """The cookie inventory of a domain from the evidence: every cookie and storage item, for the cookie statement."""
    from .formats.inventory import INVENTORY_FORMATS, write_inventory
    from .manifest import write_manifest

    formats = _split(formats)
    bad = [f for f in formats if f not in INVENTORY_FORMATS]
    try:
        if bad:
            raise CookieauditError(f"--format {', '.join(bad)}: unknown", fix="use html, csv and/or md")
        written = [p for d in _split(domains) for lang in _split(langs)
                   for p in write_inventory(run_dir, d, lang, tuple(formats))]
        write_manifest(run_dir)
    except CookieauditError as exc:
        _fail(exc)
    for p in written:
        click.echo(str(p))


@cli.command()
@click.argument("run_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="New run folder (default: RUN_DIR-evaluated-<UTC>); the original run is never changed.")
@click.option("--expectations", type=click.Path(path_type=Path, exists=True, dir_okay=False), default=None,
              help="Judge against this expectations file (default: the one the run recorded).")
@click.option("--fail-on", type=click.Choice(SEVERITY_CHOICES), default="high")
@click.option("--lang", default="nl", help="Report language: nl, en")
@click.option("--baseline", type=click.Path(path_type=Path, exists=True), default=None)
@click.option("--waivers", type=click.Path(path_type=Path, exists=True, dir_okay=False), default=None)
def evaluate(run_dir, out, expectations, fail_on, lang, baseline, waivers):
    """Re-judge a run's stored observations with the current knowledge base and rules (no browser).

    For re-checking last night's evidence after a knowledge-base or rule update: the evidence is copied into a
    new run folder, judged again and sealed; the exit code is that of a scan (0 clean, 1 findings, 2 incomplete)."""
    from datetime import datetime, timezone

    from .finish import reevaluate

    out = out or run_dir.with_name(f"{run_dir.name}-evaluated-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}")
    try:
        doc = reevaluate(run_dir, out, expectations=expectations, fail_on=fail_on, lang=lang,
                         baseline=baseline, waivers=waivers)
    except CookieauditError as exc:
        _fail(exc)
    s = doc.summary
    click.echo(f"{out}: {s.findings} findings ({s.failing_findings} at or above {fail_on}), "
               f"{s.incomplete} incomplete visit(s)")
    sys.exit(s.exit_code)


@cli.command()
@click.argument("run_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--public-key", type=click.Path(path_type=Path, exists=True, dir_okay=False), default=None,
              help="Also check evidence-manifest.sig with this Ed25519 public key (from `cookieaudit keygen`).")
def verify(run_dir, public_key):
    """Re-check manifest.sha256 of a run folder (and its signature); exit 1 on any changed, missing or extra file."""
    from .manifest import verify_manifest, verify_signature

    problems = verify_manifest(run_dir)
    if public_key is not None:
        try:
            problems += [p for p in verify_signature(run_dir, public_key) if p not in problems]
        except CookieauditError as exc:
            _fail(exc)
    for p in problems:
        click.echo(f"FAIL {p}", err=True)
    if problems:
        sys.exit(1)
    click.echo(f"OK   {run_dir}: every file matches manifest.sha256"
               + (f"; signature valid for {public_key}" if public_key is not None else ""))


@cli.command()
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="Private key file to create (PEM); the public key is written next to it as <out>.pub.")
def keygen(out):
    """Create an Ed25519 key pair for signing evidence (scan --sign KEY; verify --public-key KEY.pub)."""
    from .manifest import generate_keypair

    try:
        priv, pub, fp = generate_keypair(out)
    except CookieauditError as exc:
        _fail(exc)
    click.echo(f"private key: {priv} (keep it secret)")
    click.echo(f"public key:  {pub}")
    click.echo(f"fingerprint: {fp}")


@cli.group()
def kb() -> None:
    """Knowledge base (vendor signatures, Open Cookie Database, filter list)."""


@kb.command("update")
@click.option("--dest", type=click.Path(path_type=Path), default=None, help="Where to write refreshed datasets.")
def kb_update(dest):
    """Refresh downloadable datasets when a network is available, and record their versions."""
    from .kb.update import update_datasets

    try:
        result = update_datasets(dest) if dest else update_datasets()
    except CookieauditError as exc:
        _fail(exc)
    for k, v in result.items():
        click.echo(f"{k}: {v}")


@kb.command("versions")
def kb_versions():
    """Print the versions of the datasets a scan would use."""
    from .kb import load_kb

    for k, v in load_kb().versions().items():
        click.echo(f"{k}: {v}")


register_gate_commands(cli)


def main() -> None:
    """Entry point; click's own usage errors exit 64 (2 is reserved for an incomplete audit)."""
    try:
        rv = cli.main(standalone_mode=False)
    except click.exceptions.UsageError as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    except click.exceptions.Abort:
        click.echo("cookieaudit: aborted", err=True)
        sys.exit(EXIT_INCOMPLETE)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    except CookieauditError as exc:
        _fail(exc)
    sys.exit(rv if isinstance(rv, int) else 0)


if __name__ == "__main__":
    main()
