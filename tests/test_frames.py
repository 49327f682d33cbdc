"""Frames that never committed a document must not stall the audit (real Chromium, no world needed).

A lazy ``<iframe>`` below the fold (video and map embeds on real shops) or one whose ``src`` the browser refused has no
document and no script context; Playwright's ``evaluate`` into it never returns. The consent heuristics once searched
every frame and waited there until the visit's budget ran out.
"""

from __future__ import annotations

import asyncio

import pytest
from playwright.async_api import async_playwright

from cookieaudit.browse.chromium import BrowserPolicy, find_chromium
from cookieaudit.browse.consent.heuristic import REJECT, find_control, find_toggles, read_switch_offer
from cookieaudit.browse.frames import searchable_frames
from cookieaudit.browse.host import BrowserHost

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><html lang="nl"><body>
<div role="dialog" aria-label="Cookies" style="position:fixed;bottom:0;left:0;right:0;background:#fff">
  <p>Wij gebruiken cookies.</p>
  <label><input type="checkbox" id="cat-statistiek"> Statistieken</label>
  <button>Alles weigeren</button> <button>Alles accepteren</button>
</div>
<iframe srcdoc="<label><input type=checkbox id=cat-marketing> Marketing</label>"></iframe>
<div style="height:6000px"></div>
<iframe loading="lazy" src="https://video.example/embed/1"></iframe>
</body></html>"""


async def _check() -> None:
    async with async_playwright() as pw:
        host = BrowserHost(pw, find_chromium(), BrowserPolicy(), None, None)
        await host.start()
        try:
            assert host.browser is not None
            ctx = await host.browser.new_context()
            page = await ctx.new_page()
            await page.set_content(PAGE)
            await asyncio.sleep(0.5)
            # the precondition: the lazy frame exists, has no document, and a plain evaluate into it does not return
            idle = [f for f in page.frames if f.url == ""]
            assert len(idle) == 1, [f.url for f in page.frames]
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(idle[0].evaluate("1"), 2)
            frames = searchable_frames(page)
            assert frames[0] is page.main_frame and idle[0] not in frames
            assert [f.url for f in frames[1:]] == ["about:srcdoc"]           # a frame with a document is searched
            # the searches finish (the bound only turns a regression into a failure instead of a hung suite)
            offer = await asyncio.wait_for(read_switch_offer(page), 30)
            assert {c["label"] for c in offer["categories"]} == {"Statistieken", "Marketing"}
            found = await asyncio.wait_for(find_control(page, REJECT), 30)
            assert found is not None and found.text == "Alles weigeren"
            toggles = await asyncio.wait_for(find_toggles(page), 30)
            assert {t.label for t in toggles} == {"Statistieken", "Marketing"}
            await ctx.close()
        finally:
            await host.close()


def test_frames_without_a_document_are_skipped_and_the_searches_finish():
    asyncio.run(_check())
