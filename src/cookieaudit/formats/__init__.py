"""Output formats: a family of small plug-ins that each turn a run folder into a file.

Adding a format is one module with an :class:`OutputFormat` subclass plus one line in ``FORMATS``.

Order of work in a run folder (see cookieaudit.manifest and docs/report.md):
  1. the scan writes findings.json, observations/ and evidence/;
  2. :func:`render` writes evidence-manifest.sha256 if it is missing (the report prints its hash), then the
     requested outputs;
  3. the caller writes manifest.sha256 last (:func:`cookieaudit.manifest.write_manifest`).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError
from ..manifest import EVIDENCE_MANIFEST_NAME, write_evidence_manifest
from .csv_tables import CsvFormat
from .findings_json import JsonFormat
from .html_report import HtmlFormat
from .i18n import LANGUAGES, strings
from .interface import OutputFormat
from .junit_xml import JunitFormat
from .markdown_summary import MarkdownFormat
from .pdf_report import PdfFormat
from .rundata import RunData

FORMATS: dict[str, type[OutputFormat]] = {f.name: f for f in (
    JsonFormat, HtmlFormat, PdfFormat, JunitFormat, MarkdownFormat, CsvFormat)}

DEFAULT_FORMATS = ("json", "html", "junit", "markdown", "csv")

__all__ = ["FORMATS", "DEFAULT_FORMATS", "LANGUAGES", "OutputFormat", "RunData", "get_format", "render",
           "output_files"]


def get_format(name: str) -> OutputFormat:
    try:
        return FORMATS[name]()
    except KeyError:
        raise ConfigError(f"unknown output format {name!r}",
                          fix=f"use one or more of: {', '.join(FORMATS)}") from None


def output_files() -> list[str]:
    """Every file name a format can write into a run folder."""
    return [n for f in FORMATS.values() for n in f().filenames()]


def _write(path: Path, content: bytes | str) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    tmp.replace(path)


def render(run_dir: Path, formats: list[str], lang: str = "nl") -> list[Path]:
    """Write the requested formats into ``run_dir`` and return the files written (or kept, for findings.json).

    Writes evidence-manifest.sha256 first when it is missing. An existing one is never rewritten: if the
    evidence changed since, the report says so in red instead of vouching for the new files.
    """
    run_dir = Path(run_dir)
    strings(lang)
    plugins = [get_format(n) for n in dict.fromkeys(formats)]
    if not (run_dir / EVIDENCE_MANIFEST_NAME).is_file():
        RunData.load(run_dir)   # validates findings.json before we vouch for it
        write_evidence_manifest(run_dir)
    run = RunData.load(run_dir)
    written: list[Path] = []
    for plugin in plugins:
        for name, content in plugin.outputs(run, lang).items():
            target = run_dir / name
            if not (target.exists() and not plugin.overwrite):
                _write(target, content)
            written.append(target)
    return written
