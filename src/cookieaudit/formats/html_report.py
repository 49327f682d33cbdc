"""``report.html``: one self-contained, script-free evidence report (inline CSS, screenshots as data: URIs)."""

from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from . import report_model
from .interface import OutputFormat
from .rundata import RunData


@lru_cache(maxsize=1)
def environment() -> Environment:
    # autoescape everywhere: cookie names, URLs, titles ... from audited sites are text, never markup
    return Environment(loader=PackageLoader("cookieaudit.formats", "templates"), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=False, lstrip_blocks=False, keep_trailing_newline=True)


def render_html(run: RunData, lang: str, print_mode: bool = False) -> str:
    model = report_model.build(run, lang, print_mode=print_mode)
    return environment().get_template("report.html.j2").render(m=model)


class HtmlFormat(OutputFormat):
    name = "html"
    filename = "report.html"

    def render(self, run: RunData, lang: str) -> str:
        return render_html(run, lang)
