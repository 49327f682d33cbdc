"""report.html in a real Chromium (file://, offline, script-free) and report.pdf through Chromium's print."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from cookieaudit.browse.chromium import find_chromium
from cookieaudit.formats import RunData, render

pytestmark = pytest.mark.browser

FIXTURE = Path(__file__).parent / "data" / "run"
HOSTILE = '<img src=x onerror="window.__pwned=1">'


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dst = tmp_path_factory.mktemp("browser") / "run"
    shutil.copytree(FIXTURE, dst)
    render(dst, ["html", "pdf"], lang="nl")
    return dst


def test_report_in_chromium(rendered: Path) -> None:
    run = RunData.load(rendered)
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium())
        try:
            page = browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto((rendered / "report.html").as_uri(), wait_until="load")
            page.wait_for_timeout(300)

            assert errors == []                     # includes CSP violations
            assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
            assert page.evaluate("document.scripts.length") == 0
            assert page.evaluate("typeof window.__pwned") == "undefined"
            assert page.evaluate("document.querySelectorAll('img').length") == 0

            cells = page.locator("#matrix td[data-state]")
            assert cells.count() == 4
            assert page.locator('#matrix td[data-state="incomplete"]').inner_text().startswith("onvolledig")
            for f in run.findings:
                assert page.locator(f'[data-finding-id="{f.id}"]').count() == 1, f.id
                assert f.id in page.locator(f'[data-finding-id="{f.id}"]').inner_text()

            text = page.evaluate("document.body.innerText")
            assert HOSTILE in text                  # visible as text ...
            assert '"><script>window.__pwned=1</script>' in text
            # ... and every embedded screenshot actually decodes and paints
            sizes = page.evaluate("""[...document.querySelectorAll('svg.shot')].map(s => {
                const r = s.getBoundingClientRect(); return [r.width, r.height]; })""")
            assert sizes and all(w > 100 and h > 50 for w, h in sizes)
        finally:
            browser.close()


def test_pdf(rendered: Path, tmp_path: Path) -> None:
    pdf = rendered / "report.pdf"
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 20_000
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed: cannot rasterise the PDF; `make setup` installs it")
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True, capture_output=True, timeout=120)
    pngs = list(tmp_path.glob("page*.png"))
    assert len(pngs) == 1 and pngs[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert "A4" in info or "595.276 x 841.89" in info or "595 x 842" in info
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "pagina 1 / " in text and "evidence-manifest.sha256" in text


def test_pdf_from_inside_an_event_loop(tmp_path: Path) -> None:
    """The scan core is asyncio; rendering the PDF from inside its loop must work too."""
    dst = tmp_path / "run"
    shutil.copytree(FIXTURE, dst)

    async def scan_then_render() -> list[Path]:
        return render(dst, ["pdf"], lang="en")

    paths = asyncio.run(scan_then_render())
    assert paths == [dst / "report.pdf"] and paths[0].read_bytes().startswith(b"%PDF-")
