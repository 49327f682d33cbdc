"""Which frames of a page can be searched at all."""

from __future__ import annotations

from playwright.async_api import Frame, Page


def searchable_frames(page: Page) -> list[Frame]:
    """The main frame first, then every child frame that has committed a document.

    A frame whose first navigation never committed (an ``<iframe src>`` the browser refused, such as ``file://`` or
    ``chrome://``, or a load still in flight) has no document to search and no script context: Playwright's calls into
    it wait until their time-out, or forever for ``evaluate``, so a hostile page could stall the audit with three such
    iframes. Playwright reports such a frame's URL as ``""``; a frame a script wrote into is ``about:blank``.
    """
    main = page.main_frame
    return [main] + [f for f in page.frames if f is not main and f.url and not f.is_detached()]
