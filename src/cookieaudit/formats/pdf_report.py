"""``report.pdf``: report.html printed by Chromium (A4, page numbers and the evidence-manifest hash in the footer)."""

from __future__ import annotations

import html
import threading
from typing import Any

from .html_report import render_html
from .interface import OutputFormat
from .i18n import strings
from .rundata import RunData

FOOTER = ('<div style="font-size:7.5px;width:100%;padding:0 11mm;color:#555;display:flex;'
          'justify-content:space-between;font-family:sans-serif">'
          '<span>{left}</span><span>{page} <span class="pageNumber"></span> / <span class="totalPages"></span></span></div>')


def footer_template(run: RunData, lang: str) -> str:
    em = run.evidence_manifest
    left = f"{run.run.get('id', '')}"
    if em:
        left += f" · evidence-manifest.sha256 {em.sha256[:16]}…"
    return FOOTER.format(left=html.escape(left), page="pagina" if lang == "nl" else "page")


def html_to_pdf(document: str, footer: str, executable: str | None = None, timeout_ms: float = 120_000) -> bytes:
    """Print an HTML string to PDF bytes with Chromium, refusing every network request.

    Runs in its own thread so it also works when the caller is inside an asyncio event loop.
    """
    result: dict[str, Any] = {}

    def work() -> None:
        try:
            from playwright.sync_api import sync_playwright

            from ..browse.chromium import find_chromium

            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=executable or find_chromium())
                try:
                    page = browser.new_page()
                    page.route("**/*", lambda route: route.abort() if not route.request.url.startswith(
                        ("data:", "about:")) else route.continue_())
                    page.set_content(document, wait_until="load", timeout=timeout_ms)
                    page.emulate_media(media="print")
                    result["pdf"] = page.pdf(format="A4", print_background=True, display_header_footer=True,
                                             header_template="<span></span>", footer_template=footer,
                                             margin={"top": "14mm", "bottom": "16mm", "left": "11mm", "right": "11mm"},
                                             prefer_css_page_size=True)
                finally:
                    browser.close()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            result["error"] = exc

    t = threading.Thread(target=work, name="cookieaudit-pdf")
    t.start()
    t.join()
    if "error" in result:
        raise result["error"]
    return result["pdf"]


class PdfFormat(OutputFormat):
    name = "pdf"
    filename = "report.pdf"

    def render(self, run: RunData, lang: str) -> bytes:
        strings(lang)
        return html_to_pdf(render_html(run, lang, print_mode=True), footer_template(run, lang))
